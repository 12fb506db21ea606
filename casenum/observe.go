package casenum

import (
	"context"
	"log/slog"
)

// SlogObserver is an Observer that writes every Event to a *slog.Logger.
// Nothing is logged unless it is installed with WithObserver: the Generator
// itself never logs.
//
// Each kind of Event has a level (see NewSlogObserver); an Event is formatted
// only when the logger is enabled at its level, so an observer whose events
// the handler drops costs a level check per event and nothing more.
//
// A SlogObserver is immutable and safe for concurrent use.
type SlogObserver struct {
	logger *slog.Logger
	levels [EventError + 1]slog.Level // indexed by EventKind
}

var _ Observer = (*SlogObserver)(nil)

// NewSlogObserver returns a SlogObserver that writes to logger, or to
// slog.Default() at the time of each event when logger is nil. The levels
// are:
//
//	EventMinted     slog.LevelDebug  routine
//	EventCollision  slog.LevelDebug  routine too: retried, and counted in Stats
//	EventAborted    slog.LevelInfo   retried, but a sign of contention
//	EventFallback   slog.LevelWarn   the layout's space is crowded
//	EventExhausted  slog.LevelWarn   a caller got no number
//	EventError      slog.LevelError  the insert or Checker failed, or the context ended
//
// Change one with WithLevel.
func NewSlogObserver(logger *slog.Logger) *SlogObserver {
	o := &SlogObserver{logger: logger}
	o.levels[EventMinted] = slog.LevelDebug
	o.levels[EventCollision] = slog.LevelDebug
	o.levels[EventAborted] = slog.LevelInfo
	o.levels[EventFallback] = slog.LevelWarn
	o.levels[EventExhausted] = slog.LevelWarn
	o.levels[EventError] = slog.LevelError
	return o
}

// WithLevel returns a copy of o that logs events of kind at level, for
// instance collisions at slog.LevelInfo while a layout is being tuned.
// To silence a kind, give it a level below the handler's minimum. An unknown
// kind leaves the copy unchanged.
func (o *SlogObserver) WithLevel(kind EventKind, level slog.Level) *SlogObserver {
	c := *o
	if kind >= EventMinted && kind <= EventError {
		c.levels[kind] = level
	}
	return &c
}

// Observe logs e with the message "case number <kind>" and the attributes
// number (when the event has one), attempt, fallback (when true), elapsed
// and error (when the event has one). Events of an unknown kind are dropped.
func (o *SlogObserver) Observe(ctx context.Context, e Event) {
	if e.Kind < EventMinted || e.Kind > EventError {
		return
	}
	logger := o.logger
	if logger == nil {
		logger = slog.Default()
	}
	level := o.levels[e.Kind]
	if !logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 5)
	if e.Number != "" {
		attrs = append(attrs, slog.String("number", e.Number))
	}
	attrs = append(attrs, slog.Int("attempt", e.Attempt))
	if e.Fallback {
		attrs = append(attrs, slog.Bool("fallback", true))
	}
	attrs = append(attrs, slog.Duration("elapsed", e.Elapsed))
	if e.Err != nil {
		attrs = append(attrs, slog.Any("error", e.Err))
	}
	logger.LogAttrs(ctx, level, eventMessage(e.Kind), attrs...)
}

// eventMessage returns the log message of a kind as a constant, so that
// Observe does not build a string per event.
func eventMessage(k EventKind) string {
	switch k {
	case EventMinted:
		return "case number minted"
	case EventCollision:
		return "case number collision"
	case EventAborted:
		return "case number attempt aborted"
	case EventFallback:
		return "case number fallback"
	case EventExhausted:
		return "case number exhausted"
	}
	return "case number error"
}

// MultiObserver returns an Observer that passes every Event to each of
// observers in turn, for instance a SlogObserver and a metrics adapter.
// Nil entries are skipped. Like any Observer, each must be quick: they all
// run on the Generator's caller's goroutine.
func MultiObserver(observers ...Observer) Observer {
	list := make(multiObserver, 0, len(observers))
	for _, o := range observers {
		if o != nil {
			list = append(list, o)
		}
	}
	return list
}

type multiObserver []Observer

func (m multiObserver) Observe(ctx context.Context, e Event) {
	for _, o := range m {
		o.Observe(ctx, e)
	}
}
