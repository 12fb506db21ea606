package calls_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/examples/callcentre/internal/calls"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

func sqliteService(t *testing.T, o options) *service {
	t.Helper()
	return newService(t, sqliteDB(t), store.SQLite, o)
}

// sqliteDB is a fresh SQLite database on one connection, as the service
// opens it (see NewStore).
func sqliteDB(t *testing.T) *sql.DB {
	t.Helper()
	db := testdb.SQLite(t)
	db.SetMaxOpenConns(1)
	return db
}

func TestCreate(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	a := s.post(`{"callerName":"  Ada Lovelace ","phone":"+44 20 7946 0018","subject":"Router keeps rebooting","notes":"Since Monday.","priority":"HIGH"}`)
	if a.status != http.StatusCreated {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	number := a.body["caseNumber"].(string)
	if !strings.HasPrefix(number, "CASE-20250929-1759138200000-") || s.gen.Validate(number) != nil {
		t.Errorf("caseNumber %q is not a number of the default layout at the fixed time", number)
	}
	if got, want := a.header.Get("Location"), calls.CallsPath+"/"+number; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := keys(a.body); !sameKeys(got, "success", "caseNumber", "call") || a.body["success"] != true {
		t.Errorf("body %s, want success, caseNumber and call", a.raw)
	}
	want := map[string]any{
		"caseNumber": number,
		"callerName": "Ada Lovelace", // trimmed
		"phone":      "+44 20 7946 0018",
		"subject":    "Router keeps rebooting",
		"notes":      "Since Monday.",
		"priority":   "high", // lower-cased
		"createdAt":  "2025-09-29T09:30:00Z",
	}
	if got := a.body["call"].(map[string]any); !equalJSON(got, want) {
		t.Errorf("call = %v, want %v", got, want)
	}

	// What a later read returns is what the create answered.
	g := s.do(http.MethodGet, calls.CallsPath+"/"+number, "", "")
	if g.status != http.StatusOK || !equalJSON(g.body["call"].(map[string]any), want) {
		t.Errorf("GET after create: status %d, body %s", g.status, g.raw)
	}
	if n := s.rows(); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
}

func TestCreateDefaultsPriority(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	a := s.do(http.MethodPost, calls.CallsPath, "application/json; charset=utf-8", `{"callerName":"Ada","phone":"(555) 010-4477","subject":"Billing"}`)
	if a.status != http.StatusCreated {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	call := a.body["call"].(map[string]any)
	if call["priority"] != calls.DefaultPriority || call["notes"] != "" {
		t.Errorf("call = %v, want priority %q and empty notes", call, calls.DefaultPriority)
	}
}

func TestCreateRejects(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	long := func(n int, r string) string { return strings.Repeat(r, n) }
	field := func(name, value string) string {
		m := map[string]string{"callerName": "Ada", "phone": "+44 20 7946 0018", "subject": "Billing", "priority": "low"}
		m[name] = value
		b, _ := json.Marshal(m)
		return string(b)
	}
	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		msg         string
		detail      string // a field of the details object, or text the details string holds
	}{
		{"no content type", "", validCall, 415, "unsupported content type", "application/json"},
		{"form content type", "application/x-www-form-urlencoded", validCall, 415, "unsupported content type", "application/json"},
		{"look-alike content type", "application/jsonx", validCall, 415, "unsupported content type", "application/json"},
		{"empty body", "application/json", "", 400, "invalid JSON", "empty"},
		{"malformed", "application/json", `{"callerName":}`, 400, "invalid JSON", "malformed JSON at byte"},
		{"cut short", "application/json", `{"callerName":"Ada"`, 400, "invalid JSON", "cut short"},
		{"array", "application/json", `[` + validCall + `]`, 400, "invalid JSON", "must be a JSON object"},
		{"wrong type", "application/json", `{"callerName":42}`, 400, "invalid JSON", `"callerName" must be a string, not a number`},
		{"unknown field", "application/json", `{"callerName":"Ada","caseNumber":"CASE-1"}`, 400, "invalid JSON", `unknown field "caseNumber"`},
		{"two objects", "application/json", validCall + validCall, 400, "invalid JSON", "after the JSON object"},
		{"missing fields", "application/json", `{}`, 400, "invalid fields", "callerName"},
		{"blank name", "application/json", field("callerName", "   "), 400, "invalid fields", "callerName"},
		{"name too long", "application/json", field("callerName", long(calls.MaxCallerName+1, "é")), 400, "invalid fields", "callerName"},
		{"control character in name", "application/json", field("callerName", "Ada\u0007"), 400, "invalid fields", "callerName"},
		{"NUL in subject", "application/json", field("subject", "a\u0000b"), 400, "invalid fields", "subject"},
		{"subject too long", "application/json", field("subject", long(calls.MaxSubject+1, "x")), 400, "invalid fields", "subject"},
		{"notes too long", "application/json", field("notes", long(calls.MaxNotes+1, "n")), 400, "invalid fields", "notes"},
		{"escape in notes", "application/json", field("notes", "a\u001b[2Jb"), 400, "invalid fields", "notes"},
		{"phone with letters", "application/json", field("phone", "555-CALL-NOW"), 400, "invalid fields", "phone"},
		{"phone too short", "application/json", field("phone", "12345"), 400, "invalid fields", "phone"},
		{"phone too many digits", "application/json", field("phone", "+1234567890123456"), 400, "invalid fields", "phone"},
		{"plus inside phone", "application/json", field("phone", "44+2079460018"), 400, "invalid fields", "phone"},
		{"phone of SQL", "application/json", field("phone", "1'; DROP TABLE x;--"), 400, "invalid fields", "phone"},
		{"unknown priority", "application/json", field("priority", "asap"), 400, "invalid fields", "priority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := s.do(http.MethodPost, calls.CallsPath, tt.contentType, tt.body)
			wantError(t, a, tt.status, tt.msg)
			switch d := a.body["details"].(type) {
			case map[string]any:
				if _, ok := d[tt.detail]; !ok {
					t.Errorf("details %v do not name %q", d, tt.detail)
				}
			case string:
				if !strings.Contains(d, tt.detail) {
					t.Errorf("details %q do not say %q", d, tt.detail)
				}
			}
		})
	}
	if n := s.rows(); n != 0 {
		t.Errorf("%d rows stored by rejected requests, want 0", n)
	}
}

