package casenumtest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum/casenumtest"
)

var start = time.Date(2025, 9, 29, 7, 30, 0, 0, time.UTC)

// received returns what ch holds, without waiting.
func received(ch <-chan time.Time) (time.Time, bool) {
	select {
	case v := <-ch:
		return v, true
	default:
		return time.Time{}, false
	}
}

func TestClockNowAdvanceSet(t *testing.T) {
	t.Parallel()
	c := casenumtest.NewClock(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now() = %v, want %v", got, start)
	}
	c.Advance(90 * time.Second)
	if got, want := c.Now(), start.Add(90*time.Second); !got.Equal(want) {
		t.Fatalf("after Advance: Now() = %v, want %v", got, want)
	}
	later := start.Add(24 * time.Hour)
	c.Set(later)
	if got := c.Now(); !got.Equal(later) {
		t.Fatalf("after Set: Now() = %v, want %v", got, later)
	}
}

func TestClockAfterFiresAtDeadline(t *testing.T) {
	t.Parallel()
	c := casenumtest.NewClock(start)
	ch := c.After(10 * time.Second)
	if n := c.Waiters(); n != 1 {
		t.Fatalf("Waiters() = %d, want 1", n)
	}
	c.Advance(10*time.Second - time.Nanosecond)
	if v, ok := received(ch); ok {
		t.Fatalf("After(10s) fired at %v, before its deadline", v)
	}
	c.Advance(time.Nanosecond)
	v, ok := received(ch)
	if !ok {
		t.Fatal("After(10s) did not fire at its deadline")
	}
	if want := start.Add(10 * time.Second); !v.Equal(want) {
		t.Errorf("After(10s) carried %v, want %v", v, want)
	}
	if n := c.Waiters(); n != 0 {
		t.Errorf("Waiters() after firing = %d, want 0", n)
	}
}

func TestClockAfterCarriesTimeOfFiring(t *testing.T) {
	t.Parallel()
	c := casenumtest.NewClock(start)
	ch := c.After(time.Second)
	c.Advance(time.Hour)
	v, ok := received(ch)
	if want := start.Add(time.Hour); !ok || !v.Equal(want) {
		t.Errorf("After(1s) then Advance(1h): got %v, %v; want %v, true", v, ok, want)
	}
	// Fired once: the channel holds nothing more after a further move.
	c.Advance(time.Hour)
	if v, ok := received(ch); ok {
		t.Errorf("After fired a second time with %v", v)
	}
}

func TestClockMultipleWaiters(t *testing.T) {
	t.Parallel()
	c := casenumtest.NewClock(start)
	ch1, ch2, ch3 := c.After(time.Second), c.After(2*time.Second), c.After(3*time.Second)
	if n := c.Waiters(); n != 3 {
		t.Fatalf("Waiters() = %d, want 3", n)
	}
	c.Advance(2 * time.Second)
	for i, ch := range []<-chan time.Time{ch1, ch2} {
		if _, ok := received(ch); !ok {
			t.Errorf("waiter %d did not fire after Advance(2s)", i+1)
		}
	}
	if v, ok := received(ch3); ok {
		t.Errorf("After(3s) fired at %v after Advance(2s)", v)
	}
	if n := c.Waiters(); n != 1 {
		t.Errorf("Waiters() = %d, want 1", n)
	}
	c.Set(start.Add(3 * time.Second))
	if _, ok := received(ch3); !ok {
		t.Error("After(3s) did not fire on Set to its deadline")
	}
}

func TestClockAfterNonPositive(t *testing.T) {
	t.Parallel()
	c := casenumtest.NewClock(start)
	for _, d := range []time.Duration{0, -time.Second} {
		v, ok := received(c.After(d))
		if !ok || !v.Equal(start) {
			t.Errorf("After(%v) = %v, %v; want %v at once", d, v, ok, start)
		}
	}
	if n := c.Waiters(); n != 0 {
		t.Errorf("Waiters() = %d, want 0: After(d <= 0) is not pending", n)
	}
}

