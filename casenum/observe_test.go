package casenum_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// recorder is a slog.Handler that keeps every record it is given, at or
// above its level.
type recorder struct {
	level   slog.Level
	mu      sync.Mutex
	records []slog.Record
}

func (r *recorder) Enabled(_ context.Context, l slog.Level) bool { return l >= r.level }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec.Clone())
	return nil
}

func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

// lines renders each record as "LEVEL message key=value ...".
func (r *recorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, rec := range r.records {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s", rec.Level, rec.Message)
		rec.Attrs(func(a slog.Attr) bool {
			fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
			return true
		})
		out = append(out, b.String())
	}
	return out
}

func TestSlogObserverDefaultLevels(t *testing.T) {
	t.Parallel()
	cause := errors.New("insert failed")
	events := []casenum.Event{
		{Kind: casenum.EventMinted, Number: "A-1", Attempt: 2, Elapsed: time.Millisecond},
		{Kind: casenum.EventCollision, Number: "A-2", Attempt: 1, Err: casenum.ErrDuplicate},
		{Kind: casenum.EventFallback, Attempt: 10, Fallback: true},
		{Kind: casenum.EventExhausted, Attempt: 13, Fallback: true, Err: casenum.ErrExhausted},
		{Kind: casenum.EventError, Attempt: 1, Err: cause},
		{Kind: casenum.EventKind(0)},  // unknown: dropped
		{Kind: casenum.EventKind(99)}, // unknown: dropped
	}
	tests := []struct {
		name  string
		level slog.Level
		want  []string
	}{
		{"debug handler sees everything", slog.LevelDebug, []string{
			"DEBUG case number minted number=A-1 attempt=2 elapsed=1ms",
			"DEBUG case number collision number=A-2 attempt=1 elapsed=0s error=casenum: duplicate case number",
			"WARN case number fallback attempt=10 fallback=true elapsed=0s",
			"WARN case number exhausted attempt=13 fallback=true elapsed=0s error=casenum: no unique number after all attempts",
			"ERROR case number error attempt=1 elapsed=0s error=insert failed",
		}},
		{"info handler drops mints and collisions", slog.LevelInfo, []string{
			"WARN case number fallback attempt=10 fallback=true elapsed=0s",
			"WARN case number exhausted attempt=13 fallback=true elapsed=0s error=casenum: no unique number after all attempts",
			"ERROR case number error attempt=1 elapsed=0s error=insert failed",
		}},
		{"error handler keeps errors only", slog.LevelError, []string{
			"ERROR case number error attempt=1 elapsed=0s error=insert failed",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := &recorder{level: tt.level}
			o := casenum.NewSlogObserver(slog.New(h))
			for _, e := range events {
				o.Observe(context.Background(), e)
			}
			if got := h.lines(); !slices.Equal(got, tt.want) {
				t.Errorf("logged\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestSlogObserverWithLevel(t *testing.T) {
	t.Parallel()
	h := &recorder{level: slog.LevelInfo}
	base := casenum.NewSlogObserver(slog.New(h))
	loud := base.WithLevel(casenum.EventCollision, slog.LevelInfo).
		WithLevel(casenum.EventError, slog.LevelDebug).   // silenced below Info
		WithLevel(casenum.EventKind(42), slog.LevelError) // unknown: no effect
	collision := casenum.Event{Kind: casenum.EventCollision, Number: "A-2", Attempt: 1}
	failure := casenum.Event{Kind: casenum.EventError, Attempt: 1, Err: errors.New("down")}

	base.Observe(context.Background(), collision) // Debug: dropped
	loud.Observe(context.Background(), collision) // Info: kept
	loud.Observe(context.Background(), failure)   // Debug: dropped
	base.Observe(context.Background(), failure)   // Error: kept, the copy did not change base

	want := []string{
		"INFO case number collision number=A-2 attempt=1 elapsed=0s",
		"ERROR case number error attempt=1 elapsed=0s error=down",
	}
	if got := h.lines(); !slices.Equal(got, want) {
		t.Errorf("logged\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A nil logger means slog.Default() at the time of the event, so a program
// that sets its default logger after building the Generator still logs.
// Not parallel: it replaces the default logger.
func TestSlogObserverNilLoggerUsesDefault(t *testing.T) {
	old := slog.Default()
	t.Cleanup(func() { slog.SetDefault(old) })

	o := casenum.NewSlogObserver(nil)
	h := &recorder{level: slog.LevelDebug}
	slog.SetDefault(slog.New(h))
	o.Observe(context.Background(), casenum.Event{Kind: casenum.EventMinted, Number: "A-1", Attempt: 1})

	want := []string{"DEBUG case number minted number=A-1 attempt=1 elapsed=0s"}
	if got := h.lines(); !slices.Equal(got, want) {
		t.Errorf("logged %q, want %q", got, want)
	}
}

// The observer reports what a real Generator does: collisions on taken
// numbers, then the mint, with the attempt that succeeded.
func TestSlogObserverWithGenerator(t *testing.T) {
	t.Parallel()
	h := &recorder{level: slog.LevelDebug}
	table := casenumtest.NewStore()
	table.Add("T-9", "T-8")
	g, err := casenum.New(
		casenum.WithLayout("T-{rand:1}"),
		casenum.WithRandom(casenumtest.NewRandom(1)),
		casenum.WithObserver(casenum.NewSlogObserver(slog.New(h))),
	)
	if err != nil {
		t.Fatal(err)
	}
	n, err := g.Create(context.Background(), table.Insert)
	if err != nil {
		t.Fatal(err)
	}
	lines := h.lines()
	if len(lines) < 2 {
		t.Fatalf("logged %q, want collisions and a mint", lines)
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "DEBUG case number collision number=T-") {
			t.Errorf("logged %q, want a collision", l)
		}
	}
	wantLast := fmt.Sprintf("DEBUG case number minted number=%s attempt=%d ", n, len(lines))
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, wantLast) {
		t.Errorf("last line %q, want prefix %q", last, wantLast)
	}
	if st := g.Stats(); st.Collisions != uint64(len(lines)-1) {
		t.Errorf("Stats.Collisions = %d, logged %d collisions", st.Collisions, len(lines)-1)
	}
}

// An event the handler drops must cost a level check and no allocation:
// Observe runs on every mint.
func TestSlogObserverDisabledDoesNotAllocate(t *testing.T) {
	o := casenum.NewSlogObserver(slog.New(&recorder{level: slog.LevelInfo}))
	e := casenum.Event{Kind: casenum.EventMinted, Number: "A-1", Attempt: 1}
	ctx := context.Background()
	if allocs := testing.AllocsPerRun(100, func() { o.Observe(ctx, e) }); allocs != 0 {
		t.Errorf("Observe of a dropped event allocates %v times, want 0", allocs)
	}
}

type countingObserver struct {
	name string
	log  *[]string
}

func (c countingObserver) Observe(_ context.Context, e casenum.Event) {
	*c.log = append(*c.log, c.name+":"+e.Kind.String())
}

func TestMultiObserver(t *testing.T) {
	t.Parallel()
	var log []string
	m := casenum.MultiObserver(countingObserver{"a", &log}, nil, countingObserver{"b", &log})
	m.Observe(context.Background(), casenum.Event{Kind: casenum.EventCollision})
	m.Observe(context.Background(), casenum.Event{Kind: casenum.EventMinted})
	want := []string{"a:collision", "b:collision", "a:minted", "b:minted"}
	if !slices.Equal(log, want) {
		t.Errorf("observed %q, want %q", log, want)
	}

	casenum.MultiObserver().Observe(context.Background(), casenum.Event{Kind: casenum.EventMinted}) // no observers: nothing to do
	casenum.MultiObserver(nil, nil).Observe(context.Background(), casenum.Event{Kind: casenum.EventMinted})
}

// dropTime removes the time attribute so that Example output is exact.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// A SlogObserver logs what the Generator does. Collisions are routine and
// logged at Debug by default; here a text handler at Debug shows them.
func ExampleNewSlogObserver() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level:       slog.LevelDebug,
		ReplaceAttr: dropTime,
	}))
	table := casenumtest.NewStore()
	table.Add("T-9") // taken: the first candidate collides
	g, err := casenum.New(
		casenum.WithLayout("T-{rand:1}"),
		casenum.WithRandom(casenumtest.NewRandom(1)),
		casenum.WithClock(casenumtest.NewClock(time.Date(2025, 9, 29, 9, 30, 0, 0, time.UTC))),
		casenum.WithObserver(casenum.NewSlogObserver(logger)),
	)
	if err != nil {
		panic(err)
	}
	if _, err := g.Create(context.Background(), table.Insert); err != nil {
		panic(err)
	}
	// Output:
	// level=DEBUG msg="case number collision" number=T-9 attempt=1 elapsed=0s error="casenumtest: insert \"T-9\": casenum: duplicate case number"
	// level=DEBUG msg="case number minted" number=T-1 attempt=2 elapsed=0s
}

// WithLevel raises collisions to Info while a layout is being tuned, and
// MultiObserver sends the events to a second observer as well.
func ExampleSlogObserver_WithLevel() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: dropTime}))
	collisions := 0
	count := casenum.ObserverFunc(func(_ context.Context, e casenum.Event) {
		if e.Kind == casenum.EventCollision {
			collisions++
		}
	})
	table := casenumtest.NewStore()
	table.Add("T-9")
	g, err := casenum.New(
		casenum.WithLayout("T-{rand:1}"),
		casenum.WithRandom(casenumtest.NewRandom(1)),
		casenum.WithClock(casenumtest.NewClock(time.Date(2025, 9, 29, 9, 30, 0, 0, time.UTC))),
		casenum.WithObserver(casenum.MultiObserver(
			casenum.NewSlogObserver(logger).WithLevel(casenum.EventCollision, slog.LevelInfo),
			count,
		)),
	)
	if err != nil {
		panic(err)
	}
	if _, err := g.Create(context.Background(), table.Insert); err != nil {
		panic(err)
	}
	fmt.Println("collisions:", collisions)
	// Output:
	// level=INFO msg="case number collision" number=T-9 attempt=1 elapsed=0s error="casenumtest: insert \"T-9\": casenum: duplicate case number"
	// collisions: 1
}
