package casenum

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Stats are a Generator's counters since New. Reading them takes no lock
// and never slows the Generator down. The JSON names are lower case, as
// expvar and most metrics endpoints show them.
type Stats struct {
	Minted     uint64 `json:"minted"`     // numbers handed out by Next or stored by Create
	Attempts   uint64 `json:"attempts"`   // candidates tried, the fallback's included
	Collisions uint64 `json:"collisions"` // candidates found taken (by the Checker or the insert)
	Aborted    uint64 `json:"aborted"`    // attempts the database refused, nothing stored; retried
	Fallbacks  uint64 `json:"fallbacks"`  // calls that went on to the fallback layout
	Exhausted  uint64 `json:"exhausted"`  // calls that ended with ErrExhausted
	Errors     uint64 `json:"errors"`     // calls that ended with any other error, context errors included
}

// stats holds the counters. A successful first attempt touches one counter:
// Attempts is derived rather than counted.
type stats struct {
	minted                                            stripedCounter
	collisions, aborted, fallbacks, exhausted, errors atomic.Uint64
	failedAttempts                                    atomic.Uint64 // attempts that ended in an error
}

// stripedCounter spreads the hot path's counter over cache lines of their
// own: a sync.Pool keeps an object per processor (P) and so mostly hands
// each one the same cell again. Cores adding to one shared word, or to
// cells picked at random, pull the line back and forth between them, which
// under parallel load costs more than the number.
type stripedCounter struct {
	cells [16]struct {
		n atomic.Uint64
		_ [120]byte // a cell per 128 bytes: adjacent lines are fetched in pairs
	}
	next atomic.Uint32 // the cell the pool hands out when it has none
	pool sync.Pool     // of *atomic.Uint64, each one of cells
}

// add adds one.
func (c *stripedCounter) add() {
	p, _ := c.pool.Get().(*atomic.Uint64)
	if p == nil {
		p = &c.cells[c.next.Add(1)%uint32(len(c.cells))].n
	}
	p.Add(1)
	c.pool.Put(p)
}

func (c *stripedCounter) Load() uint64 {
	var sum uint64
	for i := range c.cells {
		sum += c.cells[i].n.Load()
	}
	return sum
}

func (s *stats) snapshot() Stats {
	st := Stats{
		Minted:     s.minted.Load(),
		Collisions: s.collisions.Load(),
		Aborted:    s.aborted.Load(),
		Fallbacks:  s.fallbacks.Load(),
		Exhausted:  s.exhausted.Load(),
		Errors:     s.errors.Load(),
	}
	st.Attempts = st.Minted + st.Collisions + st.Aborted + s.failedAttempts.Load()
	return st
}

// EventKind tells what an Event reports.
type EventKind uint8

const (
	// EventMinted: a number was handed out (Next) or stored (Create).
	EventMinted EventKind = iota + 1
	// EventCollision: a candidate was taken; another attempt follows unless
	// the attempts are used up.
	EventCollision
	// EventAborted: the database refused an attempt and stored nothing (a
	// deadlock, a cluster's certification failure); another attempt
	// follows unless the attempts are used up.
	EventAborted
	// EventFallback: the main layout's attempts are used up and the
	// fallback layout takes over.
	EventFallback
	// EventExhausted: the call ends with ErrExhausted.
	EventExhausted
	// EventError: the call ends with another error.
	EventError
)

// String returns the kind's name in lower case, such as "collision".
func (k EventKind) String() string {
	switch k {
	case EventMinted:
		return "minted"
	case EventCollision:
		return "collision"
	case EventAborted:
		return "aborted"
	case EventFallback:
		return "fallback"
	case EventExhausted:
		return "exhausted"
	case EventError:
		return "error"
	}
	return "unknown"
}

// Event is what an Observer is told.
type Event struct {
	Kind     EventKind     // what happened
	Number   string        // the candidate, for EventMinted, EventCollision and EventAborted, and for an EventError about one
	Attempt  int           // 1-based attempt of the call, the fallback's included
	Fallback bool          // the candidate came from the fallback layout
	Elapsed  time.Duration // since the call began, on the Generator's Clock
	Err      error         // the collision's or abort's cause, or the error the call returns
}

// Observer is told of every mint, collision, fallback and failure, on the
// caller's goroutine and before the Generator's call returns. It must be
// safe for concurrent use and quick; it must not call the Generator.
type Observer interface {
	Observe(ctx context.Context, e Event)
}

// ObserverFunc adapts a function to the Observer interface.
type ObserverFunc func(ctx context.Context, e Event)

// Observe calls f(ctx, e).
func (f ObserverFunc) Observe(ctx context.Context, e Event) { f(ctx, e) }
