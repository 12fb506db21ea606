// Package testdb connects tests to the databases casemint supports: a fresh
// SQLite file per test, and the PostgreSQL server, the MariaDB server and the
// three-node MariaDB Galera cluster that databases.sh starts on 127.0.0.1.
//
// The server DSNs come from CASEMINT_POSTGRES_DSN, CASEMINT_MYSQL_DSN and
// CASEMINT_GALERA_DSNS (one DSN per node, comma-separated). When one is unset
// the test is skipped, so `go test ./...` works without servers; under CI=true
// it fails instead, so a CI run cannot pass by testing nothing. Start the
// servers and set the variables with:
//
//	eval "$(bash internal/testdb/databases.sh start)"
//
// A package whose tests use the servers runs them through Main, which ends
// the run with one line that says how many tests were skipped and why:
//
//	func TestMain(m *testing.M) { testdb.Main(m) }
//
// go test shows the output of a passing package only with -v, or when it is
// run with no package argument in the package's directory; `go test ./...`
// hides it. `go run ./internal/testrun` runs go test and says under each
// package how many tests were skipped and why.
//
// Tests share one database per server, so each test names its tables with
// Table and removes them with DropOnCleanup: parallel tests, parallel packages
// and reruns never see each other's rows. On the cluster, a table created
// through one node reaches the others a moment later: WaitForTable waits for
// it, and CausalConn reads what any node has written.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	_ "modernc.org/sqlite"             // registers driver "sqlite"
)

// Environment variables that carry the server DSNs.
const (
	PostgresEnv = "CASEMINT_POSTGRES_DSN"
	MySQLEnv    = "CASEMINT_MYSQL_DSN"
	GaleraEnv   = "CASEMINT_GALERA_DSNS" // one DSN per node, comma-separated
)

// StartCommand is the shell command that starts the servers and exports the
// DSN variables; messages about a missing DSN quote it.
const StartCommand = `eval "$(bash internal/testdb/databases.sh start)"`

// pingTimeout bounds how long a helper waits for a server before failing the
// test, so a stopped server fails fast instead of hanging the package.
const pingTimeout = 10 * time.Second

// replicationTimeout bounds how long WaitForTable waits for a table to reach
// every node.
const replicationTimeout = 30 * time.Second

// cleanupTimeout bounds a DROP TABLE run at cleanup, when the test's own
// context is already cancelled.
const cleanupTimeout = 30 * time.Second

// PostgresDSN returns the PostgreSQL DSN from CASEMINT_POSTGRES_DSN. When it
// is unset it skips the test, or fails it when CI is true.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	return dsn(t, PostgresEnv, "PostgreSQL")
}

// MySQLDSN returns the MySQL/MariaDB DSN (go-sql-driver/mysql format) from
// CASEMINT_MYSQL_DSN. When it is unset it skips the test, or fails it when CI
// is true.
func MySQLDSN(t testing.TB) string {
	t.Helper()
	return dsn(t, MySQLEnv, "MariaDB")
}

func dsn(t testing.TB, env, server string) string {
	t.Helper()
	if v := os.Getenv(env); v != "" {
		return v
	}
	if inCI() {
		t.Fatalf("testdb: %s is not set, and CI requires the %s tests; start the servers with: %s", env, server, StartCommand)
	}
	skips.Lock()
	skips.n[env]++
	skips.Unlock()
	// Short, so that a list of skips reads at a glance; Main's line and
	// the README say how to start the servers.
	t.Skipf("%s is not set (%s)", env, server)
	return ""
}

// skips counts, per DSN variable, the tests skipped because it was unset.
var skips = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

// Main runs the tests of a package, as m.Run does, prints the line of
// skipSummary when tests were skipped, and exits with the tests' status.
func Main(m *testing.M) {
	code := m.Run()
	skips.Lock()
	line := skipSummary(os.Args[0], skips.n)
	skips.Unlock()
	if line != "" {
		fmt.Println(line)
	}
	os.Exit(code)
}

