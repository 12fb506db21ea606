package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/testdb"
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

// A real InnoDB deadlock at the draw in the caller's transaction: MariaDB
// picks that transaction, the lighter one, as its victim and rolls it back.
// Create must end with the deadlock, final, and draw nothing outside it.
func TestDeadlockInCallersTransactionMariaDB(t *testing.T) {
	t.Parallel()
	db := testdb.MySQL(t)
	ctx := t.Context()
	seq := counterTable(t, db, store.MySQL)
	locks := testdb.CreateTable(t, db, "locks", "id INT PRIMARY KEY, x INT NOT NULL")
	for i := 1; i <= 40; i++ {
		_, err := db.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s VALUES (%d, 0)", locks, i))
		require.NoError(t, err)
	}

	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	_, err = tx.ExecContext(ctx, "UPDATE "+locks+" SET x = x + 1 WHERE id = 1")
	require.NoError(t, err)

	// The other transaction holds the scope's counter row and many rows,
	// then waits for the row tx holds; it commits once tx is gone.
	other, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = seq.WithTx(other).Next(ctx, "C-")
	require.NoError(t, err)
	_, err = other.ExecContext(ctx, "UPDATE "+locks+" SET x = x + 1 WHERE id >= 2")
	require.NoError(t, err)
	otherDone := make(chan error, 1)
	go func() {
		if _, err := other.ExecContext(ctx, "UPDATE "+locks+" SET x = x + 1 WHERE id = 1"); err != nil {
			_ = other.Rollback()
			otherDone <- err
			return
		}
		otherDone <- other.Commit()
	}()
	time.Sleep(300 * time.Millisecond) // until it waits for row 1

	g, err := casenum.New(casenum.WithLayout("C-{seq:4}"), casenum.WithSequence(seq))
	require.NoError(t, err)
	_, err = g.BindSequence(seq.WithTx(tx)).Create(ctx, store.Savepoint(tx, func(context.Context, string) error {
		t.Error("insert called after the transaction was rolled back")
		return nil
	}))
	var me *mysql.MySQLError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, uint16(1213), me.Number)
	assert.Equal(t, casenum.Failed, casenum.Classify(err))
	require.NoError(t, <-otherDone)
	// The other transaction drew 1 and committed; nothing was drawn outside tx.
	assert.Equal(t, []uint64{2}, nexts(t, seq, "C-", 1))
}
