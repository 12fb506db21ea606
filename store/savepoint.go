package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/casemint/casemint/store/internal/sqlcore"
)

// Savepoint wraps an insert function for Generator.Create so that each
// attempt runs under a savepoint of the caller's transaction tx:
//
//	SAVEPOINT casemint_x; insert(ctx, number); RELEASE SAVEPOINT casemint_x
//
// When insert fails, ROLLBACK TO SAVEPOINT undoes it, and the Generator's
// conflict test decides as usual: a collision is retried with another
// number in the same transaction. An error Create would retry as aborted
// (a deadlock, a serialization failure) or report as uncertain (a lost
// connection), and any failure of the savepoint statements, is returned
// marked final: the transaction may be gone, so Create returns at once and
// the caller retries the whole transaction (or uses CreateTx, which does).
//
// PostgreSQL needs this: a failed statement aborts the whole transaction
// until a rollback. MySQL, MariaDB and SQLite roll back only the statement
// a unique violation failed, but MySQL and MariaDB roll back the whole
// transaction on a deadlock, and a retry would then run outside it, each
// statement committing on its own: use the wrapper on every database. (On
// PostgreSQL, an INSERT … ON CONFLICT DO NOTHING RETURNING that returns
// casenum.ErrDuplicate when no row comes back needs no savepoint.)
//
// tx must be one connection inside a transaction: a *sql.Tx, or a *sql.Conn
// after BEGIN; a nil tx or a *sql.DB makes every call fail with
// ErrInvalidQuerier. Each wrapper names its savepoint on its own, so
// wrappers may nest; the returned function must not run on several
// goroutines at once.
func Savepoint(tx Querier, insert func(ctx context.Context, number string) error) func(ctx context.Context, number string) error {
	err := face.CheckHandle(tx)
	if _, ok := tx.(*sql.DB); ok {
		err = fmt.Errorf("%w: Savepoint needs a transaction, not a *sql.DB", ErrInvalidQuerier)
	}
	return sqlcore.Savepoint(face, handle{tx}, err, insert)
}
