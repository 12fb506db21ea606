package testdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// fakeTB records Skipf and Fatalf instead of ending the real test, so the
// helpers' refusals can be checked. Like the real ones, both stop the calling
// goroutine.
type fakeTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// withFake runs fn against a fakeTB on its own goroutine, as testing does, and
// returns what fn left in it.
func withFake(t *testing.T, fn func(tb testing.TB)) *fakeTB {
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

func TestMain(m *testing.M) { Main(m) }

// skipped returns how many skips are counted for env.
func skipped(env string) int {
	skips.Lock()
	defer skips.Unlock()
	return skips.n[env]
}

func TestDSN(t *testing.T) {
	// The fake skips below are not the package's: leave the count as found.
	skips.Lock()
	saved := maps.Clone(skips.n)
	skips.Unlock()
	t.Cleanup(func() {
		skips.Lock()
		skips.n = saved
		skips.Unlock()
	})
	helpers := []struct {
		env  string
		dsn  func(testing.TB) string
		set  string // a valid value
		skip string // the skip message
	}{
		{PostgresEnv, PostgresDSN, "user:pass@example/db", "CASEMINT_POSTGRES_DSN is not set (PostgreSQL)"},
		{MySQLEnv, MySQLDSN, "user:pass@example/db", "CASEMINT_MYSQL_DSN is not set (MariaDB)"},
		{GaleraEnv, func(tb testing.TB) string { return strings.Join(GaleraDSNs(tb), ",") }, "u@tcp(a)/db,u@tcp(b)/db",
			"CASEMINT_GALERA_DSNS is not set (Galera)"},
	}
	for _, h := range helpers {
		t.Run(h.env, func(t *testing.T) {
			t.Setenv(h.env, "")
			t.Setenv("CI", "")
			before := skipped(h.env)
			f := withFake(t, func(tb testing.TB) { h.dsn(tb) })
			if !f.skipped || f.failed {
				t.Fatalf("unset outside CI: skipped=%v failed=%v, want a skip", f.skipped, f.failed)
			}
			if n := skipped(h.env) - before; n != 1 {
				t.Errorf("a skip counted %d times for %s, want once", n, h.env)
			}
			if f.msg != h.skip {
				t.Errorf("skip message %q, want %q", f.msg, h.skip)
			}

			t.Setenv("CI", "true")
			f = withFake(t, func(tb testing.TB) { h.dsn(tb) })
			if !f.failed || f.skipped {
				t.Fatalf("unset under CI=true: skipped=%v failed=%v, want a failure", f.skipped, f.failed)
			}
			if !strings.Contains(f.msg, h.env) {
				t.Errorf("failure message %q does not mention %s", f.msg, h.env)
			}

			t.Setenv(h.env, h.set)
			var got string
			f = withFake(t, func(tb testing.TB) { got = h.dsn(tb) })
			if f.skipped || f.failed || got != h.set {
				t.Fatalf("set: got %q (skipped=%v failed=%v), want %q", got, f.skipped, f.failed, h.set)
			}
			if n := skipped(h.env) - before; n != 1 {
				t.Errorf("%d skips counted for %s after a skip, a CI failure and a set DSN, want 1", n, h.env)
			}
		})
	}
}

func TestSkipSummary(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		path   string
		counts map[string]int
		want   string
	}{
		{"/tmp/go-build1/b001/store.test", nil, ""},
		{"/tmp/go-build1/b001/store.test", map[string]int{PostgresEnv: 0}, ""},
		{"/tmp/go-build1/b001/store.test", map[string]int{MySQLEnv: 7, PostgresEnv: 9},
			"testdb: store: 16 tests skipped: CASEMINT_POSTGRES_DSN unset (9), CASEMINT_MYSQL_DSN unset (7); " +
				"set the variables to your servers' DSNs, or start servers with: " + StartCommand},
		{"/tmp/go-build1/b003/dbbench.test", map[string]int{GaleraEnv: 1, MySQLEnv: 2},
			"testdb: dbbench: 3 tests skipped: CASEMINT_MYSQL_DSN unset (2), CASEMINT_GALERA_DSNS unset (1); " +
				"set the variables to your servers' DSNs, or start servers with: " + StartCommand},
		{"/tmp/go-build1/b002/calls.test.exe", map[string]int{MySQLEnv: 1},
			"testdb: calls: 1 tests skipped: CASEMINT_MYSQL_DSN unset (1); " +
				"set the variables to your servers' DSNs, or start servers with: " + StartCommand},
	} {
		if got := skipSummary(c.path, c.counts); got != c.want {
			t.Errorf("skipSummary(%q, %v) =\n%q\nwant\n%q", c.path, c.counts, got, c.want)
		}
	}
}

