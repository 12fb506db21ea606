package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/store"
)

const (
	pgNext     = `INSERT INTO "counters" (scope, value) VALUES ($1, 1) ON CONFLICT (scope) DO UPDATE SET value = "counters".value + 1 RETURNING value`
	sqliteNext = `INSERT INTO "counters" (scope, value) VALUES (?, 1) ON CONFLICT (scope) DO UPDATE SET value = "counters".value + 1 RETURNING value`
	mysqlNext  = "INSERT INTO `counters` (scope, value) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + 1)"
)

func TestSequenceSQLPerDialect(t *testing.T) {
	t.Parallel()
	cases := []struct {
		d                  store.Dialect
		table              string
		next, block, schem string
	}{
		{store.Postgres, "counters", pgNext,
			`INSERT INTO "counters" (scope, value) VALUES ($1, 100) ON CONFLICT (scope) DO UPDATE SET value = "counters".value + 100 RETURNING value`,
			`CREATE TABLE IF NOT EXISTS "counters" (scope VARCHAR(255) NOT NULL PRIMARY KEY, value BIGINT NOT NULL)`},
		{store.SQLite, "counters", sqliteNext,
			`INSERT INTO "counters" (scope, value) VALUES (?, 100) ON CONFLICT (scope) DO UPDATE SET value = "counters".value + 100 RETURNING value`,
			`CREATE TABLE IF NOT EXISTS "counters" (scope TEXT NOT NULL PRIMARY KEY, value BIGINT NOT NULL)`},
		{store.MySQL, "counters", mysqlNext,
			"INSERT INTO `counters` (scope, value) VALUES (?, LAST_INSERT_ID(100)) ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + 100)",
			"CREATE TABLE IF NOT EXISTS `counters` (scope VARCHAR(255) NOT NULL PRIMARY KEY, value BIGINT NOT NULL)"},
		{store.Postgres, "app.counters",
			`INSERT INTO "app"."counters" (scope, value) VALUES ($1, 1) ON CONFLICT (scope) DO UPDATE SET value = "app"."counters".value + 1 RETURNING value`,
			`INSERT INTO "app"."counters" (scope, value) VALUES ($1, 100) ON CONFLICT (scope) DO UPDATE SET value = "app"."counters".value + 100 RETURNING value`,
			`CREATE TABLE IF NOT EXISTS "app"."counters" (scope VARCHAR(255) NOT NULL PRIMARY KEY, value BIGINT NOT NULL)`},
	}
	for _, tc := range cases {
		t.Run(tc.d.String()+"/"+tc.table, func(t *testing.T) {
			t.Parallel()
			db, mock := newMock(t)
			one, err := store.NewSequence(db, tc.d, tc.table)
			require.NoError(t, err)
			bulk, err := store.NewSequence(db, tc.d, tc.table, store.WithBlock(100))
			require.NoError(t, err)
			assert.Equal(t, tc.schem, one.Schema())
			assert.Equal(t, tc.schem, bulk.Schema())

			mock.ExpectExec(tc.schem).WillReturnResult(sqlmock.NewResult(0, 0))
			require.NoError(t, one.CreateTable(t.Context()))

			expectBump(mock, tc.d, tc.next, "CASE-20250929-", 7)
			v, err := one.Next(t.Context(), "CASE-20250929-")
			require.NoError(t, err)
			assert.Equal(t, uint64(7), v)

			expectBump(mock, tc.d, tc.block, "CASE-", 300)
			v, err = bulk.Next(t.Context(), "CASE-")
			require.NoError(t, err)
			assert.Equal(t, uint64(201), v, "first value of the block 201..300")
		})
	}
}

// expectBump expects the counter statement for scope and answers value, as
// a RETURNING row or, on MySQL, as LastInsertId.
func expectBump(mock sqlmock.Sqlmock, d store.Dialect, query, scope string, value int64) {
	if d == store.MySQL {
		mock.ExpectExec(query).WithArgs(scope).WillReturnResult(sqlmock.NewResult(value, 2))
		return
	}
	mock.ExpectQuery(query).WithArgs(scope).WillReturnRows(sqlmock.NewRows([]string{"value"}).AddRow(value))
}

