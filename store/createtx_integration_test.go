package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

// A duplicate in another UNIQUE column is not a taken number: with
// UniqueViolationOn as the conflict test it comes back from the first
// attempt, not as ErrExhausted after all of them.
func TestCreateSecondUniqueColumn(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		table := testdb.CreateTable(t, db, "calls", "case_number VARCHAR(50) NOT NULL UNIQUE, idempotency_key VARCHAR(50) NOT NULL UNIQUE")
		ctx := t.Context()
		insert := "INSERT INTO " + table + " (case_number, idempotency_key) VALUES (" + ph(b.d, 1) + ", " + ph(b.d, 2) + ")"
		_, err := db.ExecContext(ctx, insert, "T-0", "request-1")
		require.NoError(t, err)

		// Candidates T-1, then T-3: a random T-0 would collide where the
		// test expects no collision.
		g, err := casenum.New(casenum.WithLayout("T-{rand:1}"), casenum.WithRandom(casenumtest.Tokens("rand:1", "rand:3")),
			casenum.WithConflict(func(err error) bool { return store.UniqueViolationOn(err, "case_number") }))
		require.NoError(t, err)
		calls := 0
		_, err = g.Create(ctx, func(ctx context.Context, n string) error {
			calls++
			_, err := db.ExecContext(ctx, insert, n, "request-1") // the same request again
			return err
		})
		require.Error(t, err)
		assert.Equal(t, 1, calls)
		assert.True(t, store.IsUniqueViolation(err))
		assert.True(t, store.UniqueViolationOn(err, "idempotency_key"), "%v", err)
		assert.NotErrorIs(t, err, casenum.ErrExhausted)

		// A taken case number is still a collision.
		calls = 0
		n, err := g.Create(ctx, func(ctx context.Context, n string) error {
			calls++
			if calls == 1 {
				n = "T-0"
			}
			_, err := db.ExecContext(ctx, insert, n, "request-2")
			return err
		})
		require.NoError(t, err)
		assert.Equal(t, 2, calls, "stored %s", n)
	})
}

// CreateTx stores a record and its child rows in one transaction per
// attempt; under concurrent collisions every request is stored once, with
// all its children and no orphan.
func TestCreateTxWithChildRows(t *testing.T) {
	t.Parallel()
	const goroutines, perGoroutine, children = 8, 10, 2
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		cases, lines := childTables(t, b, db)
		g, err := casenum.New(casenum.WithLayout("T-{rand:3}"), casenum.WithFallbackLayout(""),
			casenum.WithRetry(casenum.Retry{Attempts: 50}))
		require.NoError(t, err)
		insertCase := "INSERT INTO " + cases + " (number, request) VALUES (" + ph(b.d, 1) + ", " + ph(b.d, 2) + ")"
		insertLine := "INSERT INTO " + lines + " (number, line) VALUES (" + ph(b.d, 1) + ", " + ph(b.d, 2) + ")"

		var wg sync.WaitGroup
		for w := range goroutines {
			wg.Go(func() {
				for i := range perGoroutine {
					req := w*perGoroutine + i
					_, err := store.CreateTx(t.Context(), db, g, nil, func(ctx context.Context, tx *sql.Tx, n string) error {
						// Children first: a collision on the case row then
						// leaves orphans unless the transaction rolls back.
						for l := range children {
							if _, err := tx.ExecContext(ctx, insertLine, n, l); err != nil {
								return err
							}
						}
						_, err := tx.ExecContext(ctx, insertCase, n, req)
						return err
					})
					if err != nil {
						t.Errorf("request %d: %v", req, err)
					}
				}
			})
		}
		wg.Wait()
		total := goroutines * perGoroutine
		assert.Equal(t, total, count(t, db, cases))
		assert.Equal(t, total*children, count(t, db, lines))
		var orphans int
		require.NoError(t, db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+lines+" l WHERE NOT EXISTS (SELECT 1 FROM "+
			cases+" c WHERE c.number = l.number)").Scan(&orphans))
		assert.Zero(t, orphans)
		st := g.Stats()
		t.Logf("%s: %+v", b.name, st)
		assert.Equal(t, uint64(total), st.Minted)
	})
}