func TestGaleraDSNsRefusesBadLists(t *testing.T) {
	for _, bad := range []string{"u@tcp(a)/db", "u@tcp(a)/db,", ",u@tcp(a)/db", "u@tcp(a)/db,,u@tcp(b)/db"} {
		t.Setenv(GaleraEnv, bad)
		f := withFake(t, func(tb testing.TB) { GaleraDSNs(tb) })
		if !f.failed || !strings.Contains(f.msg, GaleraEnv) {
			t.Errorf("%s=%q: failed=%v (%q), want a failure naming the variable", GaleraEnv, bad, f.failed, f.msg)
		}
	}
}

// TestMainPrintsSkips runs TestServerConnections in a child process with
// the DSN variables unset: its two subtests skip, and Main says so in one
// line, without -v.
func TestMainPrintsSkips(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServerConnections$", "-test.count=1")
	cmd.Env = append(os.Environ(), PostgresEnv+"=", MySQLEnv+"=", "CI=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(l, "testdb:") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "testdb: testdb: 2 tests skipped: CASEMINT_POSTGRES_DSN unset (1), CASEMINT_MYSQL_DSN unset (1); ") {
		t.Errorf("child printed summary lines %q, want one for 2 skips; output:\n%s", lines, out)
	}
}

func TestWaitForTable(t *testing.T) {
	t.Parallel()
	a, b := SQLite(t), SQLite(t)
	ctx := t.Context()
	for _, db := range []*sql.DB{a, b} {
		if _, err := db.ExecContext(ctx, "CREATE TABLE present (n INTEGER)"); err != nil {
			t.Fatal(err)
		}
	}
	f := withFake(t, func(tb testing.TB) { waitForTable(tb, []*sql.DB{a, b}, "present", time.Minute) })
	if f.failed {
		t.Errorf("a table on both databases: %s", f.msg)
	}

	// A table that appears while WaitForTable waits.
	created := make(chan error, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		_, err := b.ExecContext(ctx, "CREATE TABLE later (n INTEGER)")
		created <- err
	}()
	if _, err := a.ExecContext(ctx, "CREATE TABLE later (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	f = withFake(t, func(tb testing.TB) { waitForTable(tb, []*sql.DB{a, b}, "later", time.Minute) })
	if err := <-created; err != nil {
		t.Fatal(err)
	}
	if f.failed {
		t.Errorf("a table created on the second database while waiting: %s", f.msg)
	}

	// A table that never reaches the second database.
	if _, err := a.ExecContext(ctx, "CREATE TABLE only_a (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	f = withFake(t, func(tb testing.TB) { waitForTable(tb, []*sql.DB{a, b}, "only_a", 50*time.Millisecond) })
	if !f.failed || !strings.Contains(f.msg, "only_a") || !strings.Contains(f.msg, "database 2 of 2") || !strings.Contains(f.msg, "no such table") {
		t.Errorf("a table missing on the second database: failed=%v, message %q, want one naming the table, the database and the error", f.failed, f.msg)
	}

	f = withFake(t, func(tb testing.TB) { waitForTable(tb, []*sql.DB{a}, "t;drop", time.Minute) })
	if !f.failed {
		t.Errorf("an unsafe table name did not fail the test")
	}
}

func TestTable(t *testing.T) {
	t.Parallel()
	valid := regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	seen := make(map[string]bool)
	for i := 0; i < 1000; i++ {
		name := Table(t, "Cases")
		if !valid.MatchString(name) || !strings.HasPrefix(name, "cases_") {
			t.Fatalf("Table(%q) = %q: not a lower-case identifier with the prefix", "Cases", name)
		}
		if seen[name] {
			t.Fatalf("Table returned %q twice", name)
		}
		seen[name] = true
	}

	long := strings.Repeat("x", 100)
	if name := Table(t, long); len(name) > maxIdent || !valid.MatchString(name) {
		t.Errorf("Table(100 x's) = %q (%d chars), want a valid name of at most %d", name, len(name), maxIdent)
	}

	for _, bad := range []string{"", "1cases", "cases-x", "cases x", `cases"`, "cases;drop", "s.t"} {
		f := withFake(t, func(tb testing.TB) { Table(tb, bad) })
		if !f.failed {
			t.Errorf("Table(%q) did not fail the test", bad)
		}
	}
}

func TestDropOnCleanupRejectsUnsafeNames(t *testing.T) {
	t.Parallel()
	db := SQLite(t)
	for _, bad := range []string{"", "t;drop table x", `t"`, "a.b.c", "1t", strings.Repeat("t", 64)} {
		f := withFake(t, func(tb testing.TB) { DropOnCleanup(tb, db, bad) })
		if !f.failed {
			t.Errorf("DropOnCleanup(%q) did not fail the test", bad)
		}
	}
}

// CreateTable's table is there for the test and gone after it.
func TestCreateTable(t *testing.T) {
	t.Parallel()
	db := SQLite(t)
	var table string
	t.Run("test", func(t *testing.T) {
		table = CreateTable(t, db, "made", "n INT NOT NULL")
		if _, err := db.ExecContext(t.Context(), "INSERT INTO "+table+" (n) VALUES (1)"); err != nil {
			t.Fatal(err)
		}
	})
	if err := db.QueryRowContext(t.Context(), "SELECT 1 FROM "+table).Scan(new(int)); err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Errorf("after the test: %v, want no such table", err)
	}
}

func TestSQLitePragmas(t *testing.T) {
	t.Parallel()
	db := SQLite(t)
	// The pragmas are per connection: check on several pooled connections.
	db.SetMaxIdleConns(4)
	ctx := context.Background()
	var conns []*sql.Conn
	for i := 0; i < 4; i++ {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var mode string
		var timeout int
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || timeout != 10000 {
			t.Errorf("connection %d: journal_mode=%q busy_timeout=%d, want wal and 10000", i, mode, timeout)
		}
	}
	for _, c := range conns {
		_ = c.Close()
	}
}

// dialect is one database the helpers connect to, with how it quotes names.
type dialect struct {
	name  string
	open  func(testing.TB) *sql.DB
	quote string
	bind  func(i int) string
}

var dialects = []dialect{
	{"sqlite", SQLite, `"`, func(int) string { return "?" }},
	{"postgres", Postgres, `"`, func(i int) string { return fmt.Sprintf("$%d", i) }},
	{"mysql", MySQL, "`", func(int) string { return "?" }},
}

// TestDatabases checks each database end to end: it connects, enforces
// UNIQUE, and DropOnCleanup removes tables, including a mixed-case one that
// only a quoted name reaches.
func TestDatabases(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			ctx := t.Context()
			lower := Table(t, "testdb")
			mixed := "Mixed_" + Table(t, "Case")

			t.Run("use", func(t *testing.T) {
				for _, name := range []string{lower, mixed} {
					q := d.quote + name + d.quote
					DropOnCleanup(t, db, name)
					if _, err := db.ExecContext(ctx, "CREATE TABLE "+q+" (number VARCHAR(64) NOT NULL UNIQUE)"); err != nil {
						t.Fatalf("create %s: %v", name, err)
					}
					insert := "INSERT INTO " + q + " (number) VALUES (" + d.bind(1) + ")"
					if _, err := db.ExecContext(ctx, insert, "CASE-1"); err != nil {
						t.Fatalf("first insert into %s: %v", name, err)
					}
					if _, err := db.ExecContext(ctx, insert, "CASE-1"); err == nil {
						t.Fatalf("second insert of the same number into %s succeeded; UNIQUE is not enforced", name)
					}
				}
			})

			for _, name := range []string{lower, mixed} {
				q := d.quote + name + d.quote
				var n int
				if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+q).Scan(&n); err == nil {
					t.Errorf("table %s still exists after the subtest's cleanup", name)
				}
			}
		})
	}
}

