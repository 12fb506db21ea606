package casenum_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// seedTime is the instant of the default layout's example, CASE-20250929-1759131413832-073.
var seedTime = time.UnixMilli(1759131413832).UTC()

// recv waits for a value from ch, failing the test instead of hanging when
// the code under test never sends.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatal("timed out: the call under test did not return")
		panic("unreachable")
	}
}

// waitFor blocks until n waits are pending on clock, failing the test
// instead of hanging when the code under test never waits.
func waitFor(t *testing.T, clock *casenumtest.Clock, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := clock.BlockUntil(ctx, n); err != nil {
		t.Fatalf("no wait on the clock: %v", err)
	}
}

func newGen(t testing.TB, opts ...casenum.Option) *casenum.Generator {
	t.Helper()
	base := []casenum.Option{
		casenum.WithClock(casenumtest.NewClock(seedTime)),
		casenum.WithRandom(casenumtest.NewRandom(1)),
	}
	g, err := casenum.New(append(base, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

func TestDefaultsReproduceTheSeed(t *testing.T) {
	t.Parallel()
	g, err := casenum.New()
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Layout().String(); got != casenum.DefaultLayout {
		t.Errorf("layout %q, want %q", got, casenum.DefaultLayout)
	}
	if got := g.FallbackLayout().String(); got != casenum.DefaultFallbackLayout {
		t.Errorf("fallback %q, want %q", got, casenum.DefaultFallbackLayout)
	}
	n, err := g.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Format("20060102")
	if !regexp.MustCompile(`^CASE-` + today + `-1\d{12}-\d{3}$`).MatchString(n) {
		t.Errorf("Next() = %q, want the default shape CASE-%s-<unix ms>-<3 digits>", n, today)
	}

	fixed := newGen(t)
	n, err = fixed.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^CASE-20250929-1759131413832-\d{3}$`).MatchString(n) {
		t.Errorf("with the example's clock Next() = %q", n)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	var nilClock casenum.Clock
	tests := []struct {
		name string
		opt  casenum.Option
		want string // the error's message
	}{
		{"nil option", nil, "casenum: nil Option"},
		{"nil clock", casenum.WithClock(nilClock), "casenum: nil Clock"},
		{"nil random", casenum.WithRandom(nil), "casenum: nil Random"},
		{"nil checker", casenum.WithChecker(nil), "casenum: nil Checker"},
		{"nil sequence", casenum.WithSequence(nil), "casenum: nil Sequence"},
		{"nil location", casenum.WithLocation(nil), "casenum: nil Location"},
		{"nil conflict", casenum.WithConflict(nil), "casenum: nil conflict test"},
		{"nil observer", casenum.WithObserver(nil), "casenum: nil Observer"},
		{"negative attempts", casenum.WithRetry(casenum.Retry{Attempts: -1}), "casenum: invalid Retry.Attempts: -1"},
		{"negative fallback attempts", casenum.WithRetry(casenum.Retry{FallbackAttempts: -2}), "casenum: invalid Retry.FallbackAttempts: -2"},
		{"negative delay", casenum.WithRetry(casenum.Retry{Delay: -time.Second}), "casenum: invalid Retry.Delay: -1s"},
		{"negative max delay", casenum.WithRetry(casenum.Retry{MaxDelay: -1}), "casenum: invalid Retry.MaxDelay: -1ns"},
		{"delay above max delay", casenum.WithRetry(casenum.Retry{Delay: time.Second, MaxDelay: time.Millisecond}), "casenum: invalid Retry.Delay: 1s above MaxDelay 1ms"},
		{"multiplier below 1", casenum.WithRetry(casenum.Retry{Multiplier: 0.5}), "casenum: invalid Retry.Multiplier: 0.5"},
		{"jitter above 1", casenum.WithRetry(casenum.Retry{Jitter: 1.5}), "casenum: invalid Retry.Jitter: 1.5"},
		{"seq without sequence", casenum.WithLayout("C-{date}-{seq:4}"), "casenum: the layout has {seq} but no Sequence was given (WithSequence)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := casenum.New(tt.opt)
			if g != nil || err == nil || err.Error() != tt.want {
				t.Fatalf("New = %v, %v; want nil, %q", g, err, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name string
		opt  casenum.Option
	}{
		{"empty layout", casenum.WithLayout("")},
		{"bad fallback", casenum.WithFallbackLayout("F-{nope}")},
	} {
		if g, err := casenum.New(tt.opt); g != nil || !errors.Is(err, casenum.ErrInvalidLayout) {
			t.Errorf("%s: New = %v, %v; want nil, ErrInvalidLayout", tt.name, g, err)
		}
	}
}

func TestCreateStoresOnFirstAttempt(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	g := newGen(t)
	n, err := g.Create(context.Background(), s.Insert)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Contains(n) || s.Inserts() != 1 {
		t.Fatalf("stored %v with %d inserts, want %q with 1", s.Numbers(), s.Inserts(), n)
	}
	want := casenum.Stats{Minted: 1, Attempts: 1}
	if st := g.Stats(); st != want {
		t.Errorf("Stats = %+v, want %+v", st, want)
	}
}

// takenAllBut fills a store with every number of "T-{rand:1}" but one.
func takenAllBut(free int) *casenumtest.Store {
	s := casenumtest.NewStore()
	for d := range 10 {
		if d != free {
			s.Add(fmt.Sprintf("T-%d", d))
		}
	}
	return s
}

func TestCreateRetriesCollisions(t *testing.T) {
	t.Parallel()
	s := takenAllBut(7)
	g := newGen(t, casenum.WithLayout("T-{rand:1}"), casenum.WithRetry(casenum.Retry{Attempts: 200}))
	n, err := g.Create(context.Background(), s.Insert)
	if err != nil || n != "T-7" {
		t.Fatalf("Create = %q, %v; want T-7", n, err)
	}
	st := g.Stats()
	if st.Collisions == 0 || st.Minted != 1 || st.Attempts != st.Collisions+1 || uint64(s.Inserts()) != st.Attempts {
		t.Errorf("Stats = %+v with %d inserts", st, s.Inserts())
	}
}

func TestCreateFallsBackAndChecksTheFallback(t *testing.T) {
	t.Parallel()
	var events []casenum.Event
	gen := func() *casenum.Generator {
		return newGen(t, casenum.WithLayout("T-{rand:1}"), casenum.WithFallbackLayout("F-{rand:1}"),
			casenum.WithRetry(casenum.Retry{Attempts: 3, FallbackAttempts: 200}),
			casenum.WithObserver(observerFunc(func(_ context.Context, e casenum.Event) { events = append(events, e) })))
	}
	// The same seed draws the same candidates: learn the first fallback one.
	first, err := gen().Create(context.Background(), takenAllBut(-1).Insert)
	if err != nil {
		t.Fatal(err)
	}
	// Now every fallback number but another one is taken: the fallback's
	// candidates must be checked like any other, not trusted.
	free := fmt.Sprintf("F-%d", (first[2]-'0'+1)%10)
	s := takenAllBut(-1)
	for d := range 10 {
		if n := fmt.Sprintf("F-%d", d); n != free {
			s.Add(n)
		}
	}
	events = nil
	g := gen()
	n, err := g.Create(context.Background(), s.Insert)
	if err != nil || n != free {
		t.Fatalf("Create = %q, %v; want %s", n, err, free)
	}
	if err := g.Validate(n); err != nil {
		t.Errorf("Validate(%q) = %v", n, err)
	}
	st := g.Stats()
	if st.Fallbacks != 1 || st.Collisions <= 3 || st.Minted != 1 || st.Attempts != st.Collisions+1 {
		t.Errorf("Stats = %+v", st)
	}
	// An event per attempt: three collisions of the main layout, then the
	// fallback's collisions, then the number stored.
	if len(events) != int(st.Attempts) || len(events) < 5 {
		t.Fatalf("%d events for %d attempts: %+v", len(events), st.Attempts, events)
	}
	for i, e := range events {
		last := i == len(events)-1
		want := casenum.Event{Outcome: casenum.Collided, Number: e.Number, Attempt: i + 1, Fallback: i >= 3, Err: e.Err}
		if last {
			want.Outcome, want.Number, want.Err = casenum.Stored, free, nil
		}
		if e != want || !last && !errors.Is(e.Err, casenum.ErrDuplicate) || e.Number[:1] != map[bool]string{false: "T", true: "F"}[i >= 3] {
			t.Errorf("event %d = %+v, want %+v", i, e, want)
		}
	}
}

func TestCreateExhausted(t *testing.T) {
	t.Parallel()
	s := takenAllBut(-1)
	g := newGen(t, casenum.WithLayout("T-{rand:1}"), casenum.WithFallbackLayout(""),
		casenum.WithRetry(casenum.Retry{Attempts: 4}))
	n, err := g.Create(context.Background(), s.Insert)
	if n != "" || !errors.Is(err, casenum.ErrExhausted) || !errors.Is(err, casenum.ErrDuplicate) {
		t.Fatalf("Create = %q, %v; want ErrExhausted wrapping the last ErrDuplicate", n, err)
	}
	if s.Inserts() != 4 || s.Len() != 10 {
		t.Errorf("%d inserts, %d stored", s.Inserts(), s.Len())
	}
	if st := g.Stats(); st.Exhausted != 1 || st.Collisions != 4 || st.Attempts != 4 || st.Minted != 0 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestErrorsAreNeverNumbers(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	t.Run("insert", func(t *testing.T) {
		t.Parallel()
		calls := 0
		g := newGen(t)
		n, err := g.Create(context.Background(), func(context.Context, string) error { calls++; return boom })
		if n != "" || !errors.Is(err, boom) || calls != 1 {
			t.Fatalf("Create = %q, %v after %d calls; want %v after 1", n, err, calls, boom)
		}
		if st := g.Stats(); st.Errors != 1 || st.Attempts != 1 || st.Minted != 0 {
			t.Errorf("Stats = %+v", st)
		}
	})
	t.Run("checker", func(t *testing.T) {
		t.Parallel()
		s := casenumtest.NewStore()
		s.FailWith(boom)
		g := newGen(t, casenum.WithChecker(s))
		for _, call := range []func() (string, error){
			func() (string, error) { return g.Next(context.Background()) },
			func() (string, error) { return g.Create(context.Background(), casenumtest.NewStore().Insert) },
		} {
			if n, err := call(); n != "" || !errors.Is(err, boom) {
				t.Errorf("got %q, %v; want %v", n, err, boom)
			}
		}
	})
	t.Run("sequence", func(t *testing.T) {
		t.Parallel()
		s := casenumtest.NewStore()
		s.FailWith(boom)
		g := newGen(t, casenum.WithLayout("C-{seq:4}"), casenum.WithSequence(s))
		if n, err := g.Next(context.Background()); n != "" || !errors.Is(err, boom) {
			t.Errorf("Next = %q, %v; want %v", n, err, boom)
		}
	})
	t.Run("nil insert", func(t *testing.T) {
		t.Parallel()
		if n, err := newGen(t).Create(context.Background(), nil); n != "" || err == nil || err.Error() != "casenum: Create needs an insert function" {
			t.Errorf("Create(nil) = %q, %v", n, err)
		}
	})
}

// pgError has the shape of pgx's *pgconn.PgError and lib/pq's *pq.Error.
type pgError struct{ code string }

func (e *pgError) Error() string    { return "ERROR: duplicate key value (SQLSTATE " + e.code + ")" }
func (e *pgError) SQLState() string { return e.code }

func TestConflictTest(t *testing.T) {
	t.Parallel()
	t.Run("driver unique violation is a collision", func(t *testing.T) {
		t.Parallel()
		calls := 0
		g := newGen(t)
		n, err := g.Create(context.Background(), func(context.Context, string) error {
			calls++
			if calls < 3 {
				return fmt.Errorf("insert: %w", &pgError{"23505"})
			}
			return nil
		})
		if err != nil || n == "" || calls != 3 {
			t.Fatalf("Create = %q, %v after %d calls", n, err, calls)
		}
	})
	t.Run("not null violation is not", func(t *testing.T) {
		t.Parallel()
		g := newGen(t)
		_, err := g.Create(context.Background(), func(context.Context, string) error { return &pgError{"23502"} })
		var pe *pgError
		if !errors.As(err, &pe) || errors.Is(err, casenum.ErrExhausted) {
			t.Fatalf("Create error = %v, want the NOT NULL error", err)
		}
	})
	t.Run("WithConflict replaces the test", func(t *testing.T) {
		t.Parallel()
		mine := errors.New("taken")
		calls := 0
		g := newGen(t, casenum.WithConflict(func(err error) bool { return errors.Is(err, mine) }))
		_, err := g.Create(context.Background(), func(context.Context, string) error {
			calls++
			if calls == 1 {
				return mine
			}
			return casenum.ErrDuplicate
		})
		if !errors.Is(err, casenum.ErrDuplicate) || errors.Is(err, casenum.ErrExhausted) || calls != 2 {
			t.Fatalf("Create error = %v after %d calls; want ErrDuplicate returned as is after 2", err, calls)
		}
	})
	if casenum.Classify(fmt.Errorf("x: %w", casenum.ErrDuplicate)) != casenum.Collided || casenum.Classify(errors.New("x")) != casenum.Failed || casenum.Classify(nil) != casenum.Stored {
		t.Error("Classify is wrong")
	}
}

func TestNextWithChecker(t *testing.T) {
	t.Parallel()
	s := takenAllBut(3)
	g := newGen(t, casenum.WithLayout("T-{rand:1}"), casenum.WithChecker(s), casenum.WithRetry(casenum.Retry{Attempts: 200}))
	n, err := g.Next(context.Background())
	if err != nil || n != "T-3" {
		t.Fatalf("Next = %q, %v; want T-3", n, err)
	}
	if s.Checks() < 2 || s.Len() != 9 {
		t.Errorf("%d checks, %d stored: Next must check and never store", s.Checks(), s.Len())
	}
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	t.Run("before the first attempt", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		s := casenumtest.NewStore()
		g := newGen(t)
		if n, err := g.Create(ctx, s.Insert); n != "" || err != context.Canceled || s.Inserts() != 0 {
			t.Fatalf("Create = %q, %v with %d inserts; want context.Canceled unchanged and no insert", n, err, s.Inserts())
		}
		if st := g.Stats(); st.Errors != 1 || st.Attempts != 0 {
			t.Errorf("Stats = %+v", st)
		}
	})
	t.Run("during a wait", func(t *testing.T) {
		t.Parallel()
		clock := casenumtest.NewClock(seedTime)
		obs := &events{}
		g, err := casenum.New(casenum.WithClock(clock), casenum.WithLayout("T-{rand:1}"),
			casenum.WithRetry(casenum.Retry{Delay: time.Hour}), casenum.WithObserver(obs))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := g.Create(ctx, func(context.Context, string) error { return casenum.ErrDuplicate })
			done <- err
		}()
		waitFor(t, clock, 1)
		cancel()
		if err := recv(t, done); !errors.Is(err, context.Canceled) {
			t.Fatalf("Create = %v, want context.Canceled", err)
		}
		// The call ends with an Event of its own, which counts the
		// attempts made before the wait.
		got := obs.take()
		if len(got) != 2 || got[1] != (casenum.Event{Outcome: casenum.Failed, Attempt: 1, Err: context.Canceled}) {
			t.Errorf("events %+v", got)
		}
		if st := g.Stats(); st.Errors != 1 || st.Attempts != 1 || st.Collisions != 1 {
			t.Errorf("Stats = %+v", st)
		}
	})
}

// TestBackoffOnFakeClock follows the waits through the Clock's After: each
// wait must end exactly at its deadline, not a nanosecond earlier.
func TestBackoffOnFakeClock(t *testing.T) {
	t.Parallel()
	clock := casenumtest.NewClock(seedTime)
	g, err := casenum.New(casenum.WithClock(clock), casenum.WithLayout("T-{rand:6}"), casenum.WithFallbackLayout(""),
		casenum.WithRetry(casenum.Retry{Attempts: 5, Delay: 10 * time.Millisecond, Multiplier: 2, MaxDelay: 35 * time.Millisecond, Jitter: -1}))
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	done := make(chan error, 1)
	go func() {
		_, err := g.Create(context.Background(), func(context.Context, string) error {
			calls.Add(1)
			return casenum.ErrDuplicate
		})
		done <- err
	}()
	for i, want := range []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 35 * time.Millisecond, 35 * time.Millisecond} {
		waitFor(t, clock, 1)
		if got := calls.Load(); got != int32(i+1) {
			t.Fatalf("wait %d: %d inserts so far", i+1, got)
		}
		clock.Advance(want - time.Nanosecond)
		if clock.Waiters() != 1 {
			t.Fatalf("wait %d ended before %v", i+1, want)
		}
		clock.Advance(time.Nanosecond)
	}
	if err := recv(t, done); !errors.Is(err, casenum.ErrExhausted) || calls.Load() != 5 {
		t.Fatalf("Create = %v after %d inserts", err, calls.Load())
	}
}

// TestBackoffUnderSynctest runs the waits on real timers, which
// testing/synctest's fake time drives: the call takes exactly the schedule.
func TestBackoffUnderSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, err := casenum.New(casenum.WithLayout("T-{rand:6}"), casenum.WithFallbackLayout(""),
			casenum.WithRetry(casenum.Retry{Attempts: 4, Delay: time.Second, MaxDelay: time.Minute, Jitter: -1}))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = g.Create(context.Background(), func(context.Context, string) error { return casenum.ErrDuplicate })
		if !errors.Is(err, casenum.ErrExhausted) {
			t.Fatal(err)
		}
		if got, want := time.Since(start), 7*time.Second; got != want { // 1s + 2s + 4s
			t.Errorf("took %v of fake time, want %v", got, want)
		}
	})
}

func TestJitterStaysInBounds(t *testing.T) {
	t.Parallel()
	clock := casenumtest.NewClock(seedTime)
	g, err := casenum.New(casenum.WithClock(clock), casenum.WithLayout("T-{rand:6}"), casenum.WithFallbackLayout(""),
		casenum.WithRetry(casenum.Retry{Attempts: 2, Delay: 100 * time.Millisecond, Jitter: 0.5}))
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = g.Create(context.Background(), func(context.Context, string) error { return casenum.ErrDuplicate })
		}()
		waitFor(t, clock, 1)
		clock.Advance(50*time.Millisecond - time.Nanosecond)
		if clock.Waiters() != 1 {
			t.Fatal("a jittered wait of Delay 100ms and Jitter 0.5 ended before 50ms")
		}
		clock.Advance(50 * time.Millisecond)
		recv(t, done)
	}
}

func TestTimeOnlyLayoutWaitsForItsResolution(t *testing.T) {
	t.Parallel()
	clock := casenumtest.NewClock(seedTime)
	g, err := casenum.New(casenum.WithClock(clock), casenum.WithLayout("T-{unixms}"), casenum.WithRetry(casenum.Retry{Jitter: -1}))
	if err != nil {
		t.Fatal(err)
	}
	s := casenumtest.NewStore()
	s.Add("T-1759131413832")
	done := make(chan string, 1)
	go func() {
		n, _ := g.Create(context.Background(), s.Insert)
		done <- n
	}()
	waitFor(t, clock, 1)
	clock.Advance(time.Millisecond)
	if n := recv(t, done); n != "T-1759131413833" {
		t.Fatalf("Create = %q, want the next millisecond", n)
	}
}

// countingClock counts the readings of the clock.
type countingClock struct {
	mu sync.Mutex
	t  time.Time
	n  int
}

func (c *countingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.t
}

func TestOneClockReadingPerCandidate(t *testing.T) {
	t.Parallel()
	// A nanosecond before midnight: a second reading could print the next day.
	clock := &countingClock{t: time.Date(2025, 9, 29, 23, 59, 59, 999999999, time.UTC)}
	s := casenumtest.NewStore()
	g, err := casenum.New(casenum.WithClock(clock), casenum.WithLayout("C-{date}-{seq:3}-{date:150405}-{unixms}"), casenum.WithSequence(s))
	if err != nil {
		t.Fatal(err)
	}
	n, err := g.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if clock.n != 1 {
		t.Errorf("%d clock readings for one candidate", clock.n)
	}
	if n != "C-20250929-001-235959-1759190399999" {
		t.Errorf("Next = %q", n)
	}
}

// TestNextWithoutTimeTokensReadsNoClock: a number with no time in it needs
// no reading, in Next and in Create alike.
func TestNextWithoutTimeTokensReadsNoClock(t *testing.T) {
	t.Parallel()
	clock := &countingClock{t: seedTime}
	g, err := casenum.New(casenum.WithClock(clock), casenum.WithLayout("INC-{alnum:6}{check}"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := g.Next(context.Background())
	if err != nil || g.Validate(n) != nil || clock.n != 0 {
		t.Fatalf("Next = %q, %v after %d clock readings", n, err, clock.n)
	}
	if _, err := g.Create(context.Background(), casenumtest.NewStore().Insert); err != nil || clock.n != 0 {
		t.Fatalf("Create: %v after %d clock readings", err, clock.n)
	}
}

func TestSequenceLayout(t *testing.T) {
	t.Parallel()
	clock := casenumtest.NewClock(time.Date(2025, 9, 29, 12, 0, 0, 0, time.UTC))
	s := casenumtest.NewStore()
	g, err := casenum.New(casenum.WithClock(clock), casenum.WithLayout("CASE-{date}-{seq:2}{check}"), casenum.WithSequence(s))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var got []string
	for range 2 {
		n, err := g.Create(ctx, s.Insert)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	clock.Advance(24 * time.Hour)
	n, err := g.Create(ctx, s.Insert)
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, n)
	want := []string{"CASE-20250929-01", "CASE-20250929-02", "CASE-20250930-01"}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) || len(got[i]) != len(want[i])+1 {
			t.Errorf("number %d = %q, want %s plus a check digit", i, got[i], want[i])
		}
		if err := g.Validate(got[i]); err != nil {
			t.Errorf("Validate(%q) = %v", got[i], err)
		}
	}
	// The counter grows past its padding: the check digit delimits it.
	for range 98 {
		if _, err := g.Next(ctx); err != nil {
			t.Fatal(err)
		}
	}
	n, err = g.Next(ctx)
	if err != nil || !strings.HasPrefix(n, "CASE-20250930-100") || len(n) != len("CASE-20250930-100")+1 || g.Validate(n) != nil {
		t.Errorf("Next after 99 = %q, %v; want CASE-20250930-100 and a check digit", n, err)
	}
	if p, err := g.Parse(n); err != nil || p.Seq != 100 || p.Scope != "CASE-20250930-" {
		t.Errorf("Parse(%q) = %+v, %v", n, p, err)
	}
}

// A counter that nothing delimits keeps its width: when it outgrows it the
// call is exhausted and names the scope, or goes on to a fallback named
// for the series, never silently to another layout.
func TestFixedWidthCounterOverflows(t *testing.T) {
	t.Parallel()
	clock := casenumtest.NewClock(time.Date(2025, 9, 30, 12, 0, 0, 0, time.UTC))
	s := casenumtest.NewStore()
	if err := s.Advance(context.Background(), "CASE-20250930-", 99); err != nil {
		t.Fatal(err)
	}
	g, err := casenum.New(casenum.WithClock(clock), casenum.WithLayout("CASE-{date}-{seq:2}{rand:3}"), casenum.WithSequence(s))
	if err != nil {
		t.Fatal(err)
	}
	n, err := g.Next(context.Background())
	if !errors.Is(err, casenum.ErrExhausted) || n != "" || !strings.Contains(err.Error(), `scope "CASE-20250930-" reached 100, more than {seq:2} can show`) {
		t.Errorf("Next on a full scope = %q, %v; want ErrExhausted naming the scope", n, err)
	}
	if st := g.Stats(); st.Exhausted != 1 || st.Errors != 0 || st.Fallbacks != 0 {
		t.Errorf("Stats = %+v, want the call counted as exhausted", st)
	}
	withFallback, err := casenum.New(casenum.WithClock(clock), casenum.WithLayout("CASE-{date}-{seq:2}{rand:3}"),
		casenum.WithSequence(s), casenum.WithFallbackLayout(casenum.DefaultFallbackLayout))
	if err != nil {
		t.Fatal(err)
	}
	n, err = withFallback.Next(context.Background())
	if err != nil || !strings.HasPrefix(n, "CASE-20250930-") || len(n) != len("CASE-20250930-")+8 || withFallback.Stats().Fallbacks != 1 {
		t.Errorf("Next after 99 = %q, %v, %+v; want a number of the fallback named", n, err, withFallback.Stats())
	}
}

func TestRetryRefinements(t *testing.T) {
	t.Parallel()
	// A Delay above the default cap is kept, not silently cut to 100ms.
	clock := casenumtest.NewClock(seedTime)
	g, err := casenum.New(casenum.WithClock(clock), casenum.WithLayout("T-{rand:6}"), casenum.WithFallbackLayout(""),
		casenum.WithRetry(casenum.Retry{Attempts: 2, Delay: time.Second, Jitter: -1}))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := g.Create(context.Background(), func(context.Context, string) error { return casenum.ErrDuplicate })
		done <- err
	}()
	waitFor(t, clock, 1)
	clock.Advance(time.Second - time.Nanosecond)
	if clock.Waiters() != 1 {
		t.Fatal("a Delay of 1s was cut short")
	}
	clock.Advance(time.Nanosecond)
	if err := recv(t, done); !errors.Is(err, casenum.ErrExhausted) {
		t.Fatal(err)
	}
	// The exhausted error wraps the last collision but is no conflict itself.
	if err := recv(t, func() chan error {
		ch := make(chan error, 1)
		ng := newGen(t, casenum.WithLayout("T-{rand:1}"), casenum.WithFallbackLayout(""), casenum.WithRetry(casenum.Retry{Attempts: 1}))
		_, err := ng.Create(context.Background(), func(context.Context, string) error { return casenum.ErrDuplicate })
		ch <- err
		return ch
	}()); !errors.Is(err, casenum.ErrDuplicate) || casenum.Classify(err) == casenum.Collided {
		t.Errorf("exhausted error %v: Classify = %v", err, casenum.Classify(err))
	}
}

// A context that ends while the insert runs leaves its outcome unknown:
// the statement may have been carried out before the driver gave up.
func TestContextEndingDuringInsertIsUncertain(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	g := newGen(t)
	var tried string
	_, err := g.Create(ctx, func(ctx context.Context, n string) error {
		tried = n
		cancel()
		return fmt.Errorf("driver: %w", ctx.Err())
	})
	var ae *casenum.AttemptError
	if !errors.Is(err, casenum.ErrUncertain) || !errors.Is(err, context.Canceled) || !errors.As(err, &ae) || ae.Number != tried {
		t.Errorf("Create = %v; want ErrUncertain and context.Canceled about %s", err, tried)
	}
}

func TestObserverSeesEveryEvent(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var events []casenum.Event
	obs := observerFunc(func(_ context.Context, e casenum.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})
	s := casenumtest.NewStore()
	calls := 0
	g := newGen(t, casenum.WithObserver(obs))
	n, err := g.Create(context.Background(), func(ctx context.Context, n string) error {
		calls++
		if calls == 1 {
			return casenum.ErrDuplicate
		}
		return s.Insert(ctx, n)
	})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	_, _ = g.Create(context.Background(), func(context.Context, string) error { return boom })
	outcomes := make([]string, len(events))
	for i, e := range events {
		outcomes[i] = e.Outcome.String()
	}
	if got := strings.Join(outcomes, ","); got != "collided,stored,failed" {
		t.Fatalf("events = %s", got)
	}
	var ae *casenum.AttemptError
	if events[1].Number != n || events[1].Attempt != 2 || !errors.Is(events[0].Err, casenum.ErrDuplicate) ||
		!errors.Is(events[2].Err, boom) || !errors.As(events[2].Err, &ae) || events[2].Number != ae.Number || events[2].Attempt != 1 {
		t.Errorf("events = %+v", events)
	}
}

// TestConcurrentCreate hammers one Generator, whose Random is a PCG that is
// not safe for concurrent use, from many goroutines: the race detector and
// the store's UNIQUE semantics must both stay quiet.
func TestConcurrentCreate(t *testing.T) {
	t.Parallel()
	const workers, each = 32, 50
	s := casenumtest.NewStore()
	g, err := casenum.New(casenum.WithLayout("T-{rand:4}"), casenum.WithRandom(rand.NewPCG(1, 2)),
		casenum.WithRetry(casenum.Retry{Attempts: 50}))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Go(func() {
			for range each {
				if _, err := g.Create(context.Background(), s.Insert); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st := g.Stats()
	if s.Len() != workers*each || st.Minted != workers*each || st.Attempts != st.Minted+st.Collisions {
		t.Fatalf("stored %d, Stats %+v", s.Len(), st)
	}
	if st.Collisions == 0 {
		t.Error("1,600 numbers in a space of 10,000 and no collision: the collisions are not counted")
	}
}

// TestNextCountsEveryNumber mints from many goroutines on the default
// clock, with garbage collections in between (which empty the pool behind
// the counter): Stats.Minted still counts every number.
func TestNextCountsEveryNumber(t *testing.T) {
	t.Parallel()
	g, err := casenum.New()
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 2000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if _, err := g.Next(context.Background()); err != nil {
					t.Error(err)
					return
				}
				if w == 0 && i%500 == 0 {
					runtime.GC()
				}
			}
		})
	}
	wg.Wait()
	if st := g.Stats(); st.Minted != workers*each || st.Attempts != st.Minted {
		t.Fatalf("minted %d numbers, Stats %+v", workers*each, st)
	}
}

func TestBindSequenceSharesStats(t *testing.T) {
	t.Parallel()
	a, b := casenumtest.NewStore(), casenumtest.NewStore()
	g := newGen(t, casenum.WithLayout("C-{seq:3}"), casenum.WithSequence(a))
	for range 2 {
		if _, err := g.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	bound := g.BindSequence(b)
	n, err := bound.Next(context.Background())
	if err != nil || n != "C-001" || b.Nexts() != 1 || a.Nexts() != 2 {
		t.Fatalf("bound Next = %q, %v; Nexts a=%d b=%d", n, err, a.Nexts(), b.Nexts())
	}
	if g.Stats().Minted != 3 || bound.Stats() != g.Stats() {
		t.Errorf("Stats not shared: %+v vs %+v", g.Stats(), bound.Stats())
	}
	if g.BindSequence(nil) != g {
		t.Error("BindSequence(nil) must return the Generator itself")
	}
}

func TestDateFollowsTheClockAcrossMidnight(t *testing.T) {
	t.Parallel()
	tokyo := time.FixedZone("JST", 9*3600)
	clock := casenumtest.NewClock(time.Date(2025, 9, 29, 23, 59, 59, 999e6, time.UTC))
	utc := newGen(t, casenum.WithClock(clock), casenum.WithLayout("{date}-{rand:2}"))
	jst := newGen(t, casenum.WithClock(clock), casenum.WithLayout("{date}-{rand:2}"), casenum.WithLocation(tokyo))
	date := func(g *casenum.Generator) string {
		n, err := g.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n[:8]
	}
	steps := []struct {
		move     func()
		utc, jst string
	}{
		{func() {}, "20250929", "20250930"},
		{func() { clock.Advance(time.Millisecond) }, "20250930", "20250930"},
		{func() { clock.Advance(-2 * time.Millisecond) }, "20250929", "20250930"}, // the clock went back
		{func() { clock.Set(time.Date(2025, 9, 30, 15, 0, 0, 0, time.UTC)) }, "20250930", "20251001"},
	}
	for i, s := range steps {
		s.move()
		if got := date(utc); got != s.utc {
			t.Errorf("step %d: UTC date %s, want %s", i, got, s.utc)
		}
		if got := date(jst); got != s.jst {
			t.Errorf("step %d: Tokyo date %s, want %s", i, got, s.jst)
		}
	}
}

func TestBrokenRandomDoesNotHang(t *testing.T) {
	t.Parallel()
	// The zero Random yields 0, always in Lemire's rejection zone for {rand:3}.
	g := newGen(t, casenum.WithLayout("T-{rand:3}"), casenum.WithRandom(new(casenumtest.Random)))
	n, err := g.Next(context.Background())
	if err != nil || n != "T-000" {
		t.Fatalf("Next = %q, %v", n, err)
	}
}

func TestUnixMSFollowsTheClock(t *testing.T) {
	t.Parallel()
	clock := casenumtest.NewClock(seedTime)
	g := newGen(t, casenum.WithClock(clock), casenum.WithLayout("{unixms}-{rand:2}"))
	for i, step := range []time.Duration{0, 0, time.Millisecond, -time.Millisecond, 999 * time.Microsecond, time.Hour} {
		clock.Advance(step)
		n, err := g.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint(clock.Now().UnixMilli()); !strings.HasPrefix(n, want+"-") {
			t.Errorf("step %d: Next = %q, want the prefix %s", i, n, want)
		}
	}
}

func TestNumberErrorSaysWhereAndWhy(t *testing.T) {
	t.Parallel()
	g := newGen(t)
	for _, tt := range []struct {
		in       string
		position int
		reason   string
	}{
		{"CASE-2025", 10, "too short"},
		{"CASE-20251399-1759131413832-073", 6, "not a date"},
		{"", 0, "empty"},
	} {
		err := g.Validate(tt.in)
		var ne *casenum.NumberError
		if !errors.As(err, &ne) || !errors.Is(err, casenum.ErrInvalidNumber) {
			t.Fatalf("Validate(%q) = %v, want a *NumberError wrapping ErrInvalidNumber", tt.in, err)
		}
		if ne.Position != tt.position || !strings.Contains(ne.Reason, tt.reason) || ne.Input != tt.in {
			t.Errorf("Validate(%q) = %+v, want position %d and a reason with %q", tt.in, ne, tt.position, tt.reason)
		}
	}
}

// The instant a number shows is the one reading it was rendered from,
// which Parse gives back, also when midnight passes while the insert runs.
func TestParseGivesTheInstantOfTheCandidate(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 9, 29, 23, 59, 59, 999e6, time.UTC)
	clock := casenumtest.NewClock(at)
	g := newGen(t, casenum.WithClock(clock), casenum.WithLayout("C-{date}-{unixms}"))
	var seen time.Time
	n, err := g.Create(context.Background(), func(ctx context.Context, number string) error {
		clock.Advance(time.Millisecond) // midnight passes while the insert runs
		p, err := g.Parse(number)
		seen = p.Time
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !seen.Equal(at) || n != "C-20250929-1759190399999" {
		t.Errorf("Parse(%q).Time = %v, want %v", n, seen, at)
	}
}

// In a testing/synctest bubble the clock starts in 2000, whose Unix time
// in milliseconds has 12 digits: a {unixms} layout fails there, as it does
// for any reading before 2001-09-09, while a {date} layout follows the
// bubble's time.
func TestUnixMSInsideSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, err := casenum.New()
		if err != nil {
			t.Fatal(err)
		}
		if n, err := g.Next(context.Background()); n != "" || err == nil || !strings.Contains(err.Error(), "{unixms} prints 13 digits") {
			t.Errorf("Next in a bubble = %q, %v; want an error about {unixms}", n, err)
		}
		d, err := casenum.New(casenum.WithLayout("CASE-{date}-{rand:3}"))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(36 * time.Hour)
		if n, err := d.Next(context.Background()); err != nil || !strings.HasPrefix(n, "CASE-20000102-") {
			t.Errorf("Next in a bubble = %q, %v; want a number of 2000-01-02", n, err)
		}
	})
}

// TestDefaultClockKeepsLayoutsApart mints through the fallback, a layout of
// the same shape as the main one: each candidate is of one layout.
func TestDefaultClockKeepsLayoutsApart(t *testing.T) {
	t.Parallel()
	g, err := casenum.New(casenum.WithLayout("A-{unixms}-{rand:3}"), casenum.WithFallbackLayout("B-{unixms}-{rand:4}"),
		casenum.WithRetry(casenum.Retry{Attempts: 3, FallbackAttempts: 3, Delay: time.Nanosecond}))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 200 {
		_, err := g.Create(context.Background(), func(_ context.Context, n string) error {
			seen[n[:2]] = true
			if fallback := strings.HasPrefix(n, "B-"); !fallback && !strings.HasPrefix(n, "A-") ||
				fallback != (len(n) == len("B-1759131413832-0731")) {
				t.Fatalf("candidate %q mixes the two layouts", n)
			}
			return casenum.ErrDuplicate
		})
		if !errors.Is(err, casenum.ErrExhausted) {
			t.Fatal(err)
		}
	}
	if len(seen) != 2 {
		t.Fatalf("prefixes tried: %v", seen)
	}
}

// TestDefaultClockMatchesTimeNow brackets numbers between two readings of
// time.Now for a few milliseconds of real time: what the numbers show lies
// between them.
func TestDefaultClockMatchesTimeNow(t *testing.T) {
	t.Parallel()
	g, err := casenum.New()
	if err != nil {
		t.Fatal(err)
	}
	ms := func(n string) int64 {
		t.Helper()
		p, err := g.Parse(n)
		if err != nil {
			t.Fatal(err)
		}
		return p.Time.UnixMilli()
	}
	for end := time.Now().Add(20 * time.Millisecond); time.Now().Before(end); {
		before := time.Now()
		n, err := g.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		m, err := g.Create(context.Background(), func(context.Context, string) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		for _, got := range []int64{ms(n), ms(m)} {
			if got < before.UnixMilli() || got > after.UnixMilli() {
				t.Fatalf("number of millisecond %d minted between %d and %d", got, before.UnixMilli(), after.UnixMilli())
			}
		}
	}
}

func TestNormalizeDoesNotLetUnixMSSwallowATypo(t *testing.T) {
	t.Parallel()
	g := newGen(t, casenum.WithLayout("CASE-{unixms}-{rand:3}{check}"))
	for range 200 {
		n, err := g.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		i := strings.LastIndexByte(n, '-')
		for d := byte('0'); d <= '9'; d++ { // the hyphen mistyped as a digit
			typo := n[:i] + string(d) + n[i+1:]
			if got, err := g.Normalize(typo); err == nil {
				t.Fatalf("Normalize(%q) = %q, nil; the typo of %q went unnoticed", typo, got, n)
			}
		}
		if got, err := g.Normalize(strings.ToLower(strings.ReplaceAll(n, "-", " "))); err != nil || got != n {
			t.Fatalf("Normalize of %q typed loosely = %q, %v", n, got, err)
		}
	}
}
