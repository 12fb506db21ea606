package store_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

// seqGen returns a Generator whose candidates are T-1, T-2, ... drawn from
// an in-memory Sequence, so a test knows each attempt's number.
func seqGen(t *testing.T, opts ...casenum.Option) *casenum.Generator {
	t.Helper()
	opts = append([]casenum.Option{casenum.WithLayout("T-{seq:1}"), casenum.WithFallbackLayout(""),
		casenum.WithSequence(casenumtest.NewStore())}, opts...)
	g, err := casenum.New(opts...)
	require.NoError(t, err)
	return g
}

// insertIn is the fn of CreateTx in these tests: one INSERT in tx.
func insertIn(ctx context.Context, tx *sql.Tx, n string) error {
	_, err := tx.ExecContext(ctx, insertCase, n)
	return err
}

func TestCreateTxRetriesWholeTransactions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		expect func(m sqlmock.Sqlmock) // the first attempt, which fails
	}{
		{"collision at COMMIT", func(m sqlmock.Sqlmock) {
			m.ExpectBegin()
			m.ExpectExec(insertCase).WithArgs("T-1").WillReturnResult(ok())
			m.ExpectCommit().WillReturnError(uniqueErr)
			m.ExpectExec("ROLLBACK").WillReturnResult(ok()) // ends what a failed COMMIT may leave open
		}},
		{"certification failure at COMMIT", func(m sqlmock.Sqlmock) {
			m.ExpectBegin()
			m.ExpectExec(insertCase).WithArgs("T-1").WillReturnResult(ok())
			m.ExpectCommit().WillReturnError(&mysql.MySQLError{Number: 1213, Message: "Deadlock found"})
			m.ExpectExec("ROLLBACK").WillReturnResult(ok())
		}},
		{"deadlock at the insert", func(m sqlmock.Sqlmock) {
			m.ExpectBegin()
			m.ExpectExec(insertCase).WithArgs("T-1").WillReturnError(&pgconn.PgError{Code: "40P01"})
			m.ExpectRollback()
		}},
		{"connection lost before COMMIT", func(m sqlmock.Sqlmock) {
			m.ExpectBegin()
			m.ExpectExec(insertCase).WithArgs("T-1").WillReturnError(mysql.ErrInvalidConn)
			m.ExpectRollback()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db, mock := newMock(t)
			tc.expect(mock)
			mock.ExpectBegin()
			mock.ExpectExec(insertCase).WithArgs("T-2").WillReturnResult(ok())
			mock.ExpectCommit()
			g := seqGen(t)
			n, err := store.CreateTx(t.Context(), db, g, nil, insertIn)
			require.NoError(t, err)
			assert.Equal(t, "T-2", n)
			st := g.Stats()
			assert.Equal(t, uint64(1), st.Collisions+st.Aborted, "one attempt retried: %+v", st)
		})
	}
}

// driver.ErrBadConn at COMMIT should mean that nothing was sent, but
// lib/pq reports a reply lost after the COMMIT was sent that way too: the
// outcome is unknown, and no second number is tried.
func TestCreateTxBadConnAtCommit(t *testing.T) {
	t.Parallel()
	db, mock := newMock(t)
	mock.ExpectBegin()
	mock.ExpectExec(insertCase).WithArgs("T-1").WillReturnResult(ok())
	mock.ExpectCommit().WillReturnError(driver.ErrBadConn)
	g := seqGen(t)
	_, err := store.CreateTx(t.Context(), db, g, nil, insertIn)
	require.ErrorIs(t, err, casenum.ErrUncertain)
	require.ErrorIs(t, err, driver.ErrBadConn)
	var ae *casenum.AttemptError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "T-1", ae.Number)
	assert.Equal(t, uint64(1), g.Stats().Attempts)
}

// A COMMIT without an answer, or with one that does not prove a rollback
// (a KILL QUERY or a cancel that interrupted it), may have been carried
// out: the number comes back with ErrUncertain, and no second number is
// tried.
func TestCreateTxUncertainCommit(t *testing.T) {
	t.Parallel()
	for _, cause := range []error{io.ErrUnexpectedEOF, mysql.ErrInvalidConn, errors.New("unknown"),
		&mysql.MySQLError{Number: 1317, Message: "Query execution was interrupted"}, // KILL QUERY: MariaDB may commit
		&pgconn.PgError{Code: "57014", Message: "canceling statement due to user request"}} {
		t.Run(cause.Error(), func(t *testing.T) {
			t.Parallel()
			db, mock := newMock(t)
			mock.ExpectBegin()
			mock.ExpectExec(insertCase).WithArgs("T-1").WillReturnResult(ok())
			mock.ExpectCommit().WillReturnError(cause)
			mock.ExpectExec("ROLLBACK").WillReturnResult(ok())
			n, err := store.CreateTx(t.Context(), db, seqGen(t), nil, insertIn)
			assert.Empty(t, n)
			require.ErrorIs(t, err, casenum.ErrUncertain)
			require.ErrorIs(t, err, cause)
			var ae *casenum.AttemptError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "T-1", ae.Number)
		})
	}
}