// childTables creates a cases table and a table of lines that refer to a
// case by its number, dropped when the test ends.
func childTables(t *testing.T, b backend, db *sql.DB) (cases, lines string) {
	t.Helper()
	cases = casesTable(t, b, db)
	lines = testdb.CreateTable(t, db, "lines", "number VARCHAR(100) NOT NULL, line INT NOT NULL, PRIMARY KEY (number, line)")
	return cases, lines
}

// PostgreSQL checks a DEFERRABLE INITIALLY DEFERRED constraint at COMMIT,
// after every statement succeeded: CreateTx retries those collisions too.
func TestCreateTxDeferredUnique(t *testing.T) {
	t.Parallel()
	db := testdb.Postgres(t)
	ctx := t.Context()
	table := testdb.Table(t, "deferred")
	testdb.DropOnCleanup(t, db, table)
	_, err := db.ExecContext(ctx, "CREATE TABLE "+table+" (number TEXT NOT NULL, CONSTRAINT "+table+"_number UNIQUE (number) DEFERRABLE INITIALLY DEFERRED)")
	require.NoError(t, err)
	// Nine of the ten numbers are taken.
	for i := range 9 {
		_, err := db.ExecContext(ctx, "INSERT INTO "+table+" (number) VALUES ($1)", fmt.Sprintf("T-%d", i))
		require.NoError(t, err)
	}
	// Candidates T-1 (taken), then T-9.
	g, err := casenum.New(casenum.WithLayout("T-{rand:1}"), casenum.WithFallbackLayout(""),
		casenum.WithRandom(casenumtest.Tokens("rand:1", "rand:9")))
	require.NoError(t, err)
	var failedInFn int
	n, err := store.CreateTx(ctx, db, g, nil, func(ctx context.Context, tx *sql.Tx, n string) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO "+table+" (number) VALUES ($1)", n)
		if err != nil {
			failedInFn++
		}
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, "T-9", n)
	assert.Zero(t, failedInFn, "a deferred constraint fails at COMMIT, not at the INSERT")
	assert.Positive(t, g.Stats().Collisions)
	assert.Equal(t, 10, count(t, db, table))
}

// With a Sequence on the same database, {seq} is drawn in the attempt's
// transaction: values of records that were not stored are given back, so
// the stored numbers have no gap, even under concurrency; with group
// commit too, where a failing function rolls back the batch it ran in.
func TestCreateTxSequenceGapFree(t *testing.T) {
	t.Parallel()
	eachSeqMode(t, createTxGapFree)
}

// createTxGapFree stores records from concurrent calls of CreateTx, a
// third of whose functions fail, and checks that the stored numbers are
// 1 to n.
func createTxGapFree(t *testing.T, b backend, db *sql.DB, seq *store.Sequence) {
	const goroutines, perGoroutine = 8, 12
	table := casesTable(t, b, db)
	g, err := casenum.New(casenum.WithLayout("C-{seq:4}"), casenum.WithFallbackLayout(""), casenum.WithSequence(seq))
	require.NoError(t, err)
	refused := errors.New("refused by the application")
	var mu sync.Mutex
	stored := map[string]bool{}
	var wg sync.WaitGroup
	for w := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				req := w*perGoroutine + i
				n, err := store.CreateTx(t.Context(), db, g, nil, func(ctx context.Context, tx *sql.Tx, n string) error {
					if req%3 == 0 {
						return refused // rolled back, and its value with it
					}
					return inserter(tx, b.d, table, req)(ctx, n)
				})
				switch {
				case req%3 == 0:
					assert.ErrorIs(t, err, refused)
				case err != nil:
					t.Errorf("request %d: %v", req, err)
				default:
					mu.Lock()
					stored[n] = true
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	want := goroutines * perGoroutine * 2 / 3
	require.Len(t, stored, want)
	for i := 1; i <= want; i++ {
		assert.True(t, stored[fmt.Sprintf("C-%04d", i)], "C-%04d missing: a gap", i)
	}
	t.Logf("%s: %+v", b.name, g.Stats())
}

// fn may draw from the Sequence itself, for another scope: that draw runs
// outside the attempt's transaction, which stays the record's.
func TestCreateTxFunctionUsesTheSequence(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		if b.d == store.SQLite {
			t.Skip("SQLite has one writer: a draw outside the transaction would wait for it")
		}
		table := casesTable(t, b, db)
		seq := counterTable(t, db, b.d)
		g, err := casenum.New(casenum.WithLayout("C-{seq:4}"), casenum.WithFallbackLayout(""), casenum.WithSequence(seq))
		require.NoError(t, err)
		var note uint64
		n, err := store.CreateTx(t.Context(), db, g, nil, func(ctx context.Context, tx *sql.Tx, n string) error {
			var err error
			if note, err = seq.Next(ctx, "notes-"); err != nil {
				return err
			}
			return inserter(tx, b.d, table, 1)(ctx, n)
		})
		require.NoError(t, err)
		assert.Equal(t, "C-0001", n)
		assert.Equal(t, uint64(1), note)
		assert.Equal(t, 1, count(t, db, table))
	})
}

