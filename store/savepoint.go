package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/casemint/casemint/internal/sqlstmt"
	"github.com/casemint/casemint/internal/txattempt"
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
	err := sqlstmt.CheckQuerier(tx)
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
		return txattempt.Savepoint(ctx, "store", func(ctx context.Context, stmt string) error {
			_, err := tx.ExecContext(ctx, stmt)
			return err
		}, insert, number)
	}
}
