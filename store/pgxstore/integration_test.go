package pgxstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
	"github.com/casemint/casemint/store/pgxstore"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// open returns a pool for the code under test and a database/sql handle
// on the same database, whose tables testdb drops when the test ends.
func open(t *testing.T) (*pgxpool.Pool, *sql.DB) {
	t.Helper()
	t.Parallel()
	db := testdb.Postgres(t)
	return testdb.PgxPool(t), db
}

// casesTable creates a table of cases, with a UNIQUE number and the
// request that stored it.
func casesTable(t testing.TB, db *sql.DB) string {
	t.Helper()
	return testdb.CreateTable(t, db, "cases", "id BIGSERIAL PRIMARY KEY, number VARCHAR(100) NOT NULL UNIQUE, request INT")
}

// counters makes a Sequence over a new counter table.
func counters(t *testing.T, pool *pgxpool.Pool, db *sql.DB, opts ...pgxstore.SequenceOption) *pgxstore.Sequence {
	t.Helper()
	name := testdb.Table(t, "counters")
	testdb.DropOnCleanup(t, db, name)
	s, err := pgxstore.NewSequence(pool, name, opts...)
	require.NoError(t, err)
	require.NoError(t, s.CreateTable(t.Context()))
	return s
}

// inserter returns an insert function storing a number for request on q.
func inserter(q pgxstore.Querier, table string, request int) func(context.Context, string) error {
	return func(ctx context.Context, number string) error {
		_, err := q.Exec(ctx, "INSERT INTO "+table+" (number, request) VALUES ($1, $2)", number, request)
		return err
	}
}

// stored returns the numbers in table, sorted.
func stored(t *testing.T, q pgxstore.Querier, table string) []string {
	t.Helper()
	rows, err := q.Query(t.Context(), "SELECT number FROM "+table+" ORDER BY number")
	require.NoError(t, err)
	numbers, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return numbers
}

// concurrently runs requests 0..goroutines*each-1 on goroutines at once
// and returns the number each got; a request that fails fails the test.
func concurrently(t *testing.T, goroutines, each int, create func(req int) (string, error)) []string {
	t.Helper()
	got := make([]string, goroutines*each)
	var wg sync.WaitGroup
	for w := range goroutines {
		wg.Go(func() {
			for i := range each {
				req := w*each + i
				n, err := create(req)
				if err != nil {
					t.Errorf("request %d: %v", req, err)
				}
				got[req] = n
			}
		})
	}
	wg.Wait()
	require.False(t, t.Failed())
	return got
}

// takenThenFree makes {rand:1} render T-1, then T-9 for ever.
func takenThenFree() casenum.Random { return casenumtest.Tokens("rand:1", "rand:9") }

func TestCheckerConformance(t *testing.T) {
	pool, db := open(t)
	casenumtest.TestChecker(t, func(t *testing.T) (casenum.Checker, func(context.Context, string) error) {
		cases := casesTable(t, db)
		c, err := pgxstore.NewChecker(pool, cases, "number")
		require.NoError(t, err)
		return c, inserter(pool, cases, 0)
	})
}

// txSequence runs each Next in a transaction of its own, through WithTx.
type txSequence struct {
	pool *pgxpool.Pool
	seq  *pgxstore.Sequence
}

func (s txSequence) Next(ctx context.Context, scope string) (uint64, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	v, err := s.seq.WithTx(tx).Next(ctx, scope)
	if err != nil {
		return 0, err
	}
	return v, tx.Commit(ctx)
}

func TestSequenceConformance(t *testing.T) {
	pool, db := open(t)
	for name, seq := range map[string]func(t *testing.T) casenum.Sequence{
		"pool":  func(t *testing.T) casenum.Sequence { return counters(t, pool, db) },
		"block": func(t *testing.T) casenum.Sequence { return counters(t, pool, db, pgxstore.WithBlock(7)) },
		"tx":    func(t *testing.T) casenum.Sequence { return txSequence{pool, counters(t, pool, db)} },
	} {
		t.Run(name, func(t *testing.T) { casenumtest.TestSequence(t, seq) })
	}
}

// Many goroutines creating records in a small random space collide often;
// every request is still stored exactly once, under the number Create
// returned.
func TestCreateConcurrent(t *testing.T) {
	pool, db := open(t)
	cases := casesTable(t, db)
	g, err := casenum.New(casenum.WithLayout("T-{rand:3}"), casenum.WithFallbackLayout(""),
		casenum.WithRetry(casenum.Retry{Attempts: 50}))
	require.NoError(t, err)
	got := concurrently(t, 32, 10, func(req int) (string, error) {
		return g.Create(t.Context(), inserter(pool, cases, req))
	})
	for req, n := range got {
		var stored int
		require.NoError(t, pool.QueryRow(t.Context(), "SELECT request FROM "+cases+" WHERE number = $1", n).Scan(&stored))
		assert.Equal(t, req, stored, n)
	}
	assert.Len(t, stored(t, pool, cases), len(got))
	st := g.Stats()
	assert.Positive(t, st.Collisions, "1000 numbers for 320 records must collide")
	assert.Zero(t, st.Errors+st.Exhausted)
}

