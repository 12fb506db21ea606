package casenum_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// Upper-case hex reads as Crockford base32 too: Normalize does not pick
// one of two different numbers, and a fallback number with a stray space
// stays itself.
func TestNormalizeAmbiguousLayouts(t *testing.T) {
	t.Parallel()
	g := newGen(t, casenum.WithLayout("CASE-{date}-{alnum:8}"))
	if got, err := g.Normalize("CASE-20250929-1f0c3a9e "); err != nil || got != "CASE-20250929-1f0c3a9e" {
		t.Errorf("Normalize(fallback number and a space) = %q, %v", got, err)
	}
	_, err := g.Normalize("case-20250929-1f0c3a9e")
	var ne *casenum.NumberError
	if !errors.As(err, &ne) || !strings.Contains(ne.Reason, "ambiguous") {
		t.Errorf("Normalize(lower-case main or fallback number) = %v, want ambiguous", err)
	}
}

func TestNormalizeRefusesControlBytesAsHex(t *testing.T) {
	t.Parallel()
	l := mustParse(t, casenum.DefaultFallbackLayout)
	for _, in := range []string{"CASE-20250929-\x10f0c3a9e", "CASE-20250929-\x11\x12\x13\x14\x15\x16\x17\x18"} {
		if got, err := l.Normalize(in); !errors.Is(err, casenum.ErrInvalidNumber) {
			t.Errorf("Normalize(%q) = %q, %v; want ErrInvalidNumber", in, got, err)
		}
	}
}

// Hostile input is refused before it is worked through.
func TestNormalizeRefusesHugeInput(t *testing.T) {
	g := newGen(t)
	in := defaultNumber + strings.Repeat(" ", 1<<20)
	if _, err := g.Normalize(in); !errors.Is(err, casenum.ErrInvalidNumber) {
		t.Errorf("Normalize(a number and a MiB of spaces) = %v, want ErrInvalidNumber", err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _ = g.Normalize(in)
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Errorf("%d bytes allocated refusing a MiB of input", n)
	}
}

// On a day that starts at 01:00 (Santiago changes its offset at
// midnight), a {date} number's time is 01:00 that day, not the day before.
func TestParseDayWithoutMidnight(t *testing.T) {
	t.Parallel()
	santiago, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Skip(err)
	}
	g := newGen(t, casenum.WithLocation(santiago), casenum.WithLayout("{date}-{rand:3}"),
		casenum.WithClock(casenumtest.NewClock(time.Date(2025, 9, 7, 4, 30, 0, 0, time.UTC))))
	n, err := g.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.Parse(n)
	if want := time.Date(2025, 9, 7, 1, 0, 0, 0, santiago); err != nil || !p.Time.Equal(want) {
		t.Errorf("Parse(%q).Time = %v, %v; want %v", n, p.Time, err, want)
	}
}

// steppingClock is a fake clock whose waits pass at once, moving it on.
type steppingClock struct{ *casenumtest.Clock }

func (c steppingClock) After(d time.Duration) <-chan time.Time {
	c.Advance(d)
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

// A fallback layout whose only variable part is the time waits a tick
// between its attempts, as the main layout does: retrying at once would
// render the same number.
func TestFallbackOfTimeAloneWaitsATick(t *testing.T) {
	t.Parallel()
	clock := steppingClock{casenumtest.NewClock(seedTime)}
	g := newGen(t, casenum.WithClock(clock), casenum.WithLayout("A-{rand:1}"), casenum.WithFallbackLayout("B-{unixms}"),
		casenum.WithRetry(casenum.Retry{Attempts: 1}))
	taken := casenumtest.NewStore()
	for d := range 10 {
		taken.Add("A-" + string(rune('0'+d)))
	}
	taken.Add("B-1759131413832")
	var tried []string
	n, err := g.Create(context.Background(), func(ctx context.Context, n string) error {
		tried = append(tried, n)
		return taken.Insert(ctx, n)
	})
	if err != nil || n != "B-1759131413833" || len(tried) != 3 {
		t.Errorf("Create = %q, %v after %v; want B-1759131413833 on the third try", n, err, tried)
	}
}

func TestRetryAttemptsBounded(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		r     casenum.Retry
		field string
	}{{casenum.Retry{Attempts: 1 << 62}, "Attempts"}, {casenum.Retry{FallbackAttempts: 1 << 62}, "FallbackAttempts"}} {
		want := "casenum: invalid Retry." + tt.field + ": 4611686018427387904"
		if g, err := casenum.New(casenum.WithRetry(tt.r)); g != nil || err == nil || err.Error() != want {
			t.Errorf("New(%+v) = %v, %v; want %q", tt.r, g, err, want)
		}
	}
}

// panicky panics on its first draw, as a broken source might.
type panicky struct{ calls int }

func (p *panicky) Uint64() uint64 {
	p.calls++
	if p.calls == 1 {
		panic("broken source")
	}
	return 42
}

// A source that panics does not leave the Generator locked.
func TestRandomThatPanicsDoesNotLock(t *testing.T) {
	t.Parallel()
	g := newGen(t, casenum.WithRandom(&panicky{}))
	func() {
		defer func() { _ = recover() }()
		_, _ = g.Next(context.Background())
	}()
	done := make(chan error, 1)
	go func() {
		_, err := g.Next(context.Background())
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Next still blocked after a source panicked")
	}
}
