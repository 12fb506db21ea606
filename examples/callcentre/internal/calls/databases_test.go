package calls_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/examples/callcentre/internal/calls"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

// TestMain reports the tests skipped for want of a database server.
func TestMain(m *testing.M) { testdb.Main(m) }

// TestDatabases runs the service against each supported database: its
// SQL (placeholders, quoting, types, character sets) differs per dialect.
// PostgreSQL and MariaDB run when CASEMINT_POSTGRES_DSN and
// CASEMINT_MYSQL_DSN are set (see internal/testdb), and must under CI=true.
func TestDatabases(t *testing.T) {
	t.Parallel()
	dbs := []struct {
		name    string
		open    func(testing.TB) *sql.DB
		dialect store.Dialect
	}{
		{"sqlite", func(tb testing.TB) *sql.DB { db := testdb.SQLite(tb); db.SetMaxOpenConns(1); return db }, store.SQLite},
		{"postgres", func(tb testing.TB) *sql.DB { return pooled(testdb.Postgres(tb)) }, store.Postgres},
		{"mariadb", func(tb testing.TB) *sql.DB { return pooled(testdb.MySQL(tb)) }, store.MySQL},
	}
	for _, d := range dbs {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			db := d.open(t)
			t.Run("create, read back typed, list", func(t *testing.T) { testRoundTrip(t, db, d.dialect) })
			t.Run("concurrent creates", func(t *testing.T) {
				s := newService(t, db, d.dialect, options{timeout: concurrentTimeout})
				srv := httptest.NewServer(s.handler)
				defer srv.Close()
				testConcurrentCreates(t, s, srv, 64)
			})
			t.Run("exhausted", func(t *testing.T) { testExhausted(t, db, d.dialect) })
			t.Run("gap-free {seq}", func(t *testing.T) { testGapFree(t, db, d.dialect) })
		})
	}
}

// pooled caps a server database's pool as the service does: 64 requests
// then share 8 connections instead of making the server start 64 backends
// at once.
func pooled(db *sql.DB) *sql.DB {
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	return db
}

func testRoundTrip(t *testing.T, db *sql.DB, d store.Dialect) {
	s := newService(t, db, d, options{})
	names := []string{"Zoë Ångström", "李小龙", "🙂 O'Brien", "Robert'); DROP TABLE call_records;--", strings.Repeat("é", calls.MaxCallerName)}
	var numbers []string
	for _, name := range names {
		body, _ := json.Marshal(map[string]string{
			"callerName": name, "phone": "+44 20 7946 0018", "subject": "Router",
			"notes": "line 1\nline 2 ✓", "priority": "urgent",
		})
		a := s.post(string(body))
		if a.status != http.StatusCreated {
			t.Fatalf("create %q: status %d: %s", name, a.status, a.raw)
		}
		number := a.body["caseNumber"].(string)
		numbers = append(numbers, number)
		g := s.do(http.MethodGet, calls.CallsPath+"/"+strings.ToLower(strings.ReplaceAll(number, "-", "%20")), "", "")
		if g.status != http.StatusOK || !equalJSON(g.body["call"], a.body["call"]) {
			t.Errorf("read back %s: status %d\n got %s\nwant %s", number, g.status, g.raw, a.raw)
		}
	}
	var listed []string
	cursor := ""
	for range len(names) + 1 {
		a := s.do(http.MethodGet, calls.CallsPath+"?date=2025-09-29&limit=2&cursor="+cursor, "", "")
		if a.status != http.StatusOK {
			t.Fatalf("list: status %d: %s", a.status, a.raw)
		}
		for _, c := range a.body["calls"].([]any) {
			listed = append(listed, c.(map[string]any)["caseNumber"].(string))
		}
		next, more := a.body["nextCursor"].(string)
		if !more {
			break
		}
		cursor = next
	}
	if fmt.Sprint(listed) != fmt.Sprint(numbers) {
		t.Errorf("listed %v, want %v", listed, numbers)
	}
	a := s.do(http.MethodGet, calls.CallsPath+"/CASE-20250101-1735689600000-073", "", "")
	wantError(t, a, http.StatusNotFound, "call not found")
}

func testExhausted(t *testing.T, db *sql.DB, d store.Dialect) {
	s := newService(t, db, d, options{gen: []casenum.Option{
		casenum.WithLayout("T-{rand:1}"),
		casenum.WithFallbackLayout(""),
	}})
	for n := range 10 {
		err := s.store.Insert(context.Background(), calls.Call{CaseNumber: fmt.Sprintf("T-%d", n), CallerName: "x", Phone: "5550104477", Subject: "x", Priority: "low", CreatedAt: day})
		if err != nil {
			t.Fatal(err)
		}
	}
	a := s.post(validCall)
	wantError(t, a, http.StatusServiceUnavailable, "no case number available")
	if st := s.gen.Stats(); st.Exhausted != 1 || st.Errors != 0 {
		t.Errorf("Stats = %+v: the driver's unique violations were not all taken for collisions", st)
	}
}

// Concurrent creates under a {seq} layout number the day's calls 1 to n,
// none twice and none left out: each value is drawn in the transaction
// that stores its call, and an attempt the database aborted (MySQL's
// deadlocks on a scope's first row) takes its value back with it.
func testGapFree(t *testing.T, db *sql.DB, d store.Dialect) {
	const n = 32
	s := newService(t, db, d, options{timeout: concurrentTimeout, gen: []casenum.Option{
		casenum.WithLayout("CASE-{date}-{seq:6}{check}"),
	}})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	numbers := testConcurrentCreates(t, s, srv, n)
	var got []int
	for _, num := range numbers {
		var v int
		if _, err := fmt.Sscanf(num, "CASE-20250929-%6d", &v); err != nil || s.gen.Validate(num) != nil {
			t.Errorf("%q is not a number of the layout", num)
		}
		got = append(got, v)
	}
	slices.Sort(got)
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("sequence values %v, want 1 to %d", got, n)
		}
	}
}

// The time runs out while PostgreSQL runs the COMMIT (a deferred trigger
// makes it slow): pgx gives up on the connection and asks the server to
// cancel, which may or may not come in time. The answer must say that the
// call may be stored, with the number a lookup then finds or not.
func TestTimeoutDuringCommit(t *testing.T) {
	t.Parallel()
	db := pooled(testdb.Postgres(t))
	s := newService(t, db, store.Postgres, options{timeout: 300 * time.Millisecond})
	table := s.store.Table()
	ctx := context.Background()
	for _, stmt := range []string{
		`CREATE FUNCTION ` + table + `_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1); RETURN NULL; END $$`,
		`CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON ` + table + ` DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ` + table + `_slow()`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(ctx, `DROP FUNCTION IF EXISTS `+table+`_slow() CASCADE`); err != nil {
			t.Error(err)
		}
	})

	number := wantUnknown(t, s.post(validCall))
	// The lookup, once the server is done (the trigger sleeps a second),
	// outside the service's short time limit.
	time.Sleep(1500 * time.Millisecond)
	_, err := s.store.Get(ctx, number)
	if err != nil && !errors.Is(err, calls.ErrNotFound) {
		t.Fatalf("looking %s up: %v", number, err)
	}
	t.Logf("looking %s up after the unknown outcome: %v", number, err)
}
