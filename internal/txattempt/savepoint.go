package txattempt

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/sqlerr"
)

// Savepoint runs insert under a savepoint of the transaction that exec
// runs statements in: SAVEPOINT, insert, on failure ROLLBACK TO SAVEPOINT,
// then RELEASE SAVEPOINT. An error of insert that would be retried as
// aborted, or reported as uncertain, is marked final: the whole
// transaction may be gone, and nothing commits before the caller's COMMIT.
// Others come back as they are, for the Generator's conflict test and
// classifier to judge (a collision is retried in the transaction). An
// error of a savepoint statement is final too.
func Savepoint(ctx context.Context, pkg string, exec func(ctx context.Context, stmt string) error,
	insert func(ctx context.Context, number string) error, number string) error {
	// MySQL drops an older savepoint of the same name, so a nested wrapper
	// needs a name of its own.
	depth, _ := ctx.Value(savepointDepth{}).(int)
	depth++
	name := "casemint_" + strconv.Itoa(depth)
	if err := exec(ctx, "SAVEPOINT "+name); err != nil {
		return final(fmt.Errorf("%s: savepoint: %w", pkg, err))
	}
	ierr := insert(context.WithValue(ctx, savepointDepth{}, depth), number)
	if ierr != nil && ctx.Err() != nil {
		ierr = final(ierr)
	} else if o := casenum.Classify(ierr); o == casenum.Aborted || o == casenum.Uncertain {
		// A deadlock, a serialization failure or a lost connection may
		// have ended the whole transaction: the caller must retry all of
		// it, and a Generator must not try another number inside it.
		ierr = final(ierr)
	}
	if ierr != nil {
		if err := exec(ctx, "ROLLBACK TO SAVEPOINT "+name); err != nil {
			return afterFailedInsert(pkg, "rolling back to savepoint", ierr, err)
		}
	}
	// A savepoint outlives a rollback to it: release it either way, so
	// failed attempts do not pile up savepoints in the transaction.
	if err := exec(ctx, "RELEASE SAVEPOINT "+name); err != nil {
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

// collision reports whether err says the number is taken.
func collision(err error) bool {
	return sqlerr.IsUniqueViolation(err) || errors.Is(err, casenum.ErrDuplicate)
}

// afterFailedInsert reports a savepoint statement that failed after the
// insert did. The savepoint's error is wrapped; the insert's too, so that a
// deadlock (MySQL 1213, after which the whole transaction is rolled back and
// the savepoint gone) stays visible to a caller that retries transactions,
// unless it is a collision: the transaction is broken, and a Generator
// must not retry in it.
func afterFailedInsert(pkg, what string, insertErr, err error) error {
	if collision(insertErr) {
		return final(fmt.Errorf("%s: %s after %q: %w", pkg, what, insertErr.Error(), err))
	}
	return final(fmt.Errorf("%s: %s after %w: %w", pkg, what, insertErr, err))
}

// savepointDepth is the context key of the nesting depth of Savepoint.
type savepointDepth struct{}
