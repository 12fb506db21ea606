package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

// TestMain reports the tests skipped for want of a database server.
func TestMain(m *testing.M) { testdb.Main(m) }

func TestParseDSN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dsn                     string
		driver                  string
		dialect                 store.Dialect
		source, display, hidden string // hidden must not appear in display
	}{
		{"", "sqlite", store.SQLite, defaultSQLiteFile() + sqlitePragmas, defaultSQLiteFile(), ""},
		{"calls.db", "sqlite", store.SQLite, "calls.db" + sqlitePragmas, "calls.db", ""},
		{"./data/calls.db", "sqlite", store.SQLite, "./data/calls.db" + sqlitePragmas, "./data/calls.db", ""},
		{"sqlite:/var/lib/calls.db", "sqlite", store.SQLite, "/var/lib/calls.db" + sqlitePragmas, "/var/lib/calls.db", ""},
		{"sqlite:///var/lib/calls.db", "sqlite", store.SQLite, "/var/lib/calls.db" + sqlitePragmas, "/var/lib/calls.db", ""},
		{"postgres://u:s3cret@db:5432/calls?sslmode=disable", "pgx", store.Postgres,
			"postgres://u:s3cret@db:5432/calls?sslmode=disable", "postgres://u:xxxxx@db:5432/calls?sslmode=disable", "s3cret"},
		{"postgresql://u@db/calls", "pgx", store.Postgres, "postgresql://u@db/calls", "postgresql://u@db/calls", ""},
		{"mysql://u:s3cret@db:3307/calls?tls=false", "mysql", store.MySQL,
			"u:s3cret@tcp(db:3307)/calls?interpolateParams=true&parseTime=true&tls=false", "u:xxxxx@tcp(db:3307)/calls?interpolateParams=true&parseTime=true&tls=false", "s3cret"},
		{"mysql://u:p%40ss@db/calls", "mysql", store.MySQL,
			"u:p@ss@tcp(db:3306)/calls?interpolateParams=true&parseTime=true", "u:xxxxx@tcp(db:3306)/calls?interpolateParams=true&parseTime=true", "p@ss"},
		{"u:s3cret@tcp(127.0.0.1:33069)/calls?parseTime=true&interpolateParams=true", "mysql", store.MySQL,
			"u:s3cret@tcp(127.0.0.1:33069)/calls?interpolateParams=true&parseTime=true", "u:xxxxx@tcp(127.0.0.1:33069)/calls?interpolateParams=true&parseTime=true", "s3cret"},
		{"u@unix(/run/mysqld/mysqld.sock)/calls?interpolateParams=false", "mysql", store.MySQL,
			"u@unix(/run/mysqld/mysqld.sock)/calls?parseTime=true", "u@unix(/run/mysqld/mysqld.sock)/calls?parseTime=true", ""},
	}
	for _, tt := range tests {
		d, err := parseDSN(tt.dsn)
		if err != nil {
			t.Errorf("parseDSN(%q): %v", tt.dsn, err)
			continue
		}
		if d.driver != tt.driver || d.dialect != tt.dialect || d.source != tt.source || d.display != tt.display {
			t.Errorf("parseDSN(%q) = %s %v %q shown as %q;\nwant %s %v %q shown as %q",
				tt.dsn, d.driver, d.dialect, d.source, d.display, tt.driver, tt.dialect, tt.source, tt.display)
		}
		if tt.hidden != "" && strings.Contains(d.display, tt.hidden) {
			t.Errorf("parseDSN(%q): display %q shows the password", tt.dsn, d.display)
		}
	}
}

