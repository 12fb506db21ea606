package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/sqlerr"
)

// Savepoint wraps an insert function for Generator.Create so that each
// attempt runs under a savepoint of the caller's transaction tx:
//
//	SAVEPOINT casemint_1; insert(ctx, number); RELEASE SAVEPOINT casemint_1
//
// When insert fails, ROLLBACK TO SAVEPOINT and RELEASE SAVEPOINT undo it. A
// collision (a unique violation or casenum.ErrDuplicate) is returned
// unchanged, so Create tries another number in the same transaction. Any
// other error is returned marked as final: an aborted transaction (a
// deadlock, a serialization failure) or a lost connection cannot be
// retried inside the transaction, so Create returns it at once, and the
// caller retries the whole transaction (or uses CreateTx, which does).
//
// PostgreSQL needs this: a failed statement aborts the whole transaction,
// and every statement after it fails until a rollback. (An INSERT … ON
// CONFLICT DO NOTHING RETURNING that returns casenum.ErrDuplicate when no
// row comes back avoids the error, and the savepoint, altogether.) MySQL,
// MariaDB and SQLite roll back only the failed statement, so there the
// savepoint costs two extra statements per attempt for nothing but lets the
// same code run on every database.
//
// tx must be one connection inside a transaction: a *sql.Tx, or a *sql.Conn
// after BEGIN. A nil tx or a *sql.DB (whose statements run on any pooled
// connection) makes every call fail with ErrInvalidQuerier. If the rollback
// to the savepoint fails, the transaction is in an unknown state: the error
// returned then wraps the rollback's error, not insert's, so it is never
// taken for a collision. Wrappers may nest (the name carries the depth); the
// returned function must not run on several goroutines at once, as a
// transaction runs one statement at a time.
func Savepoint(tx Querier, insert func(ctx context.Context, number string) error) func(ctx context.Context, number string) error {
	err := checkQuerier(tx)
	if _, ok := tx.(*sql.DB); ok {
		err = fmt.Errorf("%w: Savepoint needs a transaction, not a *sql.DB", ErrInvalidQuerier)
	}
	if err == nil && insert == nil {
		err = fmt.Errorf("%w: nil insert function", ErrInvalidQuerier)
	}
	return func(ctx context.Context, number string) error {
		if err != nil {
			return err
		}
		// MySQL drops an older savepoint of the same name, so a nested
		// wrapper needs a name of its own.
		depth, _ := ctx.Value(savepointDepth{}).(int)
		depth++
		name := "casemint_" + strconv.Itoa(depth)
		if _, err := tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
			return fmt.Errorf("store: savepoint: %w", err)
		}
		ierr := insert(context.WithValue(ctx, savepointDepth{}, depth), number)
		if ierr != nil && !sqlerr.IsUniqueViolation(ierr) && !errors.Is(ierr, casenum.ErrDuplicate) {
			// Whatever else went wrong (a deadlock, a serialization
			// failure, a lost connection) may have ended the whole
			// transaction: the caller must retry all of it, and a
			// Generator must not try another number inside it.
			ierr = sqlerr.Mark(sqlerr.Fatal, ierr)
		}
		if ierr != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); err != nil {
				return afterFailedInsert("rolling back to savepoint", ierr, err)
			}
		}
		// A savepoint outlives a rollback to it: release it either way, so
		// failed attempts do not pile up savepoints in the transaction.
		if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
			if ierr != nil {
				return afterFailedInsert("releasing savepoint", ierr, err)
			}
			return fmt.Errorf("store: releasing savepoint: %w", err)
		}
		return ierr
	}
}

// afterFailedInsert reports a savepoint statement that failed after the
// insert did. The savepoint's error is wrapped; the insert's too, so that a
// deadlock (MySQL 1213, after which the whole transaction is rolled back and
// the savepoint gone) stays visible to a caller that retries transactions,
// unless it is a unique violation: the transaction is broken, and a
// Generator must not take that for a collision and retry in it.
func afterFailedInsert(what string, insertErr, err error) error {
	if IsUniqueViolation(insertErr) {
		return fmt.Errorf("store: %s after %q: %w", what, insertErr.Error(), err)
	}
	return fmt.Errorf("store: %s after %w: %w", what, insertErr, err)
}

// savepointDepth is the context key of the nesting depth of Savepoint.
type savepointDepth struct{}