// An error the database answered at COMMIT says it did not commit.
func TestCreateTxFailedCommit(t *testing.T) {
	t.Parallel()
	db, mock := newMock(t)
	fk := &pgconn.PgError{Code: "23503"} // a deferred foreign key
	mock.ExpectBegin()
	mock.ExpectExec(insertCase).WithArgs("T-1").WillReturnResult(ok())
	mock.ExpectCommit().WillReturnError(fk)
	mock.ExpectExec("ROLLBACK").WillReturnResult(ok())
	_, err := store.CreateTx(t.Context(), db, seqGen(t), nil, insertIn)
	require.ErrorIs(t, err, fk)
	assert.NotErrorIs(t, err, casenum.ErrUncertain)
}

// A connection whose COMMIT or ROLLBACK failed may still be in its
// transaction (MariaDB keeps it open after a KILL QUERY interrupted the
// COMMIT, and the next BEGIN on it would commit the record): it goes back
// to the pool only after a ROLLBACK that succeeded, and is closed
// otherwise, so the outcome a call reports holds once it returns.
func TestCreateTxSettlesItsConnection(t *testing.T) {
	t.Parallel()
	interrupted := &mysql.MySQLError{Number: 1317, Message: "Query execution was interrupted"}
	refused := errors.New("refused by the function")
	cases := []struct {
		name   string
		expect func(m sqlmock.Sqlmock)
		fn     func(ctx context.Context, tx *sql.Tx, n string) error
		pooled int // connections left open in the pool
	}{
		{"COMMIT interrupted, ROLLBACK ends it", func(m sqlmock.Sqlmock) {
			m.ExpectCommit().WillReturnError(interrupted)
			m.ExpectExec("ROLLBACK").WillReturnResult(ok())
		}, insertIn, 1},
		{"COMMIT interrupted, ROLLBACK too", func(m sqlmock.Sqlmock) {
			m.ExpectCommit().WillReturnError(interrupted)
			m.ExpectExec("ROLLBACK").WillReturnError(interrupted)
		}, insertIn, 0},
		{"ROLLBACK interrupted after the function failed", func(m sqlmock.Sqlmock) {
			m.ExpectRollback().WillReturnError(interrupted)
		}, func(ctx context.Context, tx *sql.Tx, n string) error {
			if err := insertIn(ctx, tx, n); err != nil {
				return err
			}
			return refused
		}, 0},
		{"ROLLBACK after the function failed", func(m sqlmock.Sqlmock) {
			m.ExpectRollback()
		}, func(ctx context.Context, tx *sql.Tx, n string) error {
			if err := insertIn(ctx, tx, n); err != nil {
				return err
			}
			return refused
		}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db, mock := newMock(t)
			mock.ExpectBegin()
			mock.ExpectExec(insertCase).WithArgs("T-1").WillReturnResult(ok())
			tc.expect(mock)
			_, err := store.CreateTx(t.Context(), db, seqGen(t), nil, tc.fn)
			require.Error(t, err)
			require.NoError(t, mock.ExpectationsWereMet())
			assert.Equal(t, tc.pooled, db.Stats().OpenConnections)
		})
	}
}

// With a conflict test for the case number, a duplicate in another UNIQUE
// column comes back at once.
func TestCreateTxOtherUniqueColumn(t *testing.T) {
	t.Parallel()
	db, mock := newMock(t)
	other := &pgconn.PgError{Code: "23505", Detail: "Key (idempotency_key)=(k) already exists."}
	mock.ExpectBegin()
	mock.ExpectExec(insertCase).WithArgs("T-1").WillReturnError(other)
	mock.ExpectRollback()
	g := seqGen(t, casenum.WithConflict(func(err error) bool { return store.UniqueViolationOn(err, "number") }))
	_, err := store.CreateTx(t.Context(), db, g, nil, insertIn)
	require.ErrorIs(t, err, other)
	assert.NotErrorIs(t, err, casenum.ErrExhausted)
	assert.Zero(t, g.Stats().Collisions)
}

func TestCreateTxFunctionEndsTransaction(t *testing.T) {
	t.Parallel()
	for _, end := range []string{"commit", "rollback"} {
		t.Run(end, func(t *testing.T) {
			t.Parallel()
			db, mock := newMock(t)
			mock.ExpectBegin()
			if end == "commit" {
				mock.ExpectCommit()
			} else {
				mock.ExpectRollback()
			}
			_, err := store.CreateTx(t.Context(), db, seqGen(t), nil, func(_ context.Context, tx *sql.Tx, _ string) error {
				if end == "commit" {
					return tx.Commit()
				}
				return tx.Rollback()
			})
			require.ErrorIs(t, err, sql.ErrTxDone)
			assert.ErrorContains(t, err, "ended the transaction itself")
		})
	}
}

