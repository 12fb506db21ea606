package sqlcore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	realsqlite "modernc.org/sqlite"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store/internal/sqlcore"
)

const sqliteSchema = `
PRAGMA foreign_keys = ON;
CREATE TABLE parent (id INTEGER PRIMARY KEY);
CREATE TABLE cases (
	id        INTEGER PRIMARY KEY,
	number    TEXT NOT NULL UNIQUE,
	parent_id INTEGER REFERENCES parent (id),
	qty       INTEGER CHECK (qty >= 0)
);
CREATE TABLE tags (name TEXT PRIMARY KEY);
INSERT INTO parent (id) VALUES (1);
INSERT INTO cases (id, number, parent_id, qty) VALUES (1, 'CASE-1', 1, 0);
INSERT INTO tags (name) VALUES ('urgent');
`

// sqliteDriver is a SQLite driver the tests below run on.
type sqliteDriver struct {
	name   string                  // the name it is registered under
	code   func(error) (int, bool) // the driver's extended result code
	noWait string                  // the DSN's query for a busy timeout of 0
}

// sqliteDrivers are modernc.org/sqlite, and mattn/go-sqlite3 as
// sqlite_mattn_test.go adds it where cgo builds it.
var sqliteDrivers = []sqliteDriver{
	{"sqlite", func(err error) (int, bool) {
		var e *realsqlite.Error
		if !errors.As(err, &e) {
			return 0, false
		}
		return e.Code(), true
	}, "?_pragma=busy_timeout(0)"},
}

// TestSQLiteDrivers provokes each kind of constraint failure in each SQLite
// driver and checks that only the collisions are reported. Each failure is
// first checked to be the expected extended code, so that a false result
// means "another constraint", not "some other error".
func TestSQLiteDrivers(t *testing.T) {
	t.Parallel()
	stmts := []struct {
		name  string
		query string
		code  int
		want  bool
		key   string // the column UniqueViolationOn names
	}{
		{"duplicate unique", `INSERT INTO cases (id, number, parent_id, qty) VALUES (2, 'CASE-1', 1, 0)`, sqliteUnique, true, "number"},
		{"duplicate integer primary key", `INSERT INTO cases (id, number, parent_id, qty) VALUES (1, 'CASE-2', 1, 0)`, sqlitePrimaryKey, true, "id"},
		{"duplicate text primary key", `INSERT INTO tags (name) VALUES ('urgent')`, sqlitePrimaryKey, true, "name"},
		{"not null", `INSERT INTO cases (id, number, parent_id, qty) VALUES (3, NULL, 1, 0)`, sqliteNotNull, false, ""},
		{"foreign key", `INSERT INTO cases (id, number, parent_id, qty) VALUES (4, 'CASE-4', 99, 0)`, sqliteForeignKey, false, ""},
		{"check", `INSERT INTO cases (id, number, parent_id, qty) VALUES (5, 'CASE-5', 1, -1)`, sqliteCheck, false, ""},
	}
	for _, d := range sqliteDrivers {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := sql.Open(d.name, ":memory:")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			// Every connection to :memory: is a database of its own.
			db.SetMaxOpenConns(1)
			if _, err := db.ExecContext(ctx, sqliteSchema); err != nil {
				t.Fatalf("schema: %v", err)
			}
			for _, s := range stmts {
				_, err := db.ExecContext(ctx, s.query)
				if err == nil {
					t.Errorf("%s: statement succeeded, want a constraint failure", s.name)
					continue
				}
				if code, ok := d.code(err); !ok || code != s.code {
					t.Errorf("%s: %v (%T), want extended code %d", s.name, err, err, s.code)
					continue
				}
				if got := sqlcore.IsUniqueViolation(err); got != s.want {
					t.Errorf("%s: IsUniqueViolation(%v) = %v, want %v", s.name, err, got, s.want)
				}
				if got := sqlcore.IsUniqueViolation(fmt.Errorf("insert: %w", err)); got != s.want {
					t.Errorf("%s: IsUniqueViolation(wrapped %v) = %v, want %v", s.name, err, got, s.want)
				}
				for _, col := range []string{"id", "number", "name", "qty"} {
					if got := sqlcore.UniqueViolationOn(err, col); got != (col == s.key) {
						t.Errorf("%s: UniqueViolationOn(%v, %q) = %v", s.name, err, col, got)
					}
				}
			}
		})
	}
}

// TestSQLiteBusy provokes SQLITE_BUSY in each driver: a second writer
// that will not wait is refused, and nothing of it is stored.
func TestSQLiteBusy(t *testing.T) {
	t.Parallel()
	for _, d := range sqliteDrivers {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := sql.Open(d.name, t.TempDir()+"/busy.db"+d.noWait)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.ExecContext(ctx, "CREATE TABLE t (n TEXT UNIQUE)"); err != nil {
				t.Fatal(err)
			}
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES ('a')"); err != nil {
				t.Fatal(err)
			}
			_, err = db.ExecContext(ctx, "INSERT INTO t VALUES ('b')")
			if got := casenum.Classify(err); got != casenum.Aborted {
				t.Errorf("Classify(%v) = %v, want Aborted", err, got)
			}
		})
	}
}