// All problems come back at once, so a form can show them together.
func TestCreateReportsEveryField(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	a := s.post(`{"callerName":"","phone":"abc","subject":"","priority":"asap"}`)
	wantError(t, a, 400, "invalid fields")
	if got := keys(a.body["details"]); !sameKeys(got, "callerName", "phone", "subject", "priority") {
		t.Errorf("details name %v, want the four bad fields", got)
	}
}

func TestCreateBodyTooLarge(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	huge := `{"callerName":"Ada","phone":"+44 20 7946 0018","subject":"x","notes":"` + strings.Repeat("a", 1<<20) + `"}`
	a := s.post(huge)
	wantError(t, a, http.StatusRequestEntityTooLarge, "request body too large")
	if !strings.Contains(a.body["details"].(string), fmt.Sprint(calls.DefaultMaxBodyBytes)) {
		t.Errorf("details %q do not give the limit", a.body["details"])
	}
	// Within the limit but past a field's length: 400, not 413.
	a = s.post(`{"callerName":"Ada","phone":"+44 20 7946 0018","subject":"x","notes":"` + strings.Repeat("a", calls.MaxNotes+1) + `"}`)
	wantError(t, a, http.StatusBadRequest, "invalid fields")
}

// Text that looks like SQL or uses any script is stored and read back
// byte for byte: values only ever travel as parameters.
func TestCreateStoresHostileTextVerbatim(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	names := []string{
		"Robert'); DROP TABLE call_records;--",
		`" OR 1=1 --`,
		"李小龙",
		"محمد علي",
		"Zoë Ångström",
		"e\u0301migré",   // combining accent
		"🙂 emoji caller", // outside the BMP: needs utf8mb4 on MySQL
		strings.Repeat("é", calls.MaxCallerName),
	}
	for _, name := range names {
		body, _ := json.Marshal(map[string]string{
			"callerName": name, "phone": "+44 20 7946 0018",
			"subject": "'; DELETE FROM calls; --", "notes": "line 1\nline 2\ttabbed \\ backslash %_ wildcards",
		})
		number := s.mustCreate(string(body))
		g := s.do(http.MethodGet, calls.CallsPath+"/"+number, "", "")
		call, _ := g.body["call"].(map[string]any)
		if g.status != http.StatusOK || call["callerName"] != name || call["subject"] != "'; DELETE FROM calls; --" ||
			call["notes"] != "line 1\nline 2\ttabbed \\ backslash %_ wildcards" {
			t.Errorf("%q: read back %d %s", name, g.status, g.raw)
		}
	}
	if n := s.rows(); n != int64(len(names)) {
		t.Errorf("%d rows, want %d", n, len(names))
	}
}