func TestCreateTxBadArguments(t *testing.T) {
	t.Parallel()
	db, _ := newMock(t)
	g := seqGen(t)
	ctx := t.Context()
	_, err := store.CreateTx(ctx, nil, g, nil, insertIn)
	assert.ErrorIs(t, err, store.ErrInvalidQuerier)
	_, err = store.CreateTx(ctx, db, nil, nil, insertIn)
	assert.ErrorContains(t, err, "Generator")
	_, err = store.CreateTx(ctx, db, g, nil, nil)
	assert.ErrorContains(t, err, "function")
}

// advanceCounters is the statement that moves a counter of the table
// "counters" past a taken value.
const advanceCounters = `INSERT INTO "counters" (scope, value) VALUES ($1, $2) ON CONFLICT (scope) DO UPDATE SET value = GREATEST("counters".value, EXCLUDED.value)`

// {seq} of a Sequence on the same database is drawn in the attempt's
// transaction, before the insert, and rolled back with it; a value found
// taken is skipped outside that transaction, so the next attempt draws the
// one after it.
func TestCreateTxDrawsSequenceInTransaction(t *testing.T) {
	t.Parallel()
	db, mock := newMock(t)
	seq, err := store.NewSequence(db, store.Postgres, "counters")
	require.NoError(t, err)
	g, err := casenum.New(casenum.WithLayout("T-{seq:2}"), casenum.WithFallbackLayout(""), casenum.WithSequence(seq))
	require.NoError(t, err)
	bump := `INSERT INTO "counters" (scope, value) VALUES ($1, 1) ON CONFLICT (scope) DO UPDATE SET value = "counters".value + 1 RETURNING value`
	mock.ExpectBegin()
	mock.ExpectQuery(bump).WithArgs("T-").WillReturnRows(sqlmock.NewRows([]string{"value"}).AddRow(1))
	mock.ExpectExec(insertCase).WithArgs("T-01").WillReturnError(uniqueErr)
	mock.ExpectRollback()
	mock.ExpectExec(advanceCounters).WithArgs("T-", 1).WillReturnResult(ok())
	mock.ExpectBegin()
	mock.ExpectQuery(bump).WithArgs("T-").WillReturnRows(sqlmock.NewRows([]string{"value"}).AddRow(2))
	mock.ExpectExec(insertCase).WithArgs("T-02").WillReturnResult(ok())
	mock.ExpectCommit()
	n, err := store.CreateTx(t.Context(), db, g, nil, insertIn)
	require.NoError(t, err)
	assert.Equal(t, "T-02", n)
}

// With group commit, a lone caller runs the statements it runs without:
// BEGIN, the Sequence's statement raising the counter by one, its insert,
// COMMIT; on PostgreSQL and on MySQL, which reads the value from the
// statement's result.
func TestCreateTxGroupCommitLoneCaller(t *testing.T) {
	t.Parallel()
	for _, d := range []store.Dialect{store.Postgres, store.MySQL} {
		t.Run(d.String(), func(t *testing.T) {
			t.Parallel()
			db, mock := newMock(t)
			seq, err := store.NewSequence(db, d, "counters", store.WithGroupCommit(16))
			require.NoError(t, err)
			g, err := casenum.New(casenum.WithLayout("T-{seq:2}"), casenum.WithFallbackLayout(""), casenum.WithSequence(seq))
			require.NoError(t, err)
			mock.ExpectBegin()
			if d == store.MySQL {
				mock.ExpectExec(mysqlNext).WithArgs("T-").WillReturnResult(sqlmock.NewResult(1, 1))
			} else {
				mock.ExpectQuery(pgNext).WithArgs("T-").WillReturnRows(sqlmock.NewRows([]string{"value"}).AddRow(1))
			}
			mock.ExpectExec(insertCase).WithArgs("T-01").WillReturnResult(ok())
			mock.ExpectCommit()
			n, err := store.CreateTx(t.Context(), db, g, nil, insertIn)
			require.NoError(t, err)
			assert.Equal(t, "T-01", n)
		})
	}
}

// takenOnce is a Checker that calls the first number taken.
type takenOnce struct{ asked *int }

func (c takenOnce) Exists(context.Context, string) (bool, error) {
	*c.asked++
	return *c.asked == 1, nil
}

