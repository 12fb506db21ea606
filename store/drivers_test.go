package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	_ "github.com/lib/pq" // registers driver "postgres"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

// realDriver is a driver TestIsUniqueViolationRealDrivers runs on, and how
// it opens a database.
type realDriver struct {
	name string
	d    store.Dialect
	open func(t *testing.T) *sql.DB
}

// realDrivers are the drivers of TestIsUniqueViolationRealDrivers;
// drivers_mattn_test.go adds mattn/go-sqlite3, which works only with cgo.
var realDrivers = []realDriver{
	{"pgx", store.Postgres, func(t *testing.T) *sql.DB { return testdb.Postgres(t) }},
	{"lib/pq", store.Postgres, func(t *testing.T) *sql.DB { return openDB(t, "postgres", testdb.PostgresDSN(t)) }},
	{"go-sql-driver/mysql", store.MySQL, func(t *testing.T) *sql.DB { return testdb.MySQL(t) }},
	{"modernc sqlite", store.SQLite, func(t *testing.T) *sql.DB { return testdb.SQLite(t) }},
}

// IsUniqueViolation on the errors the drivers really return from real
// servers: unique and primary-key violations are collisions, NOT NULL and
// foreign-key violations are not.
func TestIsUniqueViolationRealDrivers(t *testing.T) {
	t.Parallel()
	for _, drv := range realDrivers {
		t.Run(drv.name, func(t *testing.T) {
			t.Parallel()
			db := drv.open(t)
			ctx := t.Context()
			parent, child := testdb.Table(t, "parent"), testdb.Table(t, "child")
			testdb.DropOnCleanup(t, db, parent)
			testdb.DropOnCleanup(t, db, child) // dropped first: it references parent
			// One connection, so SQLite's per-connection foreign_keys holds.
			conn, err := db.Conn(ctx)
			require.NoError(t, err)
			t.Cleanup(func() { _ = conn.Close() })
			if drv.d == store.SQLite {
				_, err = conn.ExecContext(ctx, "PRAGMA foreign_keys = ON")
				require.NoError(t, err)
			}
			exec := func(query string, args ...any) error {
				_, err := conn.ExecContext(ctx, query, args...)
				return err
			}
			require.NoError(t, exec("CREATE TABLE "+parent+" (id INT PRIMARY KEY)"))
			require.NoError(t, exec("CREATE TABLE "+child+" (id INT PRIMARY KEY, number VARCHAR(50) NOT NULL UNIQUE, "+
				"parent_id INT REFERENCES "+parent+" (id))"))
			require.NoError(t, exec("INSERT INTO "+parent+" (id) VALUES (1)"))
			insert := fmt.Sprintf("INSERT INTO %s (id, number, parent_id) VALUES (%s, %s, %s)", child, ph(drv.d, 1), ph(drv.d, 2), ph(drv.d, 3))
			require.NoError(t, exec(insert, 1, "CASE-1", 1))

			for _, tc := range []struct {
				name   string
				args   []any
				unique bool
				key    string // the column UniqueViolationOn names
			}{
				{"unique column", []any{2, "CASE-1", 1}, true, "number"},
				{"primary key", []any{1, "CASE-2", 1}, true, "id"},
				{"not null", []any{3, nil, 1}, false, ""},
				{"foreign key", []any{4, "CASE-4", 99}, false, ""},
			} {
				err := exec(insert, tc.args...)
				require.Error(t, err, tc.name)
				assert.Equal(t, tc.unique, store.IsUniqueViolation(err), "%s: %T %v", tc.name, err, err)
				assert.Equal(t, tc.unique, casenum.Classify(fmt.Errorf("wrapped: %w", err)) == casenum.Collided, "%s, wrapped", tc.name)
				key := tc.key
				if key == "id" && drv.d == store.MySQL {
					key = "PRIMARY" // MySQL names the index, and a primary key's is PRIMARY
				}
				for _, col := range []string{"id", "number", "parent_id", "PRIMARY"} {
					assert.Equal(t, col == key, store.UniqueViolationOn(err, col), "%s: UniqueViolationOn(%v, %q)", tc.name, err, col)
				}
			}
			require.NoError(t, exec(insert, 5, "CASE-5", 1), "the connection is still usable")
		})
	}
}

func openDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.PingContext(context.Background()))
	return db
}
