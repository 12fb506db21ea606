package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/internal/readme"
)

// mainLayout is the layout main mints with.
const mainLayout = "CASE-{date}-{alnum:6}{check}"

// newDB opens a fresh database as main does, in a temporary directory.
func newDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := openDB(filepath.Join(t.TempDir(), "calls.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func post(t *testing.T, h http.Handler, subject string) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.PostForm(srv.URL, url.Values{"subject": {subject}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

// A taken number is retried: the second call gets the next candidate.
func TestCreateCall(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	gen, err := casenum.New(casenum.WithLayout("CASE-{alnum:6}{check}"),
		casenum.WithRandom(casenumtest.Tokens("alnum:7KQ2M9", "alnum:7KQ2M9", "alnum:8HJ3N4")))
	if err != nil {
		t.Fatal(err)
	}
	h := createCall(db, gen)
	var numbers []string
	for _, subject := range []string{"Billing", "Router"} {
		status, body := post(t, h, subject)
		if status != http.StatusCreated || gen.Validate(body) != nil {
			t.Fatalf("%s: %d %q", subject, status, body)
		}
		numbers = append(numbers, body)
	}
	if !strings.HasPrefix(numbers[0], "CASE-7KQ2M9") || !strings.HasPrefix(numbers[1], "CASE-8HJ3N4") {
		t.Errorf("numbers %v", numbers)
	}
	var subject string
	if err := db.QueryRow(`SELECT subject FROM calls WHERE case_number = ?`, numbers[1]).Scan(&subject); err != nil || subject != "Router" {
		t.Errorf("stored %q, %v", subject, err)
	}
}

// The quickstart holds under load: 400 calls, 32 at a time, over real HTTP
// to a database opened as main opens it, are all stored under distinct
// numbers.
func TestCreateCallUnderLoad(t *testing.T) {
	t.Parallel()
	const calls, clients = 400, 32
	db := newDB(t)
	gen, err := casenum.New(casenum.WithLayout(mainLayout))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(createCall(db, gen))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer client.CloseIdleConnections()

	answers := make([]string, calls)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for i := range jobs {
				answers[i] = postTo(client, srv.URL, fmt.Sprintf("call %d", i))
			}
		})
	}
	for i := range calls {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	failed := 0
	for i, a := range answers {
		if !strings.HasPrefix(a, "201 ") || gen.Validate(strings.TrimPrefix(a, "201 ")) != nil {
			failed++
			if failed <= 5 {
				t.Errorf("call %d: %s", i, a)
			}
		}
	}
	var rows, distinct int
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT case_number) FROM calls`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if failed > 0 || rows != calls || distinct != calls {
		t.Errorf("%d of %d calls failed; the table holds %d rows, %d distinct numbers; want %d", failed, calls, rows, distinct, calls)
	}
}

// postTo posts a call with subject to url and returns the answer's status
// and body, or the error.
func postTo(c *http.Client, url, subject string) string {
	resp, err := c.PostForm(url, map[string][]string{"subject": {subject}})
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(body)))
}

// Every other outcome has its own answer; the uncertain one names the number.
func TestCreateCallAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err    error
		status int
		body   string
	}{
		{fmt.Errorf("read: %w", casenum.ErrUncertain), http.StatusGatewayTimeout, "outcome unknown: look up T-0"},
		{casenum.ErrDuplicate, http.StatusServiceUnavailable, "no case number free"},
		{sqliteBusy{}, http.StatusServiceUnavailable, "the database is busy"},
		{errors.New("disk full"), http.StatusInternalServerError, "internal error"},
	} {
		gen, err := casenum.New(casenum.WithLayout("T-{rand:1}"), casenum.WithFallbackLayout(""),
			casenum.WithRandom(casenumtest.Tokens("rand:0")), casenum.WithRetry(casenum.Retry{Attempts: 2}))
		if err != nil {
			t.Fatal(err)
		}
		db := failingDB(t, tc.err)
		srv := httptest.NewServer(createCall(db, gen))
		resp, err := http.PostForm(srv.URL, url.Values{"subject": {"x"}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != tc.status || strings.TrimSpace(string(body)) != tc.body {
			t.Errorf("%v: %d %q, want %d %q", tc.err, resp.StatusCode, body, tc.status, tc.body)
		}
		if retry := resp.Header.Get("Retry-After"); (tc.status == http.StatusServiceUnavailable) != (retry != "") {
			t.Errorf("%v: Retry-After %q with status %d", tc.err, retry, resp.StatusCode)
		}
	}
}

// sqliteBusy is SQLite's SQLITE_BUSY as modernc.org/sqlite reports it.
type sqliteBusy struct{}

func (sqliteBusy) Error() string { return "database is locked (5) (SQLITE_BUSY)" }
func (sqliteBusy) Code() int     { return 5 }

// failingDB returns a database whose every statement fails with err.
func failingDB(t *testing.T, err error) *sql.DB {
	t.Helper()
	db := sql.OpenDB(failing{err})
	t.Cleanup(func() { db.Close() })
	return db
}

// failing is a database/sql connector, connection and driver whose
// statements return err.
type failing struct{ err error }

func (f failing) Connect(context.Context) (driver.Conn, error) { return f, nil }
func (f failing) Driver() driver.Driver                        { return f }
func (f failing) Open(string) (driver.Conn, error)             { return f, nil }
func (f failing) Prepare(string) (driver.Stmt, error)          { return nil, f.err }
func (f failing) Close() error                                 { return nil }
func (f failing) Begin() (driver.Tx, error)                    { return nil, f.err }
func (f failing) ExecContext(context.Context, string, []driver.NamedValue) (driver.Result, error) {
	return nil, f.err
}

// The README's test: a fake clock and chosen random digits make the exact
// numbers known in advance, the second after a collision.
func TestCreateRetriesATakenNumber(t *testing.T) {
	gen, err := casenum.New(
		casenum.WithClock(casenumtest.NewClock(time.UnixMilli(1759131413832))), // 2025-09-29
		casenum.WithRandom(casenumtest.Tokens("rand:073", "rand:073", "rand:074")),
	)
	if err != nil {
		t.Fatal(err)
	}
	table := casenumtest.NewStore() // an in-memory table with a UNIQUE column
	for _, want := range []string{"CASE-20250929-1759131413832-073", "CASE-20250929-1759131413832-074"} {
		got, err := gen.Create(t.Context(), table.Insert)
		if err != nil || got != want {
			t.Fatalf("Create = %q, %v; want %q", got, err, want)
		}
	}
}

// The README's curl line gets the answer the README shows from the handler
// main serves, on a fresh database.
func TestREADMECurlLines(t *testing.T) {
	t.Parallel()
	scripts, err := readme.ScriptsFor("../..", "./examples/quickstart")
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatal("no README block of curl lines starts the quickstart")
	}
	for _, s := range scripts {
		if len(s.Args) > 0 {
			t.Errorf("%s: the quickstart takes no arguments, not %q", s, s.Args)
			continue
		}
		gen, err := casenum.New(casenum.WithLayout(mainLayout))
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		mux.Handle("POST /calls", createCall(newDB(t), gen))
		srv := httptest.NewServer(mux)
		defer srv.Close()
		svc := readme.Service{
			Addr:   srv.Listener.Addr().String(),
			Names:  []string{"localhost:8080"},
			Number: func(n string) bool { return gen.Validate(n) == nil },
		}
		if err := s.Run(svc); err != nil {
			t.Error(err)
		}
	}
}

// The README shows this program and TestCreateRetriesATakenNumber as they
// are: a change to either must reach the README too.
func TestREADMEShowsThisCode(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for file, from := range map[string]string{"main.go": "package main", "main_test.go": "func TestCreateRetriesATakenNumber"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		code := string(src)
		code = code[strings.Index(code, from):]
		if file == "main_test.go" {
			code = code[:strings.Index(code, "\n}\n")+3]
		}
		// The program is shown whole: its listing ends where the file does.
		if file == "main.go" {
			code = "```go\n" + code + "```\n"
		}
		if !strings.Contains(string(readme), code) {
			t.Errorf("README.md does not show %s as it is, from %q", file, from)
		}
	}
}
