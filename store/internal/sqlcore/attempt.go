package sqlcore

import (
	"context"
	"errors"
	"fmt"

	"github.com/casemint/casemint/casenum"
)

// Beginner is how a face runs transactions of type T (*sql.Tx, pgx.Tx)
// for CreateTx.
type Beginner[T any] interface {
	Begin(ctx context.Context) (T, error)
	Commit(ctx context.Context, tx T) error
	Rollback(ctx context.Context, tx T)
	// Handle returns tx as the core runs statements on it.
	Handle(tx T) Handle
	// Options returns the options Begin begins with, as a comparable
	// value: calls with equal options may share a batch's transaction.
	Options() any
}

// CreateTx runs g.Create with a transaction of b per attempt: BEGIN, fn,
// COMMIT. When seq is not nil, g's {seq} is drawn from it in the attempt's
// transaction, so the counter commits or rolls back with the record.
func CreateTx[T any](ctx context.Context, f *Face, b Beginner[T], g *casenum.Generator, seq *Sequence,
	fn func(ctx context.Context, tx T, number string) error) (string, error) {
	a := &attempt[T]{f: f, b: b}
	defer a.rollback(ctx) // a transaction whose attempt never reached fn
	if seq != nil && seq.group != nil {
		return createInBatches(ctx, a, seq, g, fn)
	}
	if seq != nil {
		g = g.BindSequence(txSequence[T]{a, seq})
	}
	return g.Create(ctx, a.insert(fn))
}

// attempt owns the transaction of one CreateTx call's current attempt. It
// is begun by the first of the bound Sequence or the insert that needs
// it; a call runs its attempts one at a time, so it needs no lock.
type attempt[T any] struct {
	f     *Face
	b     Beginner[T]
	tx    T
	open  bool
	drawn bool // the transaction holds a {seq} draw
}

// insert returns the insert function of Generator.Create: fn in the
// attempt's transaction, then COMMIT.
func (a *attempt[T]) insert(fn func(ctx context.Context, tx T, number string) error) func(context.Context, string) error {
	return func(ctx context.Context, number string) error {
		tx, err := a.begin(ctx)
		if err != nil {
			return beforeCommit(ctx, fmt.Errorf("%s: begin: %w", a.f.Pkg, err))
		}
		// Rolled back unless committed, even when fn panics.
		defer a.rollback(ctx)
		if err := fn(ctx, tx, number); err != nil {
			return beforeCommit(ctx, err)
		}
		if err := ctx.Err(); err != nil {
			return casenum.Mark(casenum.Failed, err) // not committed: nothing was sent
		}
		err = a.b.Commit(ctx, tx)
		a.forget()
		if err != nil {
			return a.atCommit(ctx, err)
		}
		return nil
	}
}

func (a *attempt[T]) begin(ctx context.Context) (T, error) {
	if a.open {
		return a.tx, nil
	}
	tx, err := a.b.Begin(ctx)
	if err != nil {
		return tx, err
	}
	a.tx, a.open = tx, true
	return tx, nil
}

// forget drops the transaction after COMMIT or ROLLBACK.
func (a *attempt[T]) forget() {
	var zero T
	a.tx, a.open, a.drawn = zero, false, false
}

// rollback ends the transaction, if one is open.
func (a *attempt[T]) rollback(ctx context.Context) {
	if a.open {
		a.b.Rollback(ctx, a.tx)
		a.forget()
	}
}

// txSequence is the Sequence CreateTx binds to one call: it draws {seq} in
// the transaction of the call's current attempt.
type txSequence[T any] struct {
	a *attempt[T]
	s *Sequence
}

// Next raises the scope's counter in the attempt's transaction, which it
// begins.
func (t txSequence[T]) Next(ctx context.Context, scope string) (uint64, error) {
	a := t.a
	if a.drawn {
		a.rollback(ctx) // left by an earlier attempt that never reached its insert
	}
	tx, err := a.begin(ctx)
	if err != nil {
		return 0, beforeCommit(ctx, fmt.Errorf("%s: begin: %w", a.f.Pkg, err))
	}
	v, err := t.s.draw(ctx, a.f, a.b.Handle(tx), scope)
	if err != nil {
		a.rollback(ctx)
		return 0, beforeCommit(ctx, err)
	}
	a.drawn = true
	return v, nil
}

// Advance raises the counter to last, the value of a candidate that
// collided, outside the attempt's transaction: the collision rolled that
// transaction back, and its draw with it, so the next attempt would draw
// last again. A transaction still open (a Checker found the candidate
// taken before any insert) holds the counter's row, and is rolled back
// first.
func (t txSequence[T]) Advance(ctx context.Context, scope string, last uint64) error {
	t.a.rollback(ctx)
	return t.s.Advance(ctx, t.a.f, scope, last)
}

// Release rolls back the attempt's transaction if it is still open: it
// then holds the draw of v and nothing else, since no insert ran in it.
// Left open, it would be reused by the next attempt's insert, which draws
// no value when its layout has no {seq}, and commit v with a number that
// does not show it.
func (t txSequence[T]) Release(ctx context.Context, _ string, _ uint64) {
	t.a.rollback(ctx)
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

// atCommit classifies an error of COMMIT: the caller's function ended the
// transaction itself, or the database rolled back a transaction in which
// a statement had failed, or else the COMMIT rule decides.
func (a *attempt[T]) atCommit(ctx context.Context, err error) error {
	f := a.f
	switch {
	case errors.Is(err, f.TxDone) && ctx.Err() != nil:
		// The transaction was rolled back because the context ended.
		return casenum.Mark(casenum.Failed, fmt.Errorf("%s: commit: %w: %w", f.Pkg, ctx.Err(), err))
	case errors.Is(err, f.TxDone):
		return casenum.Mark(casenum.Failed, fmt.Errorf("%s: CreateTx: the function ended the transaction itself; leave COMMIT and ROLLBACK to CreateTx: %w", f.Pkg, err))
	case f.RolledBack != nil && errors.Is(err, f.RolledBack):
		return casenum.Mark(casenum.Failed, fmt.Errorf("%s: CreateTx: a statement failed and the function returned nil, so COMMIT rolled back: %w", f.Pkg, err))
	case notCommitted(err):
		return fmt.Errorf("%s: commit: %w", f.Pkg, err)
	}
	return casenum.Mark(casenum.Uncertain, fmt.Errorf("%w: commit: %w", casenum.ErrUncertain, err))
}

// notCommitted is the COMMIT rule: it reports whether err, returned by
// COMMIT, proves that the transaction did not commit. Only a driver's code
// that says the database rolled it back does: a collision (a deferred
// unique violation), a deadlock or serialization failure, a cluster's
// certification failure, or another constraint violation (a deferred
// foreign key). Any other answer may have committed, with a code or not:
// MariaDB's 1317 (a KILL QUERY that interrupted the COMMIT, which leaves
// the transaction open for a later statement to commit), PostgreSQL's
// 57014 (a cancel), a code unknown here, a lost connection,
// driver.ErrBadConn and pgx's SafeToRetry (some drivers report a reply
// lost after the COMMIT was sent that way).
func notCommitted(err error) bool {
	c := coded(err)
	if c == nil || casenum.Classify(err) == casenum.Uncertain {
		return false
	}
	switch casenum.Classify(c) {
	case casenum.Collided, casenum.Aborted:
		return true
	}
	return isConstraint(c)
}
