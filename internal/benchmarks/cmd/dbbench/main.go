// Command dbbench measures how fast case numbers can be stored in a real
// database, or a cluster of them, and at what cost in round trips, the
// check-then-insert way and casemint's.
//
// On one database per run it stores -n records with each mode at each worker
// count, on fresh tables, and prints a markdown table:
//
//	checkfirst  check-then-insert, the usual fix for colliding Date.now()
//	            case numbers: SELECT the candidate, INSERT it if no row came
//	            back; a taken one is retried after 1ms with a new candidate,
//	            ten times, then an unchecked UUID-based fallback. Two
//	            requests can both see a number free: the loser's INSERT fails
//	            (a unique violation; on a Galera cluster a certification
//	            failure, error 1213), and so does its request.
//	insert      a plain INSERT of a number counted in memory: no lookup,
//	            no retry, no casemint, the database's speed for a record.
//	create      casenum.New() (checkfirst's format, or -layout) with
//	            Generator.Create: INSERT first, a unique violation means "try
//	            another number".
//	seq         CASE-{date}-{seq:8} with Create, the counter in a
//	            store.Sequence: a counter statement and an INSERT per number.
//	block       the same with store.WithBlock(100): a counter statement per
//	            100 numbers.
//	createtx    create's layout with store.CreateTx: BEGIN, INSERT, COMMIT
//	            per attempt.
//	gapfree     the gap-free transaction written by hand: BEGIN, the counter
//	            upsert, INSERT, COMMIT per record, run again at once when the
//	            database aborts it (up to ten times).
//	seqtx       CASE-{date}-{seq:8} with store.CreateTx, the counter drawn in
//	            the record's transaction (gap-free): BEGIN, counter, INSERT,
//	            COMMIT per attempt.
//	seqgroup    seqtx with store.WithGroupCommit(-batch): concurrent calls
//	            share a transaction, one counter update and one COMMIT per
//	            batch, an INSERT per record.
//
// Usage (from internal/benchmarks):
//
//	go run ./cmd/dbbench                                  # SQLite in a temporary file
//	go run ./cmd/dbbench -db "$CASEMINT_POSTGRES_DSN"     # postgres://...
//	go run ./cmd/dbbench -db "$CASEMINT_MYSQL_DSN"        # user:pass@tcp(host:port)/db
//	go run ./cmd/dbbench -db "$CASEMINT_GALERA_DSNS"      # dsn1,dsn2,dsn3: a Galera cluster
//	go run ./cmd/dbbench -n 500 -workers 1,8 -modes create,checkfirst
//	go run ./cmd/dbbench -modes create,createtx -layout 'G-{rand:4}'
//	go run ./cmd/dbbench -workers 1,16 -modes insert,create,gapfree,seqtx,seqgroup
//
// A comma-separated list of MySQL DSNs names the nodes of one Galera
// cluster (a DSN with a comma of its own cannot be listed). Each node gets
// a pool, a Generator and a Sequence of its own, as a service per node
// would, and worker w writes through node w % nodes. Tables are created
// through node 1, and the clock starts once every node can read them.
//
// Round trips are the requests each node's driver sent (statements, BEGIN,
// COMMIT and ROLLBACK, counted by a wrapper around the driver), summed over
// the nodes and divided by the records stored. Failed requests are given by
// kind: "duplicate" (a unique violation), "busy" (casenum.ErrExhausted after
// the database refused every attempt), "exhausted" (casenum.ErrExhausted
// otherwise) or the casenum.Classify outcome ("aborted", "uncertain",
// "failed"), and
// the first error of each kind goes to standard error. Aborted attempts and
// collisions are the Generators' Stats (for checkfirst: candidates its lookup
// found taken). Latency is per request, from its start to its answer, sleeps
// and retries included. The tables are dropped at the end of each
// configuration. dbbench exits with status 1 when a casemint mode failed a
// request for another reason than a busy database.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/casemint/casemint/casenum"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dbbench:", err)
		os.Exit(1)
	}
}

// config is the parsed command line.
type config struct {
	db      string
	n       int
	workers []int
	modes   []string
	timeout time.Duration
	conns   int
	layout  string // of create and createtx; "" for casenum's default
	batch   int    // seqgroup's callers per batch
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("dbbench", flag.ContinueOnError)
	var c config
	var workers, modes string
	fs.StringVar(&c.db, "db", "sqlite", `"sqlite" (a temporary file), a postgres:// URL, a MySQL DSN, or comma-separated MySQL DSNs of a Galera cluster's nodes`)
	fs.IntVar(&c.n, "n", 20000, "records to store per mode and worker count")
	fs.StringVar(&workers, "workers", "1,8,64", "comma-separated worker counts")
	fs.StringVar(&modes, "modes", strings.Join(allModes, ","), "comma-separated modes: "+strings.Join(allModes, ", "))
	fs.DurationVar(&c.timeout, "timeout", 30*time.Minute, "stop the whole run after this long")
	fs.IntVar(&c.conns, "conns", 0, "cap on pooled connections to each server (0: one per worker)")
	fs.StringVar(&c.layout, "layout", "", "layout of the create and createtx modes (default: casenum's, checkfirst's format)")
	fs.IntVar(&c.batch, "batch", defaultBatch, "seqgroup's callers per batch (store.WithGroupCommit)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.conns < 0 {
		return c, fmt.Errorf("-conns must not be negative")
	}
	if c.batch < 1 {
		return c, fmt.Errorf("-batch must be at least 1")
	}
	if c.layout != "" {
		if _, err := casenum.New(casenum.WithLayout(c.layout)); err != nil {
			return c, fmt.Errorf("-layout: %w", err)
		}
	}
	if c.n < 1 {
		return c, fmt.Errorf("-n must be at least 1")
	}
	for _, w := range strings.Split(workers, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || v < 1 {
			return c, fmt.Errorf("-workers: %q is not a positive count", w)
		}
		c.workers = append(c.workers, v)
	}
	for _, m := range strings.Split(modes, ",") {
		m = strings.TrimSpace(m)
		if !slices.Contains(allModes, m) {
			return c, fmt.Errorf("-modes: unknown mode %q (have %s)", m, strings.Join(allModes, ", "))
		}
		c.modes = append(c.modes, m)
	}
	return c, nil
}

