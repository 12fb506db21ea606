package pgxstore

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
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
