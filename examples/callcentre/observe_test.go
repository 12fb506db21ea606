package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// textLogger logs to a buffer at level, without the time.
func textLogger(level slog.Level) (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})), &buf
}

func TestLogObserverLevels(t *testing.T) {
	t.Parallel()
	exhausted := fmt.Errorf("%w: %w", casenum.ErrExhausted, casenum.ErrDuplicate)
	events := []casenum.Event{
		{Outcome: casenum.Collided, Number: "A-2", Attempt: 1, Err: casenum.ErrDuplicate},
		{Outcome: casenum.Stored, Number: "A-1", Attempt: 2},
		{Outcome: casenum.Aborted, Number: "A-3", Attempt: 1, Err: errors.New("deadlock")},
		{Outcome: casenum.Stored, Number: "F-1", Attempt: 13, Fallback: true},
		{Outcome: casenum.Failed, Attempt: 13, Fallback: true, Err: exhausted},
		{Outcome: casenum.Uncertain, Number: "A-4", Attempt: 1, Err: casenum.ErrUncertain},
		{Outcome: casenum.Failed, Err: context.Canceled},
	}
	want := []struct {
		level slog.Level
		line  string
	}{
		{slog.LevelDebug, `level=DEBUG msg="case number collided" number=A-2 attempt=1 elapsed=0s error="casenum: duplicate case number"`},
		{slog.LevelDebug, `level=DEBUG msg="case number stored" number=A-1 attempt=2 elapsed=0s`},
		{slog.LevelInfo, `level=INFO msg="case number attempt aborted" number=A-3 attempt=1 elapsed=0s error=deadlock`},
		{slog.LevelWarn, `level=WARN msg="case number stored on the fallback layout" number=F-1 attempt=13 fallback=true elapsed=0s`},
		{slog.LevelWarn, `level=WARN msg="case number exhausted" attempt=13 fallback=true elapsed=0s error="casenum: no unique number after all attempts: casenum: duplicate case number"`},
		{slog.LevelError, `level=ERROR msg="case number uncertain" number=A-4 attempt=1 elapsed=0s error="casenum: outcome unknown, the number may be stored"`},
		{slog.LevelError, `level=ERROR msg="case number failed" attempt=0 elapsed=0s error="context canceled"`},
	}
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
		logger, buf := textLogger(level)
		for _, e := range events {
			logObserver{logger}.Observe(context.Background(), e)
		}
		var kept []string
		for _, w := range want {
			if w.level >= level {
				kept = append(kept, w.line)
			}
		}
		if got := strings.TrimSuffix(buf.String(), "\n"); got != strings.Join(kept, "\n") {
			t.Errorf("at %v logged\n%s\nwant\n%s", level, got, strings.Join(kept, "\n"))
		}
	}
}

// The observer logs what a real Generator does: a collision on a stored
// number, then the number stored, with the attempt that stored it.
func TestLogObserverWithGenerator(t *testing.T) {
	t.Parallel()
	logger, buf := textLogger(slog.LevelDebug)
	table := casenumtest.NewStore()
	table.Add("T-9")
	g, err := casenum.New(
		casenum.WithLayout("T-{rand:1}"),
		casenum.WithRandom(casenumtest.NewRandom(1)),
		casenum.WithClock(casenumtest.NewClock(time.Date(2025, 9, 29, 9, 30, 0, 0, time.UTC))),
		casenum.WithObserver(logObserver{logger}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Create(context.Background(), table.Insert); err != nil {
		t.Fatal(err)
	}
	want := `level=DEBUG msg="case number collided" number=T-9 attempt=1 elapsed=0s error="casenumtest: insert \"T-9\": casenum: duplicate case number"
level=DEBUG msg="case number stored" number=T-1 attempt=2 elapsed=0s
`
	if buf.String() != want {
		t.Errorf("logged\n%s\nwant\n%s", buf, want)
	}
}

// An event the handler drops costs a level check and no allocation:
// Observe runs on every number.
func TestLogObserverDroppedDoesNotAllocate(t *testing.T) {
	logger, _ := textLogger(slog.LevelInfo)
	o, e := logObserver{logger}, casenum.Event{Outcome: casenum.Stored, Number: "A-1", Attempt: 1}
	if allocs := testing.AllocsPerRun(100, func() { o.Observe(context.Background(), e) }); allocs != 0 {
		t.Errorf("Observe of a dropped event allocates %v times, want 0", allocs)
	}
}
