package pgxstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/casemint/casemint/internal/sqlstmt"
	"github.com/casemint/casemint/internal/txattempt"
)

// Savepoint wraps an insert function for Generator.Create so that each
// attempt runs under a savepoint of the caller's transaction tx, as
// store.Savepoint does:
//
//	SAVEPOINT casemint_1; insert(ctx, number); RELEASE SAVEPOINT casemint_1
//
// A failed statement aborts a PostgreSQL transaction; ROLLBACK TO
// SAVEPOINT undoes the failed insert, so a collision (a unique violation or
// casenum.ErrDuplicate) comes back unchanged and Create tries another
// number in the same transaction. Any other error is returned marked as
// final: a deadlock or a serialization failure ends the whole transaction,
// which the caller retries (or uses CreateTx, which does).
//
// A nil tx or insert makes every call fail with store.ErrInvalidQuerier.
// The returned function must not run on several goroutines at once.
func Savepoint(tx pgx.Tx, insert func(ctx context.Context, number string) error) func(ctx context.Context, number string) error {
	err := sqlstmt.CheckQuerier(tx)
	if err == nil && insert == nil {
		err = fmt.Errorf("%w: nil insert function", sqlstmt.ErrInvalidQuerier)
	}
	return func(ctx context.Context, number string) error {
		if err != nil {
			return err
		}
		return txattempt.Savepoint(ctx, "pgxstore", func(ctx context.Context, stmt string) error {
			_, err := tx.Exec(ctx, stmt)
			return err
		}, insert, number)
	}
}