// skipSummary says in one line how many tests of the test binary at path
// were skipped for want of each DSN variable, and how to run them; "" when
// none were.
func skipSummary(path string, counts map[string]int) string {
	total, why := 0, []string{}
	for _, env := range []string{PostgresEnv, MySQLEnv, GaleraEnv} {
		if n := counts[env]; n > 0 {
			total += n
			why = append(why, fmt.Sprintf("%s unset (%d)", env, n))
		}
	}
	if total == 0 {
		return ""
	}
	pkg := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".exe"), ".test")
	return fmt.Sprintf("testdb: %s: %d tests skipped: %s; set the variables to your servers' DSNs, or start servers with: %s",
		pkg, total, strings.Join(why, ", "), StartCommand)
}

// inCI reports whether CI is set to a true value ("true", "1", ...).
func inCI() bool {
	ci, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && ci
}

// Postgres opens the PostgreSQL database named by PostgresDSN with the pgx
// driver, checks that it answers, and closes it when the test ends.
func Postgres(t testing.TB) *sql.DB {
	t.Helper()
	return open(t, "pgx", PostgresDSN(t), "PostgreSQL at "+PostgresEnv)
}

// PgxPool opens a pgx pool on the PostgreSQL database named by
// PostgresDSN, checks that it answers, and closes it when the test ends.
func PgxPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), PostgresDSN(t))
	if err != nil {
		t.Fatalf("testdb: open PostgreSQL at %s with pgxpool: %v", PostgresEnv, err)
	}
	t.Cleanup(pool.Close)
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := pool.Ping(ctx); err != nil {
		t.Fatalf("testdb: cannot reach PostgreSQL at %s: %v; is the server running? start it with: %s", PostgresEnv, err, StartCommand)
	}
	return pool
}

// MySQL opens the MariaDB database named by MySQLDSN with go-sql-driver/mysql,
// checks that it answers, and closes it when the test ends.
func MySQL(t testing.TB) *sql.DB {
	t.Helper()
	return open(t, "mysql", MySQLDSN(t), "MariaDB at "+MySQLEnv)
}

// Galera opens one database per node of the MariaDB Galera cluster named by
// CASEMINT_GALERA_DSNS with go-sql-driver/mysql, checks that each answers,
// and closes them when the test ends. The variable must name at least two
// nodes. When it is unset Galera skips the test, or fails it when CI is true.
func Galera(t testing.TB) []*sql.DB {
	t.Helper()
	dsns := GaleraDSNs(t)
	nodes := make([]*sql.DB, len(dsns))
	for i, d := range dsns {
		nodes[i] = open(t, "mysql", d, fmt.Sprintf("Galera node %d at %s", i+1, GaleraEnv))
	}
	return nodes
}

// GaleraDSNs returns the DSNs of the Galera cluster's nodes (go-sql-driver/mysql
// format) from CASEMINT_GALERA_DSNS, which must name at least two. When it is
// unset it skips the test, or fails it when CI is true.
func GaleraDSNs(t testing.TB) []string {
	t.Helper()
	dsns := strings.Split(dsn(t, GaleraEnv, "Galera"), ",")
	if len(dsns) < 2 {
		t.Fatalf("testdb: %s names one node, want a cluster of at least 2", GaleraEnv)
	}
	for i, d := range dsns {
		if d == "" {
			t.Fatalf("testdb: %s: node %d has an empty DSN", GaleraEnv, i+1)
		}
	}
	return dsns
}

// SQLite opens a new, empty SQLite database file in t.TempDir() with the
// modernc driver, in WAL mode with a busy timeout so that concurrent writers
// wait for each other instead of failing with SQLITE_BUSY. It is closed when
// the test ends.
func SQLite(t testing.TB) *sql.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	return open(t, "sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)", "SQLite file "+path)
}

func open(t testing.TB, driver, dsn, what string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("testdb: open %s: %v", what, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		hint := ""
		if driver != "sqlite" {
			hint = "; is the server running? start it with: " + StartCommand
		}
		t.Fatalf("testdb: cannot reach %s: %v%s", what, err, hint)
	}
	return db
}

