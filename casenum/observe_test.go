package casenum_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// events collects what an Observer is told.
type events struct {
	mu   sync.Mutex
	list []casenum.Event
}

func (o *events) Observe(_ context.Context, e casenum.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.list = append(o.list, e)
}

func (o *events) take() []casenum.Event {
	o.mu.Lock()
	defer o.mu.Unlock()
	l := o.list
	o.list = nil
	return l
}

// The last Event of a call carries how the call ended: Stored, Uncertain
// or Failed, the call's attempts, whether it went on to the fallback, its
// duration and the error it returns.
func TestEventsEndEveryCall(t *testing.T) {
	t.Parallel()
	clock := casenumtest.NewClock(seedTime)
	obs := &events{}
	// Waits of a second each (MaxDelay defaults to Delay), which the
	// stepping clock passes at once.
	g := newGen(t, casenum.WithClock(steppingClock{clock}), casenum.WithLayout("T-{rand:1}"), casenum.WithFallbackLayout("F-{rand:1}"),
		casenum.WithObserver(obs), casenum.WithRetry(casenum.Retry{Attempts: 2, FallbackAttempts: 1, Delay: time.Second, Jitter: -1}))
	ctx := context.Background()

	_, err := g.Create(ctx, func(context.Context, string) error { return casenum.ErrDuplicate })
	got := obs.take()
	last := got[len(got)-1]
	if len(got) != 4 || last.Outcome != casenum.Failed || last.Number != "" || last.Attempt != 3 || !last.Fallback ||
		last.Elapsed != 2*time.Second || last.Err != err || !errors.Is(last.Err, casenum.ErrExhausted) {
		t.Errorf("exhausted: events %+v, call error %v", got, err)
	}
	for i, e := range got[:3] {
		if e.Outcome != casenum.Collided || e.Attempt != i+1 || e.Fallback != (i == 2) || e.Elapsed != time.Duration(i)*time.Second {
			t.Errorf("exhausted: event %d = %+v", i, e)
		}
	}

	var tried string
	_, err = g.Create(ctx, func(_ context.Context, n string) error {
		tried = n
		return io.ErrUnexpectedEOF
	})
	got = obs.take()
	if len(got) != 1 || got[0].Outcome != casenum.Uncertain || got[0].Number != tried || got[0].Attempt != 1 || got[0].Err != err {
		t.Errorf("uncertain: events %+v, call error %v", got, err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = g.Next(cancelled)
	got = obs.take()
	if len(got) != 1 || got[0] != (casenum.Event{Outcome: casenum.Failed, Err: context.Canceled}) || err != context.Canceled {
		t.Errorf("cancelled: events %+v, call error %v", got, err)
	}

	n, err := g.Next(ctx)
	got = obs.take()
	if err != nil || len(got) != 1 || got[0] != (casenum.Event{Outcome: casenum.Stored, Number: n, Attempt: 1}) {
		t.Errorf("Next: events %+v, %q, %v", got, n, err)
	}
}
