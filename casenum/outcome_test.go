package casenum_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// wallClock is the real clock, for tests whose aborted attempts wait.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// scripted returns an insert function that returns errs in turn, then nil,
// and records the numbers it was called with.
func scripted(errs ...error) (func(context.Context, string) error, *[]string) {
	var tried []string
	return func(_ context.Context, n string) error {
		tried = append(tried, n)
		if len(tried) <= len(errs) {
			return errs[len(tried)-1]
		}
		return nil
	}, &tried
}

// Aborted attempts stored nothing: the next attempt tries a new number,
// and Stats and the Observer tell them apart from collisions.
func TestCreateRetriesAbortedAttempts(t *testing.T) {
	t.Parallel()
	for _, cause := range []error{
		&pgconn.PgError{Code: "40001"},
		&pgconn.PgError{Code: "40P01"},
		&mysql.MySQLError{Number: 1213},
		driver.ErrBadConn,
	} {
		t.Run(cause.Error(), func(t *testing.T) {
			t.Parallel()
			var outcomes []casenum.Outcome
			obs := observerFunc(func(_ context.Context, e casenum.Event) { outcomes = append(outcomes, e.Outcome) })
			g := newGen(t, casenum.WithObserver(obs), casenum.WithClock(wallClock{}))
			insert, tried := scripted(cause, casenum.ErrDuplicate)
			n, err := g.Create(context.Background(), insert)
			if err != nil {
				t.Fatal(err)
			}
			if len(*tried) != 3 || n != (*tried)[2] || (*tried)[0] == (*tried)[1] {
				t.Errorf("stored %s after trying %v", n, *tried)
			}
			st := g.Stats()
			if st.Aborted != 1 || st.Collisions != 1 || st.Attempts != 3 || st.Minted != 1 || st.Errors != 0 {
				t.Errorf("Stats = %+v", st)
			}
			want := []casenum.Outcome{casenum.Aborted, casenum.Collided, casenum.Stored}
			if !slices.Equal(outcomes, want) {
				t.Errorf("events %v, want %v", outcomes, want)
			}
		})
	}
}

