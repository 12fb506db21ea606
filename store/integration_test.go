package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

// backend is one of the real databases the integration tests run on.
// PostgreSQL and MariaDB are skipped when their DSN is unset (and fail under
// CI=true); SQLite always runs.
type backend struct {
	name string
	d    store.Dialect
	open func(testing.TB) *sql.DB
}

// TestMain keeps go-sql-driver/mysql from printing the broken-connection
// messages that TestKilledConnections provokes on purpose; it still prints
// anything else. testdb.Main reports the tests skipped for want of a server.
func TestMain(m *testing.M) {
	_ = mysql.SetLogger(expectedNoise{log.New(os.Stderr, "[mysql] ", log.LstdFlags)})
	testdb.Main(m)
}

type expectedNoise struct{ *log.Logger }

func (l expectedNoise) Print(v ...any) {
	msg := fmt.Sprint(v...)
	if strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "bad idle connection") ||
		strings.Contains(msg, "broken pipe") || strings.Contains(msg, "connection reset") {
		return
	}
	l.Logger.Print(msg)
}

var backends = []backend{
	{"postgres", store.Postgres, testdb.Postgres},
	{"mariadb", store.MySQL, testdb.MySQL},
	{"sqlite", store.SQLite, testdb.SQLite},
}

// eachBackend runs fn as a parallel subtest per backend, with the
// backend's database opened for it.
func eachBackend(t *testing.T, fn func(t *testing.T, b backend, db *sql.DB)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, b, b.open(t))
		})
	}
}

// ph returns the i-th placeholder of d.
func ph(d store.Dialect, i int) string {
	if d == store.Postgres {
		return fmt.Sprintf("$%d", i)
	}
	return "?"
}

// casesTable creates a table of cases, with a UNIQUE number and the
// request that stored it, and drops it when the test ends.
func casesTable(t testing.TB, b backend, db *sql.DB) string {
	t.Helper()
	id := map[store.Dialect]string{
		store.Postgres: "id BIGSERIAL PRIMARY KEY",
		store.MySQL:    "id BIGINT AUTO_INCREMENT PRIMARY KEY",
		store.SQLite:   "id INTEGER PRIMARY KEY",
	}[b.d]
	return testdb.CreateTable(t, db, "cases", id+", number VARCHAR(100) NOT NULL UNIQUE, request INT")
}

// counterTable makes a Sequence over a new counter table, dropped when the
// test ends.
func counterTable(t *testing.T, db *sql.DB, d store.Dialect, opts ...store.SequenceOption) *store.Sequence {
	t.Helper()
	table := testdb.Table(t, "counters")
	testdb.DropOnCleanup(t, db, table)
	s, err := store.NewSequence(db, d, table, opts...)
	require.NoError(t, err)
	require.NoError(t, s.CreateTable(t.Context()))
	return s
}

// inserter returns an insert function storing a number for request on q.
func inserter(q store.Querier, d store.Dialect, table string, request int) func(context.Context, string) error {
	query := "INSERT INTO " + table + " (number, request) VALUES (" + ph(d, 1) + ", " + ph(d, 2) + ")"
	return func(ctx context.Context, number string) error {
		_, err := q.ExecContext(ctx, query, number, request)
		return err
	}
}

// txInserter is inserter as the fn of CreateTx: the record of request in
// the attempt's transaction.
func txInserter(d store.Dialect, table string, request int) func(context.Context, *sql.Tx, string) error {
	return func(ctx context.Context, tx *sql.Tx, number string) error {
		return inserter(tx, d, table, request)(ctx, number)
	}
}

// storedByRequest reads the cases table: the number each request is
// stored under. It fails the test for a request stored twice.
func storedByRequest(t *testing.T, q store.Querier, table string) map[int]string {
	t.Helper()
	rows, err := q.QueryContext(t.Context(), "SELECT number, request FROM "+table)
	require.NoError(t, err)
	defer rows.Close()
	stored := map[int]string{}
	for rows.Next() {
		var n string
		var req int
		require.NoError(t, rows.Scan(&n, &req))
		prev, dup := stored[req]
		require.False(t, dup, "request %d stored twice: %s and %s", req, prev, n)
		stored[req] = n
	}
	require.NoError(t, rows.Err())
	return stored
}

