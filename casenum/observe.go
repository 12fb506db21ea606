package casenum

import (
	"context"
	"sync/atomic"
	"time"
)

// Event is what an Observer is told: one Event for every attempt, with the
// attempt's Outcome, and one more when a call ends without an attempt of
// its own to end it (ErrExhausted, or the context ended during a wait or
// before the first attempt), with the Outcome Failed. An attempt that
// finds its {seq} counter full renders no candidate and has no Event: it
// ends its layout's attempts, and the fallback layout's, if any, follow.
//
// An Event whose Outcome is Stored, Uncertain or Failed is the last of its
// call: its Attempt is the number of attempts the call made, its Fallback
// whether the call went on to the fallback layout, its Elapsed how long the
// call took and its Err the error the call returns. The call ended with
// ErrExhausted when errors.Is(e.Err, ErrExhausted).
type Event struct {
	Outcome  Outcome       // what became of the attempt, or Failed for a call that ends without one
	Number   string        // the candidate; "" when none was rendered
	Attempt  int           // 1-based attempt of the call, the fallback's included; 0 before the first
	Fallback bool          // the attempt was of the fallback layout
	Elapsed  time.Duration // since the call began, on the Generator's Clock
	Err      error         // the cause of a collision or abort; for the last Event, what the call returns
}

// Observer is told of every attempt and of how every call ends, on the
// caller's goroutine and before the Generator's call returns. It must be
// safe for concurrent use and quick; it must not call the Generator.
type Observer interface {
	Observe(ctx context.Context, e Event)
}

// Stats are a Generator's counters since New. Reading them takes no lock.
// The JSON names are lower case, as expvar and most metrics endpoints show
// them.
type Stats struct {
	Minted     uint64 `json:"minted"`     // calls that returned a number: handed out by Next or stored by Create
	Attempts   uint64 `json:"attempts"`   // attempts made, the fallback's included (one that found its {seq} counter full too)
	Collisions uint64 `json:"collisions"` // attempts that collided (the Checker or the insert found the number stored)
	Aborted    uint64 `json:"aborted"`    // attempts the database refused, nothing stored; retried
	Fallbacks  uint64 `json:"fallbacks"`  // calls that went on to the fallback layout
	Exhausted  uint64 `json:"exhausted"`  // calls that ended with ErrExhausted
	Errors     uint64 `json:"errors"`     // calls that ended with any other error, context errors included
}

// stats holds the counters. Attempts is derived rather than counted, so
// that a number stored at the first attempt adds to one counter only.
type stats struct {
	minted, collisions, aborted, fallbacks, exhausted, errors atomic.Uint64
	failed                                                    atomic.Uint64 // attempts that ended in an error
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
	st.Attempts = st.Minted + st.Collisions + st.Aborted + s.failed.Load()
	return st
}
