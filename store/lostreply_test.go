package store_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"slices"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

// lostReplyDrivers open a database through a proxy that loses the reply
// to a statement holding a marker: the server carries it out, the client
// never hears so.
var lostReplyDrivers = []struct {
	name, driver string
	d            store.Dialect
	dsn          func(testing.TB) string
	host         func(dsn string) string
}{
	{"pgx", "pgx", store.Postgres, testdb.PostgresDSN, urlHost},
	{"lib/pq", "postgres", store.Postgres, testdb.PostgresDSN, urlHost},
	{"go-sql-driver/mysql", "mysql", store.MySQL, testdb.MySQLDSN, func(dsn string) string {
		cfg, _ := mysql.ParseDSN(dsn)
		return cfg.Addr
	}},
}

func urlHost(dsn string) string {
	u, _ := url.Parse(dsn)
	return u.Host
}

// A COMMIT whose reply is lost may have been carried out: CreateTx says
// so, with the number, and stores nothing under a second number, on every
// driver, however each reports the loss.
func TestCreateTxLostCommitReply(t *testing.T) {
	t.Parallel()
	g, err := casenum.New(casenum.WithLayout("L-{hex:12}"))
	require.NoError(t, err)
	eachLostReplyDriver(t, "COMMIT", func(t *testing.T, _, db *sql.DB, d store.Dialect, table string) error {
		_, err := store.CreateTx(t.Context(), db, g, nil, func(ctx context.Context, tx *sql.Tx, n string) error {
			return inserter(tx, d, table, 1)(ctx, n)
		})
		return err
	})
}

// The same with group commit: the batch's COMMIT has no answer, and its
// caller is told so, with the number the batch gave it.
func TestCreateTxGroupCommitLostCommitReply(t *testing.T) {
	t.Parallel()
	eachLostReplyDriver(t, "COMMIT", func(t *testing.T, admin, db *sql.DB, d store.Dialect, table string) error {
		counters := testdb.Table(t, "counters")
		testdb.DropOnCleanup(t, admin, counters)
		s, err := store.NewSequence(admin, d, counters)
		require.NoError(t, err)
		require.NoError(t, s.CreateTable(t.Context()))
		seq, err := store.NewSequence(db, d, counters, store.WithGroupCommit(8))
		require.NoError(t, err)
		g, err := casenum.New(casenum.WithLayout("L-{seq:4}"), casenum.WithSequence(seq))
		require.NoError(t, err)
		_, err = store.CreateTx(t.Context(), db, g, nil, func(ctx context.Context, tx *sql.Tx, n string) error {
			return inserter(tx, d, table, 1)(ctx, n)
		})
		return err
	})
}

// An autocommit INSERT whose reply is lost: Create says the outcome is
// unknown, with the number. (lib/pq reports the loss as driver.ErrBadConn,
// which database/sql answers by running the INSERT again itself: that
// second run finds the first stored and fails as a unique violation, so
// Create tries another number and the record is stored twice. No library
// above database/sql can tell; use pgx.)
func TestCreateLostInsertReply(t *testing.T) {
	t.Parallel()
	g, err := casenum.New(casenum.WithLayout("L-{hex:12}"))
	require.NoError(t, err)
	eachLostReplyDriver(t, "L-", func(t *testing.T, _, db *sql.DB, d store.Dialect, table string) error {
		_, err := g.Create(t.Context(), inserter(db, d, table, 1))
		return err
	}, "lib/pq")
}

// eachLostReplyDriver runs create on each driver but those skipped,
// through a proxy that loses the reply to the message holding marker, and
// checks that the call says its outcome is unknown and that the record is
// stored once, under the number the error names.
func eachLostReplyDriver(t *testing.T, marker string, create func(t *testing.T, admin, db *sql.DB, d store.Dialect, table string) error, skip ...string) {
	for _, drv := range lostReplyDrivers {
		if slices.Contains(skip, drv.name) {
			continue
		}
		t.Run(drv.name, func(t *testing.T) {
			t.Parallel()
			dsn := drv.dsn(t)
			admin := openDB(t, drv.driver, dsn)
			table := casesTable(t, backend{d: drv.d}, admin)
			proxy := testdb.NewCutProxy(t, drv.host(dsn), marker)
			db := openDB(t, drv.driver, proxy.Via(dsn))
			proxy.Arm()
			err := create(t, admin, db, drv.d, table)
			require.Equal(t, 1, proxy.Cuts())
			var ae *casenum.AttemptError
			require.True(t, errors.Is(err, casenum.ErrUncertain) && errors.As(err, &ae), "%v", err)
			assert.Equal(t, []string{ae.Number}, storedNumbers(t, admin, table), "stored once, under the number the error names")
		})
	}
}

func storedNumbers(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	return queryStrings(t, db, "SELECT number FROM "+table)
}

// queryStrings returns the one column that query reads through q.
func queryStrings(t *testing.T, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string) []string {
	t.Helper()
	rows, err := q.QueryContext(t.Context(), query)
	require.NoError(t, err)
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		got = append(got, s)
	}
	require.NoError(t, rows.Err())
	return got
}