func TestSequenceErrorsWrapped(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	t.Run("query", func(t *testing.T) {
		t.Parallel()
		db, mock := newMock(t)
		s, err := store.NewSequence(db, store.Postgres, "counters")
		require.NoError(t, err)
		mock.ExpectQuery(pgNext).WithArgs("S-").WillReturnError(boom)
		v, err := s.Next(t.Context(), "S-")
		assert.Zero(t, v)
		assert.ErrorIs(t, err, boom)
		assert.ErrorContains(t, err, `"S-"`)
	})
	t.Run("exec", func(t *testing.T) {
		t.Parallel()
		db, mock := newMock(t)
		s, err := store.NewSequence(db, store.MySQL, "counters")
		require.NoError(t, err)
		mock.ExpectExec(mysqlNext).WithArgs("S-").WillReturnError(boom)
		v, err := s.Next(t.Context(), "S-")
		assert.Zero(t, v)
		assert.ErrorIs(t, err, boom)
	})
	t.Run("LastInsertId", func(t *testing.T) {
		t.Parallel()
		db, mock := newMock(t)
		s, err := store.NewSequence(db, store.MySQL, "counters")
		require.NoError(t, err)
		mock.ExpectExec(mysqlNext).WithArgs("S-").WillReturnResult(sqlmock.NewErrorResult(boom))
		v, err := s.Next(t.Context(), "S-")
		assert.Zero(t, v)
		assert.ErrorIs(t, err, boom)
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		db, _ := newMock(t)
		s, err := store.NewSequence(db, store.SQLite, "counters")
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err = s.Next(ctx, "S-")
		assert.ErrorIs(t, err, context.Canceled)
	})
	t.Run("CreateTable", func(t *testing.T) {
		t.Parallel()
		db, mock := newMock(t)
		s, err := store.NewSequence(db, store.SQLite, "counters")
		require.NoError(t, err)
		mock.ExpectExec(s.Schema()).WillReturnError(boom)
		assert.ErrorIs(t, s.CreateTable(t.Context()), boom)
	})
}

func TestSequenceCounterRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d     store.Dialect
		block int
		query string
		value int64
	}{
		{store.MySQL, 1, mysqlNext, 0}, // LastInsertId 0: the statement set no value
		{store.MySQL, 1, mysqlNext, -5},
		{store.Postgres, 1, pgNext, 0},
		{store.SQLite, 1, sqliteNext, -1},
		{store.Postgres, 10, // below the block just added
			`INSERT INTO "counters" (scope, value) VALUES ($1, 10) ON CONFLICT (scope) DO UPDATE SET value = "counters".value + 10 RETURNING value`, 9},
	} {
		db, mock := newMock(t)
		s, err := store.NewSequence(db, tc.d, "counters", store.WithBlock(tc.block))
		require.NoError(t, err)
		expectBump(mock, tc.d, tc.query, "S-", tc.value)
		v, err := s.Next(t.Context(), "S-")
		assert.Zero(t, v)
		assert.ErrorIs(t, err, store.ErrCounterRange, "%v block %d value %d", tc.d, tc.block, tc.value)
	}
}

func TestSequenceScopeLength(t *testing.T) {
	t.Parallel()
	db, mock := newMock(t)
	s, err := store.NewSequence(db, store.Postgres, "counters")
	require.NoError(t, err)

	// 255 characters fit, however many bytes they take.
	fits := strings.Repeat("Ω", store.MaxScopeLength)
	mock.ExpectQuery(pgNext).WithArgs(fits).WillReturnRows(sqlmock.NewRows([]string{"value"}).AddRow(1))
	v, err := s.Next(t.Context(), fits)
	require.NoError(t, err)
	assert.Equal(t, uint64(1), v)

	// One more is refused before any statement runs.
	v, err = s.Next(t.Context(), fits+"x")
	assert.Zero(t, v)
	assert.ErrorIs(t, err, store.ErrScopeTooLong)
	assert.ErrorContains(t, err, "256")

	// The empty scope (a layout starting with {seq}) is a scope like any other.
	mock.ExpectQuery(pgNext).WithArgs("").WillReturnRows(sqlmock.NewRows([]string{"value"}).AddRow(1))
	_, err = s.Next(t.Context(), "")
	require.NoError(t, err)
}