// TestServerConnections checks that each server accepts as many concurrent
// clients as the concurrency tests open, with room for a parallel package.
func TestServerConnections(t *testing.T) {
	t.Parallel()
	const clients = 64
	for _, d := range dialects[1:] {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			var (
				wg    sync.WaitGroup
				mu    sync.Mutex
				conns []*sql.Conn
				errs  []error
			)
			for i := 0; i < clients; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, err := db.Conn(ctx)
					if err == nil {
						err = c.PingContext(ctx)
					}
					mu.Lock()
					defer mu.Unlock()
					if c != nil {
						conns = append(conns, c)
					}
					if err != nil {
						errs = append(errs, err)
					}
				}()
			}
			wg.Wait()
			open := db.Stats().OpenConnections
			for _, c := range conns {
				_ = c.Close()
			}
			if len(errs) > 0 {
				t.Fatalf("%d of %d concurrent connections failed; first: %v", len(errs), clients, errs[0])
			}
			if open < clients {
				t.Errorf("open connections = %d, want %d held at once", open, clients)
			}
		})
	}
}

// TestGalera checks the cluster end to end: its nodes are synced in one
// cluster, and a table and a row written through node 1 reach every node, as
// does the table's drop.
func TestGalera(t *testing.T) {
	t.Parallel()
	nodes := Galera(t)
	ctx := t.Context()
	for i, db := range nodes {
		size, state := wsrepStatus(t, db, "wsrep_cluster_size"), wsrepStatus(t, db, "wsrep_local_state_comment")
		if size != fmt.Sprint(len(nodes)) || state != "Synced" {
			t.Fatalf("node %d: wsrep_cluster_size=%s wsrep_local_state_comment=%s, want %d and Synced", i+1, size, state, len(nodes))
		}
	}

	table := Table(t, "galera")
	t.Run("replicate", func(t *testing.T) {
		DropOnCleanup(t, nodes[0], table)
		if _, err := nodes[0].ExecContext(ctx, "CREATE TABLE "+table+" (number VARCHAR(64) NOT NULL UNIQUE)"); err != nil {
			t.Fatal(err)
		}
		WaitForTable(t, nodes, table)
		if _, err := nodes[0].ExecContext(ctx, "INSERT INTO "+table+" (number) VALUES (?)", "CASE-1"); err != nil {
			t.Fatal(err)
		}
		for i, db := range nodes {
			var got string
			if err := CausalConn(t, db).QueryRowContext(ctx, "SELECT number FROM "+table).Scan(&got); err != nil || got != "CASE-1" {
				t.Errorf("node %d: read %q, %v; want the row written through node 1", i+1, got, err)
			}
		}
	})

	for i, db := range nodes {
		var n int
		err := CausalConn(t, db).QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n)
		var me *mysql.MySQLError
		if !errors.As(err, &me) || me.Number != 1146 { // ER_NO_SUCH_TABLE
			t.Errorf("node %d: table %s after its drop through node 1: %v, want error 1146", i+1, table, err)
		}
	}
}

// wsrepStatus returns a Galera status variable of the node db.
func wsrepStatus(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var value string
	if err := db.QueryRowContext(t.Context(), "SHOW GLOBAL STATUS LIKE ?", name).Scan(&name, &value); err != nil {
		t.Fatalf("SHOW GLOBAL STATUS LIKE %q: %v", name, err)
	}
	return value
}

// TestCausalConnLeavesThePool checks that the setting of a causal connection
// does not reach the pool it came from.
func TestCausalConnLeavesThePool(t *testing.T) {
	t.Parallel()
	db := Galera(t)[0]
	db.SetMaxOpenConns(1) // the pool's one connection is the causal one, if it comes back
	wait := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int {
		var v int
		if err := q.QueryRowContext(t.Context(), "SELECT @@session.wsrep_sync_wait").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	t.Run("causal", func(t *testing.T) {
		if got := wait(CausalConn(t, db)); got != 1 {
			t.Errorf("causal connection: wsrep_sync_wait = %d, want 1", got)
		}
	})
	if got := wait(db); got != 0 {
		t.Errorf("pooled connection after the causal one: wsrep_sync_wait = %d, want 0", got)
	}
}
