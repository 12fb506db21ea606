package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/examples/callcentre/internal/calls"
)

// maxFailuresShown is how many failed requests the summary quotes.
const maxFailuresShown = 5

// summary is what a self-test found.
type summary struct {
	Requests, Concurrency int
	Database              string
	Table                 string
	Layout, Fallback      string
	Created, Failed       int
	ReadBack, Lowercase   int // read back, and of those looked up in lower case
	Missing               int // created but not read back
	Rows, DistinctRows    int64
	Duplicates            int
	Stats                 casenum.Stats
	Sample                string   // one minted number
	Failures              []string // the first few failures, quoted
	Metrics               string   // a scrape of /metrics, with -metrics
}

// problems lists what makes the run a failure.
func (s summary) problems(expectCollisions bool) []string {
	var p []string
	if s.Failed > 0 {
		p = append(p, fmt.Sprintf("%d create requests failed", s.Failed))
	}
	if s.Missing > 0 {
		p = append(p, fmt.Sprintf("%d calls not read back", s.Missing))
	}
	if s.Rows != int64(s.Created) {
		p = append(p, fmt.Sprintf("%d rows in the table for %d calls created", s.Rows, s.Created))
	}
	if s.Duplicates > 0 {
		p = append(p, fmt.Sprintf("%d duplicate case numbers", s.Duplicates))
	}
	if expectCollisions && s.Stats.Collisions == 0 {
		p = append(p, "no collisions, though -expect-collisions asked for some: use a smaller layout")
	}
	return p
}

func (s summary) print(w io.Writer) {
	fallback := s.Fallback
	if fallback == "" {
		fallback = "none"
	}
	fmt.Fprintf(w, "self-test   %d creates from %d workers over HTTP, then a read-back of each\n", s.Requests, s.Concurrency)
	fmt.Fprintf(w, "database    %s, table %s\n", s.Database, s.Table)
	fmt.Fprintf(w, "layout      %s (fallback %s)\n", s.Layout, fallback)
	fmt.Fprintf(w, "created     %d\n", s.Created)
	fmt.Fprintf(w, "failed      %d\n", s.Failed)
	fmt.Fprintf(w, "read back   %d (%d typed in lower case), missing %d\n", s.ReadBack, s.Lowercase, s.Missing)
	fmt.Fprintf(w, "rows        %d (%d distinct case numbers)\n", s.Rows, s.DistinctRows)
	fmt.Fprintf(w, "duplicates  %d\n", s.Duplicates)
	fmt.Fprintf(w, "generator   minted %d, attempts %d, collisions %d, aborted %d, fallbacks %d, exhausted %d, errors %d\n",
		s.Stats.Minted, s.Stats.Attempts, s.Stats.Collisions, s.Stats.Aborted, s.Stats.Fallbacks, s.Stats.Exhausted, s.Stats.Errors)
	if s.Sample != "" {
		fmt.Fprintf(w, "sample      %s\n", s.Sample)
	}
	for _, f := range s.Failures {
		fmt.Fprintf(w, "failure     %s\n", f)
	}
	if s.Metrics != "" {
		fmt.Fprintf(w, "metrics     GET /metrics:\n%s", s.Metrics)
	}
}

// selftest runs the self-test, prints its summary to stdout and returns an
// error if anything failed.
func selftest(ctx context.Context, cfg config, logger *slog.Logger, stdout io.Writer) error {
	s, err := runSelftest(ctx, cfg, logger)
	if err != nil {
		return fmt.Errorf("self-test: %w", err)
	}
	s.print(stdout)
	if p := s.problems(cfg.expectCollisions); len(p) > 0 {
		fmt.Fprintln(stdout, "result      FAIL")
		return fmt.Errorf("self-test failed: %s", strings.Join(p, "; "))
	}
	fmt.Fprintln(stdout, "result      PASS")
	return nil
}

