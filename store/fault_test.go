package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store"
)

// A closed database gives errors, never a number or a verdict.
func TestClosedDatabase(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, _ *sql.DB) {
		db := b.open(t)
		require.NoError(t, db.Close())
		ctx := t.Context()

		c, err := store.NewChecker(db, b.d, "cases", "number")
		require.NoError(t, err)
		taken, err := c.Exists(ctx, "CASE-1")
		assert.Error(t, err)
		assert.False(t, taken)

		for _, opts := range [][]store.SequenceOption{nil, {store.WithBlock(10)}} {
			s, err := store.NewSequence(db, b.d, "counters", opts...)
			require.NoError(t, err)
			v, err := s.Next(ctx, "S-")
			assert.Error(t, err)
			assert.Zero(t, v)
			assert.Error(t, s.CreateTable(ctx))
		}

		s, err := store.NewSequence(db, b.d, "counters")
		require.NoError(t, err)
		g, err := casenum.New(casenum.WithLayout("C-{seq:4}"), casenum.WithSequence(s), casenum.WithChecker(c))
		require.NoError(t, err)
		n, err := g.Create(ctx, inserter(db, b.d, "cases", 0))
		assert.Error(t, err)
		assert.Empty(t, n)
		assert.Equal(t, uint64(1), g.Stats().Errors)
	})
}

// killer ends the server connections that run statements on the given
// tables, from a connection of its own, as an operator or a failover would.
type killer func(ctx context.Context, admin *sql.DB, tables ...string) (int, error)

