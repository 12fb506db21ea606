package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/store"
)

func TestCheckerExists(t *testing.T) {
	t.Parallel()
	const query = `SELECT 1 FROM "cases" WHERE "number" = $1 LIMIT 1`
	db, mock := newMock(t)
	c, err := store.NewChecker(db, store.Postgres, "cases", "number")
	require.NoError(t, err)

	// A value that would break out of a quoted literal travels as a parameter.
	hostile := `CASE-1' OR '1'='1`
	mock.ExpectQuery(query).WithArgs(hostile).WillReturnRows(mock.NewRows([]string{"?column?"}))
	ok, err := c.Exists(t.Context(), hostile)
	require.NoError(t, err)
	assert.False(t, ok, "no row: free")

	mock.ExpectQuery(query).WithArgs("CASE-2").WillReturnRows(mock.NewRows([]string{"?column?"}).AddRow(1))
	ok, err = c.Exists(t.Context(), "CASE-2")
	require.NoError(t, err)
	assert.True(t, ok, "a row: taken")
}

func TestCheckerErrorsWrapped(t *testing.T) {
	t.Parallel()
	db, mock := newMock(t)
	c, err := store.NewChecker(db, store.MySQL, "cases", "number")
	require.NoError(t, err)

	boom := errors.New("connection reset")
	mock.ExpectQuery("SELECT 1 FROM `cases` WHERE `number` = ? LIMIT 1").WithArgs("CASE-1").WillReturnError(boom)
	ok, err := c.Exists(t.Context(), "CASE-1")
	assert.False(t, ok, "an error is never taken for free or taken")
	assert.ErrorIs(t, err, boom)
	assert.ErrorContains(t, err, "CASE-1")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ok, err = c.Exists(ctx, "CASE-1")
	assert.False(t, ok)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestCheckerZeroValue(t *testing.T) {
	t.Parallel()
	var c store.Checker
	_, err := c.Exists(t.Context(), "CASE-1")
	assert.ErrorIs(t, err, store.ErrInvalidQuerier)
	var nilChecker *store.Checker
	_, err = nilChecker.Exists(t.Context(), "CASE-1")
	assert.ErrorIs(t, err, store.ErrInvalidQuerier)
}

// A Checker runs inside a transaction when given the *sql.Tx.
func TestCheckerInTransaction(t *testing.T) {
	t.Parallel()
	db, mock := newMock(t)
	mock.ExpectBegin()
	mock.ExpectQuery(`SELECT 1 FROM "cases" WHERE "number" = ? LIMIT 1`).WithArgs("CASE-1").
		WillReturnRows(mock.NewRows([]string{"1"}))
	mock.ExpectRollback()
	tx, err := db.BeginTx(t.Context(), nil)
	require.NoError(t, err)
	c, err := store.NewChecker(tx, store.SQLite, "cases", "number")
	require.NoError(t, err)
	ok, err := c.Exists(t.Context(), "CASE-1")
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, tx.Rollback())
}
