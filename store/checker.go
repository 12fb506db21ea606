package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/casemint/casemint/casenum"
)

var _ casenum.Checker = (*Checker)(nil)

// Checker is a casenum.Checker that looks a number up in a table's column.
// It is safe for concurrent use when its Querier is (a *sql.DB is).
//
// A check is advisory: two callers can both see a number as free. Keep a
// UNIQUE constraint on the column and prefer Generator.Create, which learns
// of collisions from the insert itself, in one round trip.
type Checker struct {
	db    Querier
	query string
}

// NewChecker returns a Checker that runs, in one round trip per call,
//
//	SELECT 1 FROM table WHERE column = $1 LIMIT 1
//
// with the placeholder and quoting of d. The table may be schema-qualified.
// It returns an error wrapping ErrInvalidQuerier, ErrInvalidDialect or
// ErrInvalidIdentifier when an argument is unusable. An index on the column
// (which a UNIQUE constraint provides) keeps the lookup cheap.
func NewChecker(db Querier, d Dialect, table, column string) (*Checker, error) {
	if err := checkTarget(db, d); err != nil {
		return nil, err
	}
	query, err := d.stmt().Exists(table, column)
	if err != nil {
		return nil, err
	}
	return &Checker{db: db, query: query}, nil
}

// Exists reports whether a row holds number. Database and context errors
// come back wrapped, never as "free".
func (c *Checker) Exists(ctx context.Context, number string) (bool, error) {
	if c == nil || c.db == nil {
		return false, fmt.Errorf("%w: Checker not made by NewChecker", ErrInvalidQuerier)
	}
	var one int
	err := c.db.QueryRowContext(ctx, c.query, number).Scan(&one)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	}
	return false, fmt.Errorf("store: checking %q: %w", number, err)
}