func count(t *testing.T, q store.Querier, table string) int {
	t.Helper()
	var n int
	require.NoError(t, q.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n))
	return n
}

func TestCheckerConformance(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		casenumtest.TestChecker(t, func(t *testing.T) (casenum.Checker, func(context.Context, string) error) {
			table := casesTable(t, b, db)
			c, err := store.NewChecker(db, b.d, table, "number")
			require.NoError(t, err)
			return c, inserter(db, b.d, table, 0)
		})
	})
}

// txSequence runs each Next in a transaction of its own, through WithTx:
// the gap-free mode, under the conformance suite's concurrency.
type txSequence struct {
	db  *sql.DB
	seq *store.Sequence
}

func (s txSequence) Next(ctx context.Context, scope string) (uint64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	v, err := s.seq.WithTx(tx).Next(ctx, scope)
	if err != nil {
		_ = tx.Rollback()
		return 0, err
	}
	return v, tx.Commit()
}

func TestSequenceConformance(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		if b.d == store.SQLite {
			// SQLite has one writer at a time; with one connection the
			// writers queue in the pool instead of polling the file lock,
			// which is what an application should do too.
			db.SetMaxOpenConns(1)
		}
		t.Run("db", func(t *testing.T) {
			casenumtest.TestSequence(t, func(t *testing.T) casenum.Sequence { return counterTable(t, db, b.d) })
		})
		t.Run("block", func(t *testing.T) {
			casenumtest.TestSequence(t, func(t *testing.T) casenum.Sequence {
				return counterTable(t, db, b.d, store.WithBlock(7))
			})
		})
		t.Run("tx", func(t *testing.T) {
			casenumtest.TestSequence(t, func(t *testing.T) casenum.Sequence {
				return txSequence{db, counterTable(t, db, b.d)}
			})
		})
	})
}

// Many goroutines creating records in a deliberately small random space
// collide often; every request is still stored exactly once, under the
// number Create returned, with no error.
func TestCreateConcurrent(t *testing.T) {
	t.Parallel()
	const goroutines, perGoroutine = 32, 10
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		table := casesTable(t, b, db)
		g, err := casenum.New(casenum.WithLayout("T-{rand:3}"), casenum.WithFallbackLayout(""),
			casenum.WithRetry(casenum.Retry{Attempts: 50}))
		require.NoError(t, err)

		got := make([]string, goroutines*perGoroutine)
		var wg sync.WaitGroup
		for w := range goroutines {
			wg.Go(func() {
				for i := range perGoroutine {
					req := w*perGoroutine + i
					n, err := g.Create(t.Context(), inserter(db, b.d, table, req))
					if err != nil {
						t.Errorf("request %d: %v", req, err)
						return
					}
					got[req] = n
				}
			})
		}
		wg.Wait()
		require.False(t, t.Failed())

		stored := storedByRequest(t, db, table)
		require.Len(t, stored, len(got), "COUNT(*) equals requests")
		for req, n := range got {
			assert.Equal(t, n, stored[req], "request %d", req)
		}
		st := g.Stats()
		t.Logf("%s: %+v", b.name, st)
		assert.Equal(t, uint64(len(got)), st.Minted)
		assert.Positive(t, st.Collisions, "the space of 1000 numbers for 320 records must collide")
		assert.Zero(t, st.Errors+st.Exhausted)
	})
}