// runSelftest starts the service on a loopback port, creates cfg.selftest
// calls through it with cfg.concurrency workers, reads each back, counts
// the rows it added, and shuts the service down gracefully.
//
// The database is -db, or else a new SQLite file in a temporary directory,
// removed afterwards. The table is -table, kept afterwards, or else a fresh
// one named call_records_selftest_<random hex>, so that reruns never
// clash, dropped at the end (a run killed before its end leaves it behind).
func runSelftest(ctx context.Context, cfg config, logger *slog.Logger) (summary, error) {
	s := summary{Requests: cfg.selftest, Concurrency: cfg.concurrency, Layout: cfg.layout, Fallback: cfg.fallback}
	dsn := cfg.dsn
	if dsn == "" {
		dir, err := os.MkdirTemp("", "callcentre-selftest-")
		if err != nil {
			return s, err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "calls.db")
	}
	dbInfo, err := parseDSN(dsn)
	if err != nil {
		return s, err
	}
	db, err := dbInfo.open(ctx, cfg.dbConns)
	if err != nil {
		return s, err
	}
	defer db.Close()
	s.Database = dbInfo.dialect.String() + " " + dbInfo.display
	s.Table = cfg.table
	if !cfg.tableGiven {
		var suffix [6]byte
		_, _ = rand.Read(suffix[:]) // never fails
		s.Table = "call_records_selftest_" + hex.EncodeToString(suffix[:])
	}
	st, err := calls.NewStore(db, dbInfo.dialect, s.Table)
	if err != nil {
		return s, err
	}
	gen, err := newGenerator(cfg, st, logger)
	if err != nil {
		return s, err
	}
	s.Fallback = ""
	if f := gen.FallbackLayout(); f != nil {
		s.Fallback = f.String()
	}
	if err := st.Migrate(ctx); err != nil {
		return s, err
	}
	if !cfg.tableGiven {
		defer func() {
			dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := st.Drop(dctx); err != nil {
				logger.Error("self-test: leaving the table behind", "error", err)
			}
		}()
	}
	rowsBefore, distinctBefore, err := st.Count(ctx)
	if err != nil {
		return s, err
	}
	h, err := calls.NewHandler(calls.Config{Store: st, Generator: gen, Logger: logger, RequestTimeout: cfg.requestTimeout, Metrics: cfg.metrics})
	if err != nil {
		return s, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return s, err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- serve(sctx, newHTTPServer(h, cfg, logger), ln, logger, cfg.shutdownTimeout) }()

	numbers, t, statsErr := drive(ctx, cfg, "http://"+ln.Addr().String())
	stop()
	if err := <-served; err != nil {
		return s, fmt.Errorf("graceful shutdown: %w", err)
	}
	if statsErr != nil {
		return s, fmt.Errorf("stats: %w", statsErr)
	}
	if s.Rows, s.DistinctRows, err = st.Count(ctx); err != nil {
		return s, err
	}
	s.Rows -= rowsBefore
	s.DistinctRows -= distinctBefore

	seen := make(map[string]bool, len(numbers))
	for _, n := range numbers {
		if n == "" {
			continue
		}
		s.Created++
		if seen[n] {
			s.Duplicates++
		}
		seen[n] = true
		if s.Sample == "" {
			s.Sample = n
		}
	}
	s.Duplicates += int(s.Rows - s.DistinctRows)
	s.Failed = cfg.selftest - s.Created
	s.ReadBack = int(t.readBack.Load())
	s.Lowercase = int(t.lowercase.Load())
	s.Missing = s.Created - s.ReadBack
	s.Failures = t.failures
	s.Stats, s.Metrics = t.stats, t.metrics
	return s, nil
}

// drive sends the self-test's requests to the service at addr: the
// creates, then a lookup of each call created, then the stats. It returns
// the numbers created ("" where a create failed) and what it found.
func drive(ctx context.Context, cfg config, addr string) ([]string, *tally, error) {
	transport := &http.Transport{
		// One kept-alive connection per worker: without it most requests
		// would open a new connection and the run would measure dialling.
		MaxIdleConns:        cfg.concurrency,
		MaxIdleConnsPerHost: cfg.concurrency,
		IdleConnTimeout:     30 * time.Second,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: cfg.requestTimeout + 10*time.Second}
	base := addr + calls.CallsPath

	t := &tally{}
	numbers := make([]string, cfg.selftest)
	parallel(ctx, cfg.selftest, cfg.concurrency, func(i int) {
		n, err := createCall(ctx, client, base, payload(i))
		if err != nil {
			t.fail(fmt.Sprintf("create #%d: %v", i, err))
			return
		}
		numbers[i] = n
	})
	parallel(ctx, cfg.selftest, cfg.concurrency, func(i int) {
		if numbers[i] == "" {
			return // not created: counted as failed already
		}
		// Half the lookups type the number in lower case, as a person
		// might: the service must find it all the same.
		typed := numbers[i]
		if i%2 == 1 {
			typed = strings.ToLower(typed)
		}
		if err := readBack(ctx, client, base, typed, numbers[i], payload(i)); err != nil {
			t.fail(fmt.Sprintf("read back #%d: %v", i, err))
			return
		}
		t.readBack.Add(1)
		if i%2 == 1 {
			t.lowercase.Add(1)
		}
	})
	var err error
	t.stats, err = fetchStats(ctx, client, addr+"/api/call-centre/stats")
	if err == nil && cfg.metrics {
		t.metrics, err = scrape(ctx, client, addr+"/metrics")
	}
	return numbers, t, err
}

