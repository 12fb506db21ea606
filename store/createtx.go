package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store/internal/sqlcore"
)

// CreateTx mints a number with g and stores a record under it, running a
// transaction of its own per attempt: BEGIN, fn, COMMIT. fn inserts the
// record (and any child rows) with tx; it must not commit or roll back tx.
//
// A collision or an aborted attempt at any statement, or at COMMIT, rolls
// the transaction back and tries again with a new number, so uniqueness
// checked at COMMIT (PostgreSQL's DEFERRABLE INITIALLY DEFERRED, TiDB's
// optimistic transactions) and a Galera cluster's certification failures
// are retried like any collision. An error of fn that says the connection
// was lost is an abort too: nothing was committed.
//
// A COMMIT that gets no answer from the database (the connection lost or
// the context ended while it ran; driver.ErrBadConn too, which lib/pq
// returns after sending) may have been carried out: CreateTx returns at
// once with an error wrapping casenum.ErrUncertain, as an
// *casenum.AttemptError that carries the number. Look the record up before
// trying again. A context that ends before COMMIT ends the call with its
// error, nothing stored.
//
// When g's Sequence is a *Sequence on db without blocks, {seq} is drawn in
// the attempt's transaction, so the counter commits or rolls back with the
// record: gap-free numbering. fn's own calls of that Sequence run on db,
// outside the attempt's transaction. With WithGroupCommit, concurrent
// calls drawing from one counter share that transaction, each with its
// own number and outcome.
//
// The other outcomes are those of casenum.Generator.Create; opts are those
// of sql.DB.BeginTx.
func CreateTx(ctx context.Context, db *sql.DB, g *casenum.Generator, opts *sql.TxOptions,
	fn func(ctx context.Context, tx *sql.Tx, number string) error) (string, error) {
	switch {
	case db == nil:
		return "", fmt.Errorf("%w: CreateTx needs a *sql.DB", ErrInvalidQuerier)
	case g == nil:
		return "", errors.New("store: CreateTx needs a Generator")
	case fn == nil:
		return "", errors.New("store: CreateTx needs a function")
	}
	own, _ := g.Sequence().(*Sequence)
	return sqlcore.CreateTx(ctx, face, txs{db, opts}, g, own.core().On(handle{db}), fn)
}

// txs runs the transactions of CreateTx on db.
type txs struct {
	db   *sql.DB
	opts *sql.TxOptions
}

func (t txs) Begin(ctx context.Context) (*sql.Tx, error) { return t.db.BeginTx(ctx, t.opts) }
func (txs) Commit(_ context.Context, tx *sql.Tx) error   { return tx.Commit() }
func (txs) Rollback(_ context.Context, tx *sql.Tx)       { _ = tx.Rollback() }
func (txs) Handle(tx *sql.Tx) sqlcore.Handle             { return handle{tx} }

// Options returns the options by value: nil and &sql.TxOptions{} are one.
func (t txs) Options() any {
	if t.opts == nil {
		return sql.TxOptions{}
	}
	return *t.opts
}
