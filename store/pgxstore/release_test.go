package pgxstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store/pgxstore"
)

// Release gives a value back only while the counter stands on it; with
// blocks, only while it is the value the block handed out last.
func TestSequenceRelease(t *testing.T) {
	pool, db := open(t)
	ctx := t.Context()
	next := func(s *pgxstore.Sequence, scope string) uint64 {
		t.Helper()
		v, err := s.Next(ctx, scope)
		require.NoError(t, err)
		return v
	}

	s := counters(t, pool, db)
	next(s, "R-")
	assert.Equal(t, uint64(2), next(s, "R-"))
	s.Release(ctx, "R-", 2)
	assert.Equal(t, uint64(2), next(s, "R-"), "2 is drawn again")
	s.Release(ctx, "R-", 1) // the counter is at 2
	assert.Equal(t, uint64(3), next(s, "R-"), "a counter past v stays")

	b := counters(t, pool, db, pgxstore.WithBlock(10))
	next(b, "B-")
	assert.Equal(t, uint64(2), next(b, "B-")) // the block 1..10
	// Not the value the block handed out last: no change.
	b.Release(ctx, "B-", 1)
	b.Release(ctx, "B-", 2)
	assert.Equal(t, uint64(2), next(b, "B-"))
	assert.Equal(t, uint64(3), next(b, "B-"))
}

// abortFirst is a Checker whose first lookup the database aborts.
type abortFirst struct{ calls int }

func (c *abortFirst) Exists(context.Context, string) (bool, error) {
	if c.calls++; c.calls == 1 {
		return false, casenum.Mark(casenum.Aborted, errors.New("lookup refused, try again"))
	}
	return false, nil
}

// A record numbered with its counter in the caller's own transaction, as
// BindSequence shows, gets C-0001 when the Checker's first lookup is
// aborted: the retry in the same transaction draws 1 again, not 2.
func TestOwnTransactionRetryLeavesNoGap(t *testing.T) {
	pool, db := open(t)
	ctx := t.Context()
	seq := counters(t, pool, db)
	table := casesTable(t, db)
	g, err := casenum.New(casenum.WithLayout("C-{seq:4}"), casenum.WithSequence(seq),
		casenum.WithChecker(&abortFirst{}))
	require.NoError(t, err)
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{})
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	n, err := g.BindSequence(seq.WithTx(tx)).Create(ctx, pgxstore.Savepoint(tx, inserter(tx, table, 1)))
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	assert.Equal(t, "C-0001", n)
	assert.Equal(t, []string{"C-0001"}, stored(t, pool, table))
}
