package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestParseFlags(t *testing.T) {
	t.Parallel()
	c, err := parseFlags([]string{"-n", "10", "-workers", "1, 8", "-modes", "create,checkfirst,createtx, seqtx", "-db", "a,b"})
	if err != nil {
		t.Fatal(err)
	}
	if c.db != "a,b" || c.n != 10 || len(c.workers) != 2 || c.workers[1] != 8 || strings.Join(c.modes, ",") != "create,checkfirst,createtx,seqtx" {
		t.Fatalf("parsed %+v", c)
	}
	c, err = parseFlags(nil)
	if err != nil || c.db != "sqlite" || strings.Join(c.modes, ",") != strings.Join(allModes, ",") {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	for _, bad := range [][]string{
		{"-n", "0"}, {"-workers", "1,x"}, {"-workers", "0"}, {"-modes", "create,uuid"}, {"-conns", "-1"}, {"extra"},
		{"-layout", "G-{rand:99}"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}

func TestOpenRefusesWhatIsNotADatabaseOrACluster(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{
		"oracle",
		"sqlite,sqlite",                         // a cluster is made of MySQL nodes
		"u@tcp(127.0.0.1:1)/db,postgres://h/db", // the same
		"u@tcp(127.0.0.1:1)/db,",                // an empty node
	} {
		if _, err := open(t.Context(), spec); err == nil {
			t.Errorf("open(%q) succeeded", spec)
		} else if strings.Contains(spec, ",") && !strings.Contains(err.Error(), "node") {
			t.Errorf("open(%q): %v, want the node named", spec, err)
		}
	}
}

// Worker w writes through node w % nodes: the pools must be sized to match.
func TestWorkersOn(t *testing.T) {
	t.Parallel()
	for nodes := 1; nodes <= 4; nodes++ {
		for workers := 1; workers <= 25; workers++ {
			want := make([]int, nodes)
			for w := range workers {
				want[w%nodes]++
			}
			for i := range nodes {
				if got := workersOn(i, nodes, workers); got != want[i] {
					t.Errorf("workersOn(%d, %d, %d) = %d, want %d", i, nodes, workers, got, want[i])
				}
			}
		}
	}
}

// The counting driver counts every request sent: statements, prepared or
// not, BEGIN, COMMIT and ROLLBACK, and nothing twice.
func TestCountingConnector(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tg, err := open(ctx, "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	defer tg.close()
	db := tg.first()
	step := func(what string, want, wantInTx int64, f func() error) {
		t.Helper()
		tg.resetSent()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got, inTx := tg.sent(); got != want || inTx != wantInTx {
			t.Errorf("%s: %d requests counted, %d in a transaction; want %d, %d", what, got, inTx, want, wantInTx)
		}
	}
	step("CREATE TABLE", 1, 0, func() error {
		_, err := db.ExecContext(ctx, "CREATE TABLE t (v INTEGER UNIQUE)")
		return err
	})
	step("BEGIN, INSERT, COMMIT", 3, 1, func() error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (?)", 1); err != nil {
			return err
		}
		return tx.Commit()
	})
	step("BEGIN, failed INSERT, ROLLBACK", 3, 1, func() error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (?)", 1); err == nil {
			t.Error("duplicate INSERT succeeded")
		}
		return tx.Rollback()
	})
	step("a query", 1, 0, func() error {
		var n int
		return db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n)
	})
	step("PREPARE, and two runs", 3, 0, func() error {
		s, err := db.PrepareContext(ctx, "INSERT INTO t VALUES (?)")
		if err != nil {
			return err
		}
		defer s.Close()
		for v := 2; v <= 3; v++ {
			if _, err := s.ExecContext(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkModes runs every mode at two worker counts against spec and checks
// what the report rests on: every request of a casemint mode stores its
// record, and the round trips are what each mode is built for.
func checkModes(t *testing.T, spec string, workerCounts ...int) {
	ctx := context.Background()
	tg, err := open(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.close()
	const n = 300
	cluster := len(tg.nodes) > 1
	for _, workers := range workerCounts {
		for _, mode := range allModes {
			r, err := runOne(ctx, tg, mode, workers, n)
			if err != nil {
				t.Fatalf("%s, %d workers: %v", mode, workers, err)
			}
			if r.stored()+r.failed != n || r.stored() == 0 {
				t.Errorf("%s, %d workers: stored %d, failed %d of %d", mode, workers, r.stored(), r.failed, n)
			}
			// A gap-free series has no fallback: through every node of a
			// cluster, a request whose attempts were all refused fails as
			// busy, which is the answer it must get, whether it drew alone
			// or in a group commit; nothing else may fail.
			busyOK := cluster && (mode == modeSeqTx || mode == modeSeqGroup)
			if !slices.Contains(handWritten, mode) && r.failed != 0 && !(busyOK && r.failures["busy"] == r.failed) {
				t.Errorf("%s, %d workers: %d failed requests, first: %v", mode, workers, r.failed, r.firstErr)
			}
			checkRoundTrips(t, r, cluster)
			if mode == modeSeqTx || mode == modeGapFree || mode == modeSeqGroup {
				checkGapFree(t, r)
			}
			if r.p50 <= 0 || r.p99 < r.p50 {
				t.Errorf("%s, %d workers: p50 %v, p99 %v", mode, workers, r.p50, r.p99)
			}
		}
	}
}

// checkRoundTrips checks the statements of a run against what its mode
// sends per stored record at least, and per attempt where that is fixed.
func checkRoundTrips(t *testing.T, r result, cluster bool) {
	t.Helper()
	got, stored, attempts := r.statements, int64(r.stored()), int64(r.attempts)
	// At least: a lookup and an INSERT; an INSERT; a counter statement and
	// an INSERT; an INSERT and a block per 100; BEGIN, INSERT, COMMIT; and
	// BEGIN, counter, INSERT, COMMIT.
	// At least, too: an INSERT; BEGIN, counter, INSERT, COMMIT; and an
	// INSERT per record with BEGIN, counter and COMMIT once.
	least := map[string]int64{modeCheckFirst: 2 * stored, modeCreate: stored, modeSeq: 2 * stored,
		modeBlock: stored + (stored+99)/100, modeCreateTx: 3 * stored, modeSeqTx: 4 * stored,
		modeInsert: stored, modeGapFree: 4 * stored, modeSeqGroup: stored + 3}[r.mode]
	most := int64(-1) // no bound
	switch r.mode {
	case modeCheckFirst: // a lookup per candidate, an INSERT per request
		most = 2*int64(r.requests) + int64(r.collisions)
	case modeCreate: // an INSERT per attempt
		least, most = attempts, attempts
	case modeCreateTx: // BEGIN, INSERT, COMMIT or ROLLBACK per attempt, and a ROLLBACK after a failed COMMIT
		least, most = 3*attempts, 3*attempts+int64(r.aborted)
		if r.inTx != attempts {
			t.Errorf("%s, %d workers: %d statements in transactions, want an INSERT per attempt, %d", r.mode, r.workers, r.inTx, attempts)
		}
	case modeInsert: // an INSERT per request
		most = int64(r.requests)
	case modeGapFree: // BEGIN, counter, INSERT, COMMIT or ROLLBACK per try
		most = 4 * attempts
	case modeSeqGroup: // at most seqtx's, and the records' INSERTs and counters in transactions
		most = 4*attempts + int64(r.aborted)
		if r.inTx < stored+1 {
			t.Errorf("%s, %d workers: %d statements in transactions for %d records", r.mode, r.workers, r.inTx, stored)
		}
	case modeSeqTx: // BEGIN, counter (not in the fallback), INSERT, COMMIT or ROLLBACK, and a ROLLBACK after a failed COMMIT
		most = 4*attempts + int64(r.aborted)
		// The counter is drawn in the record's transaction.
		if want := 2*stored - int64(r.fallbacks); r.inTx < want {
			t.Errorf("%s, %d workers: %d statements in transactions for %d records (%d fallbacks), want at least %d",
				r.mode, r.workers, r.inTx, stored, r.fallbacks, want)
		}
	case modeSeq, modeBlock:
		// A Sequence retries the counter statements a cluster aborts, so
		// only one server bounds them.
		if !cluster {
			most = least + int64(r.collisions+r.aborted)*2 + stored/10
		}
	}
	if got < least || most >= 0 && got > most {
		t.Errorf("%s, %d workers: %d statements for %d records in %d attempts, want %d to %d",
			r.mode, r.workers, got, stored, attempts, least, most)
	}
}

// checkGapFree checks that the counter values of a seqtx run are 1 to k
// with none missing, k the records stored under the main layout.
func checkGapFree(t *testing.T, r result) {
	t.Helper()
	scope := ""
	seen := map[uint64]bool{}
	for _, num := range r.numbers {
		i := strings.LastIndexByte(num, '-')
		if scope == "" {
			scope = num[:i]
		}
		if num[:i] != scope {
			t.Logf("%s, %d workers: the day changed during the run; gaps not checked", r.mode, r.workers)
			return
		}
		if v, err := strconv.ParseUint(num[i+1:], 10, 64); err == nil {
			seen[v] = true // a fallback number of decimal digits only lands far above k
		}
	}
	k := uint64(r.stored()) - r.fallbacks
	for v := uint64(1); v <= k; v++ {
		if !seen[v] {
			t.Errorf("%s, %d workers: counter value %d missing of 1 to %d (%d fallbacks)", r.mode, r.workers, v, k, r.fallbacks)
			return
		}
	}
	if seen[k+1] {
		t.Errorf("%s, %d workers: counter value %d stored, above the %d records of the main layout", r.mode, r.workers, k+1, k)
	}
}

func TestModesSQLite(t *testing.T) {
	t.Parallel()
	checkModes(t, "sqlite", 1, 4)
}

func TestModesPostgres(t *testing.T) {
	t.Parallel()
	checkModes(t, testdb.PostgresDSN(t), 1, 4)
}

func TestModesMySQL(t *testing.T) {
	t.Parallel()
	checkModes(t, testdb.MySQLDSN(t), 1, 4)
}

// Through the three nodes of a Galera cluster, two workers per node at the
// most: a clash between nodes fails checkfirst's request and is retried by
// every casemint mode.
func TestModesGalera(t *testing.T) {
	t.Parallel()
	checkModes(t, strings.Join(testdb.GaleraDSNs(t), ","), 1, 6)
}

// A list of databases that are not one cluster never sees its table on the
// other node: open succeeds, the run fails and says so.
func TestRunRefusesServersThatAreNotACluster(t *testing.T) {
	t.Parallel()
	tg, err := open(t.Context(), testdb.MySQLDSN(t)+","+testdb.GaleraDSNs(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	defer tg.close()
	tg.visibleWait = time.Second
	if _, err := runOne(t.Context(), tg, modeCreate, 2, 10); err == nil || !strings.Contains(err.Error(), "node 2") {
		t.Fatalf("runOne across two separate servers: %v, want the table missing on node 2", err)
	}
}

func TestRunPrintsATable(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run([]string{"-n", "50", "-workers", "1,2"}, &out); err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, line := range strings.Split(out.String(), "\n") {
		for _, m := range allModes {
			if strings.HasPrefix(line, "| "+m+" | ") {
				rows++
				if cells := strings.Split(line, "|"); len(cells) != 11 {
					t.Errorf("%d cells in %q, want 9", len(cells)-2, line)
				}
			}
		}
	}
	if rows != 2*len(allModes) {
		t.Fatalf("%d mode rows, want %d:\n%s", rows, 2*len(allModes), out.String())
	}
	for _, want := range []string{"| aborted attempts | collisions |", "throughput, 2 workers: insert/checkfirst", "seqgroup/gapfree", "load average"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
}

// The failed-requests cell names each kind.
func TestFailedCell(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		want string
	}{
		{&mysql.MySQLError{Number: 1062}, "duplicate"},
		{fmt.Errorf("%w: %w", casenum.ErrExhausted, &mysql.MySQLError{Number: 1062}), "exhausted"},
		{&mysql.MySQLError{Number: 1213}, "aborted"},
		{&casenum.AttemptError{Number: "CASE-1", Attempt: 1, Err: mysql.ErrInvalidConn}, "uncertain"},
		{errors.New("disk full"), "failed"},
	} {
		if got := failure(c.err); got != c.want {
			t.Errorf("failure(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	r := result{failed: 3, failures: map[string]int{"duplicate": 2, "aborted": 1}}
	if got, want := failed(r), "3 (1 aborted, 2 duplicate)"; got != want {
		t.Errorf("failed() = %q, want %q", got, want)
	}
	if got := failed(result{}); got != "0" {
		t.Errorf("failed() with none = %q", got)
	}
}

// Failed requests of a casemint mode make the run fail; checkfirst's do not.
func TestLostRequests(t *testing.T) {
	t.Parallel()
	base := result{mode: modeCheckFirst, workers: 8, failed: 2, failures: map[string]int{"duplicate": 2}}
	ok := result{mode: modeCreate, workers: 8}
	if err := lostRequests([]result{base, ok}); err != nil {
		t.Errorf("checkfirst's failures: %v", err)
	}
	bad := result{mode: modeSeqTx, workers: 24, failed: 1, failures: map[string]int{"exhausted": 1}}
	err := lostRequests([]result{base, ok, bad})
	if err == nil || !strings.Contains(err.Error(), "seqtx at 24 workers: 1 (1 exhausted)") || strings.Contains(err.Error(), modeCheckFirst) {
		t.Errorf("a casemint mode's failure: %v", err)
	}
}
