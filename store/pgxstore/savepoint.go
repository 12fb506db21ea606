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
// A failed statement aborts a PostgreSQL transaction until a rollback:
// when insert fails, ROLLBACK TO SAVEPOINT undoes it, and the Generator's
// conflict test decides as usual: a collision is retried with another
// number in the same transaction. An error Create would retry as aborted
// (a deadlock, a serialization failure) or report as uncertain (a lost
// connection), and any failure of the savepoint statements, is returned
// marked final: the transaction may be gone, so Create returns at once and
// the caller retries the whole transaction (or uses CreateTx, which does).
//
// A nil tx or insert makes every call fail with store.ErrInvalidQuerier.
// Wrappers may nest. The returned function must not run on several
// goroutines at once.
func Savepoint(tx pgx.Tx, insert func(ctx context.Context, number string) error) func(ctx context.Context, number string) error {
	return sqlcore.Savepoint(face, handle{tx}, face.CheckHandle(tx), insert)
}
