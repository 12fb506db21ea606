package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store"
)

// A taken number found after the first of a batch becomes a stop that
// batches do not hand out but first. When the counter passes the stop
// some other way (here another process sharing the counter table), a
// later taken number must still become a stop, or every batch that
// reaches it after its first value rolls back, and calls run out of
// attempts.
func TestGroupCommitStaleStopDoesNotStall(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		ctx := t.Context()
		table := casesTable(t, b, db)
		p1 := counterTable(t, db, b.d, store.WithGroupCommit(8))
		p2, err := store.NewSequence(db, b.d, testTableOf(t, p1), store.WithGroupCommit(8))
		require.NoError(t, err)
		for _, v := range []int{3, 10} {
			require.NoError(t, inserter(db, b.d, table, -v)(ctx, fmt.Sprintf("C-%04d", v)))
		}
		gen := func(seq *store.Sequence, opts ...casenum.Option) *casenum.Generator {
			g, err := casenum.New(append([]casenum.Option{casenum.WithLayout("C-{seq:4}"), casenum.WithSequence(seq)}, opts...)...)
			require.NoError(t, err)
			return g
		}
		create := func(g *casenum.Generator, req int, hold <-chan struct{}) (string, error) {
			return store.CreateTx(ctx, db, g, nil, func(ctx context.Context, tx *sql.Tx, n string) error {
				if hold != nil {
					<-hold
				}
				return inserter(tx, b.d, table, req)(ctx, n)
			})
		}
		g2 := gen(p2)
		n, err := create(g2, 1, nil)
		require.NoError(t, err)
		require.Equal(t, "C-0001", n)

		// In p1, a batch hands out C-0002, then C-0003 to a second caller:
		// taken, so the batch rolls back and 3 becomes p1's stop. Both
		// callers give up after that attempt.
		once := gen(p1, casenum.WithRetry(casenum.Retry{Attempts: 1}))
		hold := make(chan struct{})
		var wg sync.WaitGroup
		var errA, errB error
		wg.Go(func() { _, errA = create(once, 2, hold) })
		time.Sleep(100 * time.Millisecond) // the first leads, waiting in its function
		wg.Go(func() { _, errB = create(once, 3, nil) })
		time.Sleep(100 * time.Millisecond) // the second waits in line
		close(hold)
		wg.Wait()
		require.Error(t, errA, "the two callers must have shared a batch")
		require.ErrorIs(t, errB, casenum.ErrExhausted)

		// p2 moves the counter past the stop: C-0002, C-0004 to C-0007.
		for req := 4; req <= 8; req++ {
			_, err := create(g2, req, nil)
			require.NoError(t, err)
		}

		// p1 under load meets C-0010 after the first of a batch.
		g1 := gen(p1)
		const workers, each = 8, 5
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					_, err := store.CreateTx(ctx, db, g1, nil, func(ctx context.Context, tx *sql.Tx, n string) error {
						time.Sleep(2 * time.Millisecond)
						return inserter(tx, b.d, table, 100+w*each+i)(ctx, n)
					})
					assert.NoError(t, err, "request %d", 100+w*each+i)
				}
			})
		}
		wg.Wait()
		t.Logf("%s: %+v", b.name, g1.Stats())
		rows := storedByRequest(t, db, table)
		total := 1 + 5 + workers*each + 2
		require.Len(t, rows, total)
		stored := valuesOf(rows)
		for v := 1; v <= total; v++ {
			assert.True(t, stored[fmt.Sprintf("C-%04d", v)], "C-%04d missing: a gap", v)
		}
	})
}

// valuesOf returns the numbers of rows.
func valuesOf(rows map[int]string) map[string]bool {
	vs := make(map[string]bool, len(rows))
	for _, n := range rows {
		vs[n] = true
	}
	return vs
}

// The caller who leads a batch is ended by its context, as a call without
// group commit is, while it waits to begin the batch or to raise the
// counter: no other caller's record depends on the batch yet. A caller
// who joined the line meanwhile leads the next batch and stores its
// record once the wait is over.
func TestGroupCommitLeaderHonoursContext(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		// SQLite waits for a locked database in its busy handler, which no
		// context interrupts, with or without group commit.
		blocks := map[string]blocker{"pool busy": takeOnlyConnection}
		if b.d != store.SQLite {
			blocks["counter row locked"] = lockCounterRow
		}
		for name, block := range blocks {
			t.Run(b.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				leaderHonoursContext(t, b, b.open(t), block)
			})
		}
	}
}

// blocker makes the first statement of a batch on db wait until the
// function it returns is called.
type blocker func(t *testing.T, db *sql.DB, seq *store.Sequence) func()

// lockCounterRow draws from scope C- in a transaction it leaves open.
func lockCounterRow(t *testing.T, db *sql.DB, seq *store.Sequence) func() {
	tx, err := db.BeginTx(t.Context(), nil)
	require.NoError(t, err)
	_, err = seq.WithTx(tx).Next(t.Context(), "C-")
	require.NoError(t, err)
	return func() { _ = tx.Rollback() }
}

// takeOnlyConnection leaves db one connection and holds it.
func takeOnlyConnection(t *testing.T, db *sql.DB, _ *store.Sequence) func() {
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(t.Context())
	require.NoError(t, err)
	return func() { _ = conn.Close() }
}

// leaderHonoursContext blocks the batch a caller with a short deadline
// leads while a second caller joins, and ends the block later.
func leaderHonoursContext(t *testing.T, b backend, db *sql.DB, block blocker) {
	const deadline, blocked = 100 * time.Millisecond, 1500 * time.Millisecond
	table := casesTable(t, b, db)
	seq := counterTable(t, db, b.d, store.WithGroupCommit(4))
	g, err := casenum.New(casenum.WithLayout("C-{seq:4}"), casenum.WithSequence(seq))
	require.NoError(t, err)
	create := func(ctx context.Context, req int) (string, error) {
		return store.CreateTx(ctx, db, g, nil, txInserter(b.d, table, req))
	}
	unblock := block(t, db, seq)
	timer := time.AfterFunc(blocked, unblock)
	t.Cleanup(func() {
		if timer.Stop() {
			unblock()
		}
	})

	var wg sync.WaitGroup
	var follower string
	var followerErr error
	began := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	wg.Go(func() {
		time.Sleep(deadline / 3) // the leader waits to begin or for the counter
		follower, followerErr = create(t.Context(), 2)
	})
	_, err = create(ctx, 1)
	took := time.Since(began)
	t.Logf("the leader returned after %v: %v", took.Round(time.Millisecond), err)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, casenum.ErrUncertain)
	assert.Less(t, took, blocked-deadline, "the leader waited for the block to end")

	wg.Wait()
	require.NoError(t, followerErr)
	assert.Equal(t, "C-0001", follower)
	assert.Equal(t, map[int]string{2: "C-0001"}, storedByRequest(t, db, table))
}