func TestClockMovingBackFiresNothing(t *testing.T) {
	t.Parallel()
	c := casenumtest.NewClock(start)
	ch := c.After(time.Minute)
	c.Set(start.Add(-time.Hour))
	c.Advance(-time.Minute)
	if v, ok := received(ch); ok {
		t.Fatalf("After fired at %v when the clock moved back", v)
	}
	// The deadline is fixed at the call: one minute after start.
	c.Set(start.Add(time.Minute))
	if _, ok := received(ch); !ok {
		t.Error("After did not fire at its original deadline")
	}
}

func TestClockZeroValue(t *testing.T) {
	t.Parallel()
	var c casenumtest.Clock
	ch := c.After(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.BlockUntil(ctx, 1); err != nil {
		t.Fatalf("BlockUntil: %v", err)
	}
	c.Advance(time.Second)
	if v, ok := received(ch); !ok || !v.Equal(time.Time{}.Add(time.Second)) {
		t.Errorf("zero Clock After(1s) = %v, %v", v, ok)
	}
}

func TestClockBlockUntil(t *testing.T) {
	t.Parallel()
	c := casenumtest.NewClock(start)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	if err := c.BlockUntil(ctx, 0); err != nil {
		t.Fatalf("BlockUntil(0) = %v, want nil at once", err)
	}
	done := make(chan time.Time)
	for i := range 2 {
		go func() {
			// The waits start at different moments; BlockUntil must see both.
			time.Sleep(time.Duration(i) * time.Millisecond)
			done <- <-c.After(time.Minute)
		}()
	}
	if err := c.BlockUntil(ctx, 2); err != nil {
		t.Fatalf("BlockUntil(2): %v", err)
	}
	if n := c.Waiters(); n < 2 {
		t.Fatalf("BlockUntil(2) returned with %d waiters", n)
	}
	c.Advance(time.Minute)
	for range 2 {
		select {
		case v := <-done:
			if want := start.Add(time.Minute); !v.Equal(want) {
				t.Errorf("waiter woke with %v, want %v", v, want)
			}
		case <-ctx.Done():
			t.Fatal("waiter not woken by Advance")
		}
	}
}

func TestClockBlockUntilContext(t *testing.T) {
	t.Parallel()
	c := casenumtest.NewClock(start)
	c.After(time.Second) // one pending, two asked for

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- c.BlockUntil(ctx, 2) }()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("BlockUntil after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("BlockUntil did not return on cancel")
	}

	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := c.BlockUntil(ctx, 2); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("BlockUntil past deadline = %v, want context.DeadlineExceeded", err)
	}
}

func TestClockConcurrent(t *testing.T) {
	t.Parallel()
	c := casenumtest.NewClock(start)
	const waiters = 8
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var wg sync.WaitGroup
	for i := range waiters {
		wg.Go(func() {
			d := time.Duration(i+1) * time.Second
			v := <-c.After(d)
			if v.Before(start.Add(d)) {
				t.Errorf("After(%v) fired at %v, before its deadline", d, v)
			}
		})
	}
	// Readers and zero waits race the advancing below.
	for range 2 {
		wg.Go(func() {
			prev := c.Now()
			for range 200 {
				now := c.Now()
				if now.Before(prev) {
					t.Errorf("Now went back from %v to %v while only advancing", prev, now)
					return
				}
				prev = now
				<-c.After(0)
				_ = c.Waiters()
			}
		})
	}
	if err := c.BlockUntil(ctx, waiters); err != nil {
		t.Fatalf("BlockUntil(%d): %v", waiters, err)
	}
	for range waiters * 4 {
		c.Advance(250 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("waiters still blocked after every deadline passed: Waiters() = %d", c.Waiters())
	}
	if n := c.Waiters(); n != 0 {
		t.Errorf("Waiters() = %d after every deadline passed", n)
	}
}
