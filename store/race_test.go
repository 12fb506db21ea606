package store_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/store"
)

// barrierChecker answers only once every caller has asked, so that two
// requests both hear "free" before either inserts: the window that a
// check-then-insert design leaves open under load, made certain.
type barrierChecker struct {
	casenum.Checker
	wg *sync.WaitGroup
}

func (b barrierChecker) Exists(ctx context.Context, n string) (bool, error) {
	taken, err := b.Checker.Exists(ctx, n)
	b.wg.Done()
	b.wg.Wait()
	return taken, err
}

// TestCheckThenInsertRaces shows on each database why Create exists: two
// replicas that draw the same candidate both pass the check, and one insert
// then fails with a unique violation. Create, given the same draws, stores
// both records.
func TestCheckThenInsertRaces(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		table := casesTable(t, b, db)
		checker, err := store.NewChecker(db, b.d, table, "number")
		require.NoError(t, err)

		// Two replicas whose Randoms happen to draw alike.
		replica := func(opts ...casenum.Option) *casenum.Generator {
			g, err := casenum.New(append([]casenum.Option{casenum.WithLayout("T-{rand:4}"),
				casenum.WithRandom(casenumtest.NewRandom(7))}, opts...)...)
			require.NoError(t, err)
			return g
		}

		var barrier sync.WaitGroup
		barrier.Add(2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			g := replica(casenum.WithChecker(barrierChecker{checker, &barrier}))
			wg.Go(func() {
				n, err := g.Next(t.Context())
				if err == nil {
					err = inserter(db, b.d, table, i)(t.Context(), n)
				}
				errs[i] = err
			})
		}
		wg.Wait()
		failed := 0
		for _, err := range errs {
			if err != nil {
				require.True(t, store.IsUniqueViolation(err), "check-then-insert: %v", err)
				failed++
			}
		}
		assert.Equal(t, 1, failed, "check-then-insert: one of two requests must fail")
		assert.Equal(t, 1, count(t, db, table))

		// The same draws through Create: the collision is retried.
		_, err = db.ExecContext(t.Context(), "DELETE FROM "+table)
		require.NoError(t, err)
		a, c := replica(), replica()
		na, err := a.Create(t.Context(), inserter(db, b.d, table, 1))
		require.NoError(t, err)
		nc, err := c.Create(t.Context(), inserter(db, b.d, table, 2))
		require.NoError(t, err)
		assert.NotEqual(t, na, nc)
		assert.Equal(t, 2, count(t, db, table))
		assert.Equal(t, uint64(1), c.Stats().Collisions, "the second replica's first candidate was taken")
	})
}
