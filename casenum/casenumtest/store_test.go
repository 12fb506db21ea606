package casenumtest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

func TestStoreChecker(t *testing.T) {
	t.Parallel()
	casenumtest.TestChecker(t, func(t *testing.T) (casenum.Checker, func(context.Context, string) error) {
		s := casenumtest.NewStore()
		return s, s.Insert
	})
}

func TestStoreSequence(t *testing.T) {
	t.Parallel()
	casenumtest.TestSequence(t, func(t *testing.T) casenum.Sequence {
		return casenumtest.NewStore()
	})
}

func TestStoreInsertDuplicate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := casenumtest.NewStore()
	if err := s.Insert(ctx, "CASE-2"); err != nil {
		t.Fatalf("first Insert: %v", err)
	}
	if err := s.Insert(ctx, "CASE-1"); err != nil {
		t.Fatalf("Insert of another number: %v", err)
	}
	err := s.Insert(ctx, "CASE-2")
	if !errors.Is(err, casenum.ErrDuplicate) {
		t.Fatalf("second Insert = %v, want an error wrapping casenum.ErrDuplicate", err)
	}
	if got, want := s.Numbers(), []string{"CASE-1", "CASE-2"}; !slices.Equal(got, want) {
		t.Errorf("Numbers() = %q, want %q", got, want)
	}
	if s.Len() != 2 || !s.Contains("CASE-2") || s.Contains("CASE-3") {
		t.Errorf("Len() = %d, Contains(CASE-2) = %v, Contains(CASE-3) = %v; want 2, true, false",
			s.Len(), s.Contains("CASE-2"), s.Contains("CASE-3"))
	}
	if n := s.Inserts(); n != 3 {
		t.Errorf("Inserts() = %d, want 3 (the duplicate counts)", n)
	}
}

func TestStoreConcurrentInsertOneWins(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	const n = 8
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { errs <- s.Insert(context.Background(), "CASE-1") })
	}
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, casenum.ErrDuplicate):
			t.Errorf("Insert: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent inserts of one number succeeded, want 1", won, n)
	}
}

func TestStoreCounters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := casenumtest.NewStore()
	s.Add("CASE-1", "CASE-1", "CASE-2")
	if s.Len() != 2 || s.Inserts() != 0 {
		t.Fatalf("after Add: Len() = %d, Inserts() = %d; want 2, 0", s.Len(), s.Inserts())
	}
	for _, n := range []string{"CASE-1", "CASE-3", "CASE-3"} {
		if _, err := s.Exists(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Insert(ctx, "CASE-3")
	for range 4 {
		if _, err := s.Next(ctx, "CASE-"); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Contains("CASE-1") // not a round trip
	if c, i, n := s.Checks(), s.Inserts(), s.Nexts(); c != 3 || i != 1 || n != 4 {
		t.Errorf("Checks, Inserts, Nexts = %d, %d, %d; want 3, 1, 4", c, i, n)
	}
}

func TestStoreFailWith(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := casenumtest.NewStore()
	s.Add("CASE-1")
	if _, err := s.Next(ctx, "A"); err != nil {
		t.Fatal(err)
	}
	errDown := fmt.Errorf("connection refused")
	s.FailWith(errDown)

	if ok, err := s.Exists(ctx, "CASE-1"); err != errDown || ok {
		t.Errorf("Exists under fault = %v, %v; want false, the injected error as is", ok, err)
	}
	if err := s.Insert(ctx, "CASE-2"); err != errDown {
		t.Errorf("Insert under fault = %v, want the injected error as is", err)
	}
	if v, err := s.Next(ctx, "A"); err != errDown || v != 0 {
		t.Errorf("Next under fault = %d, %v; want 0, the injected error as is", v, err)
	}
	if c, i, n := s.Checks(), s.Inserts(), s.Nexts(); c != 1 || i != 1 || n != 2 {
		t.Errorf("failed calls not counted: Checks, Inserts, Nexts = %d, %d, %d; want 1, 1, 2", c, i, n)
	}

	s.FailWith(nil)
	if s.Contains("CASE-2") {
		t.Error("Insert under fault stored the number")
	}
	if v, err := s.Next(ctx, "A"); err != nil || v != 2 {
		t.Errorf("Next after recovery = %d, %v; want 2, nil (a failed call does not advance)", v, err)
	}
	if err := s.Insert(ctx, "CASE-2"); err != nil {
		t.Errorf("Insert after recovery: %v", err)
	}
}

func TestStoreContextDone(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	s.Add("CASE-1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A done context wins over an injected fault.
	s.FailWith(errors.New("injected"))

	if ok, err := s.Exists(ctx, "CASE-1"); !errors.Is(err, context.Canceled) || ok {
		t.Errorf("Exists(cancelled) = %v, %v; want false, context.Canceled", ok, err)
	}
	if err := s.Insert(ctx, "CASE-2"); !errors.Is(err, context.Canceled) {
		t.Errorf("Insert(cancelled) = %v, want context.Canceled", err)
	}
	if v, err := s.Next(ctx, "A"); !errors.Is(err, context.Canceled) || v != 0 {
		t.Errorf("Next(cancelled) = %d, %v; want 0, context.Canceled", v, err)
	}

	s.FailWith(nil)
	if s.Contains("CASE-2") {
		t.Error("Insert with a cancelled context stored the number")
	}
	if v, err := s.Next(context.Background(), "A"); err != nil || v != 1 {
		t.Errorf("Next after a cancelled call = %d, %v; want 1, nil", v, err)
	}
}

func TestStoreZeroValue(t *testing.T) {
	t.Parallel()
	var s casenumtest.Store
	ctx := context.Background()
	if ok, err := s.Exists(ctx, "CASE-1"); ok || err != nil {
		t.Errorf("zero Store Exists = %v, %v", ok, err)
	}
	if err := s.Insert(ctx, "CASE-1"); err != nil {
		t.Errorf("zero Store Insert: %v", err)
	}
	if v, err := s.Next(ctx, ""); v != 1 || err != nil {
		t.Errorf("zero Store Next = %d, %v; want 1, nil", v, err)
	}
}

// Advance moves a counter forward only, and a failed call moves nothing.
func TestStoreAdvance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := casenumtest.NewStore()
	for _, step := range []struct {
		last uint64
		want uint64 // Next after Advance(last)
	}{{3, 4}, {2, 5}, {5, 6}, {9, 10}} {
		if err := s.Advance(ctx, "A", step.last); err != nil {
			t.Fatal(err)
		}
		if v, err := s.Next(ctx, "A"); err != nil || v != step.want {
			t.Fatalf("Next after Advance(%d) = %d, %v; want %d", step.last, v, err, step.want)
		}
	}
	s.FailWith(errors.New("down"))
	if err := s.Advance(ctx, "A", 100); err == nil {
		t.Error("Advance under fault succeeded")
	}
	s.FailWith(nil)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Advance(cancelled, "A", 100); !errors.Is(err, context.Canceled) {
		t.Errorf("Advance(cancelled) = %v, want context.Canceled", err)
	}
	if v, err := s.Next(ctx, "A"); err != nil || v != 11 {
		t.Errorf("Next after failed Advances = %d, %v; want 11", v, err)
	}
	var zero casenumtest.Store
	if err := zero.Advance(ctx, "", 7); err != nil {
		t.Fatal(err)
	}
	if v, _ := zero.Next(ctx, ""); v != 8 {
		t.Errorf("zero Store: Next after Advance(7) = %d, want 8", v)
	}
}