// A caller reads the number over the phone; the agent types it as heard.
func TestGetNormalizesTypedNumber(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	number := s.mustCreate(validCall)
	parts := strings.Split(number, "-") // CASE 20250929 1759138200000 NNN
	typed := []string{
		number,
		strings.ToLower(number),
		"  " + number + " ",
		strings.Join(parts, " "),
		strings.ToLower(strings.Join(parts, "")),
		"case-" + strings.ReplaceAll(parts[1], "0", "O") + "-" + parts[2] + "-" + parts[3], // O for 0
	}
	for _, in := range typed {
		a := s.do(http.MethodGet, calls.CallsPath+"/"+url.PathEscape(in), "", "")
		if a.status != http.StatusOK {
			t.Errorf("GET %q: status %d: %s", in, a.status, a.raw)
			continue
		}
		if got := keys(a.body); !sameKeys(got, "success", "call") {
			t.Errorf("GET %q: body %s, want success and call", in, a.raw)
		}
		if got := a.body["call"].(map[string]any)["caseNumber"]; got != number {
			t.Errorf("GET %q: caseNumber %v, want %s", in, got, number)
		}
	}
}

func TestGetErrors(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	s.mustCreate(validCall)
	tests := []struct {
		name, path string
		status     int
		msg        string
		details    string
	}{
		{"cut short", "CASE-2025", 400, "malformed case number", "too short"},
		{"not ours", "hello", 400, "malformed case number", `expected "CASE-"`},
		{"impossible date", "CASE-20251399-1759138200000-123", 400, "malformed case number", "not a date"},
		{"SQL", url.PathEscape("' OR '1'='1"), 400, "malformed case number", "CASE-"},
		{"too long", strings.Repeat("9", calls.MaxCaseNumberInput+1), 400, "malformed case number", "at most"},
		{"unknown", "CASE-20250101-1735689600000-073", 404, "call not found", "CASE-20250101-1735689600000-073"},
		{"unknown, typed", "case%2020250101%201735689600000%20073", 404, "call not found", "CASE-20250101-1735689600000-073"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := s.do(http.MethodGet, calls.CallsPath+"/"+tt.path, "", "")
			wantError(t, a, tt.status, tt.msg)
			if d, _ := a.body["details"].(string); !strings.Contains(d, tt.details) {
				t.Errorf("details %q do not say %q", d, tt.details)
			}
			if d, _ := a.body["details"].(string); strings.Contains(d, "casenum:") {
				t.Errorf("details %q carry the package prefix", d)
			}
		})
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	// One clock for the handler and the Generator: a call's date is the
	// date its number shows.
	clock := casenumtest.NewClock(day)
	s := sqliteService(t, options{now: clock.Now, gen: []casenum.Option{casenum.WithClock(clock)}})
	var first []string
	for range 5 {
		first = append(first, s.mustCreate(validCall))
	}
	clock.Advance(24 * time.Hour)
	second := []string{s.mustCreate(validCall), s.mustCreate(validCall)}

	// Walk 2025-09-29 two at a time: 2, 2, 1, in the order stored.
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		q := url.Values{"date": {"2025-09-29"}, "limit": {"2"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		a := s.do(http.MethodGet, calls.CallsPath+"?"+q.Encode(), "", "")
		if a.status != http.StatusOK || a.body["date"] != "2025-09-29" {
			t.Fatalf("page %d: status %d: %s", pages, a.status, a.raw)
		}
		list := a.body["calls"].([]any)
		if len(list) > 2 {
			t.Fatalf("page %d has %d calls, limit 2", pages, len(list))
		}
		for _, c := range list {
			got = append(got, c.(map[string]any)["caseNumber"].(string))
		}
		next, more := a.body["nextCursor"].(string)
		if !more {
			break
		}
		cursor = next
	}
	if !slices.Equal(got, first) {
		t.Errorf("listed %v, want %v", got, first)
	}

	// No date means today, by Now.
	a := s.do(http.MethodGet, calls.CallsPath, "", "")
	var today []string
	for _, c := range a.body["calls"].([]any) {
		today = append(today, c.(map[string]any)["caseNumber"].(string))
	}
	if a.body["date"] != "2025-09-30" || !slices.Equal(today, second) {
		t.Errorf("default listing: %s, want the calls of 2025-09-30", a.raw)
	}

	// A day without calls has an empty list, not null, and no cursor.
	a = s.do(http.MethodGet, calls.CallsPath+"?date=2024-02-29", "", "")
	if a.status != http.StatusOK || !strings.Contains(a.raw, `"calls":[]`) || a.body["nextCursor"] != nil {
		t.Errorf("empty day: %d %s", a.status, a.raw)
	}
}

func TestListRejects(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	tests := []struct{ query, field string }{
		{"date=29-09-2025", "date"},
		{"date=2025-02-30", "date"},
		{"date=2025-09-29'%20OR%201=1", "date"},
		{"limit=0", "limit"},
		{"limit=-1", "limit"},
		{fmt.Sprintf("limit=%d", calls.MaxPageSize+1), "limit"},
		{"limit=ten", "limit"},
		{"cursor=abc", "cursor"},
		{"cursor=0", "cursor"},
		{"cursor=99999999999999999999", "cursor"},
		// Malformed or repeated, each is refused rather than read as absent.
		{"date=%zz", "date"},
		{"limit=%zz", "limit"},
		{"cursor=%zz", "cursor"},
		{"date=2025-09-29%", "date"},
		{"date=2025-09-29;limit=5", "date"},
		{"limit=%2", "limit"},
		{"limit=5&limit=50", "limit"},
		{"date=2025-09-29&date=2025-09-30", "date"},
		{"cursor=1&cursor=2", "cursor"},
		{"%zz=1", "%zz"},
	}
	for _, tt := range tests {
		a := s.do(http.MethodGet, calls.CallsPath+"?"+tt.query, "", "")
		wantError(t, a, 400, "invalid query")
		if got := keys(a.body["details"]); !sameKeys(got, tt.field) {
			t.Errorf("?%s: details %v, want %q", tt.query, a.body["details"], tt.field)
		}
	}
	a := s.do(http.MethodGet, calls.CallsPath+fmt.Sprintf("?limit=%d", calls.MaxPageSize), "", "")
	if a.status != http.StatusOK {
		t.Errorf("limit=%d: status %d, want 200", calls.MaxPageSize, a.status)
	}
}

// A query string that cannot be decoded is refused on every route, the
// ones that read no parameter included, and nothing is stored.
func TestMalformedQueryRefused(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	number := s.mustCreate(validCall)
	for _, route := range []struct{ method, path, body string }{
		{http.MethodGet, calls.CallsPath, ""},
		{http.MethodGet, calls.CallsPath + "/" + number, ""},
		{http.MethodPost, calls.CallsPath, validCall},
		{http.MethodGet, "/api/call-centre/stats", ""},
	} {
		for _, tt := range []struct{ query, field string }{
			{"x=%zz", "x"},
			{"x=1;y=2", "x"},
			{"date=2025-09-29&note=100%", "note"},
		} {
			a := s.do(route.method, route.path+"?"+tt.query, "application/json", route.body)
			wantError(t, a, http.StatusBadRequest, "invalid query")
			if got := keys(a.body["details"]); !sameKeys(got, tt.field) {
				t.Errorf("%s %s?%s: details %v, want %q", route.method, route.path, tt.query, a.body["details"], tt.field)
			}
		}
	}
	if n := s.rows(); n != 1 {
		t.Errorf("%d rows, want the 1 created before", n)
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	for range 3 {
		s.mustCreate(validCall)
	}
	a := s.do(http.MethodGet, "/api/call-centre/stats", "", "")
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	want := map[string]any{
		"success":        true,
		"layout":         casenum.DefaultLayout,
		"fallbackLayout": casenum.DefaultFallbackLayout,
		"stats": map[string]any{
			"minted": 3.0, "attempts": 3.0, "collisions": 0.0, "aborted": 0.0, "fallbacks": 0.0, "exhausted": 0.0, "errors": 0.0,
		},
	}
	if !equalJSON(a.body, want) {
		t.Errorf("stats = %s, want %v", a.raw, want)
	}
}

// With Metrics, GET /metrics serves the counters in Prometheus' text
// format; without, it is an unknown route like any other.
func TestMetrics(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{metrics: true, gen: []casenum.Option{casenum.WithLayout("T-{rand:1}"),
		casenum.WithRandom(casenumtest.Tokens("rand:4", "rand:4", "rand:5"))}})
	s.mustCreate(validCall)
	s.mustCreate(validCall)
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	a := answer{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if a.status != http.StatusOK || !strings.HasPrefix(a.header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("status %d, %s: %s", a.status, a.header.Get("Content-Type"), a.raw)
	}
	for _, line := range []string{
		"# TYPE casemint_minted_total counter\ncasemint_minted_total 2\n",
		"# HELP casemint_attempts_total Candidates tried, the fallback layout's included.\n# TYPE casemint_attempts_total counter\ncasemint_attempts_total 3\n",
		"# TYPE casemint_collisions_total counter\ncasemint_collisions_total 1\n",
		"casemint_aborted_total 0\n", "casemint_fallbacks_total 0\n", "casemint_exhausted_total 0\n", "casemint_errors_total 0\n",
	} {
		if !strings.Contains(a.raw, line) {
			t.Errorf("no %q in\n%s", line, a.raw)
		}
	}
	if a := sqliteService(t, options{}).do(http.MethodGet, "/metrics", "", ""); a.status != http.StatusNotFound {
		t.Errorf("without Metrics: status %d", a.status)
	}
}

// When every candidate is taken the client is told to come back: 503 with
// Retry-After, never a 409 or 500, and the stats show it.
func TestExhaustedIs503(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{gen: []casenum.Option{
		casenum.WithLayout("T-{rand:1}"),
		casenum.WithFallbackLayout(""),
	}})
	for d := range 10 { // fill the layout's whole space
		err := s.store.Insert(context.Background(), calls.Call{CaseNumber: fmt.Sprintf("T-%d", d), CallerName: "x", Phone: "5550104477", Subject: "x", Priority: "low", CreatedAt: day})
		if err != nil {
			t.Fatal(err)
		}
	}
	a := s.post(validCall)
	wantError(t, a, http.StatusServiceUnavailable, "no case number available")
	if a.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if strings.Contains(a.raw, "UNIQUE") || strings.Contains(a.raw, "constraint") {
		t.Errorf("answer leaks the database error: %s", a.raw)
	}
	st := s.gen.Stats()
	if st.Exhausted != 1 || st.Collisions != 10 { // Retry.Attempts' default
		t.Errorf("Stats = %+v, want 1 exhausted after 10 collisions", st)
	}
	if !strings.Contains(s.logs.String(), "case numbers exhausted") {
		t.Errorf("exhaustion not logged:\n%s", s.logs)
	}
}

// A genuine server error is a 500 with a generic message; the detail goes
// to the log only.
func TestServerErrorDoesNotLeak(t *testing.T) {
	t.Parallel()
	db := sqliteDB(t)
	s := newService(t, db, store.SQLite, options{})
	number := s.mustCreate(validCall)
	if _, err := db.Exec(`DROP TABLE ` + s.store.Table()); err != nil {
		t.Fatal(err)
	}
	for _, a := range []answer{
		s.post(validCall),
		s.do(http.MethodGet, calls.CallsPath+"/"+number, "", ""),
		s.do(http.MethodGet, calls.CallsPath, "", ""),
	} {
		wantError(t, a, http.StatusInternalServerError, "internal server error")
		for _, leak := range []string{"no such table", "SQL", "sqlite", s.store.Table(), "INSERT", "SELECT"} {
			if strings.Contains(a.raw, leak) {
				t.Errorf("answer leaks %q: %s", leak, a.raw)
			}
		}
	}
	if logs := s.logs.String(); !strings.Contains(logs, "no such table") || !strings.Contains(logs, "level=ERROR") {
		t.Errorf("the error's detail is not logged:\n%s", logs)
	}
}

// A request that runs out of time before anything was sent to the
// database is told that nothing was stored (504, no Retry-After, no
// number), not given a 500.
func TestRequestTimeout(t *testing.T) {
	t.Parallel()
	db := sqliteDB(t)
	s := newService(t, db, store.SQLite, options{timeout: 100 * time.Millisecond})
	// While something else holds the one connection, the transaction waits
	// in the pool until the request's context ends.
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	a := s.post(validCall)
	wantError(t, a, http.StatusGatewayTimeout, "request timed out")
	if d, _ := a.body["details"].(string); !strings.Contains(d, "not stored") {
		t.Errorf("details %q do not say that the call was not stored", d)
	}
	if a.header.Get("Retry-After") != "" {
		t.Error("a timed-out create answers with Retry-After")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the request took %s, far past its 100ms limit", d)
	}
}

// When the database is too busy to take the call (another process holds
// its write lock, so every attempt is aborted), the client is told to come
// back, and told why: 503 "database busy" with Retry-After, not "no case
// number available", since no number was taken.
func TestBusyIs503(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "busy.db")
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)") // no busy timeout: a lock fails at once
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	// The waits after aborted attempts run on the real clock.
	s := newService(t, db, store.SQLite, options{gen: []casenum.Option{
		casenum.WithClock(wallClock{}), casenum.WithRetry(casenum.Retry{Attempts: 3}),
	}})

	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	lock, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer lock.ExecContext(context.Background(), "ROLLBACK")

	a := s.post(validCall)
	wantError(t, a, http.StatusServiceUnavailable, "database busy")
	if a.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	noLeak(t, a, "locked", "BUSY")
	if st := s.gen.Stats(); st.Exhausted != 1 || st.Collisions != 0 || st.Aborted != st.Attempts {
		t.Errorf("Stats = %+v, want every attempt aborted, none collided", st)
	}
	if !strings.Contains(s.logs.String(), "database busy") {
		t.Errorf("the busy database is not logged:\n%s", s.logs)
	}
}