// seqModes are the ways CreateTx draws a gap-free {seq}: in a transaction
// per record, and in batches.
var seqModes = []struct {
	name string
	opts []store.SequenceOption
}{{"per record", nil}, {"group commit", []store.SequenceOption{store.WithGroupCommit(4)}}}

// eachSeqMode runs test on every backend in every seqMode, with a fresh
// counter table.
func eachSeqMode(t *testing.T, test func(t *testing.T, b backend, db *sql.DB, seq *store.Sequence)) {
	for _, mode := range seqModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
				test(t, b, db, counterTable(t, db, b.d, mode.opts...))
			})
		})
	}
}

// abortFirst is a Checker whose first lookup the database aborts.
type abortFirst struct{ calls atomic.Int32 }

func (c *abortFirst) Exists(context.Context, string) (bool, error) {
	if c.calls.Add(1) == 1 {
		return false, casenum.Mark(casenum.Aborted, errors.New("lookup refused, try again"))
	}
	return false, nil
}

// A {seq} value drawn by an attempt that was aborted before its insert is
// given back, also when the next attempt is the fallback layout's and
// draws none: the fallback's record does not commit it, and the series
// goes on with it.
func TestCreateTxFallbackLeavesNoGap(t *testing.T) {
	t.Parallel()
	eachSeqMode(t, func(t *testing.T, b backend, db *sql.DB, seq *store.Sequence) {
		table := casesTable(t, b, db)
		g, err := casenum.New(casenum.WithLayout("C-{seq:4}"), casenum.WithSequence(seq),
			casenum.WithFallbackLayout("F-{rand:6}"), casenum.WithChecker(&abortFirst{}),
			casenum.WithRetry(casenum.Retry{Attempts: 1}))
		require.NoError(t, err)
		for req := range 2 {
			_, err := store.CreateTx(t.Context(), db, g, nil, txInserter(b.d, table, req))
			require.NoError(t, err)
		}
		stored := storedByRequest(t, db, table)
		assert.True(t, strings.HasPrefix(stored[0], "F-"), "request 0 stored as %q, want the fallback's", stored[0])
		assert.Equal(t, "C-0001", stored[1], "C-0001 is a gap")
	})
}

// A {seq} value past the layout's width is not committed with the
// fallback's record: a layout widened later continues at that value.
func TestCreateTxSeqPastWidthLeavesNoGap(t *testing.T) {
	t.Parallel()
	eachSeqMode(t, func(t *testing.T, b backend, db *sql.DB, seq *store.Sequence) {
		require.NoError(t, seq.Advance(t.Context(), "C-", 9))
		table := casesTable(t, b, db)
		for req, layout := range []string{"C-{seq:1}{rand:2}", "C-{seq:2}{rand:2}"} {
			g, err := casenum.New(casenum.WithLayout(layout), casenum.WithSequence(seq),
				casenum.WithFallbackLayout("F-{rand:6}"))
			require.NoError(t, err)
			_, err = store.CreateTx(t.Context(), db, g, nil, txInserter(b.d, table, req))
			require.NoError(t, err)
		}
		stored := storedByRequest(t, db, table)
		assert.True(t, strings.HasPrefix(stored[0], "F-"), "request 0 stored as %q, want the fallback's", stored[0])
		assert.True(t, strings.HasPrefix(stored[1], "C-10"), "request 1 stored as %q, want C-10..: C-10 is a gap", stored[1])
	})
}
