package pgxstore

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/casemint/casemint/store/internal/sqlcore"
)

// Savepoint wraps an insert function for Generator.Create so that each
// attempt runs under a savepoint of the caller's transaction tx, as
// store.Savepoint does:
//
//	SAVEPOINT casemint_x; insert(ctx, number); RELEASE SAVEPOINT casemint_x
//
// A failed statement aborts a PostgreSQL transaction; ROLLBACK TO
// SAVEPOINT undoes the failed insert, so a collision (a unique violation or
// casenum.ErrDuplicate) comes back unchanged and Create tries another
// number in the same transaction. Any other error is returned marked as
// final: a deadlock or a serialization failure ends the whole transaction,
// which the caller retries (or uses CreateTx, which does).
//
// A nil tx or insert makes every call fail with store.ErrInvalidQuerier.
// Wrappers may nest. The returned function must not run on several
// goroutines at once.
func Savepoint(tx pgx.Tx, insert func(ctx context.Context, number string) error) func(ctx context.Context, number string) error {
	return sqlcore.Savepoint(face, handle{tx}, face.CheckHandle(tx), insert)
}