var killers = map[store.Dialect]killer{
	store.Postgres: func(ctx context.Context, admin *sql.DB, tables ...string) (int, error) {
		// The workload's statements name the tables in their text; the
		// killer's own names them only as parameters.
		rows, err := admin.QueryContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE pid <> pg_backend_pid() AND datname = current_database() AND (query LIKE $1 OR query LIKE $2)`,
			"%"+tables[0]+"%", "%"+tables[1]+"%")
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			n++
		}
		return n, rows.Err()
	},
	store.MySQL: func(ctx context.Context, admin *sql.DB, tables ...string) (int, error) {
		rows, err := admin.QueryContext(ctx, `SELECT ID FROM information_schema.PROCESSLIST
			WHERE ID <> CONNECTION_ID() AND (INFO LIKE ? OR INFO LIKE ?)`, "%"+tables[0]+"%", "%"+tables[1]+"%")
		if err != nil {
			return 0, err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return 0, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		n := 0
		for _, id := range ids {
			// The statement may have ended, and its connection with it.
			if _, err := admin.ExecContext(ctx, fmt.Sprintf("KILL %d", id)); err == nil {
				n++
			}
		}
		return n, nil
	},
}

// Connections killed under a running workload fail the calls that were on
// them, cleanly: a call whose insert may have been stored says so
// (ErrUncertain, with the number), and any other failed call stored
// nothing. No record is stored twice, the Sequence repeats no value, and
// once the killing stops the calls succeed again.
func TestKilledConnections(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		w := killedConnections(t, b, db, nil, func(ctx context.Context, g *casenum.Generator, table string, req int) (string, error) {
			return g.Create(ctx, inserter(db, b.d, table, req))
		})
		require.NotEmpty(t, len(w.failed)+len(w.uncertain), "killing connections under load must fail some calls")
	})
}

// The same with group commit and CreateTx: batches lose their connection
// at any statement, their COMMIT's included. Besides the above, the
// numbers stored are gap-free: 1 to the counter's value, none missing.
func TestKilledConnectionsGroupCommit(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		opts := []store.SequenceOption{store.WithGroupCommit(16)}
		w := killedConnections(t, b, db, opts, func(ctx context.Context, g *casenum.Generator, table string, req int) (string, error) {
			return store.CreateTx(ctx, db, g, nil, txInserter(b.d, table, req))
		})
		require.NotZero(t, len(w.failed)+len(w.uncertain)+int(w.g.Stats().Aborted), "no batch lost its connection")
		var top int
		require.NoError(t, db.QueryRowContext(t.Context(), "SELECT value FROM "+w.counters+" WHERE scope = 'K-'").Scan(&top))
		values := make([]bool, top+1)
		for _, n := range w.rows {
			var v int
			_, err := fmt.Sscanf(n, "K-%d", &v)
			require.NoError(t, err)
			require.True(t, v >= 1 && v <= top && !values[v], "%s: outside 1 to %d, or twice", n, top)
			values[v] = true
		}
		assert.Len(t, w.rows, top, "a gap: %d records stored, the counter at %d", len(w.rows), top)
	})
}

// killedWorkload is what killedConnections saw: each request's answer and
// the stored rows, number by request.
type killedWorkload struct {
	g         *casenum.Generator
	counters  string
	stored    map[int]string
	failed    map[int]error
	uncertain map[int]string // the number each uncertain request may be stored under
	rows      map[int]string
}

// killedConnections runs create from 8 goroutines while connections are
// killed, then checks each request's answer against the table: stored
// under its number, uncertain and stored under the number its error
// names or not at all, or failed with nothing stored.
func killedConnections(t *testing.T, b backend, db *sql.DB, opts []store.SequenceOption,
	create func(ctx context.Context, g *casenum.Generator, table string, req int) (string, error)) *killedWorkload {
	kill := killers[b.d]
	if kill == nil {
		t.Skip("an embedded database has no connections to kill")
	}
	db.SetMaxOpenConns(8)
	admin := b.open(t)
	table := casesTable(t, b, db)
	seq := counterTable(t, db, b.d, opts...)
	w := &killedWorkload{counters: testTableOf(t, seq), stored: map[int]string{}, failed: map[int]error{}, uncertain: map[int]string{}}
	var err error
	w.g, err = casenum.New(casenum.WithLayout("K-{seq:6}"), casenum.WithFallbackLayout(""), casenum.WithSequence(seq))
	require.NoError(t, err)
	ctx := t.Context()

	var (
		mu       sync.Mutex
		requests atomic.Int64
		stop     atomic.Bool
	)
	call := func() error {
		req := int(requests.Add(1))
		n, err := create(ctx, w.g, table, req)
		mu.Lock()
		defer mu.Unlock()
		var ae *casenum.AttemptError
		switch {
		case err == nil:
			w.stored[req] = n
		case n != "":
			t.Errorf("request %d: failed with a number %q: %v", req, n, err)
		case errors.Is(err, casenum.ErrUncertain):
			if !errors.As(err, &ae) || ae.Number == "" {
				t.Errorf("request %d: uncertain without a number: %v", req, err)
			}
			w.uncertain[req] = ae.Number
		default:
			w.failed[req] = err
		}
		return err
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for !stop.Load() {
				_ = call()
			}
		})
	}
	killed := 0
	for round := range 20 {
		// Every fifth round the workload's draws wait on the counter's
		// row while the killer runs, so some kills land mid-statement;
		// a kill of a connection between statements is absorbed by the
		// pool and by Create's retry of aborted attempts.
		release := func() {}
		if round%5 == 4 {
			release = holdCounter(t, admin, seq, "K-")
		}
		time.Sleep(25 * time.Millisecond)
		n, err := kill(ctx, admin, table, w.counters)
		release()
		require.NoError(t, err)
		killed += n
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%s: %d connections killed, %d requests stored, %d uncertain, %d failed; %+v",
		b.name, killed, len(w.stored), len(w.uncertain), len(w.failed), w.g.Stats())
	require.Positive(t, killed)

	// Recovery: connections that died idle in the pool may fail a call
	// each before the pool drops them; after that every call succeeds.
	recovered := false
	for range 9 {
		if call() == nil {
			recovered = true
			break
		}
	}
	require.True(t, recovered, "no call succeeded after the killing stopped")
	for range 20 {
		require.NoError(t, call())
	}
	w.rows = reconcileKilled(t, db, table, w)
	// A repeated counter value would have shown as a collision.
	assert.Zero(t, w.g.Stats().Collisions, "the Sequence handed a value out twice")
	return w
}

// reconcileKilled reads the table's rows and checks them against the answers:
// each request stored at most once, successful ones under their number,
// uncertain ones under the number their error names, failed ones not at
// all. It returns the rows, number by request.
func reconcileKilled(t *testing.T, db *sql.DB, table string, w *killedWorkload) map[int]string {
	t.Helper()
	seen := storedByRequest(t, db, table)
	for req, n := range w.stored {
		assert.Equal(t, n, seen[req], "request %d", req)
	}
	found := 0
	for req, n := range seen {
		_, ok := w.stored[req]
		maybe, isUncertain := w.uncertain[req]
		switch {
		case isUncertain:
			// A look-up finds it under the number the error carries.
			assert.Equal(t, maybe, n, "uncertain request %d", req)
			found++
		case !ok:
			t.Errorf("request %d stored, but its call failed without saying it may have been: %v", req, w.failed[req])
		}
	}
	t.Logf("%d of %d uncertain requests were stored", found, len(w.uncertain))
	return seen
}

// holdCounter locks the scope's counter row in a transaction on admin,
// which the killer leaves alone (its last statement names no table), until
// release rolls it back, giving its value back.
func holdCounter(t *testing.T, admin *sql.DB, seq *store.Sequence, scope string) (release func()) {
	t.Helper()
	ctx := t.Context()
	tx, err := admin.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = seq.WithTx(tx).Next(ctx, scope)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, "SELECT 1")
	require.NoError(t, err)
	return func() { require.NoError(t, tx.Rollback()) }
}

// testTableOf returns the counter table's name from its schema.
func testTableOf(t *testing.T, s *store.Sequence) string {
	t.Helper()
	var quoted string
	_, err := fmt.Sscanf(s.Schema(), "CREATE TABLE IF NOT EXISTS %s", &quoted)
	require.NoError(t, err)
	return quoted[1 : len(quoted)-1]
}

// A context deadline reaches the statement waiting for a lock: the call
// returns the context's error in time, and the lock's holder is unharmed.
func TestDeadlineInLockWait(t *testing.T) {
	t.Parallel()
	const deadline = 300 * time.Millisecond
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		table := casesTable(t, b, db)
		seq := counterTable(t, db, b.d)
		ctx := t.Context()

		// The holder's transaction locks the scope's counter row (the whole
		// database, for SQLite) and a number's unique-index entry.
		holder, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		v, err := seq.WithTx(holder).Next(ctx, "L-")
		require.NoError(t, err)
		require.Equal(t, uint64(1), v)
		require.NoError(t, inserter(holder, b.d, table, 0)(ctx, "L-1"))

		// The waiter runs on the pool: drivers close a connection whose
		// statement they cancel (pgx, go-sql-driver/mysql), and the pool
		// replaces it. SQLite waits for a lock in its busy handler, which
		// no context interrupts (modernc): the wait ends only at
		// busy_timeout, shortened here on a connection of its own so the
		// test shows the bound without taking the default ten seconds.
		limit := deadline + 3*time.Second
		waiter := func(ctx context.Context) (store.Querier, func()) {
			if b.d != store.SQLite {
				return db, func() {}
			}
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			_, err = conn.ExecContext(ctx, "PRAGMA busy_timeout = 1000")
			require.NoError(t, err)
			return conn, func() { _ = conn.Close() }
		}
		if b.d == store.SQLite {
			limit = time.Second + 3*time.Second
		}
		waitFor := func(name string, call func(ctx context.Context) error) {
			t.Helper()
			dctx, cancel := context.WithTimeout(ctx, deadline)
			defer cancel()
			began := time.Now()
			err := call(dctx)
			took := time.Since(began)
			t.Logf("%s: %s returned after %v: %v", b.name, name, took.Round(time.Millisecond), err)
			assert.ErrorIs(t, err, context.DeadlineExceeded, name)
			assert.Less(t, took, limit, "%s waited %v for a %v deadline", name, took, deadline)
		}
		waitFor("Sequence.Next", func(ctx context.Context) error {
			q, done := waiter(t.Context())
			defer done()
			_, err := seq.WithTx(q).Next(ctx, "L-")
			return err
		})
		g, err := casenum.New(casenum.WithLayout("L-{rand:1}"), casenum.WithFallbackLayout(""))
		require.NoError(t, err)
		waitFor("Create", func(ctx context.Context) error {
			q, done := waiter(t.Context())
			defer done()
			_, err := g.Create(ctx, func(ctx context.Context, _ string) error {
				return inserter(q, b.d, table, 1)(ctx, "L-1")
			})
			return err
		})

		require.NoError(t, holder.Commit())
		assert.Equal(t, 1, count(t, db, table))
		v, err = seq.Next(ctx, "L-")
		require.NoError(t, err)
		// The abandoned statement was cancelled on the server, except on
		// MariaDB, where the driver drops the connection and the server may
		// still finish the statement once the lock is free: a gap.
		if b.d == store.MySQL {
			assert.Contains(t, []uint64{2, 3}, v)
		} else {
			assert.Equal(t, uint64(2), v)
		}
		if errors.Is(ctx.Err(), context.Canceled) {
			t.Fatal("test context ended early")
		}
	})
}
