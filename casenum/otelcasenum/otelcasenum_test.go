package otelcasenum_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/casenum/otelcasenum"
)

// step is how far every insert moves the fake clock, so that a call's
// duration is its number of attempts times step, exactly.
const step = 250 * time.Millisecond

// fixture is a Generator observed through an SDK that keeps everything in
// memory, and an insert function that fails as a script says.
type fixture struct {
	gen    *casenum.Generator
	clock  *casenumtest.Clock
	table  *casenumtest.Store
	reader *sdkmetric.ManualReader
	spans  *tracetest.SpanRecorder
	tracer *sdktrace.TracerProvider

	mu     sync.Mutex
	script []error // what the next inserts return; nil stores the number
}

func newFixture(t *testing.T, retry casenum.Retry, opts ...otelcasenum.Option) *fixture {
	t.Helper()
	f := &fixture{
		clock:  casenumtest.NewClock(time.Date(2025, 9, 29, 10, 0, 0, 0, time.UTC)),
		table:  casenumtest.NewStore(),
		reader: sdkmetric.NewManualReader(),
		spans:  tracetest.NewSpanRecorder(),
	}
	f.tracer = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(f.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(f.reader))
	t.Cleanup(func() {
		_ = mp.Shutdown(context.Background())
		_ = f.tracer.Shutdown(context.Background())
	})
	obs, err := otelcasenum.NewObserver(append([]otelcasenum.Option{
		otelcasenum.WithMeterProvider(mp),
		otelcasenum.WithTracerProvider(f.tracer),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	// The waits after aborts end at once; a test that sets a Delay drives
	// the waits itself.
	var clock casenum.Clock = instantWaits{f.clock}
	if retry.Delay > 0 {
		clock = f.clock
	}
	f.gen, err = casenum.New(
		casenum.WithLayout("T-{rand:6}"),
		casenum.WithClock(clock),
		casenum.WithRandom(casenumtest.NewRandom(7)),
		casenum.WithRetry(retry),
		casenum.WithObserver(obs),
	)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// instantWaits is a fake clock on which the Generator's waits between
// attempts end at once and take no time, so the durations observed are the
// inserts' steps alone.
type instantWaits struct{ *casenumtest.Clock }

func (c instantWaits) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

// create calls Create with an insert that moves the clock by step and then
// returns the script's next error, or stores the number once the script
// is used up.
func (f *fixture) create(ctx context.Context, script ...error) (string, error) {
	f.mu.Lock()
	f.script = script
	f.mu.Unlock()
	return f.gen.Create(ctx, func(ctx context.Context, number string) error {
		f.clock.Advance(step)
		f.mu.Lock()
		var err error
		if len(f.script) > 0 {
			err, f.script = f.script[0], f.script[1:]
		}
		f.mu.Unlock()
		if err != nil {
			return err
		}
		return f.table.Insert(ctx, number)
	})
}

func (f *fixture) collect(t *testing.T) metricdata.ScopeMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := f.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if len(rm.ScopeMetrics) != 1 {
		t.Fatalf("collected %d scopes, want 1: %+v", len(rm.ScopeMetrics), rm.ScopeMetrics)
	}
	return rm.ScopeMetrics[0]
}

var (
	errDisk      = errors.New("disk on fire")
	errLost      = fmt.Errorf("connection lost after sending: %w", casenum.ErrUncertain)
	errDuplicate = fmt.Errorf("insert: %w", casenum.ErrDuplicate)
)

// scenario makes calls that end in every way: minted at once, after a
// collision, on the fallback after an abort and a collision; exhausted;
// failed; uncertain; and refused for a context that had ended.
func scenario(t *testing.T, f *fixture, ctx context.Context) {
	t.Helper()
	calls := []struct {
		script []error
		want   error
	}{
		{nil, nil},
		{[]error{errDuplicate}, nil},
		{[]error{driver.ErrBadConn, errDuplicate}, nil},
		{[]error{errDuplicate, errDuplicate, errDuplicate}, casenum.ErrExhausted},
		{[]error{errDisk}, errDisk},
		{[]error{errLost}, casenum.ErrUncertain},
	}
	for i, c := range calls {
		_, err := f.create(ctx, c.script...)
		if c.want == nil && err != nil || !errors.Is(err, c.want) {
			t.Fatalf("call %d: Create = %v, want %v", i+1, err, c.want)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.gen.Next(done); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next(cancelled) = %v, want context.Canceled", err)
	}
}

func counter(name, unit, desc string, v int64, attrs attribute.Set) metricdata.Metrics {
	return metricdata.Metrics{
		Name: name, Unit: unit, Description: desc,
		Data: metricdata.Sum[int64]{
			Temporality: metricdata.CumulativeTemporality,
			IsMonotonic: true,
			DataPoints:  []metricdata.DataPoint[int64]{{Attributes: attrs, Value: v}},
		},
	}
}

func withOutcome(base []attribute.KeyValue, outcome string) attribute.Set {
	return attribute.NewSet(append(base[:len(base):len(base)], attribute.String("outcome", outcome))...)
}

var (
	durationBounds = []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}
	attemptsBounds = []float64{1, 2, 3, 5, 8, 13, 21}
)

// want is what the scenario must record, worked out call by call:
//
//	call  outcome    attempts  duration
//	1     minted     1         0.25 s
//	2     minted     2         0.50 s  one collision
//	3     minted     3         0.75 s  one abort, one collision, the fallback
//	4     exhausted  3         0.75 s  three collisions, the fallback
//	5     error      1         0.25 s
//	6     uncertain  1         0.25 s
//	7     error      0         0 s     the context had ended
func want(base ...attribute.KeyValue) metricdata.ScopeMetrics {
	set := attribute.NewSet(base...)
	dur := func(outcome string, count uint64, buckets []uint64, minV, maxV, sum float64) metricdata.HistogramDataPoint[float64] {
		return metricdata.HistogramDataPoint[float64]{
			Attributes: withOutcome(base, outcome), Count: count, Bounds: durationBounds,
			BucketCounts: buckets, Min: metricdata.NewExtrema(minV), Max: metricdata.NewExtrema(maxV), Sum: sum,
		}
	}
	att := func(outcome string, count uint64, buckets []uint64, minV, maxV, sum int64) metricdata.HistogramDataPoint[int64] {
		return metricdata.HistogramDataPoint[int64]{
			Attributes: withOutcome(base, outcome), Count: count, Bounds: attemptsBounds,
			BucketCounts: buckets, Min: metricdata.NewExtrema(minV), Max: metricdata.NewExtrema(maxV), Sum: sum,
		}
	}
	return metricdata.ScopeMetrics{
		Scope: instrumentation.Scope{Name: "github.com/casemint/casemint/casenum/otelcasenum"},
		Metrics: []metricdata.Metrics{
			counter("casemint.minted", "{number}", "Case numbers handed out by Next or stored by Create.", 3, set),
			counter("casemint.collisions", "{collision}", "Attempts that collided: the Checker or the insert found the number stored.", 5, set),
			counter("casemint.aborted", "{attempt}", "Attempts the database refused with nothing stored; retried.", 1, set),
			counter("casemint.fallbacks", "{call}", "Calls that went on to the fallback layout.", 2, set),
			counter("casemint.exhausted", "{call}", "Calls that ended with every attempt used up.", 1, set),
			counter("casemint.errors", "{call}", "Calls that ended with any other error, context errors included.", 3, set),
			{
				Name: "casemint.create.duration", Unit: "s",
				Description: "Duration of each Create or Next call, by outcome.",
				Data: metricdata.Histogram[float64]{
					Temporality: metricdata.CumulativeTemporality,
					DataPoints: []metricdata.HistogramDataPoint[float64]{
						//                        ≤.001 .005 .01 .05 .1 .5 1 5 10 +Inf
						dur("minted", 3, []uint64{0, 0, 0, 0, 0, 2, 1, 0, 0, 0}, 0.25, 0.75, 1.5),
						dur("exhausted", 1, []uint64{0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, 0.75, 0.75, 0.75),
						dur("error", 2, []uint64{1, 0, 0, 0, 0, 1, 0, 0, 0, 0}, 0, 0.25, 0.25),
						dur("uncertain", 1, []uint64{0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, 0.25, 0.25, 0.25),
					},
				},
			},
			{
				Name: "casemint.create.attempts", Unit: "{attempt}",
				Description: "Attempts made by each Create or Next call, by outcome.",
				Data: metricdata.Histogram[int64]{
					Temporality: metricdata.CumulativeTemporality,
					DataPoints: []metricdata.HistogramDataPoint[int64]{
						//                        ≤1 2  3  5  8 13 21 +Inf
						att("minted", 3, []uint64{1, 1, 1, 0, 0, 0, 0, 0}, 1, 3, 6),
						att("exhausted", 1, []uint64{0, 0, 1, 0, 0, 0, 0, 0}, 3, 3, 3),
						att("error", 2, []uint64{2, 0, 0, 0, 0, 0, 0, 0}, 0, 1, 1),
						att("uncertain", 1, []uint64{1, 0, 0, 0, 0, 0, 0, 0}, 1, 1, 1),
					},
				},
			},
		},
	}
}

var scenarioRetry = casenum.Retry{Attempts: 2, FallbackAttempts: 1}

func TestMetrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scenarioRetry)
	scenario(t, f, context.Background())
	metricdatatest.AssertEqual(t, want(), f.collect(t), metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())

	// The counters follow the Generator's Stats, and the attempts'
	// histogram adds up to its attempts.
	st := f.gen.Stats()
	if st != (casenum.Stats{Minted: 3, Attempts: 11, Collisions: 5, Aborted: 1, Fallbacks: 2, Exhausted: 1, Errors: 3}) {
		t.Errorf("Stats = %+v, which the expected metrics no longer match", st)
	}
}

func TestMetricsCarryTheGivenAttributes(t *testing.T) {
	t.Parallel()
	attrs := []attribute.KeyValue{attribute.String("generator", "tickets"), attribute.Int("shard", 2)}
	f := newFixture(t, scenarioRetry, otelcasenum.WithAttributes(attrs[0]), otelcasenum.WithAttributes(attrs[1]))
	scenario(t, f, context.Background())
	metricdatatest.AssertEqual(t, want(attrs...), f.collect(t), metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

// No attribute of a measurement or span event carries a number that was
// minted or tried.
func TestNoNumberInAttributes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scenarioRetry)
	ctx, span := f.tracer.Tracer("test").Start(context.Background(), "handle")
	scenario(t, f, ctx)
	span.End()

	var seen []attribute.KeyValue
	for _, m := range f.collect(t).Metrics {
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, p := range d.DataPoints {
				seen = append(seen, p.Attributes.ToSlice()...)
			}
		case metricdata.Histogram[float64]:
			for _, p := range d.DataPoints {
				seen = append(seen, p.Attributes.ToSlice()...)
			}
		case metricdata.Histogram[int64]:
			for _, p := range d.DataPoints {
				seen = append(seen, p.Attributes.ToSlice()...)
			}
		default:
			t.Fatalf("%s: unexpected data %T", m.Name, m.Data)
		}
	}
	for _, s := range f.spans.Ended() {
		for _, e := range s.Events() {
			seen = append(seen, e.Attributes...)
		}
	}
	if len(seen) == 0 {
		t.Fatal("no attributes seen at all")
	}
	for _, kv := range seen {
		if v := kv.Value.Emit(); strings.HasPrefix(v, "T-") || strings.HasPrefix(v, "CASE-") {
			t.Errorf("attribute %s = %q carries a number", kv.Key, v)
		}
	}
}

func TestSpanEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scenarioRetry)
	ctx, span := f.tracer.Tracer("test").Start(context.Background(), "handle")
	// An abort, a collision, then the fallback's number is stored.
	if _, err := f.create(ctx, driver.ErrBadConn, errDuplicate); err != nil {
		t.Fatal(err)
	}
	span.End()

	ended := f.spans.Ended()
	if len(ended) != 1 || len(f.spans.Started()) != 1 {
		t.Fatalf("%d spans started, %d ended; want only the caller's", len(f.spans.Started()), len(ended))
	}
	type event struct {
		name     string
		attempt  int64
		fallback bool
	}
	var got []event
	for _, e := range ended[0].Events() {
		ev := event{name: e.Name}
		for _, kv := range e.Attributes {
			switch kv.Key {
			case "casemint.attempt":
				ev.attempt = kv.Value.AsInt64()
			case "casemint.fallback":
				ev.fallback = kv.Value.AsBool()
			default:
				t.Errorf("event %s: unexpected attribute %s", e.Name, kv.Key)
			}
		}
		if len(e.Attributes) != 2 {
			t.Errorf("event %s has %d attributes, want 2", e.Name, len(e.Attributes))
		}
		got = append(got, ev)
	}
	want := []event{
		{"casemint.aborted", 1, false},
		{"casemint.collision", 2, false},
		{"casemint.fallback", 3, true},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("span events = %v, want %v", got, want)
	}
}

