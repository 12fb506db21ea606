package calls_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/examples/callcentre/internal/calls"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

// day is the fixed time of the tests: the Generator's clock and the
// handler's Now both read it.
var day = time.Date(2025, 9, 29, 9, 30, 0, 0, time.UTC)

// service is the handler on a real database, with its logs kept.
type service struct {
	t       testing.TB
	handler http.Handler
	store   *calls.Store
	gen     *casenum.Generator
	logs    *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// options tune newService.
type options struct {
	now     func() time.Time
	timeout time.Duration
	gen     []casenum.Option
	metrics bool
}

// newService builds the handler on db in a fresh table. By default the
// Generator's clock and Now are fixed at day and its Random is seeded, so
// case numbers are repeatable; concurrent creates then share one millisecond
// and collide now and then, which is the point.
func newService(t testing.TB, db *sql.DB, d store.Dialect, o options) *service {
	t.Helper()
	table := testdb.Table(t, "calls")
	testdb.DropOnCleanup(t, db, table)
	testdb.DropOnCleanup(t, db, table+"_seq")
	st, err := calls.NewStore(db, d, table)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock := casenumtest.NewClock(day)
	if o.now == nil {
		o.now = clock.Now
	}
	opts := append([]casenum.Option{
		casenum.WithClock(clock),
		casenum.WithRandom(casenumtest.NewRandom(1)),
		casenum.WithSequence(st.Sequence()),
	}, o.gen...)
	gen, err := casenum.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	h, err := calls.NewHandler(calls.Config{
		Store:          st,
		Generator:      gen,
		Logger:         slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:            o.now,
		RequestTimeout: o.timeout,
		Metrics:        o.metrics,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &service{t: t, handler: h, store: st, gen: gen, logs: logs}
}

// answer is a decoded response.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends a request through the handler and decodes the JSON answer,
// failing the test if the answer is not JSON.
func (s *service) do(method, target, contentType, body string) answer {
	s.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return decode(s.t, rec.Code, rec.Header(), rec.Body.String())
}

func decode(t testing.TB, status int, h http.Header, raw string) answer {
	t.Helper()
	a := answer{status: status, header: h, raw: raw}
	if ct := h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q, want JSON; body %s", ct, raw)
	}
	if err := json.Unmarshal([]byte(raw), &a.body); err != nil {
		t.Fatalf("status %d, body is not a JSON object: %v: %s", status, err, raw)
	}
	return a
}

// post creates a call from a JSON body.
func (s *service) post(body string) answer {
	s.t.Helper()
	return s.do(http.MethodPost, calls.CallsPath, "application/json", body)
}

// mustCreate creates a call and returns its case number.
func (s *service) mustCreate(body string) string {
	s.t.Helper()
	a := s.post(body)
	if a.status != http.StatusCreated {
		s.t.Fatalf("create: status %d: %s", a.status, a.raw)
	}
	return a.body["caseNumber"].(string)
}

// rows counts the rows of the service's table.
func (s *service) rows() int64 {
	s.t.Helper()
	n, _, err := s.store.Count(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// wantError checks an error answer: status, the stable message, and that
// details is present.
func wantError(t testing.TB, a answer, status int, msg string) {
	t.Helper()
	if a.status != status {
		t.Errorf("status %d, want %d: %s", a.status, status, a.raw)
	}
	if a.body["success"] != false {
		t.Errorf("success = %v, want false: %s", a.body["success"], a.raw)
	}
	if a.body["error"] != msg {
		t.Errorf("error = %q, want %q", a.body["error"], msg)
	}
	if d, ok := a.body["details"]; !ok || d == "" || d == nil {
		t.Errorf("details missing: %s", a.raw)
	}
	if len(a.body) != 3 {
		t.Errorf("error body has keys beyond success, error, details: %s", a.raw)
	}
}

// keys returns the keys of a JSON object, for shape checks.
func keys(m any) []string {
	obj, _ := m.(map[string]any)
	var ks []string
	for k := range obj {
		ks = append(ks, k)
	}
	return ks
}

const validCall = `{"callerName":"Ada Lovelace","phone":"+44 20 7946 0018","subject":"Router keeps rebooting","notes":"Since Monday.","priority":"high"}`

// raw sends req, as it goes on the wire, to the server at addr, closes its
// side of the connection if halfClose (the client has nothing more to
// send), and reads the answer, which must be JSON.
func raw(t testing.TB, addr, req string, halfClose bool) answer {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	if halfClose {
		if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer's body: %v", err)
	}
	return decode(t, resp.StatusCode, resp.Header, string(b))
}

// noLeak fails the test if the answer holds text of the server's insides.
func noLeak(t testing.TB, a answer, leaks ...string) {
	t.Helper()
	for _, leak := range append(leaks, "127.0.0.1", "tcp", "i/o timeout", "casenum", "store:", "calls:") {
		if strings.Contains(a.raw, leak) {
			t.Errorf("answer leaks %q: %s", leak, a.raw)
		}
	}
}

// wantUnknown checks the answer to a create whose outcome is unknown and
// returns the case number it gives.
func wantUnknown(t testing.TB, a answer) string {
	t.Helper()
	number, _ := a.body["caseNumber"].(string)
	if a.status != http.StatusGatewayTimeout || a.body["success"] != false || a.body["error"] != "outcome unknown" || number == "" {
		t.Fatalf("answer %d %s, want 504 outcome unknown with the caseNumber", a.status, a.raw)
	}
	if d, _ := a.body["details"].(string); !strings.Contains(d, "GET "+calls.CallsPath+"/"+number) {
		t.Errorf("details %q do not say where to look the call up", d)
	}
	if !sameKeys(keys(a.body), "success", "error", "details", "caseNumber") {
		t.Errorf("body %s, want success, error, details and caseNumber", a.raw)
	}
	if a.header.Get("Retry-After") != "" {
		t.Error("an unknown outcome invites a blind retry with Retry-After")
	}
	return number
}
