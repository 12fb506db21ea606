package pgxstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/sqlstmt"
)

var _ casenum.Checker = (*Checker)(nil)

// Checker is a casenum.Checker that looks a number up in a table's column,
// like store.Checker. It is safe for concurrent use when its Querier is (a
// *pgxpool.Pool is).
type Checker struct {
	q     Querier
	query string
}

// NewChecker returns a Checker that runs, in one round trip per call,
//
//	SELECT 1 FROM "table" WHERE "column" = $1 LIMIT 1
//
// The table may be schema-qualified. It returns an error wrapping
// store.ErrInvalidQuerier for a nil q and store.ErrInvalidIdentifier for a
// name that is not a plain identifier.
func NewChecker(q Querier, table, column string) (*Checker, error) {
	if err := sqlstmt.CheckQuerier(q); err != nil {
		return nil, err
	}
	query, err := sqlstmt.Postgres.Exists(table, column)
	if err != nil {
		return nil, err
	}
	return &Checker{q: q, query: query}, nil
}

// Exists reports whether a row holds number. Database and context errors
// come back wrapped, never as "free".
func (c *Checker) Exists(ctx context.Context, number string) (bool, error) {
	if c == nil || c.q == nil {
		return false, fmt.Errorf("%w: Checker not made by NewChecker", sqlstmt.ErrInvalidQuerier)
	}
	var one int
	err := c.q.QueryRow(ctx, c.query, number).Scan(&one)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	}
	return false, fmt.Errorf("pgxstore: checking %q: %w", number, err)
}