// wallClock is the real clock.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// The COMMIT is carried out, but its answer is lost with the connection:
// the service cannot know whether the call was stored. It says so, with
// the number, and the lookup it asks the client to make finds the call.
func TestCreateOutcomeUnknown(t *testing.T) {
	t.Parallel()
	s := newService(t, lostCommitDB(t), store.SQLite, options{})
	a := s.post(validCall)
	number := wantUnknown(t, a)
	noLeak(t, a, "reset", "commit")
	g := s.do(http.MethodGet, calls.CallsPath+"/"+number, "", "")
	if g.status != http.StatusOK {
		t.Errorf("GET %s: %d %s, want the stored call", number, g.status, g.raw)
	}
	if st := s.gen.Stats(); st.Minted != 0 || st.Errors != 1 {
		t.Errorf("Stats = %+v, want one error and nothing minted", st)
	}
	if !strings.Contains(s.logs.String(), "outcome unknown") {
		t.Errorf("not logged:\n%s", s.logs)
	}
}

// lostCommitDB is an SQLite database on one connection whose COMMIT is
// carried out and then reported as a connection reset: what a client sees
// when the network fails after the server committed, before its answer
// arrived.
func lostCommitDB(t *testing.T) *sql.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lost.db") + "?_pragma=busy_timeout(10000)"
	db := sql.OpenDB(lostCommitConnector{testdb.SQLite(t).Driver(), path})
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	return db
}

