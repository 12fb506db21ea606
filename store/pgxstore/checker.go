package pgxstore

import (
	"context"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store/internal/sqlcore"
)

var _ casenum.Checker = (*Checker)(nil)

// Checker is a casenum.Checker that looks a number up in a table's column,
// like store.Checker. It is safe for concurrent use when its Querier is (a
// *pgxpool.Pool is).
type Checker sqlcore.Checker

// NewChecker returns a Checker that runs, in one round trip per call,
//
//	SELECT 1 FROM "table" WHERE "column" = $1 LIMIT 1
//
// The table may be schema-qualified. It returns an error wrapping
// store.ErrInvalidQuerier for a nil q and store.ErrInvalidIdentifier for a
// name that is not a plain identifier. On a transaction, a lookup the
// database refused is final, as in store.
func NewChecker(q Querier, table, column string) (*Checker, error) {
	if err := face.CheckHandle(q); err != nil {
		return nil, err
	}
	c, err := sqlcore.NewChecker(face, handle{q}, sqlcore.Postgres, table, column)
	return (*Checker)(c), err
}

// Exists reports whether a row holds number. Database and context errors
// come back wrapped, never as "free".
func (c *Checker) Exists(ctx context.Context, number string) (bool, error) {
	return (*sqlcore.Checker)(c).Exists(ctx, face, number)
}
