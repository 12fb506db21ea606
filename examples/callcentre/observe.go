package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/casemint/casemint/casenum"
)

// logObserver writes what the Generator does to a logger: stored numbers
// and collisions at Debug, aborted attempts at Info, calls that needed the
// fallback layout or gave up at Warn, other failures at Error. An event
// below the logger's level costs a level check and nothing more.
type logObserver struct{ logger *slog.Logger }

// Observe logs e with the attributes number (when there is one), attempt,
// fallback (when true), elapsed and error (when there is one).
func (o logObserver) Observe(ctx context.Context, e casenum.Event) {
	level, msg := eventLevel(e)
	if !o.logger.Enabled(ctx, level) {
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
	o.logger.LogAttrs(ctx, level, msg, attrs...)
}

// eventLevel returns the level and message of an event.
func eventLevel(e casenum.Event) (slog.Level, string) {
	switch {
	case e.Outcome == casenum.Collided:
		return slog.LevelDebug, "case number collided"
	case e.Outcome == casenum.Aborted:
		return slog.LevelInfo, "case number attempt aborted"
	case e.Outcome == casenum.Stored && e.Fallback:
		return slog.LevelWarn, "case number stored on the fallback layout"
	case e.Outcome == casenum.Stored:
		return slog.LevelDebug, "case number stored"
	case errors.Is(e.Err, casenum.ErrExhausted):
		return slog.LevelWarn, "case number exhausted"
	case e.Outcome == casenum.Uncertain:
		return slog.LevelError, "case number uncertain"
	}
	return slog.LevelError, "case number failed"
}