// Create retries inside the caller's transaction through Savepoint; the
// record commits or rolls back with the rest of the transaction.
func TestCreateInTransaction(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		table := casesTable(t, b, db)
		// A twin generator tells the first candidate, which is then taken,
		// so the real one must collide at least once.
		newGen := func() *casenum.Generator {
			g, err := casenum.New(casenum.WithLayout("T-{rand:1}"), casenum.WithFallbackLayout(""),
				casenum.WithRetry(casenum.Retry{Attempts: 200}), casenum.WithRandom(casenumtest.NewRandom(3)))
			require.NoError(t, err)
			return g
		}
		first, err := newGen().Next(t.Context())
		require.NoError(t, err)
		free := "T-0"
		if first == free {
			free = "T-1"
		}
		ctx := t.Context()

		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		for i := range 10 {
			if n := fmt.Sprintf("T-%d", i); n != free {
				require.NoError(t, inserter(tx, b.d, table, -1)(ctx, n))
			}
		}
		g := newGen()
		n, err := g.Create(ctx, store.Savepoint(tx, inserter(tx, b.d, table, 1)))
		require.NoError(t, err)
		assert.Equal(t, free, n)
		assert.Positive(t, g.Stats().Collisions)
		assert.Equal(t, 10, count(t, tx, table))
		require.NoError(t, tx.Commit())
		assert.Equal(t, 10, count(t, db, table))

		// Rolled back: nothing of it stays.
		tx, err = db.BeginTx(ctx, nil)
		require.NoError(t, err)
		g2, err := casenum.New(casenum.WithLayout("U-{rand:1}"), casenum.WithFallbackLayout(""))
		require.NoError(t, err)
		_, err = g2.Create(ctx, store.Savepoint(tx, inserter(tx, b.d, table, 2)))
		require.NoError(t, err)
		require.NoError(t, tx.Rollback())
		assert.Equal(t, 10, count(t, db, table))
	})
}

// Without a savepoint, PostgreSQL's first unique violation aborts the
// transaction and the retry fails: what Savepoint is for.
func TestCreateInTransactionNeedsSavepointOnPostgres(t *testing.T) {
	t.Parallel()
	b := backends[0]
	db := b.open(t)
	table := casesTable(t, b, db)
	ctx := t.Context()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	require.NoError(t, inserter(tx, b.d, table, 0)(ctx, "T-1"))
	g, err := casenum.New(casenum.WithLayout("T-{rand:1}"), casenum.WithFallbackLayout(""),
		casenum.WithRetry(casenum.Retry{Attempts: 3}))
	require.NoError(t, err)
	// The first attempt stores a taken number, the second a free one; the
	// candidates themselves do not matter.
	calls := 0
	_, err = g.Create(ctx, func(ctx context.Context, _ string) error {
		calls++
		return inserter(tx, b.d, table, 0)(ctx, fmt.Sprintf("T-%d", calls))
	})
	require.Error(t, err)
	assert.False(t, store.IsUniqueViolation(err), "the second attempt fails with 25P02, not a collision: %v", err)
	assert.Equal(t, 2, calls)
}

// In gap-free mode a rolled-back transaction gives its value back.
func TestSequenceGapFree(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		table := casesTable(t, b, db)
		seq := counterTable(t, db, b.d)
		g := func(tx *sql.Tx) *casenum.Generator {
			g, err := casenum.New(casenum.WithLayout("C-{seq:3}"), casenum.WithFallbackLayout(""),
				casenum.WithSequence(seq.WithTx(tx)))
			require.NoError(t, err)
			return g
		}
		ctx := t.Context()
		var kept []string
		for i, commit := range []bool{true, false, true, false, false, true} {
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			n, err := g(tx).Create(ctx, inserter(tx, b.d, table, i))
			require.NoError(t, err)
			if commit {
				require.NoError(t, tx.Commit())
				kept = append(kept, n)
			} else {
				require.NoError(t, tx.Rollback())
			}
		}
		assert.Equal(t, []string{"C-001", "C-002", "C-003"}, kept)
		rows, err := db.QueryContext(ctx, "SELECT number FROM "+table)
		require.NoError(t, err)
		defer rows.Close()
		var stored []string
		for rows.Next() {
			var n string
			require.NoError(t, rows.Scan(&n))
			stored = append(stored, n)
		}
		require.NoError(t, rows.Err())
		slices.Sort(stored)
		assert.Equal(t, kept, stored)
	})
}