type lostCommitConnector struct {
	drv  driver.Driver
	name string
}

func (c lostCommitConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.name)
	if err != nil {
		return nil, err
	}
	return lostCommitConn{conn}, nil
}

func (c lostCommitConnector) Driver() driver.Driver { return c.drv }

type lostCommitConn struct{ driver.Conn }

func (c lostCommitConn) Begin() (driver.Tx, error) {
	tx, err := c.Conn.Begin() // without ConnBeginTx, database/sql calls Begin
	return lostCommitTx{tx}, err
}

type lostCommitTx struct{ driver.Tx }

func (tx lostCommitTx) Commit() error {
	if err := tx.Tx.Commit(); err != nil {
		return err
	}
	return &net.OpError{Op: "read", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5432}, Err: syscall.ECONNRESET}
}

// A body that stops arriving is answered 408 when the server's read
// deadline passes, one cut off 400, and neither shows the socket error,
// which names addresses.
func TestSlowOrCutBody(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	srv := httptest.NewUnstartedServer(s.handler)
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	req := "POST " + calls.CallsPath + " HTTP/1.1\r\nHost: calls\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n" +
		`{"callerName":"Ada",`

	a := raw(t, addr, req, false)
	wantError(t, a, http.StatusRequestTimeout, "request timeout")
	noLeak(t, a)

	a = raw(t, addr, req, true)
	wantError(t, a, http.StatusBadRequest, "unreadable body")
	noLeak(t, a, "EOF")

	if n := s.rows(); n != 0 {
		t.Errorf("%d rows, want 0", n)
	}
}

