package pgxstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store/internal/sqlcore"
)

// CreateTx mints a number with g and stores a record under it, running a
// transaction of its own per attempt on db: BEGIN (with opts), fn, COMMIT.
// fn inserts the record (and any child rows) with tx; it must not commit
// or roll back tx. The outcomes are those of store.CreateTx:
//
//   - a collision or an aborted attempt (a deadlock, a serialization
//     failure, a connection lost before COMMIT) at any statement, or at
//     COMMIT, rolls the transaction back and tries again with a new
//     number, so a DEFERRABLE INITIALLY DEFERRED unique constraint is
//     retried like any collision;
//   - a COMMIT whose answer does not prove a rollback (no answer, a
//     cancel, a code not known here) may have been carried out: CreateTx
//     returns at once with an error wrapping casenum.ErrUncertain, as an
//     *casenum.AttemptError that carries the number;
//   - when g's Sequence is a *Sequence on db without blocks, {seq} is drawn
//     in the attempt's transaction and commits or rolls back with the
//     record: gap-free numbering (fn's own calls of that Sequence run on
//     db, outside the attempt's transaction); with WithGroupCommit,
//     concurrent calls drawing from one counter share that transaction,
//     each with its own number and outcome.
//
// A function that ends tx itself gets an error wrapping pgx.ErrTxClosed;
// one that returns nil after a statement failed gets one wrapping
// pgx.ErrTxCommitRollback (nothing was stored). The other outcomes are
// those of casenum.Generator.Create.
func CreateTx(ctx context.Context, db Beginner, g *casenum.Generator, opts pgx.TxOptions,
	fn func(ctx context.Context, tx pgx.Tx, number string) error) (string, error) {
	if err := face.CheckHandle(db); err != nil {
		return "", fmt.Errorf("pgxstore: CreateTx: %w", err)
	}
	switch {
	case g == nil:
		return "", errors.New("pgxstore: CreateTx needs a Generator")
	case fn == nil:
		return "", errors.New("pgxstore: CreateTx needs a function")
	}
	own, _ := g.Sequence().(*Sequence)
	q, _ := db.(Querier) // a Sequence runs on a Querier
	return sqlcore.CreateTx(ctx, face, txs{db, opts}, g, own.core().On(handle{q}), fn)
}

// txs runs the transactions of CreateTx on db.
type txs struct {
	db   Beginner
	opts pgx.TxOptions
}

func (t txs) Begin(ctx context.Context) (pgx.Tx, error) { return t.db.BeginTx(ctx, t.opts) }
func (txs) Commit(ctx context.Context, tx pgx.Tx) error { return tx.Commit(ctx) }
func (txs) Rollback(ctx context.Context, tx pgx.Tx)     { _ = tx.Rollback(ctx) }
func (txs) Handle(tx pgx.Tx) sqlcore.Handle             { return handle{tx} }
func (t txs) Options() any                              { return t.opts }
