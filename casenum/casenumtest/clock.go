package casenumtest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/casemint/casemint/casenum"
)

var _ casenum.Clock = (*Clock)(nil)

// Clock is a fake casenum.Clock whose time moves only when the test says so.
// It also has After, so a casenum.Generator routes the waits between retry
// attempts through it and the test decides when a wait ends: call
// BlockUntil to learn that the Generator is waiting, then Advance.
//
// A Clock is safe for concurrent use. The zero value reads the zero
// time.Time; NewClock starts it elsewhere.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	// changed is closed and replaced whenever waiters changes, waking
	// every BlockUntil to look again.
	changed chan struct{}
}

type waiter struct {
	deadline time.Time
	ch       chan time.Time
}

// NewClock returns a Clock that reads t until it is moved.
func NewClock(t time.Time) *Clock {
	return &Clock{now: t}
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock by d and fires every After channel whose deadline
// the new time has reached. A negative d moves the clock back and fires
// nothing.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(c.now.Add(d))
}

// Set moves the clock to t, forwards or back, and fires every After channel
// whose deadline t has reached.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(t)
}

func (c *Clock) setLocked(t time.Time) {
	c.now = t
	var due []waiter
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.deadline.After(t) {
			kept = append(kept, w)
		} else {
			due = append(due, w)
		}
	}
	if len(due) == 0 {
		return
	}
	// Drop the references the compacted tail still holds.
	clear(c.waiters[len(kept):])
	c.waiters = kept
	// Earliest deadline first, so a test reading several channels in
	// turn sees them in the order a real clock would fire them.
	slices.SortStableFunc(due, func(a, b waiter) int { return a.deadline.Compare(b.deadline) })
	for _, w := range due {
		w.ch <- t // buffered 1 and sent once: never blocks
	}
	c.notifyLocked()
}

// After returns a channel, buffered 1, that receives the clock's time once
// Advance or Set moves the clock to Now()+d or later. For d <= 0 the channel
// holds the current time at once and is not counted by Waiters.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{deadline: c.now.Add(d), ch: ch})
	c.notifyLocked()
	return ch
}

// Waiters returns the number of After channels that have not fired yet.
func (c *Clock) Waiters() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

// BlockUntil blocks until at least n After channels are pending, so a test
// can advance the clock only once the code under test is waiting on it.
// It returns ctx.Err() if ctx is done first.
func (c *Clock) BlockUntil(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		pending, changed := len(c.waiters), c.changedLocked()
		c.mu.Unlock()
		if pending >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// changedLocked returns the channel closed at the next change of waiters.
// It is made on demand so that the zero Clock works.
func (c *Clock) changedLocked() chan struct{} {
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return c.changed
}

func (c *Clock) notifyLocked() {
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}
