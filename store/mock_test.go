package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/stretchr/testify/require"
)

// newMock returns a *sql.DB whose statements must match the expectations
// exactly, as text, in order (see savepointNames); unmet expectations fail
// the test.
func newMock(t *testing.T) (*sql.DB, sqlmock.Sqlmock) {
	t.Helper()
	db, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(savepointNames()))
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, mock.ExpectationsWereMet(), "unmet SQL expectations")
		_ = db.Close()
	})
	return db, mock
}

// savepointNames compares statements as QueryMatcherEqual does, but for the names of
// savepoints, which each Savepoint wrapper draws at random: it calls them
// casemint_1, casemint_2, ... in the order they first appear.
func savepointNames() sqlmock.QueryMatcher {
	var mu sync.Mutex
	names := map[string]string{}
	return sqlmock.QueryMatcherFunc(func(expected, actual string) error {
		mu.Lock()
		defer mu.Unlock()
		actual = savepointName.ReplaceAllStringFunc(actual, func(name string) string {
			if _, ok := names[name]; !ok {
				names[name] = fmt.Sprintf("casemint_%d", len(names)+1)
			}
			return names[name]
		})
		return sqlmock.QueryMatcherEqual.Match(expected, actual)
	})
}

var savepointName = regexp.MustCompile(`casemint_[0-9a-z]+`)

// counterDB is a Querier that plays the MySQL counter statements in memory:
// ExecContext adds step to the scope's counter and returns the new value as
// LastInsertId, as LAST_INSERT_ID(value + n) does, or, given a value too
// (Advance), raises the counter to it. It counts round trips
// and can hold a scope's statement until released, to show who waits.
type counterDB struct {
	step int64

	mu     sync.Mutex
	values map[string]int64
	trips  int
	hold   map[string]chan struct{} // a statement for the scope waits on it
	inside chan string              // reports each statement as it starts, if set
	fail   error                    // returned by the next statement, once
}

func newCounterDB(step int64) *counterDB {
	return &counterDB{step: step, values: map[string]int64{}, hold: map[string]chan struct{}{}}
}

func (c *counterDB) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	scope := args[0].(string)
	c.mu.Lock()
	hold, inside := c.hold[scope], c.inside
	c.mu.Unlock()
	if inside != nil {
		inside <- scope
	}
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.trips++
	if err := c.fail; err != nil {
		c.fail = nil
		return nil, err
	}
	if len(args) == 2 { // Advance: GREATEST(value, last)
		c.values[scope] = max(c.values[scope], args[1].(int64))
		return sqlmock.NewResult(0, 1), nil
	}
	c.values[scope] += c.step
	return sqlmock.NewResult(c.values[scope], 1), nil
}

func (c *counterDB) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, errors.New("counterDB: QueryContext not supported")
}

func (c *counterDB) QueryRowContext(context.Context, string, ...any) *sql.Row {
	panic("counterDB: QueryRowContext not supported")
}

func (c *counterDB) roundTrips() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trips
}