// Create retries inside the caller's transaction through Savepoint; the
// record commits or rolls back with the rest of the transaction.
func TestCreateInTransaction(t *testing.T) {
	pool, db := open(t)
	cases := casesTable(t, db)
	ctx := t.Context()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	for i := range 9 { // all but T-9 taken
		require.NoError(t, inserter(tx, cases, -1)(ctx, fmt.Sprintf("T-%d", i)))
	}
	g, err := casenum.New(casenum.WithLayout("T-{rand:1}"), casenum.WithFallbackLayout(""),
		casenum.WithRandom(takenThenFree()), casenum.WithRetry(casenum.Retry{Attempts: 5}))
	require.NoError(t, err)
	n, err := g.Create(ctx, pgxstore.Savepoint(tx, inserter(tx, cases, 1)))
	require.NoError(t, err)
	assert.Equal(t, "T-9", n)
	assert.Equal(t, uint64(1), g.Stats().Collisions)
	require.NoError(t, tx.Commit(ctx))
	assert.Len(t, stored(t, pool, cases), 10)

	// Rolled back: nothing of it stays.
	tx, err = pool.Begin(ctx)
	require.NoError(t, err)
	g, err = casenum.New(casenum.WithLayout("U-{rand:1}"), casenum.WithFallbackLayout(""))
	require.NoError(t, err)
	_, err = g.Create(ctx, pgxstore.Savepoint(tx, inserter(tx, cases, 2)))
	require.NoError(t, err)
	require.NoError(t, tx.Rollback(ctx))
	assert.Len(t, stored(t, pool, cases), 10)
}

// In gap-free mode a rolled-back transaction gives its value back.
func TestSequenceGapFree(t *testing.T) {
	pool, db := open(t)
	cases := casesTable(t, db)
	seq := counters(t, pool, db)
	ctx := t.Context()
	var kept []string
	for i, commit := range []bool{true, false, true, false, false, true} {
		tx, err := pool.Begin(ctx)
		require.NoError(t, err)
		g, err := casenum.New(casenum.WithLayout("C-{seq:3}"), casenum.WithFallbackLayout(""),
			casenum.WithSequence(seq.WithTx(tx)))
		require.NoError(t, err)
		n, err := g.Create(ctx, inserter(tx, cases, i))
		require.NoError(t, err)
		if commit {
			require.NoError(t, tx.Commit(ctx))
			kept = append(kept, n)
		} else {
			require.NoError(t, tx.Rollback(ctx))
		}
	}
	assert.Equal(t, []string{"C-001", "C-002", "C-003"}, kept)
	assert.Equal(t, kept, stored(t, pool, cases))
}

// A duplicate in another UNIQUE column is not a taken number: with
// store.UniqueViolationOn as the conflict test it comes back at once.
func TestCreateSecondUniqueColumn(t *testing.T) {
	pool, db := open(t)
	calls := testdb.CreateTable(t, db, "calls", "number VARCHAR(50) NOT NULL UNIQUE, idempotency_key VARCHAR(50) NOT NULL UNIQUE")
	insert := func(key string) func(context.Context, string) error {
		return func(ctx context.Context, n string) error {
			_, err := pool.Exec(ctx, "INSERT INTO "+calls+" (number, idempotency_key) VALUES ($1, $2)", n, key)
			return err
		}
	}
	ctx := t.Context()
	require.NoError(t, insert("request-1")(ctx, "T-0"))
	// T-1, then T-0 (taken), then T-3.
	g, err := casenum.New(casenum.WithLayout("T-{rand:1}"), casenum.WithRandom(casenumtest.Tokens("rand:1", "rand:0", "rand:3")),
		casenum.WithConflict(func(err error) bool { return store.UniqueViolationOn(err, "number") }))
	require.NoError(t, err)

	_, err = g.Create(ctx, insert("request-1")) // the same request again
	assert.True(t, store.UniqueViolationOn(err, "idempotency_key"), "%v", err)
	assert.NotErrorIs(t, err, casenum.ErrExhausted)
	assert.Zero(t, g.Stats().Collisions)

	n, err := g.Create(ctx, insert("request-2"))
	require.NoError(t, err)
	assert.Equal(t, "T-3", n)
	assert.Equal(t, uint64(1), g.Stats().Collisions)
}