// Without -db the records go to the user's cache directory, created if
// missing, or else to the working directory: never to a path other users
// share.
func TestDefaultDatabase(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "cache")
	t.Setenv("XDG_CACHE_HOME", cache) // the cache directory on Linux and the BSDs
	dir, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	d, err := parseDSN("")
	if want := filepath.Join(dir, "casemint", "callcentre.db"); err != nil || d.display != want {
		t.Fatalf("parseDSN(\"\") = %q, %v; want %q", d.display, err, want)
	}
	if runtime.GOOS == "linux" && !strings.HasPrefix(d.display, cache) {
		t.Errorf("default database %s is not under XDG_CACHE_HOME %s", d.display, cache)
	}
	db, err := d.open(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(d.display); err != nil {
		t.Errorf("the default database was not created: %v", err)
	}

	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	if _, err := os.UserCacheDir(); err == nil {
		return // this system has a cache directory without either variable
	}
	if got := defaultSQLiteFile(); got != "callcentre.db" {
		t.Errorf("without a cache directory: %q, want callcentre.db in the working directory", got)
	}
}

func TestParseDSNRejects(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
		"redis://localhost:6379",
		"sqlite:",
		"calls.db?_pragma=foo",
		"mysql://u:s3cret@db/calls?parseTime=maybe",
		"postgres://u:s3cret@db:port/calls",
		"host=localhost user=app password=s3cret dbname=calls", // key=value: not an SQLite file
		"app:s3cret@/calls",                                    // MySQL without tcp(...)
	} {
		_, err := parseDSN(dsn)
		if err == nil {
			t.Errorf("parseDSN(%q) = nil error", dsn)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("parseDSN(%q) error shows the password: %v", dsn, err)
		}
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	c, err := parseFlags(nil, io.Discard)
	if err != nil || c.addr != "127.0.0.1:8080" || c.logLevel != slog.LevelInfo || c.selftest != 0 {
		t.Errorf("defaults: %+v, %v", c, err)
	}
	c, err = parseFlags([]string{"-selftest", "10"}, io.Discard)
	if err != nil || c.logLevel != slog.LevelError {
		t.Errorf("self-test logs errors only by default: %+v, %v", c, err)
	}
	c, err = parseFlags([]string{"-selftest", "10", "-log-level", "debug"}, io.Discard)
	if err != nil || c.logLevel != slog.LevelDebug {
		t.Errorf("-log-level wins in a self-test: %+v, %v", c, err)
	}
	for _, args := range [][]string{
		{"-bogus"}, {"extra"}, {"-selftest", "-1"}, {"-concurrency", "0"}, {"-db-conns", "0"}, {"-log-level", "loud"},
		{"-request-timeout", "0s"}, {"-request-timeout", "-1s"},
	} {
		var stderr bytes.Buffer
		if _, err := parseFlags(args, &stderr); !errors.Is(err, errUsage) || stderr.Len() == 0 {
			t.Errorf("parseFlags(%q) = %v with message %q, want errUsage and a message", args, err, stderr.String())
		}
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

func TestRunRejectsBadLayout(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), []string{"-selftest", "1", "-layout", "CASE-{nope}"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "{nope}") {
		t.Errorf("run with a bad layout = %v, want an error naming the token", err)
	}
}

// Shutdown stops accepting connections, lets the request in flight finish
// with its answer, and then serve returns nil.
func TestServeShutsDownGracefully(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})
	addr, cancel, served := startServe(t, h, 10*time.Second)
	defer cancel()

	answered := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			answered <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answered <- string(b)
	}()
	<-started
	cancel() // as SIGINT or SIGTERM would

	// The listener closes at once; serve waits for the request.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("serve returned %v while a request was in flight", err)
	default:
	}
	close(release)
	if got := <-answered; got != "finished" {
		t.Errorf("the request in flight got %q, want its answer", got)
	}
	if err := <-served; err != nil {
		t.Errorf("serve = %v, want nil after a graceful shutdown", err)
	}
}

// startServe runs serve with h on a loopback port and the shutdown grace
// period grace, until cancel is called; served receives what serve returns.
func startServe(t *testing.T, h http.Handler, grace time.Duration) (addr string, cancel context.CancelFunc, served <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logger := slog.New(slog.DiscardHandler)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, newHTTPServer(h, config{requestTimeout: time.Second}, logger), ln, logger, grace)
	}()
	return ln.Addr().String(), cancel, done
}

