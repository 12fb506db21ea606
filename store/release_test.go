package store_test

import (
	"database/sql"
	"math"
	"strings"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store"
)

// Release is one conditional statement that sets the counter back by one.
func TestReleaseSQLPerDialect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    store.Dialect
		stmt string
	}{
		{store.Postgres, `UPDATE "counters" SET value = value - 1 WHERE scope = $1 AND value = $2`},
		{store.SQLite, `UPDATE "counters" SET value = value - 1 WHERE scope = ? AND value = ?`},
		{store.MySQL, "UPDATE `counters` SET value = value - 1 WHERE scope = ? AND value = ?"},
	} {
		t.Run(tc.d.String(), func(t *testing.T) {
			t.Parallel()
			db, mock := newMock(t)
			s, err := store.NewSequence(db, tc.d, "counters")
			require.NoError(t, err)
			mock.ExpectExec(tc.stmt).WithArgs("C-", int64(7)).WillReturnResult(sqlmock.NewResult(0, 1))
			s.Release(t.Context(), "C-", 7)
		})
	}
}

// Release sends nothing for arguments no draw returns, or a Sequence that
// cannot run statements.
func TestReleaseArguments(t *testing.T) {
	t.Parallel()
	db, _ := newMock(t) // no statement is expected
	s, err := store.NewSequence(db, store.Postgres, "counters")
	require.NoError(t, err)
	ctx := t.Context()
	s.Release(ctx, strings.Repeat("x", store.MaxScopeLength+1), 5)
	s.Release(ctx, "S-", 0)
	s.Release(ctx, "S-", math.MaxInt64+1)
	var zero store.Sequence
	zero.Release(ctx, "S-", 5)
	s.WithTx(nil).Release(ctx, "S-", 5)
}

// Release gives a value back only while the counter stands on it; with
// blocks, only while it is the value the block handed out last.
func TestRelease(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		ctx := t.Context()
		s := counterTable(t, db, b.d)
		assert.Equal(t, []uint64{1, 2}, nexts(t, s, "R-", 2))
		s.Release(ctx, "R-", 2)
		assert.Equal(t, []uint64{2}, nexts(t, s, "R-", 1), "2 is drawn again")
		s.Release(ctx, "R-", 1) // the counter is at 2
		assert.Equal(t, []uint64{3}, nexts(t, s, "R-", 1), "a counter past v stays")
		s.Release(ctx, "N-", 1) // a scope without a row
		assert.Equal(t, []uint64{1}, nexts(t, s, "N-", 1))

		blocks, err := store.NewSequence(db, b.d, testTableOf(t, s), store.WithBlock(10))
		require.NoError(t, err)
		assert.Equal(t, []uint64{1, 2, 3}, nexts(t, blocks, "B-", 3)) // the block 1..10
		// Not the value the block handed out last: no change.
		blocks.Release(ctx, "B-", 1)
		blocks.Release(ctx, "B-", 3)
		assert.Equal(t, []uint64{3, 4}, nexts(t, blocks, "B-", 2))
		assert.Equal(t, []uint64{11}, nexts(t, s, "B-", 1), "the table's counter stays at the block's end")
	})
}

// A record numbered with its counter in the caller's own transaction, as
// BindSequence shows, gets C-0001 when the Checker's first lookup is
// aborted: the retry in the same transaction draws 1 again, not 2.
func TestOwnTransactionRetryLeavesNoGap(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b backend, db *sql.DB) {
		ctx := t.Context()
		seq := counterTable(t, db, b.d)
		table := casesTable(t, b, db)
		g, err := casenum.New(casenum.WithLayout("C-{seq:4}"), casenum.WithSequence(seq),
			casenum.WithChecker(&abortFirst{}))
		require.NoError(t, err)
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback() }()
		n, err := g.BindSequence(seq.WithTx(tx)).Create(ctx, store.Savepoint(tx, inserter(tx, b.d, table, 1)))
		require.NoError(t, err)
		require.NoError(t, tx.Commit())
		assert.Equal(t, "C-0001", n)
		assert.Equal(t, map[int]string{1: "C-0001"}, storedByRequest(t, db, table))
		assert.Equal(t, []uint64{2}, nexts(t, seq, "C-", 1), "the counter committed 1")
	})
}