func TestSequenceOptionsValidated(t *testing.T) {
	t.Parallel()
	db, mock := newMock(t)
	for _, n := range []int{0, -1, -100} {
		_, err := store.NewSequence(db, store.Postgres, "counters", store.WithBlock(n))
		assert.ErrorIs(t, err, store.ErrInvalidOption, "WithBlock(%d)", n)
	}
	_, err := store.NewSequence(db, store.Postgres, "counters", nil)
	assert.ErrorIs(t, err, store.ErrInvalidOption)
	for _, n := range []int{0, -1} {
		_, err := store.NewSequence(db, store.Postgres, "counters", store.WithGroupCommit(n))
		assert.ErrorIs(t, err, store.ErrInvalidOption, "WithGroupCommit(%d)", n)
	}
	// A block's values would outlive the batch's transaction.
	_, err = store.NewSequence(db, store.Postgres, "counters", store.WithGroupCommit(8), store.WithBlock(10))
	assert.ErrorIs(t, err, store.ErrInvalidOption)

	// A block reserved in a transaction that rolls back would be handed out
	// again, so blocks refuse a *sql.Tx.
	mock.ExpectBegin()
	mock.ExpectRollback()
	tx, err := db.BeginTx(t.Context(), nil)
	require.NoError(t, err)
	_, err = store.NewSequence(tx, store.Postgres, "counters", store.WithBlock(10))
	assert.ErrorIs(t, err, store.ErrInvalidQuerier)
	_, err = store.NewSequence(tx, store.Postgres, "counters", store.WithBlock(1))
	assert.NoError(t, err, "a block of one is gap-free and fine in a transaction")
	// Batches begin their own transactions on the Sequence's database.
	_, err = store.NewSequence(tx, store.Postgres, "counters", store.WithGroupCommit(8))
	assert.ErrorIs(t, err, store.ErrInvalidQuerier)
	require.NoError(t, tx.Rollback())
}

func TestSequenceZeroValue(t *testing.T) {
	t.Parallel()
	var s store.Sequence
	_, err := s.Next(t.Context(), "S-")
	assert.ErrorIs(t, err, store.ErrInvalidQuerier)
	assert.ErrorIs(t, s.CreateTable(t.Context()), store.ErrInvalidQuerier)
	assert.Empty(t, s.Schema())
}

// WithTx runs the counter inside the caller's transaction; the copy of a
// Sequence with blocks raises the counter by one.
func TestSequenceWithTx(t *testing.T) {
	t.Parallel()
	for _, block := range []int{1, 50} {
		t.Run(fmt.Sprint("block", block), func(t *testing.T) {
			t.Parallel()
			db, mock := newMock(t)
			base, err := store.NewSequence(db, store.Postgres, "counters", store.WithBlock(block))
			require.NoError(t, err)

			mock.ExpectBegin()
			mock.ExpectQuery(pgNext).WithArgs("S-").WillReturnRows(sqlmock.NewRows([]string{"value"}).AddRow(4))
			mock.ExpectExec(`INSERT INTO cases (number) VALUES ($1)`).WithArgs("S-4").WillReturnResult(sqlmock.NewResult(0, 1))
			mock.ExpectRollback()

			tx, err := db.BeginTx(t.Context(), nil)
			require.NoError(t, err)
			seq := base.WithTx(tx)
			v, err := seq.Next(t.Context(), "S-")
			require.NoError(t, err)
			assert.Equal(t, uint64(4), v)
			_, err = tx.ExecContext(t.Context(), `INSERT INTO cases (number) VALUES ($1)`, fmt.Sprintf("S-%d", v))
			require.NoError(t, err)
			require.NoError(t, tx.Rollback())
			assert.Equal(t, base.Schema(), seq.Schema())

			// After the transaction the copy's statements fail: they do not
			// slip out of the transaction onto the pool.
			_, err = seq.Next(t.Context(), "S-")
			assert.ErrorIs(t, err, sql.ErrTxDone)
		})
	}
	t.Run("nil", func(t *testing.T) {
		t.Parallel()
		db, _ := newMock(t)
		base, err := store.NewSequence(db, store.Postgres, "counters")
		require.NoError(t, err)
		for _, q := range []store.Querier{nil, (*sql.Tx)(nil)} {
			_, err = base.WithTx(q).Next(t.Context(), "S-")
			assert.ErrorIs(t, err, store.ErrInvalidQuerier)
		}
	})
}

func TestSequenceBlockArithmetic(t *testing.T) {
	t.Parallel()
	db := newCounterDB(3)
	s, err := store.NewSequence(db, store.MySQL, "counters", store.WithBlock(3))
	require.NoError(t, err)
	next := func(scope string) uint64 {
		t.Helper()
		v, err := s.Next(t.Context(), scope)
		require.NoError(t, err)
		return v
	}
	var got []uint64
	for range 4 {
		got = append(got, next("A-"))
	}
	assert.Equal(t, []uint64{1, 2, 3, 4}, got)
	assert.Equal(t, 2, db.roundTrips(), "blocks 1..3 and 4..6")

	// Another process reserves 7..9; this one's next block is 10..12.
	db.mu.Lock()
	db.values["A-"] += 3
	db.mu.Unlock()
	got = got[:0]
	for range 4 {
		got = append(got, next("A-"))
	}
	assert.Equal(t, []uint64{5, 6, 10, 11}, got)
	assert.Equal(t, uint64(1), next("B-"), "scopes have blocks of their own")
	assert.Equal(t, 4, db.roundTrips())

	// A failed reservation hands nothing out and the next call tries again.
	boom := errors.New("connection reset")
	assert.Equal(t, uint64(12), next("A-"))
	db.mu.Lock()
	db.fail = boom
	db.mu.Unlock()
	_, err = s.Next(t.Context(), "A-")
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, uint64(13), next("A-"))
}