// CreateTx stores a record and its child rows in one transaction per
// attempt; under concurrent collisions every request is stored once, with
// all its children and no orphan.
func TestCreateTxWithChildRows(t *testing.T) {
	pool, db := open(t)
	cases := casesTable(t, db)
	lines := testdb.CreateTable(t, db, "lines", "number VARCHAR(100) NOT NULL, line INT NOT NULL, PRIMARY KEY (number, line)")
	// 64 records in a space of 100 numbers collide.
	g, err := casenum.New(casenum.WithLayout("T-{rand:2}"), casenum.WithFallbackLayout(""),
		casenum.WithRetry(casenum.Retry{Attempts: 100}))
	require.NoError(t, err)
	got := concurrently(t, 8, 8, func(req int) (string, error) {
		return pgxstore.CreateTx(t.Context(), pool, g, pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx, n string) error {
			// Children first: a collision on the case then leaves orphans
			// unless the transaction rolls back.
			for l := range 2 {
				if _, err := tx.Exec(ctx, "INSERT INTO "+lines+" (number, line) VALUES ($1, $2)", n, l); err != nil {
					return err
				}
			}
			return inserter(tx, cases, req)(ctx, n)
		})
	})
	slices.Sort(got)
	assert.Equal(t, got, stored(t, pool, cases))
	var lineCount, orphans int
	require.NoError(t, pool.QueryRow(t.Context(), "SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM "+
		cases+" c WHERE c.number = l.number)) FROM "+lines+" l").Scan(&lineCount, &orphans))
	assert.Equal(t, 2*len(got), lineCount)
	assert.Zero(t, orphans)
	assert.Positive(t, g.Stats().Collisions)
}

// A DEFERRABLE INITIALLY DEFERRED constraint fails at COMMIT, after every
// statement succeeded: CreateTx retries those collisions too.
func TestCreateTxDeferredUnique(t *testing.T) {
	pool, db := open(t)
	name := testdb.Table(t, "deferred")
	deferred := testdb.CreateTable(t, db, "deferred", "number TEXT NOT NULL, CONSTRAINT "+name+"_number UNIQUE (number) DEFERRABLE INITIALLY DEFERRED")
	ctx := t.Context()
	for i := range 9 {
		_, err := pool.Exec(ctx, "INSERT INTO "+deferred+" (number) VALUES ($1)", fmt.Sprintf("T-%d", i))
		require.NoError(t, err)
	}
	g, err := casenum.New(casenum.WithLayout("T-{rand:1}"), casenum.WithFallbackLayout(""),
		casenum.WithRandom(takenThenFree()))
	require.NoError(t, err)
	n, err := pgxstore.CreateTx(ctx, pool, g, pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx, n string) error {
		_, err := tx.Exec(ctx, "INSERT INTO "+deferred+" (number) VALUES ($1)", n)
		require.NoError(t, err, "a deferred constraint fails at COMMIT, not at the INSERT")
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, "T-9", n)
	assert.Equal(t, uint64(1), g.Stats().Collisions)
	assert.Len(t, stored(t, pool, deferred), 10)
}

// With a Sequence on the same pool, {seq} is drawn in the attempt's
// transaction: values of records that were not stored are given back, so
// the stored numbers have no gap, even under concurrency; with group
// commit too, where a failing function rolls back the batch it ran in.
func TestCreateTxSequenceGapFree(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts []pgxstore.SequenceOption
	}{{"per record", nil}, {"group commit", []pgxstore.SequenceOption{pgxstore.WithGroupCommit(4)}}} {
		t.Run(mode.name, func(t *testing.T) {
			pool, db := open(t)
			cases := casesTable(t, db)
			g, err := casenum.New(casenum.WithLayout("C-{seq:4}"), casenum.WithFallbackLayout(""),
				casenum.WithSequence(counters(t, pool, db, mode.opts...)))
			require.NoError(t, err)
			refused := fmt.Errorf("refused by the application")
			concurrently(t, 8, 12, func(req int) (string, error) {
				n, err := pgxstore.CreateTx(t.Context(), pool, g, pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx, n string) error {
					if req%3 == 0 {
						return refused // rolled back, and its value with it
					}
					return inserter(tx, cases, req)(ctx, n)
				})
				if req%3 == 0 && assert.ErrorIs(t, err, refused) {
					err = nil
				}
				return n, err
			})
			var want []string
			for i := 1; i <= 64; i++ {
				want = append(want, fmt.Sprintf("C-%04d", i))
			}
			assert.Equal(t, want, stored(t, pool, cases))
			t.Logf("%+v", g.Stats())
		})
	}
}

// CreateTx on one *pgx.Conn, with the Sequence on the same connection,
// draws {seq} in the attempt's transaction too.
func TestCreateTxOnConn(t *testing.T) {
	pool, db := open(t)
	cases := casesTable(t, db)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, testdb.PostgresDSN(t))
	require.NoError(t, err)
	defer conn.Close(ctx)
	name := testdb.Table(t, "counters")
	testdb.DropOnCleanup(t, db, name)
	seq, err := pgxstore.NewSequence(conn, name)
	require.NoError(t, err)
	require.NoError(t, seq.CreateTable(ctx))
	g, err := casenum.New(casenum.WithLayout("C-{seq:2}"), casenum.WithFallbackLayout(""), casenum.WithSequence(seq))
	require.NoError(t, err)
	for i, refuse := range []bool{false, true, false} {
		_, err := pgxstore.CreateTx(ctx, conn, g, pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx, n string) error {
			if refuse {
				return errors.New("refused") // any error that is not retried
			}
			return inserter(tx, cases, i)(ctx, n)
		})
		assert.Equal(t, refuse, err != nil, "%v", err)
	}
	assert.Equal(t, []string{"C-01", "C-02"}, stored(t, pool, cases))
}
