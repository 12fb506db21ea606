package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/sqlerr"
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
// A COMMIT that gets no answer (the connection lost while it ran, the
// context ended) may have been carried out: CreateTx returns at once with
// an error wrapping casenum.ErrUncertain, as an *casenum.AttemptError that
// carries the number. Look the record up before trying again.
//
// When g's Sequence is a *Sequence on db without blocks, {seq} is drawn in
// the attempt's transaction, so the counter commits or rolls back with the
// record: gap-free numbering.
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
	a := &attemptTx{db: db, opts: opts}
	defer a.rollback()
	return g.Create(context.WithValue(ctx, attemptKey{}, a), func(ctx context.Context, number string) error {
		tx, err := a.begin(ctx)
		if err != nil {
			return beforeCommit(ctx, fmt.Errorf("store: begin: %w", err))
		}
		defer a.forget()
		if err := fn(ctx, tx, number); err != nil {
			_ = tx.Rollback()
			return beforeCommit(ctx, err)
		}
		if err := tx.Commit(); err != nil {
			return atCommit(err)
		}
		return nil
	})
}

// beforeCommit classifies an error met before COMMIT: nothing was
// committed, so a lost connection aborted the attempt, and a context that
// ended stops the call without doubt.
func beforeCommit(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return sqlerr.Mark(sqlerr.Fatal, err)
	case sqlerr.Classify(err) == sqlerr.Uncertain:
		return sqlerr.Mark(sqlerr.Aborted, err)
	}
	return err
}

// atCommit classifies an error of COMMIT. One the database answered with
// a code, or driver.ErrBadConn (nothing was sent), says the transaction did
// not commit, and is classified as usual (a deferred unique violation is a
// collision). Anything else, a lost connection or an ended context, leaves
// the outcome unknown.
func atCommit(err error) error {
	switch {
	case errors.Is(err, sql.ErrTxDone):
		return sqlerr.Mark(sqlerr.Fatal, fmt.Errorf("store: CreateTx: the function ended the transaction itself; leave COMMIT and ROLLBACK to CreateTx: %w", err))
	case errors.Is(err, driver.ErrBadConn),
		sqlerr.Answered(err) && sqlerr.Classify(err) != sqlerr.Uncertain:
		return fmt.Errorf("store: commit: %w", err)
	}
	return sqlerr.Mark(sqlerr.Uncertain, fmt.Errorf("%w: commit: %w", casenum.ErrUncertain, err))
}

// attemptTx is the transaction of CreateTx's current attempt. It is begun
// by the first of the Sequence or the insert that needs it; an attempt runs
// on one goroutine, so it needs no lock.
type attemptTx struct {
	db   *sql.DB
	opts *sql.TxOptions
	tx   *sql.Tx
}

type attemptKey struct{}

// attemptFor returns the attempt's transaction holder when ctx comes from
// CreateTx on db.
func attemptFor(ctx context.Context, db Querier) *attemptTx {
	a, _ := ctx.Value(attemptKey{}).(*attemptTx)
	if a == nil || Querier(a.db) != db {
		return nil
	}
	return a
}

func (a *attemptTx) begin(ctx context.Context) (*sql.Tx, error) {
	if a.tx != nil {
		return a.tx, nil
	}
	tx, err := a.db.BeginTx(ctx, a.opts)
	if err != nil {
		return nil, err
	}
	a.tx = tx
	return tx, nil
}

// forget drops the transaction after COMMIT or ROLLBACK.
func (a *attemptTx) forget() { a.tx = nil }

// rollback ends a transaction left by an attempt that never reached its
// insert.
func (a *attemptTx) rollback() {
	if a.tx != nil {
		_ = a.tx.Rollback()
		a.tx = nil
	}
}
