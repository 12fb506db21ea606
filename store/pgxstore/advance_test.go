package pgxstore_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/store"
	"github.com/casemint/casemint/store/pgxstore"
)

// Advance only ever moves a counter forward: on the pool, in a
// transaction that commits or rolls back with it, and past a block.
func TestSequenceAdvance(t *testing.T) {
	pool, db := open(t)
	ctx := t.Context()
	s := counters(t, pool, db)
	next := func(s *pgxstore.Sequence, scope string) uint64 {
		t.Helper()
		v, err := s.Next(ctx, scope)
		require.NoError(t, err)
		return v
	}

	require.NoError(t, s.Advance(ctx, "F-", 5))
	assert.Equal(t, uint64(6), next(s, "F-"))
	require.NoError(t, s.Advance(ctx, "F-", 2))
	require.NoError(t, s.Advance(ctx, "F-", 0))
	assert.Equal(t, uint64(7), next(s, "F-"), "a counter past last stays")
	assert.ErrorIs(t, s.Advance(ctx, "F-", 1<<63), store.ErrCounterRange)

	for _, commit := range []bool{false, true} {
		tx, err := pool.BeginTx(ctx, pgx.TxOptions{})
		require.NoError(t, err)
		require.NoError(t, s.WithTx(tx).Advance(ctx, "T-", 40))
		if commit {
			require.NoError(t, tx.Commit(ctx))
		} else {
			require.NoError(t, tx.Rollback(ctx))
		}
		assert.Equal(t, map[bool]uint64{false: 1, true: 41}[commit], next(s, "T-"))
	}

	b := counters(t, pool, db, pgxstore.WithBlock(10))
	assert.Equal(t, uint64(1), next(b, "B-")) // the block 1..10
	require.NoError(t, b.Advance(ctx, "B-", 4))
	assert.Equal(t, uint64(5), next(b, "B-"))
	require.NoError(t, b.Advance(ctx, "B-", 12))
	assert.Equal(t, uint64(13), next(b, "B-"))
}