// A draw whose attempt never reached the insert (the Checker called the
// number taken) is rolled back before the next attempt draws again, and
// fn's own draws run on db, outside the attempt's transaction.
func TestCreateTxDrawWithoutInsert(t *testing.T) {
	t.Parallel()
	db, mock := newMock(t)
	seq, err := store.NewSequence(db, store.Postgres, "counters")
	require.NoError(t, err)
	g, err := casenum.New(casenum.WithLayout("T-{seq:2}"), casenum.WithFallbackLayout(""), casenum.WithSequence(seq),
		casenum.WithChecker(takenOnce{new(int)}))
	require.NoError(t, err)
	bump := `INSERT INTO "counters" (scope, value) VALUES ($1, 1) ON CONFLICT (scope) DO UPDATE SET value = "counters".value + 1 RETURNING value`
	mock.ExpectBegin()
	mock.ExpectQuery(bump).WithArgs("T-").WillReturnRows(sqlmock.NewRows([]string{"value"}).AddRow(1))
	mock.ExpectRollback()
	mock.ExpectExec(advanceCounters).WithArgs("T-", 1).WillReturnResult(ok())
	mock.ExpectBegin()
	mock.ExpectQuery(bump).WithArgs("T-").WillReturnRows(sqlmock.NewRows([]string{"value"}).AddRow(2))
	mock.ExpectQuery(bump).WithArgs("notes-").WillReturnRows(sqlmock.NewRows([]string{"value"}).AddRow(7))
	mock.ExpectExec(insertCase).WithArgs("T-02").WillReturnResult(ok())
	mock.ExpectCommit()
	n, err := store.CreateTx(t.Context(), db, g, nil, func(ctx context.Context, tx *sql.Tx, n string) error {
		note, err := seq.Next(ctx, "notes-")
		if err != nil || note != 7 {
			return fmt.Errorf("note %d: %w", note, err)
		}
		return insertIn(ctx, tx, n)
	})
	require.NoError(t, err)
	assert.Equal(t, "T-02", n)
}

// A function that panics leaves no transaction open: it is rolled back
// before the panic goes on.
func TestCreateTxPanicRollsBack(t *testing.T) {
	t.Parallel()
	db, mock := newMock(t)
	mock.ExpectBegin()
	mock.ExpectRollback()
	defer func() {
		if recover() == nil {
			t.Error("the panic did not reach the caller")
		}
	}()
	_, _ = store.CreateTx(t.Context(), db, seqGen(t), nil, func(context.Context, *sql.Tx, string) error {
		panic("bug in the caller's function")
	})
}

// A context that ends before COMMIT ends the call with the context's
// error: nothing was committed, so the outcome is not uncertain.
func TestCreateTxContextEndsBeforeCommit(t *testing.T) {
	t.Parallel()
	db := testdb.SQLite(t)
	table := casesTable(t, backend{d: store.SQLite}, db)
	ctx, cancel := context.WithCancel(t.Context())
	_, err := store.CreateTx(ctx, db, seqGen(t), nil, func(ctx context.Context, tx *sql.Tx, n string) error {
		err := inserter(tx, store.SQLite, table, 1)(ctx, n)
		cancel()
		return err
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, casenum.ErrUncertain)
	assert.Equal(t, 0, count(t, db, table))
}

// A savepoint statement that fails leaves the transaction in doubt: the
// call ends, as final, without trying another number in it.
func TestSavepointStatementFailureIsFinal(t *testing.T) {
	t.Parallel()
	mock, tx, insert := beginTx(t)
	lost := &pgconn.PgError{Code: "57P01"}
	mock.ExpectExec("SAVEPOINT casemint_1").WillReturnError(lost)
	g := seqGen(t)
	_, err := g.Create(t.Context(), store.Savepoint(tx, insert))
	require.ErrorIs(t, err, lost)
	assert.NotErrorIs(t, err, casenum.ErrUncertain, "the insert never ran")
	assert.Equal(t, uint64(1), g.Stats().Attempts)
}

// Under a savepoint, the Generator's conflict test still decides what a
// collision is: an error only it knows is retried in the transaction.
func TestSavepointHonoursWithConflict(t *testing.T) {
	t.Parallel()
	mock, tx, insert := beginTx(t)
	taken := errors.New("ORA-00001: unique constraint violated")
	mock.ExpectExec("SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectExec(insertCase).WithArgs("T-1").WillReturnError(taken)
	mock.ExpectExec("ROLLBACK TO SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectExec("RELEASE SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectExec("SAVEPOINT casemint_1").WillReturnResult(ok())
	mock.ExpectExec(insertCase).WithArgs("T-2").WillReturnResult(ok())
	mock.ExpectExec("RELEASE SAVEPOINT casemint_1").WillReturnResult(ok())
	g := seqGen(t, casenum.WithConflict(func(err error) bool { return errors.Is(err, taken) }))
	n, err := g.Create(t.Context(), store.Savepoint(tx, insert))
	require.NoError(t, err)
	assert.Equal(t, "T-2", n)
}
