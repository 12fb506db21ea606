// Package txattempt runs the attempts of a Generator inside transactions:
// a transaction of its own per attempt (CreateTx), with the attempt's
// {seq} drawn in it, or a savepoint per attempt inside the caller's
// transaction (Savepoint). It says what an error at each step means for
// the attempt, whatever the driver.
package txattempt

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/sqlerr"
)

// Driver is how a package begins, commits and rolls back transactions of
// type T, and how its driver reports what became of a COMMIT.
type Driver[T any] struct {
	Pkg      string // the package, in front of error messages
	Begin    func(ctx context.Context) (T, error)
	Commit   func(ctx context.Context, tx T) error
	Rollback func(ctx context.Context, tx T)
	// TxDone is what Commit returns when fn ended the transaction itself.
	TxDone error
	// RolledBack is what Commit returns when the database rolled a failed
	// transaction back instead; nil when the driver does not say.
	RolledBack error
}

// attempt is the transaction of the current attempt. It is begun by the
// first of the Sequence or the insert that needs it; an attempt runs on
// one goroutine, so it needs no lock.
type attempt[T any] struct {
	db   any // what the Sequence must run on to join the transaction
	d    *Driver[T]
	tx   T
	open bool
}

type key struct{}

// Create runs g.Create with a transaction of d per attempt: BEGIN, fn,
// COMMIT. db is the handle d begins on.
func Create[T any](ctx context.Context, db any, d *Driver[T], g *casenum.Generator,
	fn func(ctx context.Context, tx T, number string) error) (string, error) {
	a := &attempt[T]{db: db, d: d}
	defer a.rollback(ctx)
	return g.Create(context.WithValue(ctx, key{}, a), func(ctx context.Context, number string) error {
		tx, err := a.begin(ctx)
		if err != nil {
			return beforeCommit(ctx, fmt.Errorf("%s: begin: %w", d.Pkg, err))
		}
		// Rolled back unless committed, even when fn panics; after a
		// COMMIT the rollback is a no-op.
		defer a.rollback(ctx)
		// fn's own calls of the Sequence draw outside the attempt's
		// transaction, which only the rendering joins.
		if err := fn(context.WithValue(ctx, key{}, (*attempt[T])(nil)), tx, number); err != nil {
			return beforeCommit(ctx, err)
		}
		if err := ctx.Err(); err != nil {
			return casenum.Mark(casenum.Failed, err) // not committed: nothing was sent
		}
		if err := d.Commit(ctx, tx); err != nil {
			return a.atCommit(ctx, err)
		}
		return nil
	})
}

// Next draws a value with bump in the transaction of Create's attempt,
// which it begins, when ctx comes from Create on db; ok is false
// otherwise, and bump is not called.
func Next[T any](ctx context.Context, db any, bump func(ctx context.Context, tx T) (uint64, error)) (v uint64, ok bool, err error) {
	a, _ := ctx.Value(key{}).(*attempt[T])
	if a == nil || !same(a.db, db) {
		return 0, false, nil
	}
	a.rollback(ctx) // left by an earlier attempt that never reached its insert
	tx, err := a.begin(ctx)
	if err != nil {
		return 0, true, beforeCommit(ctx, fmt.Errorf("%s: begin: %w", a.d.Pkg, err))
	}
	if v, err = bump(ctx, tx); err != nil {
		a.rollback(ctx)
		return 0, true, beforeCommit(ctx, err)
	}
	return v, true, nil
}

// same reports whether x and y are the same handle: the same pointer. A
// handle of another kind never joins the attempt's transaction.
func same(x, y any) bool {
	vx, vy := reflect.ValueOf(x), reflect.ValueOf(y)
	return vx.Kind() == reflect.Pointer && vx.Type() == vy.Type() && vx.Pointer() == vy.Pointer()
}

func (a *attempt[T]) begin(ctx context.Context) (T, error) {
	if a.open {
		return a.tx, nil
	}
	tx, err := a.d.Begin(ctx)
	if err != nil {
		return tx, err
	}
	a.tx, a.open = tx, true
	return tx, nil
}

// forget drops the transaction after COMMIT or ROLLBACK.
func (a *attempt[T]) forget() {
	var zero T
	a.tx, a.open = zero, false
}

// rollback ends a transaction left by an attempt that never reached its
// insert.
func (a *attempt[T]) rollback(ctx context.Context) {
	if a.open {
		a.d.Rollback(ctx, a.tx)
		a.forget()
	}
}

// beforeCommit classifies an error met before COMMIT: nothing was
// committed, so an outcome that looks unknown (a lost connection, fn's own
// timeout) aborted the attempt, and a context that ended stops the call
// without doubt.
func beforeCommit(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return casenum.Mark(casenum.Failed, err)
	case casenum.Classify(err) == casenum.Uncertain:
		return casenum.Mark(casenum.Aborted, err)
	}
	return err
}

// atCommit classifies an error of COMMIT. One the database answered with
// a code means the transaction did not commit, and is classified as usual
// (a deferred unique violation is a collision). Anything else leaves the
// outcome unknown, driver.ErrBadConn and pgx's SafeToRetry included: some
// drivers report a reply lost after the COMMIT was sent that way.
func (a *attempt[T]) atCommit(ctx context.Context, err error) error {
	d := a.d
	switch {
	case errors.Is(err, d.TxDone) && ctx.Err() != nil:
		// The transaction was rolled back because the context ended.
		return casenum.Mark(casenum.Failed, fmt.Errorf("%s: commit: %w: %w", d.Pkg, ctx.Err(), err))
	case errors.Is(err, d.TxDone):
		return casenum.Mark(casenum.Failed, fmt.Errorf("%s: CreateTx: the function ended the transaction itself; leave COMMIT and ROLLBACK to CreateTx: %w", d.Pkg, err))
	case d.RolledBack != nil && errors.Is(err, d.RolledBack):
		return casenum.Mark(casenum.Failed, fmt.Errorf("%s: CreateTx: a statement failed and the function returned nil, so COMMIT rolled back: %w", d.Pkg, err))
	case sqlerr.Answered(err) && sqlerr.Classify(err) != sqlerr.Uncertain:
		return fmt.Errorf("%s: commit: %w", d.Pkg, err)
	}
	return casenum.Mark(casenum.Uncertain, fmt.Errorf("%w: commit: %w", casenum.ErrUncertain, err))
}