// scrape returns the text of a GET of u.
func scrape(ctx context.Context, c *http.Client, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	return string(body), err
}

// tally counts what the workers found.
type tally struct {
	readBack, lowercase atomic.Int64
	mu                  sync.Mutex
	failures            []string
	stats               casenum.Stats // the Generator's, at the end
	metrics             string        // a scrape of /metrics, with -metrics
}

func (t *tally) fail(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.failures) < maxFailuresShown {
		t.failures = append(t.failures, msg)
	}
}

// parallel runs do(0..n-1) on workers goroutines, until ctx ends.
func parallel(ctx context.Context, n, workers int, do func(i int)) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				do(i)
			}
		})
	}
	defer wg.Wait()
	defer close(jobs)
	for i := range n {
		select {
		case jobs <- i:
		case <-ctx.Done():
			return
		}
	}
}

// payload is the i-th call of the run: names in several scripts, text that
// looks like SQL, every priority.
func payload(i int) calls.NewCall {
	names := [...]string{"Ada Lovelace", "Zoë Ångström", "李小龙", "Siobhán O'Connor", "Robert'); DROP TABLE call_records;--", "محمد علي"}
	priorities := [...]string{"low", "normal", "high", "urgent"}
	return calls.NewCall{
		CallerName: fmt.Sprintf("%s %d", names[i%len(names)], i),
		Phone:      fmt.Sprintf("+44 20 7946 %04d", i%10000),
		Subject:    fmt.Sprintf("Self-test call %d", i),
		Notes:      fmt.Sprintf("Line one of call %d.\nLine two: ✓ 1' OR '1'='1", i),
		Priority:   priorities[i%len(priorities)],
	}
}

// createCall posts one call and returns its case number.
func createCall(ctx context.Context, c *http.Client, base string, in calls.NewCall) (string, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	var out struct {
		Success    bool       `json:"success"`
		CaseNumber string     `json:"caseNumber"`
		Call       calls.Call `json:"call"`
	}
	if err := do(c, req, http.StatusCreated, &out); err != nil {
		return "", err
	}
	if !out.Success || out.CaseNumber == "" || out.Call.CaseNumber != out.CaseNumber {
		return "", fmt.Errorf("unexpected answer: %+v", out)
	}
	return out.CaseNumber, nil
}

// readBack looks a call up by typed and checks that it is the call created
// as want with number.
func readBack(ctx context.Context, c *http.Client, base, typed, number string, want calls.NewCall) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/"+url.PathEscape(typed), nil)
	if err != nil {
		return err
	}
	var out struct {
		Success bool       `json:"success"`
		Call    calls.Call `json:"call"`
	}
	if err := do(c, req, http.StatusOK, &out); err != nil {
		return fmt.Errorf("GET %s: %w", typed, err)
	}
	got := out.Call
	if got.CaseNumber != number || got.CallerName != want.CallerName || got.Phone != want.Phone ||
		got.Subject != want.Subject || got.Notes != want.Notes || got.Priority != want.Priority {
		return fmt.Errorf("GET %s: got %+v, want %s %+v", typed, got, number, want)
	}
	return nil
}

func fetchStats(ctx context.Context, c *http.Client, u string) (casenum.Stats, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return casenum.Stats{}, err
	}
	var out calls.StatsAnswer
	if err := do(c, req, http.StatusOK, &out); err != nil {
		return casenum.Stats{}, err
	}
	return out.Stats, nil
}

// do sends req, expects status and decodes the JSON answer into out.
func do(c *http.Client, req *http.Request, status int, out any) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != status {
		return fmt.Errorf("status %d, want %d: %s", resp.StatusCode, status, bytes.TrimSpace(body))
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("answer is not JSON: %w", err)
	}
	return nil
}
