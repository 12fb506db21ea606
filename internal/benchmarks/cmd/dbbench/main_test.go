package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	t.Parallel()
	c, err := parseFlags([]string{"-n", "10", "-workers", "1, 8", "-modes", "create,seed"})
	if err != nil {
		t.Fatal(err)
	}
	if c.db != "sqlite" || c.n != 10 || len(c.workers) != 2 || c.workers[1] != 8 || strings.Join(c.modes, ",") != "create,seed" {
		t.Fatalf("parsed %+v", c)
	}
	for _, bad := range [][]string{
		{"-n", "0"}, {"-workers", "1,x"}, {"-workers", "0"}, {"-modes", "create,uuid"}, {"extra"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}

func TestOpenRefusesAnUnknownDatabase(t *testing.T) {
	t.Parallel()
	if _, err := open(context.Background(), "oracle"); err == nil {
		t.Fatal(`open("oracle") succeeded`)
	}
}

// checkModes runs every mode at two worker counts against spec and checks
// what the report's targets rest on: every request of a casemint mode
// stores its record, and the round trips per record are what each mode is
// built for.
func checkModes(t *testing.T, spec string) {
	ctx := context.Background()
	tg, err := open(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.close()
	const n = 300
	for _, workers := range []int{1, 4} {
		for _, mode := range allModes {
			r, err := runOne(ctx, tg, mode, workers, n)
			if err != nil {
				t.Fatalf("%s, %d workers: %v", mode, workers, err)
			}
			if r.stored+r.failed != n || r.stored == 0 {
				t.Errorf("%s, %d workers: stored %d, failed %d of %d", mode, workers, r.stored, r.failed, n)
			}
			if mode != modeSeed && r.failed != 0 {
				t.Errorf("%s, %d workers: %d failed requests, first: %v", mode, workers, r.failed, r.firstErr)
			}
			// Minimums are exact (one INSERT per record, plus a lookup or a
			// counter statement where the mode has one); the slack above
			// them is for collisions, which a fast run meets.
			lo := map[string]float64{modeSeed: 2, modeCreate: 1, modeSeq: 2, modeBlock: 1.0 + 1.0/100}[mode]
			if rt := r.roundTrips(); rt < lo-1e-9 || rt > lo+0.1 {
				t.Errorf("%s, %d workers: %.3f round trips per record, want %.2f to %.2f", mode, workers, rt, lo, lo+0.1)
			}
			if r.p50 <= 0 || r.p99 < r.p50 {
				t.Errorf("%s, %d workers: p50 %v, p99 %v", mode, workers, r.p50, r.p99)
			}
		}
	}
}

func TestModesSQLite(t *testing.T) {
	checkModes(t, "sqlite")
}

func TestModesPostgres(t *testing.T) {
	dsn := serverDSN(t, "CASEMINT_POSTGRES_DSN")
	checkModes(t, dsn)
}

func TestModesMySQL(t *testing.T) {
	dsn := serverDSN(t, "CASEMINT_MYSQL_DSN")
	checkModes(t, dsn)
}

// serverDSN returns a server's DSN from the environment; without one the
// test is skipped, or fails under CI, where the servers must be running.
func serverDSN(t *testing.T, env string) string {
	t.Helper()
	dsn := os.Getenv(env)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set", env)
		}
		t.Skipf("%s is not set; start the servers with: eval \"$(bash internal/testdb/databases.sh start)\"", env)
	}
	return dsn
}

func TestRunPrintsATable(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-n", "50", "-workers", "1,2"}, &out); err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, line := range strings.Split(out.String(), "\n") {
		for _, m := range allModes {
			if strings.HasPrefix(line, "| "+m+" | ") {
				rows++
			}
		}
	}
	if rows != 2*len(allModes) {
		t.Fatalf("%d mode rows, want %d:\n%s", rows, 2*len(allModes), out.String())
	}
	if !strings.Contains(out.String(), "throughput relative to the seed, 2 workers: create/seed") {
		t.Fatalf("no summary line:\n%s", out.String())
	}
}
