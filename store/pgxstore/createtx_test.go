package pgxstore_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/store/pgxstore"
)

// seqGen returns a Generator whose candidates are T-1, T-2, ..., so a test
// knows each attempt's number.
func seqGen(t *testing.T) *casenum.Generator {
	t.Helper()
	g, err := casenum.New(casenum.WithLayout("T-{seq:1}"), casenum.WithFallbackLayout(""),
		casenum.WithSequence(casenumtest.NewStore()))
	require.NoError(t, err)
	return g
}

// faultyCommits begins real transactions whose first COMMITs roll back
// instead and report errs, one per transaction, as a driver would.
type faultyCommits struct {
	*pgxpool.Pool
	errs []error
}

func (f *faultyCommits) BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	tx, err := f.Pool.BeginTx(ctx, opts)
	if err != nil || len(f.errs) == 0 {
		return tx, err
	}
	tx = failingCommit{tx, f.errs[0]}
	f.errs = f.errs[1:]
	return tx, nil
}

type failingCommit struct {
	pgx.Tx
	err error
}

func (tx failingCommit) Commit(ctx context.Context) error {
	_ = tx.Rollback(ctx)
	return tx.err
}

// unsent is an error of pgconn's kind that says nothing was sent: pgx says
// so of some replies lost after the COMMIT was sent, too.
type unsent struct{}

func (unsent) Error() string     { return "connection not usable, nothing sent" }
func (unsent) SafeToRetry() bool { return true }

// What an error at COMMIT means for the attempt.
func TestCreateTxCommitOutcomes(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		stored    string // "" when the call fails
		uncertain bool
	}{
		{"unique violation: a collision", &pgconn.PgError{Code: "23505"}, "T-2", false},
		{"serialization failure: aborted", &pgconn.PgError{Code: "40001"}, "T-2", false},
		{"nothing sent, says pgx: uncertain", unsent{}, "", true},
		{"foreign key: failed", &pgconn.PgError{Code: "23503"}, "", false},
		{"connection lost: uncertain", io.ErrUnexpectedEOF, "", true},
		{"no answer: uncertain", errors.New("timeout: no reply"), "", true},
		{"unknown outcome reported: uncertain", &pgconn.PgError{Code: "08007"}, "", true},
		{"cancelled (pg_cancel_backend): uncertain", &pgconn.PgError{Code: "57014"}, "", true},
	}
	pool, db := open(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cases := casesTable(t, db)
			g := seqGen(t)
			n, err := pgxstore.CreateTx(t.Context(), &faultyCommits{pool, []error{tc.err}}, g, pgx.TxOptions{},
				func(ctx context.Context, tx pgx.Tx, n string) error { return inserter(tx, cases, 0)(ctx, n) })
			assert.Equal(t, tc.stored, n)
			if tc.stored != "" {
				require.NoError(t, err)
				assert.Equal(t, []string{tc.stored}, stored(t, pool, cases))
				return
			}
			require.ErrorIs(t, err, tc.err)
			assert.Equal(t, tc.uncertain, errors.Is(err, casenum.ErrUncertain), "%v", err)
			var ae *casenum.AttemptError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "T-1", ae.Number)
			assert.Equal(t, uint64(1), g.Stats().Attempts, "never a second number")
		})
	}
}

// Errors of the function: collisions and aborts are retried, anything else
// ends the call; nothing of a failed attempt is stored.
func TestCreateTxFunctionErrors(t *testing.T) {
	pool, db := open(t)
	deadlock := &pgconn.PgError{Code: "40P01"}
	t.Run("aborted, then stored", func(t *testing.T) {
		t.Parallel()
		cases := casesTable(t, db)
		g := seqGen(t)
		n, err := pgxstore.CreateTx(t.Context(), pool, g, pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx, n string) error {
			if err := inserter(tx, cases, 0)(ctx, n); err != nil || n != "T-1" {
				return err
			}
			return deadlock // after the insert: rolled back
		})
		require.NoError(t, err)
		assert.Equal(t, "T-2", n)
		assert.Equal(t, []string{"T-2"}, stored(t, pool, cases))
		assert.Equal(t, uint64(1), g.Stats().Aborted)
	})
	t.Run("function ends the transaction", func(t *testing.T) {
		t.Parallel()
		for _, end := range []func(pgx.Tx, context.Context) error{pgx.Tx.Commit, pgx.Tx.Rollback} {
			_, err := pgxstore.CreateTx(t.Context(), pool, seqGen(t), pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx, _ string) error {
				return end(tx, ctx)
			})
			require.ErrorIs(t, err, pgx.ErrTxClosed)
			assert.ErrorContains(t, err, "ended the transaction itself")
		}
	})
	t.Run("failure ignored", func(t *testing.T) {
		t.Parallel()
		cases := casesTable(t, db)
		g := seqGen(t)
		_, err := pgxstore.CreateTx(t.Context(), pool, g, pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx, n string) error {
			require.NoError(t, inserter(tx, cases, 0)(ctx, n))
			_, err := tx.Exec(ctx, "SELECT 1/0")
			require.Error(t, err)
			return nil // the transaction is aborted all the same
		})
		require.ErrorIs(t, err, pgx.ErrTxCommitRollback)
		assert.NotErrorIs(t, err, casenum.ErrUncertain)
		assert.Empty(t, stored(t, pool, cases))
		assert.Equal(t, uint64(1), g.Stats().Attempts)
	})
	t.Run("context ends", func(t *testing.T) {
		t.Parallel()
		cases := casesTable(t, db)
		ctx, cancel := context.WithCancel(t.Context())
		_, err := pgxstore.CreateTx(ctx, pool, seqGen(t), pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx, n string) error {
			require.NoError(t, inserter(tx, cases, 0)(ctx, n))
			cancel()
			return inserter(tx, cases, 0)(ctx, n+"-again")
		})
		require.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, casenum.ErrUncertain, "nothing commits before COMMIT")
		assert.Empty(t, stored(t, pool, cases))
	})
}

// Savepoint returns an error that is not a collision at once, marked
// final, and leaves the caller's transaction usable.
func TestSavepointFinalErrors(t *testing.T) {
	pool, db := open(t)
	cases := casesTable(t, db)
	ctx := t.Context()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	g := seqGen(t)
	_, err = g.Create(ctx, pgxstore.Savepoint(tx, func(ctx context.Context, n string) error {
		_, err := tx.Exec(ctx, "INSERT INTO "+cases+" (number) VALUES (NULL)") // a NOT NULL violation
		return err
	}))
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)
	assert.Equal(t, "23502", pgErr.Code)
	assert.Equal(t, casenum.Failed, casenum.Classify(err))
	assert.Equal(t, uint64(1), g.Stats().Attempts)
	n, err := g.Create(ctx, pgxstore.Savepoint(tx, inserter(tx, cases, 0)))
	require.NoError(t, err, "the savepoint undid the failure")
	require.NoError(t, tx.Commit(ctx))
	assert.Equal(t, []string{n}, stored(t, pool, cases))
}