func TestNoSpanEventsWithNoopTracerProvider(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scenarioRetry, otelcasenum.WithTracerProvider(noop.NewTracerProvider()))
	ctx, span := f.tracer.Tracer("test").Start(context.Background(), "handle")
	if _, err := f.create(ctx, errDuplicate); err != nil {
		t.Fatal(err)
	}
	span.End()
	if ev := f.spans.Ended()[0].Events(); len(ev) != 0 {
		t.Errorf("span events = %v, want none", ev)
	}
}

// A call cancelled while it waits to try again made one attempt, not two.
func TestAttemptsOfCallCancelledDuringWait(t *testing.T) {
	t.Parallel()
	f := newFixture(t, casenum.Retry{Delay: time.Second, Jitter: -1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := f.create(ctx, errDuplicate)
		done <- err
	}()
	if err := f.clock.BlockUntil(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Create = %v, want context.Canceled", err)
	}
	var got *metricdata.HistogramDataPoint[int64]
	for _, m := range f.collect(t).Metrics {
		if h, ok := m.Data.(metricdata.Histogram[int64]); ok && m.Name == "casemint.create.attempts" {
			got = &h.DataPoints[0]
		}
	}
	if got == nil {
		t.Fatal("no casemint.create.attempts")
	}
	if outcome, _ := got.Attributes.Value("outcome"); got.Count != 1 || got.Sum != 1 || outcome.AsString() != "error" {
		t.Errorf("attempts: count %d, sum %d, outcome %s; want one call of 1 attempt, outcome error", got.Count, got.Sum, outcome.Emit())
	}
	if a := f.gen.Stats().Attempts; a != 1 {
		t.Errorf("Stats().Attempts = %d, want 1", a)
	}
}

func TestConcurrentCallsAllCounted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, casenum.Retry{})
	const callers, each = 8, 50
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for range each {
				if _, err := f.gen.Create(context.Background(), f.table.Insert); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, m := range f.collect(t).Metrics {
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			if m.Name == "casemint.minted" && d.DataPoints[0].Value != callers*each {
				t.Errorf("casemint.minted = %d, want %d", d.DataPoints[0].Value, callers*each)
			}
		case metricdata.Histogram[float64]:
			if c := d.DataPoints[0].Count; c != callers*each {
				t.Errorf("%s counted %d calls, want %d", m.Name, c, callers*each)
			}
		}
	}
}

