package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
// A table already holds numbers of the series, imported from an old
// system: INV-2026-0001 and INV-2026-0003. Create and CreateTx, gap-free
// with and without group commit, skip them: the next numbers stored are
// 0002, 0004 and 0005, with no fallback and no gap.
func TestSeriesContinuesAfterImports(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		for _, m := range importModes {
			t.Run(m.name, func(t *testing.T) {
				continueAfterImports(t, db, db, b.d, m)
			})
		}
	})
}

func TestClusterSeriesContinuesAfterImports(t *testing.T) {
	t.Parallel()
	nodes := testdb.Galera(t)
	for _, m := range importModes {
		t.Run(m.name, func(t *testing.T) {
			continueAfterImports(t, nodes[0], nodes[1], store.MySQL, m)
		})
	}
}

// importMode is a way of storing records: Create on the database, or
// CreateTx with the counter in the record's transaction.
type importMode struct {
	name string
	tx   bool
	opts []store.SequenceOption
}

var importModes = []importMode{
	{"Create", false, nil},
	{"CreateTx gap-free", true, nil},
	{"CreateTx group commit", true, []store.SequenceOption{store.WithGroupCommit(8)}},
}

// in2026 is a Clock that always reads a day of 2026; with no After of its
// own, the waits between attempts run on real timers.
type in2026 struct{}

func (in2026) Now() time.Time { return time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC) }

// invoiceGen returns a Generator of INV-2026-{seq:4} on seq.
func invoiceGen(t *testing.T, seq *store.Sequence) *casenum.Generator {
	t.Helper()
	g, err := casenum.New(casenum.WithLayout("INV-{date:2006}-{seq:4}"), casenum.WithSequence(seq),
		casenum.WithClock(in2026{}))
	require.NoError(t, err)
	return g
}

// createIn stores a record for request with g through db, as m does.
func (m importMode) createIn(ctx context.Context, db *sql.DB, d store.Dialect, g *casenum.Generator, table string, req int) (string, error) {
	if !m.tx {
		return g.Create(ctx, inserter(db, d, table, req))
	}
	return store.CreateTx(ctx, db, g, nil, func(ctx context.Context, tx *sql.Tx, n string) error {
		return inserter(tx, d, table, req)(ctx, n)
	})
}

// continueAfterImports imports two numbers through db, then stores three
// records through other.
func continueAfterImports(t *testing.T, db, other *sql.DB, d store.Dialect, m importMode) {
	ctx := t.Context()
	cases := testdb.CreateTable(t, db, "invoices", "number VARCHAR(40) NOT NULL PRIMARY KEY, request INT NOT NULL")
	seq := counterTable(t, db, d)
	testdb.WaitForTable(t, []*sql.DB{db, other}, cases)
	testdb.WaitForTable(t, []*sql.DB{db, other}, testTableOf(t, seq))
	for _, n := range []string{"INV-2026-0001", "INV-2026-0003"} {
		require.NoError(t, inserter(db, d, cases, 0)(ctx, n))
	}
	seq, err := store.NewSequence(other, d, testTableOf(t, seq), m.opts...)
	require.NoError(t, err)
	g := invoiceGen(t, seq)
	require.Nil(t, g.FallbackLayout(), "a series has no fallback")
	var got []string
	for req := 1; req <= 3; req++ {
		n, err := m.createIn(ctx, other, d, g, cases, req)
		require.NoError(t, err)
		got = append(got, n)
	}
	assert.Equal(t, []string{"INV-2026-0002", "INV-2026-0004", "INV-2026-0005"}, got)
	assert.Equal(t, uint64(2), g.Stats().Collisions)
	assert.Zero(t, g.Stats().Fallbacks)
}

// Many writers at once, with imported numbers scattered through the
// series: every number from 1 to the last is stored once, by a writer or
// by the import, and the gap-free modes leave the counter on the last.
func TestSeriesSkipsImportsConcurrently(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		for _, m := range importModes {
			t.Run(m.name, func(t *testing.T) {
				ctx := t.Context()
				cases := testdb.CreateTable(t, db, "invoices", "number VARCHAR(40) NOT NULL PRIMARY KEY, request INT NOT NULL")
				imported := []int{2, 5, 6, 11, 17, 30}
				for _, v := range imported {
					require.NoError(t, inserter(db, b.d, cases, -v)(ctx, fmt.Sprintf("INV-2026-%04d", v)))
				}
				seq := counterTable(t, db, b.d, m.opts...)
				g := invoiceGen(t, seq)
				const workers, each = 6, 8
				var wg sync.WaitGroup
				for w := range workers {
					wg.Go(func() {
						for i := range each {
							if _, err := m.createIn(ctx, db, b.d, g, cases, 1+w*each+i); err != nil {
								t.Errorf("request %d: %v", 1+w*each+i, err)
							}
						}
					})
				}
				wg.Wait()
				rows := storedByRequest(t, db, cases) // fails on a request stored twice
				total := workers*each + len(imported)
				require.Len(t, rows, total)
				seen := make([]bool, total+1)
				for _, n := range rows {
					v := mustCounter(t, n)
					require.True(t, v >= 1 && v <= total && !seen[v], "%s: outside 1 to %d, or twice", n, total)
					seen[v] = true
				}
				var top int
				require.NoError(t, db.QueryRowContext(ctx, "SELECT value FROM "+testTableOf(t, seq)+" WHERE scope = 'INV-2026-'").Scan(&top))
				assert.Equal(t, total, top, "the counter stands on the last number")
			})
		}
	})
}

// mustCounter returns the counter of an invoice number.
func mustCounter(t *testing.T, n string) int {
	t.Helper()
	var v int
	_, err := fmt.Sscanf(n, "INV-2026-%d", &v)
	require.NoError(t, err, n)
	return v
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