// prefixRE is what Table accepts as a prefix: an identifier that every
// supported database takes unquoted.
var prefixRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// tableRE is what DropOnCleanup accepts: a Table name, optionally qualified
// by a schema.
var tableRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$`)

// maxIdent is PostgreSQL's identifier limit (MySQL allows 64, SQLite more).
const maxIdent = 63

// randomHex is the number of hex digits Table appends: 48 random bits make a
// clash between the tables of one run, or a stale table of an earlier run,
// vanishingly unlikely.
const randomHex = 12

// Table returns a table name that no other test, package or run uses: the
// lower-cased prefix, an underscore and random hex digits, at most 63
// characters, safe to use unquoted in every supported database. The prefix
// must be an identifier (letters, digits, underscores, not starting with a
// digit); the test fails otherwise. Table does not create the table: pair it
// with DropOnCleanup.
func Table(t testing.TB, prefix string) string {
	t.Helper()
	if !prefixRE.MatchString(prefix) {
		t.Fatalf("testdb: table prefix %q is not an identifier ([A-Za-z_][A-Za-z0-9_]*)", prefix)
	}
	var b [randomHex / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("testdb: random table name: %v", err)
	}
	prefix = strings.ToLower(prefix)
	if n := maxIdent - 1 - randomHex; len(prefix) > n {
		prefix = prefix[:n]
	}
	return prefix + "_" + hex.EncodeToString(b[:])
}

// DropOnCleanup drops table from db when the test and its subtests have
// finished, whether they passed or not. Call it after opening db with this
// package, so that the drop runs before db is closed. A table that does not
// exist is not an error; a failed drop fails the test, since the table would
// outlive the run.
func DropOnCleanup(t testing.TB, db *sql.DB, table string) {
	t.Helper()
	if !tableRE.MatchString(table) {
		t.Fatalf("testdb: table name %q is not an identifier", table)
	}
	stmt := "DROP TABLE IF EXISTS " + quote(db, table)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Errorf("testdb: %s: %v", stmt, err)
		}
	})
}

// CreateTable creates a table of a fresh name (see Table) with the given
// column definitions in db, drops it when the test ends, and returns its
// name.
func CreateTable(t testing.TB, db *sql.DB, prefix, columns string) string {
	t.Helper()
	table := Table(t, prefix)
	DropOnCleanup(t, db, table)
	if _, err := db.ExecContext(t.Context(), "CREATE TABLE "+table+" ("+columns+")"); err != nil {
		t.Fatalf("testdb: creating %s: %v", table, err)
	}
	return table
}

// WaitForTable waits until table can be read through each of dbs, as a table
// created through one node of a cluster reaches the others a moment later. It
// fails the test when the table is still missing after 30 seconds.
func WaitForTable(t testing.TB, dbs []*sql.DB, table string) {
	t.Helper()
	waitForTable(t, dbs, table, replicationTimeout)
}

func waitForTable(t testing.TB, dbs []*sql.DB, table string, timeout time.Duration) {
	t.Helper()
	if !tableRE.MatchString(table) {
		t.Fatalf("testdb: table name %q is not an identifier", table)
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	for i, db := range dbs {
		query := "SELECT 1 FROM " + quote(db, table) + " WHERE 1 = 0"
		var last error // the database's answer, rather than the deadline
		for {
			err := db.QueryRowContext(ctx, query).Scan(new(int))
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			if ctx.Err() == nil || last == nil {
				last = err
			}
			select {
			case <-ctx.Done():
				t.Fatalf("testdb: table %s not readable through database %d of %d after %v: %v", table, i+1, len(dbs), timeout, last)
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
}

// CausalConn returns a connection to the Galera node db whose reads first
// wait until the node has applied every write that the cluster committed
// before them (wsrep_sync_wait = 1), so a row written through one node can be
// read back through any other. It is closed when the test ends, and not
// returned to db's pool, whose other connections keep reading without
// waiting.
func CausalConn(t testing.TB, db *sql.DB) *sql.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), pingTimeout)
	defer cancel()
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatalf("testdb: connect to a Galera node: %v", err)
	}
	// ErrBadConn makes database/sql close the connection instead of pooling it.
	t.Cleanup(func() { _ = c.Raw(func(any) error { return driver.ErrBadConn }) })
	if _, err := c.ExecContext(ctx, "SET SESSION wsrep_sync_wait = 1"); err != nil {
		t.Fatalf("testdb: SET SESSION wsrep_sync_wait = 1: %v", err)
	}
	return c
}

// quote quotes each part of a validated (schema-qualified) name in the
// dialect of db's driver, so a name with capitals drops the table that a
// quoted CREATE TABLE made.
func quote(db *sql.DB, name string) string {
	q := `"`
	if _, ok := db.Driver().(*mysql.MySQLDriver); ok {
		q = "`"
	}
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = q + p + q
	}
	return strings.Join(parts, ".")
}