// With no providers given, the global ones at the time of NewObserver are
// used.
func TestDefaultsToGlobalProviders(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	prevM, prevT := otel.GetMeterProvider(), otel.GetTracerProvider()
	otel.SetMeterProvider(mp)
	otel.SetTracerProvider(tp)
	t.Cleanup(func() {
		otel.SetMeterProvider(prevM)
		otel.SetTracerProvider(prevT)
	})

	obs, err := otelcasenum.NewObserver()
	if err != nil {
		t.Fatal(err)
	}
	g, err := casenum.New(casenum.WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := tp.Tracer("test").Start(context.Background(), "handle")
	table := casenumtest.NewStore()
	first := true
	if _, err := g.Create(ctx, func(ctx context.Context, n string) error {
		if first {
			first = false
			return errDuplicate
		}
		return table.Insert(ctx, n)
	}); err != nil {
		t.Fatal(err)
	}
	span.End()

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if len(rm.ScopeMetrics) != 1 || len(rm.ScopeMetrics[0].Metrics) == 0 {
		t.Errorf("the global MeterProvider got %+v, want the Observer's metrics", rm.ScopeMetrics)
	}
	if ev := spans.Ended()[0].Events(); len(ev) != 1 || ev[0].Name != "casemint.collision" {
		t.Errorf("span events = %v, want one collision", ev)
	}
}

func TestInvalidOptionsRefused(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		opt  otelcasenum.Option
		want string
	}{
		"nil Option":         {nil, "nil Option"},
		"nil MeterProvider":  {otelcasenum.WithMeterProvider(nil), "nil MeterProvider"},
		"nil TracerProvider": {otelcasenum.WithTracerProvider(nil), "nil TracerProvider"},
		"empty key":          {otelcasenum.WithAttributes(attribute.String("", "x")), `attribute "" is invalid`},
		"outcome":            {otelcasenum.WithAttributes(attribute.String("outcome", "x")), `attribute "outcome" is set by the Observer`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			obs, err := otelcasenum.NewObserver(c.opt)
			if obs != nil || err == nil || err.Error() != "otelcasenum: "+c.want {
				t.Errorf("NewObserver = %v, %v; want the error %q", obs, err, "otelcasenum: "+c.want)
			}
		})
	}
}

// The cost of the Observer on the hot path: Next with no Checker, so that
// the Generator itself costs little, with the SDK recording.
func BenchmarkNextObserved(b *testing.B) {
	for _, observed := range []bool{false, true} {
		b.Run(fmt.Sprintf("observed=%t", observed), func(b *testing.B) {
			var opts []casenum.Option
			if observed {
				mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
				obs, err := otelcasenum.NewObserver(otelcasenum.WithMeterProvider(mp))
				if err != nil {
					b.Fatal(err)
				}
				opts = append(opts, casenum.WithObserver(obs))
			}
			g, err := casenum.New(opts...)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					if _, err := g.Next(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