// Goroutines sharing a Sequence with blocks get every value once, with one
// round trip per block.
func TestSequenceBlockConcurrent(t *testing.T) {
	t.Parallel()
	const goroutines, calls, block = 8, 250, 10
	db := newCounterDB(block)
	s, err := store.NewSequence(db, store.MySQL, "counters", store.WithBlock(block))
	require.NoError(t, err)
	scopes := []string{"A-", "B-"}
	got := make([]map[string][]uint64, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		got[g] = map[string][]uint64{}
		wg.Go(func() {
			for i := range calls {
				sc := scopes[(g+i)%len(scopes)]
				v, err := s.Next(context.Background(), sc)
				if err != nil {
					t.Errorf("Next(%q): %v", sc, err)
					return
				}
				got[g][sc] = append(got[g][sc], v)
			}
		})
	}
	wg.Wait()
	for _, sc := range scopes {
		var all []uint64
		for g := range goroutines {
			all = append(all, got[g][sc]...)
		}
		slices.Sort(all)
		want := make([]uint64, goroutines*calls/len(scopes))
		for i := range want {
			want[i] = uint64(i + 1)
		}
		assert.Equal(t, want, all, "scope %q: each value once, no gap", sc)
	}
	assert.Equal(t, goroutines*calls/block, db.roundTrips())
}

// While one scope waits for its round trip, other scopes go on, and a
// caller of the same scope can give up when its context ends.
func TestSequenceBlockNoGlobalLock(t *testing.T) {
	t.Parallel()
	db := newCounterDB(5)
	release := make(chan struct{})
	db.hold["slow-"] = release
	db.inside = make(chan string, 10)
	s, err := store.NewSequence(db, store.MySQL, "counters", store.WithBlock(5))
	require.NoError(t, err)

	done := make(chan uint64)
	go func() {
		v, err := s.Next(context.Background(), "slow-")
		assert.NoError(t, err)
		done <- v
	}()
	require.Equal(t, "slow-", <-db.inside)

	v, err := s.Next(t.Context(), "fast-")
	require.NoError(t, err, "another scope is not held up")
	assert.Equal(t, uint64(1), v)
	<-db.inside

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err = s.Next(ctx, "slow-")
	assert.ErrorIs(t, err, context.DeadlineExceeded, "a waiter for the same scope gives up with its context")

	close(release)
	assert.Equal(t, uint64(1), <-done)
	v, err = s.Next(t.Context(), "slow-")
	require.NoError(t, err)
	assert.Equal(t, uint64(2), v, "served from the block, no round trip")
	assert.Equal(t, 2, db.roundTrips())
}

// On a *sql.DB an upsert the database refused stored nothing and is
// retried; in a transaction the refusal ended the transaction and comes
// back.
func TestSequenceRetriesAbortedUpserts(t *testing.T) {
	t.Parallel()
	deadlock := &mysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock"}
	t.Run("database", func(t *testing.T) {
		t.Parallel()
		db, mock := newMock(t)
		s, err := store.NewSequence(db, store.MySQL, "counters")
		require.NoError(t, err)
		mock.ExpectExec(mysqlNext).WithArgs("A").WillReturnError(deadlock)
		mock.ExpectExec(mysqlNext).WithArgs("A").WillReturnError(deadlock)
		mock.ExpectExec(mysqlNext).WithArgs("A").WillReturnResult(sqlmock.NewResult(7, 1))
		v, err := s.Next(t.Context(), "A")
		require.NoError(t, err)
		assert.Equal(t, uint64(7), v)
	})
	t.Run("transaction", func(t *testing.T) {
		t.Parallel()
		db, mock := newMock(t)
		s, err := store.NewSequence(db, store.MySQL, "counters")
		require.NoError(t, err)
		mock.ExpectBegin()
		mock.ExpectExec(mysqlNext).WithArgs("A").WillReturnError(deadlock)
		tx, err := db.BeginTx(t.Context(), nil)
		require.NoError(t, err)
		defer tx.Rollback()
		_, err = s.WithTx(tx).Next(t.Context(), "A")
		require.ErrorIs(t, err, deadlock)
	})
}