// {seq} layouts number a day's calls 1, 2, 3…, from the counter in the
// service's database, and read back as typed.
func TestSeqLayout(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{gen: []casenum.Option{casenum.WithLayout("CASE-{date}-{seq:6}{check}")}})
	for i := 1; i <= 3; i++ {
		number := s.mustCreate(validCall)
		if want := fmt.Sprintf("CASE-20250929-%06d", i); !strings.HasPrefix(number, want) || len(number) != len(want)+1 {
			t.Errorf("create %d: %s, want %s and a check character", i, number, want)
		}
		if g := s.do(http.MethodGet, calls.CallsPath+"/"+strings.ToLower(number), "", ""); g.status != http.StatusOK {
			t.Errorf("GET %s in lower case: %d %s", number, g.status, g.raw)
		}
	}
}

func TestUnknownRoutesAndMethodsAnswerJSON(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/", 404, ""},
		{http.MethodGet, "/api/call-centre", 404, ""},
		{http.MethodGet, "/api/call-centre/stats/extra", 404, ""},
		{http.MethodGet, "/api/call-centre/calls/a/b", 404, ""},
		{http.MethodDelete, calls.CallsPath, 405, "GET, HEAD, POST"},
		{http.MethodPut, calls.CallsPath + "/CASE-1", 405, "GET, HEAD"},
		{http.MethodPost, "/api/call-centre/stats", 405, "GET, HEAD"},
	}
	for _, tt := range tests {
		a := s.do(tt.method, tt.path, "application/json", "")
		msg := "not found"
		if tt.status == 405 {
			msg = "method not allowed"
		}
		wantError(t, a, tt.status, msg)
		if got := a.header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow = %q, want %q", tt.method, tt.path, got, tt.allow)
		}
	}
}

