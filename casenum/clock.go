package casenum

import "time"

// Clock tells the time. A Generator takes one time per candidate: the printed
// date, every time field and the {seq} scope come from that one instant.
// It is not asked when the layout has no time token. With an Observer, it
// also times each call.
//
// Implementations must be safe for concurrent use. The fake clocks of
// github.com/jonboulle/clockwork and github.com/benbjohnson/clock fit as they
// are, and so does casenumtest.Clock.
//
// A Clock that also has the method
//
//	After(d time.Duration) <-chan time.Time
//
// is used for the waits between attempts too, so a test that advances a fake
// clock controls the backoff. Without it the Generator waits on a real timer,
// which testing/synctest's fake time also controls.
type Clock interface {
	Now() time.Time
}

// afterClock is the optional capability of a Clock to drive the waits.
type afterClock interface {
	After(d time.Duration) <-chan time.Time
}

// systemClock is the default Clock: time.Now, which testing/synctest's
// fake time controls and which carries a monotonic reading.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
