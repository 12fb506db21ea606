package pgxstore

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casemint/casemint/store"
	"github.com/casemint/casemint/store/internal/sqlcore"
)

// Querier is what a Checker and a Sequence need from the database: the
// methods *pgxpool.Pool, *pgx.Conn and pgx.Tx share. Pass a pool to run
// each statement on its own, or a pgx.Tx to run them inside the caller's
// transaction, so they commit or roll back with it.
type Querier interface {
	Exec(ctx context.Context, sql string, arguments ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Beginner is what CreateTx needs to begin a transaction per attempt:
// *pgxpool.Pool and *pgx.Conn have it.
type Beginner interface {
	BeginTx(ctx context.Context, txOptions pgx.TxOptions) (pgx.Tx, error)
}

var (
	_ Querier  = (*pgxpool.Pool)(nil)
	_ Querier  = (*pgx.Conn)(nil)
	_ Querier  = pgx.Tx(nil)
	_ Beginner = (*pgxpool.Pool)(nil)
	_ Beginner = (*pgx.Conn)(nil)
)

// face is what this package tells the SQL core: store's sentinels, which
// the core wraps, and pgx's own errors.
var face = &sqlcore.Face{
	Pkg:               "pgxstore",
	InvalidIdentifier: store.ErrInvalidIdentifier,
	InvalidQuerier:    store.ErrInvalidQuerier,
	InvalidOption:     store.ErrInvalidOption,
	ScopeTooLong:      store.ErrScopeTooLong,
	CounterRange:      store.ErrCounterRange,
	NoRows:            pgx.ErrNoRows,
	TxDone:            pgx.ErrTxClosed,
	RolledBack:        pgx.ErrTxCommitRollback,
}

// handle is a Querier as the SQL core runs statements on it.
type handle struct{ q Querier }

// Exec returns no Result: PostgreSQL returns counters as rows.
func (h handle) Exec(ctx context.Context, query string, args ...any) (sqlcore.Result, error) {
	_, err := h.q.Exec(ctx, query, args...)
	return nil, err
}

func (h handle) QueryInt(ctx context.Context, query string, args ...any) (int64, error) {
	var v int64
	err := h.q.QueryRow(ctx, query, args...).Scan(&v)
	return v, err
}

// Autocommit reports whether statements on h commit on their own: on a
// pool they do.
func (h handle) Autocommit() bool {
	_, ok := h.q.(*pgxpool.Pool)
	return ok
}