func run(args []string, out io.Writer) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	t, err := open(ctx, c.db)
	if err != nil {
		return err
	}
	t.maxConns, t.layout, t.batch = c.conns, c.layout, c.batch
	defer t.close()

	fmt.Fprintf(out, "%s, %s; %d records per row; %s %s/%s, GOMAXPROCS %d; %s; load average %s\n\n",
		t.label, t.version(ctx), c.n, runtime.Version(), runtime.GOOS, runtime.GOARCH,
		runtime.GOMAXPROCS(0), time.Now().UTC().Format("2006-01-02"), loadAverage())
	fmt.Fprintln(out, "| mode | workers | stored/s | round trips per stored | failed requests | aborted attempts | collisions | p50 | p99 |")
	fmt.Fprintln(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	var results []result
	for _, w := range c.workers {
		for _, m := range c.modes {
			r, err := runOne(ctx, t, m, w, c.n)
			if err != nil {
				return fmt.Errorf("%s, %d workers: %w", m, w, err)
			}
			results = append(results, r)
			for _, kind := range slices.Sorted(maps.Keys(r.firstErr)) {
				fmt.Fprintf(os.Stderr, "dbbench: %s, %d workers: first %s failure: %v\n", m, w, kind, r.firstErr[kind])
			}
			aborted := "–" // checkfirst knows no aborted attempt: its request fails
			if m != modeCheckFirst {
				aborted = strconv.FormatUint(r.aborted, 10)
			}
			fmt.Fprintf(out, "| %s | %d | %.0f | %.3f | %s | %s | %d | %s | %s |\n",
				m, w, r.perSecond(), r.roundTrips(), failed(r), aborted, r.collisions, ms(r.p50), ms(r.p99))
		}
	}
	fmt.Fprintln(out)
	for _, r := range results {
		if r.fallbacks > 0 {
			fmt.Fprintf(out, "%s, %d workers: %d requests went on to the fallback layout\n", r.mode, r.workers, r.fallbacks)
		}
	}
	summary(out, results)
	fmt.Fprintf(out, "load average at the end: %s\n", loadAverage())
	return lostRequests(results)
}

// lostRequests returns an error that lists the casemint modes that failed
// requests, or nil: the hand-written modes' failures are expected, theirs
// are not. A busy answer loses nothing: the caller is told the database
// refused every attempt and may try again; a gap-free series through every
// node of a cluster gets some.
func lostRequests(results []result) error {
	var lost []string
	for _, r := range results {
		if !slices.Contains(handWritten, r.mode) && r.failed > r.failures["busy"] {
			lost = append(lost, fmt.Sprintf("%s at %d workers: %s", r.mode, r.workers, failed(r)))
		}
	}
	if len(lost) > 0 {
		return fmt.Errorf("casemint modes failed requests: %s", strings.Join(lost, "; "))
	}
	return nil
}

// failed formats the failed requests with their kinds: "3 (2 duplicate,
// 1 aborted)".
func failed(r result) string {
	if r.failed == 0 {
		return "0"
	}
	var kinds []string
	for _, kind := range slices.Sorted(maps.Keys(r.failures)) {
		kinds = append(kinds, fmt.Sprintf("%d %s", r.failures[kind], kind))
	}
	return fmt.Sprintf("%d (%s)", r.failed, strings.Join(kinds, ", "))
}

// loadAverage returns the 1, 5 and 15 minute load averages of the machine,
// or "unknown" where /proc/loadavg cannot be read.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// summary prints each casemint mode's throughput relative to checkfirst's,
// and seqgroup's relative to the modes it is measured against.
func summary(out io.Writer, results []result) {
	for _, b := range results {
		var lines []string
		for _, r := range results {
			if r.workers != b.workers || r.perSecond() == 0 || b.perSecond() == 0 {
				continue
			}
			switch {
			case b.mode == modeCheckFirst && r.mode != modeCheckFirst:
				lines = append(lines, fmt.Sprintf("%s/%s %.2fx", r.mode, b.mode, r.perSecond()/b.perSecond()))
			case b.mode == modeSeqGroup && slices.Contains([]string{modeInsert, modeCreate, modeGapFree, modeSeqTx}, r.mode):
				lines = append(lines, fmt.Sprintf("%s/%s %.2fx", b.mode, r.mode, b.perSecond()/r.perSecond()))
			}
		}
		if len(lines) > 0 {
			fmt.Fprintf(out, "throughput, %d workers: %s\n", b.workers, strings.Join(lines, ", "))
		}
	}
}

// ms formats a latency in milliseconds.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}
