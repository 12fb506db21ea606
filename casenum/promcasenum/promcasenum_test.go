package promcasenum_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/casenum/promcasenum"
)

var (
	errDuplicate = fmt.Errorf("insert: %w", casenum.ErrDuplicate)
	errDisk      = errors.New("disk on fire")
	errLost      = fmt.Errorf("connection lost after sending: %w", casenum.ErrUncertain)
)

func newGenerator(t *testing.T) *casenum.Generator {
	t.Helper()
	g, err := casenum.New(
		casenum.WithLayout("T-{rand:6}"),
		casenum.WithRandom(casenumtest.NewRandom(7)),
		casenum.WithRetry(casenum.Retry{Attempts: 2, FallbackAttempts: 1}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// create calls g.Create with an insert that returns the script's errors in
// turn and then stores the number.
func create(g *casenum.Generator, table *casenumtest.Store, script ...error) error {
	_, err := g.Create(context.Background(), func(ctx context.Context, number string) error {
		if len(script) > 0 {
			err := script[0]
			script = script[1:]
			return err
		}
		return table.Insert(ctx, number)
	})
	return err
}

// scenario drives g to a different count for every counter: 6 minted,
// 17 attempts, 5 collisions, 4 aborted, 3 fallbacks, 1 exhausted, 2 errors.
func scenario(t *testing.T, g *casenum.Generator) {
	t.Helper()
	table := casenumtest.NewStore()
	for i, s := range []struct {
		script []error
		want   error
	}{
		{[]error{driver.ErrBadConn, driver.ErrBadConn}, nil},                      // 2 aborted, fallback, minted
		{[]error{errDuplicate, errDuplicate, errDuplicate}, casenum.ErrExhausted}, // 3 collisions, fallback
		{[]error{driver.ErrBadConn, errDuplicate}, nil},                           // aborted, collision, fallback, minted
		{[]error{driver.ErrBadConn}, nil},                                         // aborted, minted
		{[]error{errDuplicate}, nil},                                              // collision, minted
		{nil, nil},
		{nil, nil},
		{[]error{errDisk}, errDisk},
		{[]error{errLost}, casenum.ErrUncertain},
	} {
		err := create(g, table, s.script...)
		if s.want == nil && err != nil || !errors.Is(err, s.want) {
			t.Fatalf("call %d: Create = %v, want %v", i+1, err, s.want)
		}
	}
	want := casenum.Stats{Minted: 6, Attempts: 17, Collisions: 5, Aborted: 4, Fallbacks: 3, Exhausted: 1, Errors: 2}
	if st := g.Stats(); st != want {
		t.Fatalf("Stats = %+v, want %+v", st, want)
	}
}

const exposition = `
# HELP casemint_aborted_total Attempts the database refused with nothing stored; retried.
# TYPE casemint_aborted_total counter
casemint_aborted_total{generator="tickets"} 4
# HELP casemint_attempts_total Candidates tried, the fallback layout's included.
# TYPE casemint_attempts_total counter
casemint_attempts_total{generator="tickets"} 17
# HELP casemint_collisions_total Candidates found taken, by the Checker or the insert.
# TYPE casemint_collisions_total counter
casemint_collisions_total{generator="tickets"} 5
# HELP casemint_errors_total Calls that ended with any other error, context errors included.
# TYPE casemint_errors_total counter
casemint_errors_total{generator="tickets"} 2
# HELP casemint_exhausted_total Calls that ended with every attempt used up.
# TYPE casemint_exhausted_total counter
casemint_exhausted_total{generator="tickets"} 1
# HELP casemint_fallbacks_total Calls that went on to the fallback layout.
# TYPE casemint_fallbacks_total counter
casemint_fallbacks_total{generator="tickets"} 3
# HELP casemint_minted_total Case numbers handed out by Next or stored by Create.
# TYPE casemint_minted_total counter
casemint_minted_total{generator="tickets"} 6
`

func TestExposition(t *testing.T) {
	t.Parallel()
	g := newGenerator(t)
	scenario(t, g)
	c := promcasenum.NewCollector(g, prometheus.Labels{"generator": "tickets"})
	// CollectAndCompare registers c on a pedantic registry and compares
	// every metric it collects.
	if err := testutil.CollectAndCompare(c, strings.NewReader(exposition)); err != nil {
		t.Error(err)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil || len(problems) > 0 {
		t.Errorf("lint: %v, %v", problems, err)
	}
}

// Every counter of Stats is exported as casemint_<json name>_total, with
// HELP text and the value of the Stats.
func TestEveryStatsCounterExported(t *testing.T) {
	t.Parallel()
	g := newGenerator(t)
	scenario(t, g)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(promcasenum.NewCollector(g, nil))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]*dto.MetricFamily{}
	for _, f := range families {
		exported[f.GetName()] = f
	}
	st := reflect.ValueOf(g.Stats())
	for i := range st.NumField() {
		field := st.Type().Field(i)
		name := "casemint_" + strings.Split(field.Tag.Get("json"), ",")[0] + "_total"
		f := exported[name]
		if f == nil {
			t.Errorf("Stats.%s is not exported as %s", field.Name, name)
			continue
		}
		if f.GetHelp() == "" || f.GetType() != dto.MetricType_COUNTER || len(f.GetMetric()) != 1 ||
			f.GetMetric()[0].GetCounter().GetValue() != float64(st.Field(i).Uint()) {
			t.Errorf("%s = %v, want a counter with HELP and the value %d of Stats.%s", name, f, st.Field(i).Uint(), field.Name)
		}
		delete(exported, name)
	}
	for name := range exported {
		t.Errorf("%s is exported but is no counter of Stats", name)
	}
}

// Each scrape reads the Stats of that moment.
func TestScrapesFollowTheGenerator(t *testing.T) {
	t.Parallel()
	g := newGenerator(t)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(promcasenum.NewCollector(g, nil))
	table := casenumtest.NewStore()
	for want := range 3 {
		text := fmt.Sprintf(`
# HELP casemint_minted_total Case numbers handed out by Next or stored by Create.
# TYPE casemint_minted_total counter
casemint_minted_total %d
`, want)
		if err := testutil.GatherAndCompare(reg, strings.NewReader(text), "casemint_minted_total"); err != nil {
			t.Errorf("after %d numbers: %v", want, err)
		}
		if err := create(g, table); err != nil {
			t.Fatal(err)
		}
	}
}

// Two Generators on one registry, told apart by a constant label.
func TestSeveralGeneratorsOnOneRegistry(t *testing.T) {
	t.Parallel()
	a, b := newGenerator(t), newGenerator(t)
	reg := prometheus.NewPedanticRegistry()
	for name, g := range map[string]*casenum.Generator{"a": a, "b": b} {
		if err := reg.Register(promcasenum.NewCollector(g, prometheus.Labels{"generator": name})); err != nil {
			t.Fatal(err)
		}
	}
	if err := create(b, casenumtest.NewStore()); err != nil {
		t.Fatal(err)
	}
	const text = `
# HELP casemint_minted_total Case numbers handed out by Next or stored by Create.
# TYPE casemint_minted_total counter
casemint_minted_total{generator="a"} 0
casemint_minted_total{generator="b"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(text), "casemint_minted_total"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 14 {
		t.Errorf("gathered %d series (%v), want 14", n, err)
	}
	// The same labels again would make a second copy of every series.
	if err := reg.Register(promcasenum.NewCollector(a, prometheus.Labels{"generator": "a"})); err == nil {
		t.Error("a second Collector with the same labels was registered")
	}
}

func TestNilGeneratorRefused(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewPedanticRegistry()
	err := reg.Register(promcasenum.NewCollector(nil, nil))
	if err == nil || !strings.Contains(err.Error(), "promcasenum: nil Generator") {
		t.Errorf("Register = %v, want an error about the nil Generator", err)
	}
	// Collected without a registry's check, it yields an error, not a
	// panic.
	ch := make(chan prometheus.Metric, 8)
	promcasenum.NewCollector(nil, nil).Collect(ch)
	close(ch)
	n := 0
	for m := range ch {
		n++
		if err := m.Write(new(dto.Metric)); err == nil || !strings.Contains(err.Error(), "nil Generator") {
			t.Errorf("Write = %v, want the nil Generator's error", err)
		}
	}
	if n != 1 {
		t.Errorf("collected %d metrics, want 1", n)
	}
}

func TestInvalidConstLabelsRefused(t *testing.T) {
	t.Parallel()
	g := newGenerator(t)
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(promcasenum.NewCollector(g, prometheus.Labels{"": "x"})); err == nil {
		t.Error("a Collector with an empty label name was registered")
	}
}
