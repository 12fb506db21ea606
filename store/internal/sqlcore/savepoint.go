package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/casemint/casemint/casenum"
)

// Savepoint returns a wrapper of insert that runs each call under a
// savepoint of the transaction h runs statements in: SAVEPOINT, insert, on
// failure ROLLBACK TO SAVEPOINT, then RELEASE SAVEPOINT. herr, when not
// nil, says why h cannot be used, and every call returns it.
//
// An error of insert that would be retried as aborted, or reported as
// uncertain, is marked final: the whole transaction may be gone, and
// nothing commits before the caller's COMMIT. Others come back as they
// are, for the Generator to judge (a collision is retried in the
// transaction). An error of a savepoint statement is final too.
func Savepoint(f *Face, h Handle, herr error, insert func(ctx context.Context, number string) error) func(ctx context.Context, number string) error {
	if herr == nil && insert == nil {
		herr = fmt.Errorf("%w: nil insert function", f.InvalidQuerier)
	}
	// A name of its own per wrapper: MySQL drops an older savepoint of the
	// same name, so wrappers nested in one transaction must not share one.
	sp := savepoint{f: f, h: h, name: "casemint_" + strconv.FormatUint(rand.Uint64(), 36)}
	return func(ctx context.Context, number string) error {
		if herr != nil {
			return herr
		}
		return sp.run(ctx, insert, number)
	}
}

type savepoint struct {
	f    *Face
	h    Handle
	name string
}

func (sp savepoint) exec(ctx context.Context, stmt string) error {
	_, err := sp.h.Exec(ctx, stmt+" "+sp.name)
	return err
}

func (sp savepoint) run(ctx context.Context, insert func(context.Context, string) error, number string) error {
	pkg := sp.f.Pkg
	if err := sp.exec(ctx, "SAVEPOINT"); err != nil {
		return final(fmt.Errorf("%s: savepoint: %w", pkg, err))
	}
	ierr := insert(ctx, number)
	if ierr != nil && ctx.Err() != nil {
		ierr = final(ierr)
	} else if o := casenum.Classify(ierr); o == casenum.Aborted || o == casenum.Uncertain {
		// A deadlock, a serialization failure or a lost connection may
		// have ended the whole transaction: the caller must retry all of
		// it, and a Generator must not try another number inside it.
		ierr = final(ierr)
	}
	if ierr != nil {
		if err := sp.exec(ctx, "ROLLBACK TO SAVEPOINT"); err != nil {
			return afterFailedInsert(pkg, "rolling back to savepoint", ierr, err)
		}
	}
	// A savepoint outlives a rollback to it: release it either way, so
	// failed attempts do not pile up savepoints in the transaction.
	if err := sp.exec(ctx, "RELEASE SAVEPOINT"); err != nil {
		if ierr != nil {
			return afterFailedInsert(pkg, "releasing savepoint", ierr, err)
		}
		return final(fmt.Errorf("%s: releasing savepoint: %w", pkg, err))
	}
	return ierr
}

// final marks err as the end of the call: no attempt is retried in a
// transaction that may be gone.
func final(err error) error { return casenum.Mark(casenum.Failed, err) }

// afterFailedInsert reports a savepoint statement that failed after the
// insert did. The savepoint's error is wrapped; the insert's too, so that a
// deadlock (MySQL 1213, after which the whole transaction is rolled back and
// the savepoint gone) stays visible to a caller that retries transactions,
// unless it is a collision: the transaction is broken, and a Generator
// must not retry in it.
func afterFailedInsert(pkg, what string, insertErr, err error) error {
	if IsUniqueViolation(insertErr) || errors.Is(insertErr, casenum.ErrDuplicate) {
		return final(fmt.Errorf("%s: %s after %q: %w", pkg, what, insertErr.Error(), err))
	}
	return final(fmt.Errorf("%s: %s after %w: %w", pkg, what, insertErr, err))
}
