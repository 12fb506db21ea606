package store_test

import (
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

// Advance is one statement that only ever raises the counter.
func TestAdvanceSQLPerDialect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    store.Dialect
		stmt string
	}{
		{store.Postgres, `INSERT INTO "counters" (scope, value) VALUES ($1, $2) ON CONFLICT (scope) DO UPDATE SET value = GREATEST("counters".value, EXCLUDED.value)`},
		{store.SQLite, `INSERT INTO "counters" (scope, value) VALUES (?, ?) ON CONFLICT (scope) DO UPDATE SET value = MAX("counters".value, excluded.value)`},
		{store.MySQL, "INSERT INTO `counters` (scope, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = GREATEST(value, VALUES(value))"},
	} {
		t.Run(tc.d.String(), func(t *testing.T) {
			t.Parallel()
			db, mock := newMock(t)
			s, err := store.NewSequence(db, tc.d, "counters")
			require.NoError(t, err)
			mock.ExpectExec(tc.stmt).WithArgs("INV-2026-", int64(40000)).WillReturnResult(sqlmock.NewResult(0, 1))
			require.NoError(t, s.Advance(t.Context(), "INV-2026-", 40000))
		})
	}
}

// Advance checks its arguments as Next does, before any statement runs;
// last 0 changes nothing and sends nothing.
func TestAdvanceArguments(t *testing.T) {
	t.Parallel()
	db, _ := newMock(t) // no statement is expected
	s, err := store.NewSequence(db, store.Postgres, "counters")
	require.NoError(t, err)
	ctx := t.Context()
	assert.ErrorIs(t, s.Advance(ctx, strings.Repeat("x", store.MaxScopeLength+1), 5), store.ErrScopeTooLong)
	assert.ErrorIs(t, s.Advance(ctx, "S-", math.MaxInt64+1), store.ErrCounterRange)
	assert.NoError(t, s.Advance(ctx, "S-", 0))
	var zero store.Sequence
	assert.ErrorIs(t, zero.Advance(ctx, "S-", 5), store.ErrInvalidQuerier)
	assert.ErrorIs(t, s.WithTx(nil).Advance(ctx, "S-", 5), store.ErrInvalidQuerier)
}

// nexts draws n values of scope.
func nexts(t *testing.T, s casenum.Sequence, scope string, n int) []uint64 {
	t.Helper()
	got := make([]uint64, n)
	for i := range got {
		var err error
		got[i], err = s.Next(t.Context(), scope)
		require.NoError(t, err)
	}
	return got
}

// Advance moves a counter forward only, scope by scope, on every database,
// with blocks too, and inside a transaction it commits or rolls back with
// the caller's.
func TestAdvance(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		checkAdvance(t, db, db, b.d)
	})
}

// The same on the Galera cluster, a counter table written through every node.
func TestClusterAdvance(t *testing.T) {
	t.Parallel()
	nodes := testdb.Galera(t)
	checkAdvance(t, nodes[0], nodes[1], store.MySQL)
}

// checkAdvance runs the Advance cases on a counter table made through db,
// with the Sequences on other (db itself, or another node of a cluster).
func checkAdvance(t *testing.T, db, other *sql.DB, d store.Dialect) {
	ctx := t.Context()
	table := testdb.Table(t, "counters")
	testdb.DropOnCleanup(t, db, table)
	s, err := store.NewSequence(db, d, table)
	require.NoError(t, err)
	require.NoError(t, s.CreateTable(ctx))
	testdb.WaitForTable(t, []*sql.DB{db, other}, table)
	seq := func(opts ...store.SequenceOption) *store.Sequence {
		s, err := store.NewSequence(other, d, table, opts...)
		require.NoError(t, err)
		return s
	}

	t.Run("forward only", func(t *testing.T) {
		s := seq()
		require.NoError(t, s.Advance(ctx, "F-", 5)) // a new scope
		assert.Equal(t, []uint64{6, 7}, nexts(t, s, "F-", 2))
		require.NoError(t, s.Advance(ctx, "F-", 3)) // behind the counter: it stays
		require.NoError(t, s.Advance(ctx, "F-", 7)) // at the counter: it stays
		require.NoError(t, s.Advance(ctx, "F-", 0))
		assert.Equal(t, []uint64{8}, nexts(t, s, "F-", 1))
		require.NoError(t, s.Advance(ctx, "F-", 1_000_000))
		assert.Equal(t, []uint64{1_000_001}, nexts(t, s, "F-", 1))
		assert.Equal(t, []uint64{1}, nexts(t, s, "G-", 1), "another scope is untouched")
	})

	t.Run("in a transaction", func(t *testing.T) {
		s := seq()
		for _, commit := range []bool{false, true} {
			tx, err := other.BeginTx(ctx, nil)
			require.NoError(t, err)
			require.NoError(t, s.WithTx(tx).Advance(ctx, "T-", 100))
			if commit {
				require.NoError(t, tx.Commit())
			} else {
				require.NoError(t, tx.Rollback())
			}
		}
		assert.Equal(t, []uint64{101}, nexts(t, s, "T-", 1), "the rolled-back Advance left the counter, the committed one moved it")
		tx, err := other.BeginTx(ctx, nil)
		require.NoError(t, err)
		require.NoError(t, s.WithTx(tx).Advance(ctx, "T-", 500))
		require.NoError(t, tx.Rollback())
		assert.Equal(t, []uint64{102}, nexts(t, s, "T-", 1))
	})

	t.Run("blocks", func(t *testing.T) {
		s := seq(store.WithBlock(10))
		assert.Equal(t, []uint64{1}, nexts(t, s, "B-", 1)) // reserves 1..10
		require.NoError(t, s.Advance(ctx, "B-", 5))
		assert.Equal(t, []uint64{6, 7}, nexts(t, s, "B-", 2), "the block goes on past 5")
		require.NoError(t, s.Advance(ctx, "B-", 3))
		assert.Equal(t, []uint64{8}, nexts(t, s, "B-", 1))
		require.NoError(t, s.Advance(ctx, "B-", 25))
		assert.Equal(t, []uint64{26, 27}, nexts(t, s, "B-", 2), "past the block: a new one above 25")
		// Another process's Sequence reserves after this one's block.
		assert.Equal(t, []uint64{36}, nexts(t, seq(store.WithBlock(10)), "B-", 1))
		require.NoError(t, s.Advance(ctx, "B-", 50))
		assert.Equal(t, []uint64{51}, nexts(t, s, "B-", 1))
	})
}

