package store_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/store"
)

const insertCase = `INSERT INTO cases (number) VALUES ($1)`

// uniqueErr is a unique violation as pgx reports it.
var uniqueErr = &pgconn.PgError{Code: "23505", Message: "duplicate key value violates unique constraint"}

func ok() driver.Result { return sqlmock.NewResult(0, 0) }

// beginTx starts a mocked transaction and returns it with an insert
// function that runs insertCase in it.
func beginTx(t *testing.T) (sqlmock.Sqlmock, store.Querier, func(context.Context, string) error) {
	t.Helper()
	db, mock := newMock(t)
	mock.ExpectBegin()
	tx, err := db.BeginTx(t.Context(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback() })
	return mock, tx, func(ctx context.Context, n string) error {
		_, err := tx.ExecContext(ctx, insertCase, n)
		return err
	}
}

func TestSavepointSuccess(t *testing.T) {
	t.Parallel()
	mock, tx, insert := beginTx(t)
	mock.ExpectExec("SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectExec(insertCase).WithArgs("CASE-1").WillReturnResult(sqlmock.NewResult(0, 1))
	mock.ExpectExec("RELEASE SAVEPOINT casemint_1").WillReturnResult(ok())
	require.NoError(t, store.Savepoint(tx, insert)(t.Context(), "CASE-1"))
}

func TestSavepointRollsBackFailedInsert(t *testing.T) {
	t.Parallel()
	mock, tx, insert := beginTx(t)
	mock.ExpectExec("SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectExec(insertCase).WithArgs("CASE-1").WillReturnError(uniqueErr)
	mock.ExpectExec("ROLLBACK TO SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectExec("RELEASE SAVEPOINT casemint_1").WillReturnResult(ok())
	err := store.Savepoint(tx, insert)(t.Context(), "CASE-1")
	assert.ErrorIs(t, err, uniqueErr, "insert's error comes back")
	assert.True(t, store.IsUniqueViolation(err))
}

func TestSavepointFailures(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	t.Run("savepoint", func(t *testing.T) {
		t.Parallel()
		mock, tx, _ := beginTx(t)
		mock.ExpectExec("SAVEPOINT casemint_1").WillReturnError(boom)
		called := false
		err := store.Savepoint(tx, func(context.Context, string) error { called = true; return nil })(t.Context(), "CASE-1")
		assert.ErrorIs(t, err, boom)
		assert.False(t, called, "no insert without a savepoint")
	})
	t.Run("rollback", func(t *testing.T) {
		t.Parallel()
		mock, tx, insert := beginTx(t)
		mock.ExpectExec("SAVEPOINT casemint_1").WillReturnResult(ok())
		mock.ExpectExec(insertCase).WithArgs("CASE-1").WillReturnError(uniqueErr)
		mock.ExpectExec("ROLLBACK TO SAVEPOINT casemint_1").WillReturnError(boom)
		err := store.Savepoint(tx, insert)(t.Context(), "CASE-1")
		assert.ErrorIs(t, err, boom)
		assert.False(t, store.IsUniqueViolation(err), "a broken transaction is no collision to retry")
		assert.NotEqual(t, casenum.Collided, casenum.Classify(err))
		assert.ErrorContains(t, err, "duplicate key", "insert's error is still told")
	})
	t.Run("rollback after a deadlock", func(t *testing.T) {
		t.Parallel()
		// MySQL rolls the whole transaction back on a deadlock and the
		// savepoint is gone; the deadlock must stay visible to a caller
		// that retries transactions.
		deadlock := errors.New("Error 1213: Deadlock found when trying to get lock")
		mock, tx, insert := beginTx(t)
		mock.ExpectExec("SAVEPOINT casemint_1").WillReturnResult(ok())
		mock.ExpectExec(insertCase).WithArgs("CASE-1").WillReturnError(deadlock)
		mock.ExpectExec("ROLLBACK TO SAVEPOINT casemint_1").WillReturnError(boom)
		err := store.Savepoint(tx, insert)(t.Context(), "CASE-1")
		assert.ErrorIs(t, err, deadlock)
		assert.ErrorIs(t, err, boom)
		assert.NotEqual(t, casenum.Collided, casenum.Classify(err))
	})
	t.Run("release after failure", func(t *testing.T) {
		t.Parallel()
		mock, tx, insert := beginTx(t)
		mock.ExpectExec("SAVEPOINT casemint_1").WillReturnResult(ok())
		mock.ExpectExec(insertCase).WithArgs("CASE-1").WillReturnError(uniqueErr)
		mock.ExpectExec("ROLLBACK TO SAVEPOINT casemint_1").WillReturnResult(ok())
		mock.ExpectExec("RELEASE SAVEPOINT casemint_1").WillReturnError(boom)
		err := store.Savepoint(tx, insert)(t.Context(), "CASE-1")
		assert.ErrorIs(t, err, boom)
		assert.False(t, store.IsUniqueViolation(err))
	})
	t.Run("release after success", func(t *testing.T) {
		t.Parallel()
		mock, tx, insert := beginTx(t)
		mock.ExpectExec("SAVEPOINT casemint_1").WillReturnResult(ok())
		mock.ExpectExec(insertCase).WithArgs("CASE-1").WillReturnResult(sqlmock.NewResult(0, 1))
		mock.ExpectExec("RELEASE SAVEPOINT casemint_1").WillReturnError(boom)
		assert.ErrorIs(t, store.Savepoint(tx, insert)(t.Context(), "CASE-1"), boom)
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		_, tx, insert := beginTx(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		assert.ErrorIs(t, store.Savepoint(tx, insert)(ctx, "CASE-1"), context.Canceled)
	})
}

func TestSavepointRefusesNonTransactions(t *testing.T) {
	t.Parallel()
	db, _ := newMock(t) // no statement may run
	insert := func(context.Context, string) error { return nil }
	for name, f := range map[string]func(context.Context, string) error{
		"*sql.DB":    store.Savepoint(db, insert),
		"nil":        store.Savepoint(nil, insert),
		"nil insert": store.Savepoint(db, nil),
	} {
		assert.ErrorIs(t, f(t.Context(), "CASE-1"), store.ErrInvalidQuerier, name)
	}
}

// Nested wrappers use savepoints of their own: MySQL would drop an outer
// savepoint of the same name.
func TestSavepointNested(t *testing.T) {
	t.Parallel()
	mock, tx, insert := beginTx(t)
	mock.ExpectExec("SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectExec("SAVEPOINT casemint_2").WillReturnResult(ok())
	mock.ExpectExec(insertCase).WithArgs("CASE-1").WillReturnError(uniqueErr)
	mock.ExpectExec("ROLLBACK TO SAVEPOINT casemint_2").WillReturnResult(ok())
	mock.ExpectExec("RELEASE SAVEPOINT casemint_2").WillReturnResult(ok())
	mock.ExpectExec("ROLLBACK TO SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectExec("RELEASE SAVEPOINT casemint_1").WillReturnResult(ok())
	err := store.Savepoint(tx, store.Savepoint(tx, insert))(t.Context(), "CASE-1")
	assert.ErrorIs(t, err, uniqueErr)
}

// Create retries a unique violation inside the caller's transaction: each
// attempt under its own savepoint, the record committed once.
func TestCreateInTransactionRetries(t *testing.T) {
	t.Parallel()
	db, mock := newMock(t)
	mock.ExpectBegin()
	mock.ExpectExec("SAVEPOINT casemint_1").WillReturnResult(ok())
	var tried numbers
	mock.ExpectExec(insertCase).WithArgs(&tried).WillReturnError(uniqueErr)
	mock.ExpectExec("ROLLBACK TO SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectExec("RELEASE SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectExec("SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectExec(insertCase).WithArgs(&tried).WillReturnResult(sqlmock.NewResult(0, 1))
	mock.ExpectExec("RELEASE SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectCommit()

	g, err := casenum.New(casenum.WithLayout("T-{rand:2}"), casenum.WithFallbackLayout(""),
		casenum.WithRandom(casenumtest.NewRandom(1)))
	require.NoError(t, err)
	tx, err := db.BeginTx(t.Context(), nil)
	require.NoError(t, err)
	n, err := g.Create(t.Context(), store.Savepoint(tx, func(ctx context.Context, n string) error {
		_, err := tx.ExecContext(ctx, insertCase, n)
		return err
	}))
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	require.Len(t, tried, 2)
	assert.Equal(t, tried[1], n, "the second candidate is stored")
	assert.Regexp(t, `^T-\d\d$`, n)
	assert.Equal(t, uint64(1), g.Stats().Collisions)
}

// numbers is an sqlmock argument matcher that accepts any string and
// records it.
type numbers []string

func (n *numbers) Match(v driver.Value) bool {
	s, ok := v.(string)
	*n = append(*n, s)
	return ok
}

func TestWithTxOnNilSequence(t *testing.T) {
	t.Parallel()
	var s *store.Sequence
	if _, err := s.WithTx(nil).Next(context.Background(), "x"); !errors.Is(err, store.ErrInvalidQuerier) {
		t.Errorf("nil Sequence: %v, want ErrInvalidQuerier", err)
	}
}

// An aborted transaction cannot be retried inside itself: Create returns
// the deadlock at once, still visible to the caller's transaction retry.
func TestSavepointDoesNotRetryAbortedTransactions(t *testing.T) {
	t.Parallel()
	for _, cause := range []error{&pgconn.PgError{Code: "40P01"}, &pgconn.PgError{Code: "40001"}, mysql.ErrInvalidConn} {
		t.Run(cause.Error(), func(t *testing.T) {
			t.Parallel()
			mock, tx, insert := beginTx(t)
			mock.ExpectExec("SAVEPOINT casemint_1").WillReturnResult(ok())
			mock.ExpectExec(insertCase).WithArgs("T-1").WillReturnError(cause)
			mock.ExpectExec("ROLLBACK TO SAVEPOINT casemint_1").WillReturnResult(ok())
			mock.ExpectExec("RELEASE SAVEPOINT casemint_1").WillReturnResult(ok())
			g := seqGen(t)
			_, err := g.Create(t.Context(), store.Savepoint(tx, insert))
			require.ErrorIs(t, err, cause)
			assert.NotErrorIs(t, err, casenum.ErrUncertain, "nothing commits before the caller's COMMIT")
			assert.NotErrorIs(t, err, casenum.ErrExhausted)
			assert.Equal(t, casenum.Failed, casenum.Classify(err))
			st := g.Stats()
			assert.Equal(t, uint64(1), st.Attempts)
		})
	}
}