// Many agents save calls at once: every request succeeds with its own
// number. The clock is fixed, so all candidates share one millisecond and
// some collide; Create retries them.
func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{timeout: concurrentTimeout})
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	testConcurrentCreates(t, s, srv, 64)
}

// concurrentTimeout is the request limit of the concurrency tests: what
// they check is that no request fails and no number repeats, not latency,
// which the race detector on a small machine stretches far.
const concurrentTimeout = 30 * time.Second

// testConcurrentCreates creates n calls at once through srv and returns
// their numbers.
func testConcurrentCreates(t *testing.T, s *service, srv *httptest.Server, n int) []string {
	t.Helper()
	numbers := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := fmt.Sprintf(`{"callerName":"Caller %d","phone":"+44 20 7946 %04d","subject":"Concurrent %d"}`, i, i, i)
			resp, err := srv.Client().Post(srv.URL+calls.CallsPath, "application/json", strings.NewReader(body))
			if err != nil {
				t.Errorf("create %d: %v", i, err)
				return
			}
			defer resp.Body.Close()
			var out struct {
				CaseNumber string `json:"caseNumber"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated {
				t.Errorf("create %d: status %d, %v", i, resp.StatusCode, err)
				return
			}
			numbers[i] = out.CaseNumber
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, num := range numbers {
		if num == "" {
			continue // reported above
		}
		if seen[num] {
			t.Errorf("create %d: duplicate case number %s", i, num)
		}
		seen[num] = true
	}
	rows, distinct, err := s.store.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rows != int64(n) || distinct != rows {
		t.Errorf("%d rows, %d distinct numbers; want %d of each", rows, distinct, n)
	}
	st := s.gen.Stats()
	if st.Minted != uint64(n) || st.Attempts != st.Minted+st.Collisions+st.Aborted || st.Errors != 0 || st.Exhausted != 0 {
		t.Errorf("Stats = %+v, want %d minted with only collisions and aborts besides", st, n)
	}
	t.Logf("%d creates, %d collisions and %d aborts retried", n, st.Collisions, st.Aborted)
	return numbers
}

// sameKeys reports whether got holds exactly want, in any order.
func sameKeys(got []string, want ...string) bool {
	slices.Sort(got)
	slices.Sort(want)
	return slices.Equal(got, want)
}

// equalJSON compares decoded JSON values.
func equalJSON(got, want any) bool {
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	return string(a) == string(b)
}

// The body limit holds for data after the object too: 413, not 400.
func TestBodyLimitAfterTheObject(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	a := s.post(validCall + strings.Repeat(" ", calls.DefaultMaxBodyBytes))
	wantError(t, a, http.StatusRequestEntityTooLarge, "request body too large")
}