// A request that net/http cannot parse, such as one with a bad
// percent-escape, is answered in JSON like every other.
func TestServeAnswersUnparsableRequestsInJSON(t *testing.T) {
	t.Parallel()
	addr, cancel, served := startServe(t, http.NotFoundHandler(), time.Second)
	defer func() { cancel(); <-served }()

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /api/call-centre/calls/%zz HTTP/1.1\r\nHost: calls\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Success *bool  `json:"success"`
		Error   string `json:"error"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" ||
		err != nil || body.Success == nil || *body.Success || body.Error != "bad request" {
		t.Errorf("answer %d %q %+v (%v), want a JSON 400", resp.StatusCode, resp.Header.Get("Content-Type"), body, err)
	}
}

// A request whose body stalls is answered 408 in JSON by the service as
// main builds it, with the default time limit and a short one: the
// deadline that cuts the body leaves the server time to write the answer.
func TestServeAnswersStalledBody(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{"default": nil, "short": {"-request-timeout", "300ms"}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testStalledBody(t, startService(t, args...))
		})
	}
}

func testStalledBody(t *testing.T, addr string) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /api/call-centre/calls HTTP/1.1\r\nHost: calls\r\nContent-Type: application/json\r\n"+
		"Content-Length: 200\r\n\r\n{\"callerName\":\"Ada\",")
	_ = conn.SetReadDeadline(time.Now().Add(time.Minute)) // the test's own limit, far past the service's
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		Success *bool  `json:"success"`
		Error   string `json:"error"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusRequestTimeout || err != nil || body.Success == nil || *body.Success || body.Error != "request timeout" {
		t.Errorf("answer %d %+v (%v), want a JSON 408 request timeout", resp.StatusCode, body, err)
	}
}

// startService runs the service as main does, with args but on a loopback
// port and an SQLite file of the test's own, until the test ends, and
// returns its address.
func startService(t *testing.T, args ...string) string {
	t.Helper()
	args = append(slices.Clone(args), "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "calls.db"))
	cfg, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	addrs := make(chan string, 1)
	listen := func(network, addr string) (net.Listener, error) {
		ln, err := net.Listen(network, addr)
		if err == nil {
			addrs <- ln.Addr().String()
		}
		return ln, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveDB(ctx, cfg, slog.New(slog.DiscardHandler), listen) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case addr := <-addrs:
		return addr
	case err := <-done:
		done <- err // for the cleanup
		t.Fatalf("serve: %v", err)
		return ""
	}
}

// A shutdown that outlasts its grace period reports it.
func TestServeShutdownTimeout(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	block := make(chan struct{})
	defer close(block)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-block
	})
	addr, cancel, served := startServe(t, h, 50*time.Millisecond)
	go func() {
		if resp, err := http.Get("http://" + addr + "/"); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	cancel()
	if err := <-served; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("serve = %v, want the shutdown's deadline", err)
	}
}

