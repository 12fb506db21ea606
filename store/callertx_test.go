package store_test

import (
	"context"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store"
)

// A deadlock met in the caller's own transaction ends the call: MySQL has
// rolled the whole transaction back, so a retry would run outside it, its
// draw and insert committing on their own. The error is final, and no
// second attempt is made.
func TestAbortInCallersTransactionIsFinal(t *testing.T) {
	t.Parallel()
	deadlock := &mysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock; try restarting transaction"}
	db, mock := newMock(t)
	mock.ExpectBegin()
	mock.ExpectExec(mysqlNext).WithArgs("C-").WillReturnResult(sqlmock.NewResult(1, 1))
	mock.ExpectQuery("SELECT 1 FROM `cases` WHERE `number` = ? LIMIT 1").WithArgs("C-1").WillReturnError(deadlock)
	mock.ExpectRollback()

	ctx := t.Context()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	seq, err := store.NewSequence(db, store.MySQL, "counters")
	require.NoError(t, err)
	checker, err := store.NewChecker(tx, store.MySQL, "cases", "number")
	require.NoError(t, err)
	g, err := casenum.New(casenum.WithLayout("C-{seq}"), casenum.WithSequence(seq), casenum.WithChecker(checker))
	require.NoError(t, err)
	_, err = g.BindSequence(seq.WithTx(tx)).Create(ctx, store.Savepoint(tx, func(context.Context, string) error {
		t.Error("insert called after the transaction was aborted")
		return nil
	}))
	require.ErrorIs(t, err, deadlock)
	assert.Equal(t, casenum.Failed, casenum.Classify(err))
	assert.Equal(t, uint64(0), g.Stats().Aborted, "retried in a transaction the database ended")
	require.NoError(t, tx.Rollback())

	// The same answer outside a transaction is retried as usual.
	pool, err := store.NewChecker(db, store.MySQL, "cases", "number")
	require.NoError(t, err)
	mock.ExpectQuery("SELECT 1 FROM `cases` WHERE `number` = ? LIMIT 1").WithArgs("C-2").WillReturnError(deadlock)
	_, err = pool.Exists(ctx, "C-2")
	assert.Equal(t, casenum.Aborted, casenum.Classify(err))

	// A draw or an Advance in the caller's transaction likewise.
	mock.ExpectBegin()
	mock.ExpectExec(mysqlNext).WithArgs("C-").WillReturnError(deadlock)
	mock.ExpectRollback()
	tx, err = db.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = seq.WithTx(tx).Next(ctx, "C-")
	require.ErrorIs(t, err, deadlock)
	assert.Equal(t, casenum.Failed, casenum.Classify(err))
	require.NoError(t, tx.Rollback())
}