// The imported-numbers case, driven as a Generator will: INV-2026-0001
// and 0003 were stored by another system; each record draws its number,
// and a collision moves the counter past the taken value with Advance.
// The next numbers stored are 0002, 0004 and 0005, with no gap, whether the
// counter is drawn in the record's transaction (gap-free: the rollback of
// the collision takes the draw back, and Advance, outside it, moves the
// counter on) or on its own.
func TestAdvanceContinuesAfterImports(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		for _, gapFree := range []bool{true, false} {
			t.Run(fmt.Sprint("gap-free ", gapFree), func(t *testing.T) {
				continueAfterImports(t, db, db, b.d, gapFree)
			})
		}
	})
}

func TestClusterAdvanceContinuesAfterImports(t *testing.T) {
	t.Parallel()
	nodes := testdb.Galera(t)
	for _, gapFree := range []bool{true, false} {
		t.Run(fmt.Sprint("gap-free ", gapFree), func(t *testing.T) {
			continueAfterImports(t, nodes[0], nodes[1], store.MySQL, gapFree)
		})
	}
}

// continueAfterImports imports two numbers through db, then stores three
// records through other.
func continueAfterImports(t *testing.T, db, other *sql.DB, d store.Dialect, gapFree bool) {
	ctx := t.Context()
	cases := testdb.CreateTable(t, db, "invoices", "number VARCHAR(40) NOT NULL PRIMARY KEY, request INT NOT NULL")
	seq := counterTable(t, db, d)
	testdb.WaitForTable(t, []*sql.DB{db, other}, cases)
	testdb.WaitForTable(t, []*sql.DB{db, other}, testTableOf(t, seq))
	for _, n := range []string{"INV-2026-0001", "INV-2026-0003"} {
		require.NoError(t, inserter(db, d, cases, 0)(ctx, n))
	}
	seq, err := store.NewSequence(other, d, testTableOf(t, seq))
	require.NoError(t, err)

	const scope = "INV-2026-"
	store1 := func(req int) string {
		for range 10 {
			var tx *sql.Tx
			draw := seq
			if gapFree {
				tx, err = other.BeginTx(ctx, nil)
				require.NoError(t, err)
				draw = seq.WithTx(tx)
			}
			v, err := draw.Next(ctx, scope)
			require.NoError(t, err)
			n := fmt.Sprintf("%s%04d", scope, v)
			q := store.Querier(other)
			if tx != nil {
				q = tx
			}
			err = inserter(q, d, cases, req)(ctx, n)
			if err == nil && tx != nil {
				err = tx.Commit()
			} else if tx != nil {
				_ = tx.Rollback()
			}
			switch casenum.Classify(err) {
			case casenum.Stored:
				return n
			case casenum.Collided:
				require.NoError(t, seq.Advance(ctx, scope, v)) // outside the rolled-back transaction
			case casenum.Aborted: // a cluster's certification failure: the same again
			default:
				require.NoError(t, err)
			}
		}
		t.Fatalf("request %d: no number stored after 10 attempts", req)
		return ""
	}
	var got []string
	for req := 1; req <= 3; req++ {
		got = append(got, store1(req))
	}
	assert.Equal(t, []string{"INV-2026-0002", "INV-2026-0004", "INV-2026-0005"}, got)
}

// While goroutines draw from a Sequence with blocks, Advance moves the
// counter on: a value drawn after an Advance returned is above its last,
// and no value is handed out twice.
func TestAdvanceBlocksConcurrent(t *testing.T) {
	t.Parallel()
	const goroutines, calls, block = 8, 200, 10
	db := newCounterDB(block)
	s, err := store.NewSequence(db, store.MySQL, "counters", store.WithBlock(block))
	require.NoError(t, err)
	ctx := t.Context()
	var floor atomic.Uint64 // the last of the latest Advance that returned
	var wg sync.WaitGroup
	got := make([][]uint64, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for range calls {
				before := floor.Load()
				v, err := s.Next(ctx, "A-")
				if err != nil {
					t.Errorf("Next: %v", err)
					return
				}
				if v <= before {
					t.Errorf("Next after Advance(%d) returned %d", before, v)
				}
				got[g] = append(got[g], v)
			}
		})
	}
	wg.Go(func() {
		for last := uint64(7); last < 4000; last += 37 {
			if err := s.Advance(ctx, "A-", last); err != nil {
				t.Errorf("Advance(%d): %v", last, err)
				return
			}
			floor.Store(last)
		}
	})
	wg.Wait()
	all := slices.Concat(got...)
	slices.Sort(all)
	assert.Len(t, slices.Compact(all), goroutines*calls, "a value handed out twice")
}