// After an abort the Generator waits: 1ms, then twice as long for each
// abort in a row; a collision needs no wait and starts the count afresh.
func TestAbortedAttemptsWait(t *testing.T) {
	t.Parallel()
	clock := casenumtest.NewClock(seedTime)
	deadlock := &mysql.MySQLError{Number: 1213}
	g := newGen(t, casenum.WithClock(clock), casenum.WithRetry(casenum.Retry{Jitter: -1}))
	insert, tried := scripted(deadlock, deadlock, casenum.ErrDuplicate, deadlock)
	done := make(chan error, 1)
	go func() {
		_, err := g.Create(context.Background(), insert)
		done <- err
	}()
	for _, want := range []time.Duration{time.Millisecond, 2 * time.Millisecond, time.Millisecond} {
		if err := clock.BlockUntil(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		clock.Advance(want - time.Nanosecond)
		select {
		case err := <-done:
			t.Fatalf("Create returned %v before waiting %v", err, want)
		default:
		}
		clock.Advance(time.Nanosecond)
	}
	if err := <-done; err != nil || len(*tried) != 5 {
		t.Fatalf("Create = %v after %v", err, *tried)
	}
}

// Aborts use up the same attempt budget as collisions.
func TestCreateAbortedEveryTime(t *testing.T) {
	t.Parallel()
	deadlock := &mysql.MySQLError{Number: 1213}
	g := newGen(t, casenum.WithFallbackLayout(""), casenum.WithRetry(casenum.Retry{Attempts: 4}), casenum.WithClock(wallClock{}))
	calls := 0
	_, err := g.Create(context.Background(), func(context.Context, string) error { calls++; return deadlock })
	var ae *casenum.AttemptError
	if !errors.Is(err, casenum.ErrExhausted) || !errors.Is(err, deadlock) || !errors.As(err, &ae) || ae.Attempt != 4 || calls != 4 {
		t.Errorf("Create = %v after %d calls; want ErrExhausted wrapping the fourth attempt's deadlock", err, calls)
	}
	if st := g.Stats(); st.Aborted != 4 || st.Exhausted != 1 {
		t.Errorf("Stats = %+v", st)
	}
}

// ErrExhausted says what used the attempts up: a busy database that
// aborted every one (Classify: Aborted, the last cause wrapped), or numbers
// found taken (Classify: Failed), also when some attempts were aborted.
func TestExhaustedSaysWhy(t *testing.T) {
	t.Parallel()
	busy := &mysql.MySQLError{Number: 1205, Message: "Lock wait timeout exceeded"}
	taken := &pgconn.PgError{Code: "23505"}
	for _, tc := range []struct {
		name string
		errs []error
		want casenum.Outcome
		text string
	}{
		{"every attempt aborted", []error{busy, busy, busy}, casenum.Aborted, "the database refused all 3 attempts (busy or locked), none found its number taken"},
		{"every number taken", []error{taken, taken, taken}, casenum.Failed, "3 of 3 attempts found their number taken"},
		{"some taken", []error{busy, taken, busy}, casenum.Failed, "1 of 3 attempts found their number taken"},
		{"some taken, the last abort marked", []error{taken, taken, casenum.Mark(casenum.Aborted, busy)}, casenum.Failed, "2 of 3 attempts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newGen(t, casenum.WithFallbackLayout(""), casenum.WithRetry(casenum.Retry{Attempts: 3}), casenum.WithClock(wallClock{}))
			insert, _ := scripted(tc.errs...)
			_, err := g.Create(context.Background(), insert)
			if !errors.Is(err, casenum.ErrExhausted) || !errors.Is(err, tc.errs[2]) {
				t.Fatalf("Create = %v, want ErrExhausted wrapping the last cause", err)
			}
			if got := casenum.Classify(err); got != tc.want {
				t.Errorf("Classify(%v) = %v, want %v", err, got, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not say %q", err, tc.text)
			}
		})
	}
}

// An outcome that cannot be known ends the call at once, with the number,
// so the caller can look it up: no second number is minted for the record.
func TestCreateUncertain(t *testing.T) {
	t.Parallel()
	for _, cause := range []error{
		io.ErrUnexpectedEOF,
		mysql.ErrInvalidConn,
		&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)},
		&net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)},
		&pgconn.PgError{Code: "40003"},
		&mysql.MySQLError{Number: 1927},
		fmt.Errorf("mine: %w", casenum.ErrUncertain),
	} {
		t.Run(cause.Error(), func(t *testing.T) {
			t.Parallel()
			var events []casenum.Event
			obs := observerFunc(func(_ context.Context, e casenum.Event) { events = append(events, e) })
			g := newGen(t, casenum.WithObserver(obs))
			insert, tried := scripted(casenum.ErrDuplicate, cause)
			n, err := g.Create(context.Background(), insert)
			var ae *casenum.AttemptError
			switch {
			case n != "" || len(*tried) != 2:
				t.Fatalf("Create = %q after %v", n, *tried)
			case !errors.Is(err, casenum.ErrUncertain) || !errors.Is(err, cause):
				t.Fatalf("Create error %v; want ErrUncertain and %v", err, cause)
			case !errors.As(err, &ae) || ae.Number != (*tried)[1] || ae.Attempt != 2 || ae.Fallback:
				t.Fatalf("AttemptError %+v; want the second number, %s", ae, (*tried)[1])
			}
			last := events[len(events)-1]
			if last.Outcome != casenum.Uncertain || last.Number != (*tried)[1] || !errors.Is(last.Err, casenum.ErrUncertain) {
				t.Errorf("last event %+v", last)
			}
			if st := g.Stats(); st.Errors != 1 || st.Attempts != 2 {
				t.Errorf("Stats = %+v", st)
			}
		})
	}
}

// Any other error is returned at once, as an AttemptError about the number.
func TestCreateFailed(t *testing.T) {
	t.Parallel()
	notNull := &pgconn.PgError{Code: "23502"}
	g := newGen(t)
	insert, tried := scripted(notNull)
	_, err := g.Create(context.Background(), insert)
	var ae *casenum.AttemptError
	if !errors.Is(err, notNull) || errors.Is(err, casenum.ErrUncertain) || !errors.As(err, &ae) || ae.Number != (*tried)[0] || len(*tried) != 1 {
		t.Errorf("Create = %v after %v", err, *tried)
	}
	if want := fmt.Sprintf("casenum: %s (attempt 1): %v", (*tried)[0], notNull); err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

// An insert function states outcomes that Classify cannot tell from the
// error with Mark; Mark(Stored, err) fails safe.
func TestMarkInInsert(t *testing.T) {
	t.Parallel()
	busy := errors.New("ORA-00054: resource busy")
	taken := errors.New("ORA-00001: unique constraint violated")
	g := newGen(t, casenum.WithClock(wallClock{}))
	insert, tried := scripted(casenum.Mark(casenum.Aborted, busy), casenum.Mark(casenum.Collided, taken), casenum.ErrDuplicate)
	if _, err := g.Create(context.Background(), insert); err != nil || len(*tried) != 4 {
		t.Fatalf("Create = %v after %v", err, *tried)
	}
	if st := g.Stats(); st.Aborted != 1 || st.Collisions != 2 {
		t.Errorf("Stats = %+v", st)
	}
	insert, _ = scripted(casenum.Mark(casenum.Stored, busy))
	if _, err := g.Create(context.Background(), insert); !errors.Is(err, busy) || errors.Is(err, casenum.ErrUncertain) {
		t.Errorf("Create = %v, want the error", err)
	}
	// A mark comes before WithConflict, and before a context that ended.
	conflict := newGen(t, casenum.WithConflict(func(error) bool { return true }))
	ctx, cancel := context.WithCancel(context.Background())
	_, err := conflict.Create(ctx, func(context.Context, string) error {
		cancel()
		return casenum.Mark(casenum.Failed, busy)
	})
	if !errors.Is(err, busy) || errors.Is(err, casenum.ErrUncertain) || errors.Is(err, casenum.ErrExhausted) {
		t.Errorf("Create = %v, want the marked error as it is", err)
	}
}

// The Checker stores nothing: its aborted lookups are retried, its other
// errors (a lost connection included) end the call, never as uncertain.
func TestCheckerOutcomes(t *testing.T) {
	t.Parallel()
	calls := 0
	ch := checkerFunc(func(context.Context, string) (bool, error) {
		calls++
		switch calls {
		case 1:
			return false, &pgconn.PgError{Code: "40001"}
		case 2:
			return false, io.ErrUnexpectedEOF
		}
		return false, nil
	})
	g := newGen(t, casenum.WithChecker(ch), casenum.WithClock(wallClock{}))
	_, err := g.Next(context.Background())
	var ae *casenum.AttemptError
	if !errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, casenum.ErrUncertain) || !errors.As(err, &ae) || ae.Number == "" || calls != 2 {
		t.Errorf("Next = %v after %d checks", err, calls)
	}
	if st := g.Stats(); st.Aborted != 1 {
		t.Errorf("Stats = %+v", st)
	}
}