func TestSelftestSQLite(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := runArgs(t, &stdout, &stderr, "-selftest", "60", "-concurrency", "8")
	if err != nil {
		t.Fatalf("self-test: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"created     60\n", "failed      0\n", "read back   60 (30 typed in lower case), missing 0\n",
		"rows        60 (60 distinct case numbers)\n", "duplicates  0\n", "result      PASS\n",
		"database    sqlite ", "layout      CASE-{date}-{unixms}-{rand:3} (fallback CASE-{date}-{uuid:8})",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// A small layout proves that collisions are retried: 150 numbers from 100
// values collide many times, fill the space and go on to the fallback, and
// not one request fails.
func TestSelftestSmallLayoutCollides(t *testing.T) {
	t.Parallel()
	cfg, err := parseFlags([]string{"-selftest", "150", "-concurrency", "8", "-layout", "C-{date}-{rand:2}", "-expect-collisions", "-request-timeout", selftestTimeout}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s, err := runSelftest(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if p := s.problems(true); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
	if s.Created != 150 || s.Stats.Collisions == 0 || s.Stats.Fallbacks == 0 || s.Stats.Minted != 150 {
		t.Errorf("summary %+v, want 150 created with collisions and fallbacks", s)
	}
}

// With -table the self-test adds its calls to that table and keeps it: a
// second run finds the first run's calls there and counts only its own.
func TestSelftestHonoursTable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "calls.db")
	for run := 1; run <= 2; run++ {
		var stdout bytes.Buffer
		err := runArgs(t, &stdout, io.Discard, "-selftest", "5", "-db", path, "-table", "my_calls")
		if err != nil || !strings.Contains(stdout.String(), ", table my_calls\n") || !strings.Contains(stdout.String(), "rows        5 ") {
			t.Fatalf("run %d: %v\n%s", run, err, stdout.String())
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM my_calls`).Scan(&n); err != nil || n != 10 {
		t.Errorf("my_calls holds %d rows (%v), want the 10 of both runs", n, err)
	}
}

// The layout the README recommends, {seq} and all, passes the self-test.
func TestSelftestSeqLayout(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	if err := runArgs(t, &stdout, io.Discard, "-selftest", "40", "-concurrency", "8", "-layout", "CASE-{date}-{seq:6}{check}"); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	// A series never leaves its series unless -fallback-layout says so.
	if !strings.Contains(stdout.String(), "(fallback none)") {
		t.Errorf("a {seq} layout has a fallback:\n%s", stdout.String())
	}
}

// runArgs runs the command with args and a request limit of
// selftestTimeout.
func runArgs(t *testing.T, stdout, stderr io.Writer, args ...string) error {
	t.Helper()
	return run(context.Background(), append(args, "-request-timeout", selftestTimeout), stdout, stderr)
}

// selftestTimeout is the request limit of the self-tests run by the tests:
// they check what is stored, not latency, which the race detector on a
// small, busy machine stretches far.
const selftestTimeout = "30s"

func TestSelftestFailsWithoutExpectedCollisions(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	err := runArgs(t, &stdout, io.Discard, "-selftest", "5", "-layout", "C-{uuid}", "-expect-collisions")
	if err == nil || !strings.Contains(err.Error(), "no collisions") || !strings.Contains(stdout.String(), "result      FAIL") {
		t.Errorf("self-test = %v, want a failure for lack of collisions:\n%s", err, stdout.String())
	}
}

func TestSummaryProblems(t *testing.T) {
	t.Parallel()
	ok := summary{Requests: 10, Created: 10, ReadBack: 10, Rows: 10, DistinctRows: 10}
	if p := ok.problems(false); len(p) != 0 {
		t.Errorf("clean run: problems %v", p)
	}
	bad := []summary{
		{Requests: 10, Created: 9, Failed: 1, ReadBack: 9, Rows: 9, DistinctRows: 9},
		{Requests: 10, Created: 10, ReadBack: 9, Missing: 1, Rows: 10, DistinctRows: 10},
		{Requests: 10, Created: 10, ReadBack: 10, Rows: 11, DistinctRows: 11},
		{Requests: 10, Created: 10, ReadBack: 10, Rows: 10, DistinctRows: 10, Duplicates: 1},
	}
	for _, s := range bad {
		if p := s.problems(false); len(p) == 0 {
			t.Errorf("%+v: no problems found", s)
		}
	}
}

func TestSelftestServers(t *testing.T) {
	t.Parallel()
	for _, d := range []struct {
		name string
		dsn  func(testing.TB) string
	}{
		{"postgres", testdb.PostgresDSN},
		{"mariadb", testdb.MySQLDSN},
	} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			var stdout bytes.Buffer
			err := runArgs(t, &stdout, io.Discard, "-selftest", "60", "-concurrency", "8", "-db", d.dsn(t))
			if err != nil || !strings.Contains(stdout.String(), "result      PASS") {
				t.Errorf("self-test: %v\n%s", err, stdout.String())
			}
		})
	}
}

func TestOpenCapsThePool(t *testing.T) {
	t.Parallel()
	d, err := parseDSN(testdb.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	db, err := d.open(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.Stats().MaxOpenConnections; got != 3 {
		t.Errorf("MaxOpenConnections = %d, want the -db-conns value 3", got)
	}
}
