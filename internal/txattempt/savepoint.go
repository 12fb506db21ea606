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
// then RELEASE SAVEPOINT. A collision comes back as it is, for the
// Generator to retry in the transaction; any other error of insert is
// marked final, since it may have ended the whole transaction.
func Savepoint(ctx context.Context, pkg string, exec func(ctx context.Context, stmt string) error,
	insert func(ctx context.Context, number string) error, number string) error {
	// MySQL drops an older savepoint of the same name, so a nested wrapper
	// needs a name of its own.
	depth, _ := ctx.Value(savepointDepth{}).(int)
	depth++
	name := "casemint_" + strconv.Itoa(depth)
	if err := exec(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("%s: savepoint: %w", pkg, err)
	}
	ierr := insert(context.WithValue(ctx, savepointDepth{}, depth), number)
	if ierr != nil && !collision(ierr) {
		// Whatever else went wrong (a deadlock, a serialization failure, a
		// lost connection) may have ended the whole transaction: the
		// caller must retry all of it, and a Generator must not try
		// another number inside it.
		ierr = sqlerr.Mark(sqlerr.Fatal, ierr)
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
		return fmt.Errorf("%s: releasing savepoint: %w", pkg, err)
	}
	return ierr
}

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
		return fmt.Errorf("%s: %s after %q: %w", pkg, what, insertErr.Error(), err)
	}
	return fmt.Errorf("%s: %s after %w: %w", pkg, what, insertErr, err)
}

// savepointDepth is the context key of the nesting depth of Savepoint.
type savepointDepth struct{}
