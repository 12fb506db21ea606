package pgxstore_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store"
	"github.com/casemint/casemint/store/pgxstore"
)

// unreachable is a DSN no server answers; neither handle connects before
// its first statement, and these tests run none.
const unreachable = "postgres://casemint@127.0.0.1:1/none"

func handles(t *testing.T) (*pgxpool.Pool, *sql.DB) {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), unreachable)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	db, err := sql.Open("pgx", unreachable)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return pool, db
}

// Table and column names are accepted, refused and quoted exactly as
// store does for PostgreSQL.
func TestIdentifiersAsStore(t *testing.T) {
	t.Parallel()
	pool, db := handles(t)
	for _, name := range []string{
		"cases", "Cases", "_x", "order", "app.cases", strings.Repeat("a", 63),
		"", "1cases", "cases;", `ca"ses`, "ca ses", "app.", ".cases", "a.b.c", "café",
		strings.Repeat("a", 64), "cases--", "cases\x00",
	} {
		_, perr := pgxstore.NewChecker(pool, name, "number")
		_, serr := store.NewChecker(db, store.Postgres, name, "number")
		assert.Equal(t, serr, perr, "table %q", name)
		_, perr = pgxstore.NewChecker(pool, "cases", name)
		_, serr = store.NewChecker(db, store.Postgres, "cases", name)
		assert.Equal(t, serr, perr, "column %q", name)

		ps, perr := pgxstore.NewSequence(pool, name)
		ss, serr := store.NewSequence(db, store.Postgres, name)
		assert.Equal(t, serr, perr, "counter table %q", name)
		if serr == nil {
			assert.Equal(t, ss.Schema(), ps.Schema())
		} else {
			assert.ErrorIs(t, perr, store.ErrInvalidIdentifier, "table %q", name)
		}
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	pool, _ := handles(t)
	ctx := t.Context()
	tx := pgx.Tx(nil)

	for name, q := range map[string]pgxstore.Querier{"nil": nil, "nil pool": (*pgxpool.Pool)(nil), "nil conn": (*pgx.Conn)(nil)} {
		_, err := pgxstore.NewChecker(q, "cases", "number")
		assert.ErrorIs(t, err, store.ErrInvalidQuerier, name)
		_, err = pgxstore.NewSequence(q, "counters")
		assert.ErrorIs(t, err, store.ErrInvalidQuerier, name)
		seq, err := pgxstore.NewSequence(pool, "counters")
		require.NoError(t, err)
		_, err = seq.WithTx(q).Next(ctx, "S-")
		assert.ErrorIs(t, err, store.ErrInvalidQuerier, name)
	}
	var nilSeq *pgxstore.Sequence
	_, err := nilSeq.WithTx(pool).Next(ctx, "S-")
	assert.ErrorIs(t, err, store.ErrInvalidQuerier)
	_, err = new(pgxstore.Sequence).Next(ctx, "S-")
	assert.ErrorIs(t, err, store.ErrInvalidQuerier)
	_, err = new(pgxstore.Checker).Exists(ctx, "CASE-1")
	assert.ErrorIs(t, err, store.ErrInvalidQuerier)

	for _, opts := range [][]pgxstore.SequenceOption{
		{nil}, {pgxstore.WithBlock(0)}, {pgxstore.WithBlock(-1)}, {pgxstore.WithGroupCommit(0)},
		{pgxstore.WithGroupCommit(8), pgxstore.WithBlock(10)},
	} {
		_, err := pgxstore.NewSequence(pool, "counters", opts...)
		assert.ErrorIs(t, err, store.ErrInvalidOption)
	}
	// A block reserved in a transaction that rolls back would be handed
	// out again.
	_, err = pgxstore.NewSequence(fakeTx{}, "counters", pgxstore.WithBlock(10))
	assert.ErrorIs(t, err, store.ErrInvalidQuerier)
	_, err = pgxstore.NewSequence(fakeTx{}, "counters", pgxstore.WithGroupCommit(8))
	assert.ErrorIs(t, err, store.ErrInvalidQuerier)

	seq, err := pgxstore.NewSequence(pool, "counters")
	require.NoError(t, err)
	_, err = seq.Next(ctx, strings.Repeat("é", store.MaxScopeLength+1))
	assert.ErrorIs(t, err, store.ErrScopeTooLong)

	insert := func(context.Context, string) error { return nil }
	for name, f := range map[string]func(context.Context, string) error{
		"nil tx":     pgxstore.Savepoint(tx, insert),
		"nil insert": pgxstore.Savepoint(fakeTx{}, nil),
	} {
		assert.ErrorIs(t, f(ctx, "CASE-1"), store.ErrInvalidQuerier, name)
	}

	g, err := casenum.New()
	require.NoError(t, err)
	fn := func(context.Context, pgx.Tx, string) error { return nil }
	for name, db := range map[string]pgxstore.Beginner{"nil": nil, "nil pool": (*pgxpool.Pool)(nil)} {
		_, err := pgxstore.CreateTx(ctx, db, g, pgx.TxOptions{}, fn)
		assert.ErrorIs(t, err, store.ErrInvalidQuerier, name)
	}
	_, err = pgxstore.CreateTx(ctx, pool, nil, pgx.TxOptions{}, fn)
	assert.ErrorContains(t, err, "Generator")
	_, err = pgxstore.CreateTx(ctx, pool, g, pgx.TxOptions{}, nil)
	assert.ErrorContains(t, err, "function")
}

// fakeTx is a pgx.Tx that no test calls.
type fakeTx struct{ pgx.Tx }
