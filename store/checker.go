package store

import (
	"context"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store/internal/sqlcore"
)

var _ casenum.Checker = (*Checker)(nil)

// Checker is a casenum.Checker that looks a number up in a table's column.
// It is safe for concurrent use when its Querier is (a *sql.DB is).
//
// A check is advisory: two callers can both see a number as free. Keep a
// UNIQUE constraint on the column and prefer Generator.Create, which learns
// of collisions from the insert itself, in one round trip.
type Checker sqlcore.Checker

// NewChecker returns a Checker that runs, in one round trip per call,
//
//	SELECT 1 FROM table WHERE column = $1 LIMIT 1
//
// with the placeholder and quoting of d. The table may be schema-qualified.
// It returns an error wrapping ErrInvalidQuerier, ErrInvalidDialect or
// ErrInvalidIdentifier when an argument is unusable. An index on the column
// (which a UNIQUE constraint provides) keeps the lookup cheap. On a
// transaction, a lookup the database refused is final (casenum.Failed), as
// Sequence.WithTx says.
func NewChecker(db Querier, d Dialect, table, column string) (*Checker, error) {
	if err := checkTarget(db, d); err != nil {
		return nil, err
	}
	c, err := sqlcore.NewChecker(face, handle{db}, d.core(), table, column)
	return (*Checker)(c), err
}

// Exists reports whether a row holds number. Database and context errors
// come back wrapped, never as "free".
func (c *Checker) Exists(ctx context.Context, number string) (bool, error) {
	return (*sqlcore.Checker)(c).Exists(ctx, face, number)
}