// A context that ends during a wait between attempts is returned as it is.
func TestContextEndsDuringWait(t *testing.T) {
	t.Parallel()
	clock := casenumtest.NewClock(seedTime)
	g := newGen(t, casenum.WithClock(clock), casenum.WithRetry(casenum.Retry{Delay: 100 * time.Millisecond, Jitter: -1}))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var err error
	wg.Go(func() {
		_, err = g.Create(ctx, func(context.Context, string) error { return casenum.ErrDuplicate })
	})
	if err := clock.BlockUntil(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	wg.Wait()
	if err != context.Canceled {
		t.Errorf("Create = %v, want context.Canceled", err)
	}
}

func TestOutcomeString(t *testing.T) {
	t.Parallel()
	for o, want := range map[casenum.Outcome]string{
		casenum.Failed: "failed", casenum.Stored: "stored", casenum.Collided: "collided",
		casenum.Aborted: "aborted", casenum.Uncertain: "uncertain", 42: "Outcome(42)",
	} {
		if got := o.String(); got != want {
			t.Errorf("%d: %q, want %q", o, got, want)
		}
	}
}

// A marked error is judged by its mark, before the conflict test and the
// codes it wraps; the mark hides nothing from errors.Is and errors.As.
func TestMark(t *testing.T) {
	t.Parallel()
	deadlock := &pgconn.PgError{Code: "40P01"}
	cases := []struct {
		err  error
		want casenum.Outcome
	}{
		{casenum.Mark(casenum.Failed, deadlock), casenum.Failed},
		{fmt.Errorf("in a transaction: %w", casenum.Mark(casenum.Failed, casenum.ErrDuplicate)), casenum.Failed},
		{casenum.Mark(casenum.Aborted, errors.New("ORA-00054: resource busy")), casenum.Aborted},
		{casenum.Mark(casenum.Uncertain, deadlock), casenum.Uncertain},
		{casenum.Mark(casenum.Collided, errors.New("ORA-00001")), casenum.Collided},
		{casenum.Mark(casenum.Stored, errors.New("x")), casenum.Failed},
		{casenum.Mark(casenum.Outcome(200), errors.New("x")), casenum.Failed},
	}
	for _, c := range cases {
		if got := casenum.Classify(c.err); got != c.want {
			t.Errorf("Classify(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	if casenum.Mark(casenum.Aborted, nil) != nil {
		t.Error("Mark(nil) is not nil")
	}
	if !errors.As(cases[0].err, new(*pgconn.PgError)) || !errors.Is(cases[1].err, casenum.ErrDuplicate) {
		t.Error("a mark hides what it wraps")
	}
	// In Create the mark wins over the conflict test: a collision marked
	// Failed ends the call at once.
	g := newGen(t, casenum.WithConflict(func(error) bool { return true }))
	insert, tried := scripted(casenum.Mark(casenum.Failed, casenum.ErrDuplicate))
	if _, err := g.Create(context.Background(), insert); !errors.Is(err, casenum.ErrDuplicate) || len(*tried) != 1 {
		t.Errorf("Create = %v after %v", err, *tried)
	}
	insert, tried = scripted(casenum.Mark(casenum.Aborted, errors.New("busy")))
	g = newGen(t, casenum.WithClock(wallClock{}))
	if _, err := g.Create(context.Background(), insert); err != nil || len(*tried) != 2 {
		t.Errorf("Create = %v after %v", err, *tried)
	}
}
