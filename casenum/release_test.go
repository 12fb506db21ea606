package casenum_test

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

// releasingSeq is a Sequence with Advance and Release that logs the calls
// a Generator makes of it.
type releasingSeq struct {
	*casenumtest.Store
	mu  sync.Mutex
	log []string
}

func (s *releasingSeq) note(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, fmt.Sprintf(format, args...))
}

func (s *releasingSeq) Next(ctx context.Context, scope string) (uint64, error) {
	v, err := s.Store.Next(ctx, scope)
	s.note("next %s%d", scope, v)
	return v, err
}

func (s *releasingSeq) Advance(ctx context.Context, scope string, last uint64) error {
	s.note("advance %s%d", scope, last)
	return s.Store.Advance(ctx, scope, last)
}

func (s *releasingSeq) Release(_ context.Context, scope string, v uint64) {
	s.note("release %s%d", scope, v)
}

// A Generator releases a {seq} value exactly when the attempt that drew it
// neither stored it nor found it taken and was retried: not when it is
// stored, found taken, or when the call ends with it.
func TestReleaseUnusedSeqValue(t *testing.T) {
	t.Parallel()
	aborted := casenum.Mark(casenum.Aborted, errors.New("deadlock"))
	for _, tc := range []struct {
		name    string
		checker func(call int) (bool, error) // nil: no Checker
		insert  func(call int) error         // nil: Next
		want    []string
	}{
		{"stored", nil, func(int) error { return nil }, []string{"next C-1"}},
		{"Next hands it out", nil, nil, []string{"next C-1"}},
		{"Checker aborted", func(call int) (bool, error) { return false, onFirst(call, aborted) }, func(int) error { return nil },
			[]string{"next C-1", "release C-1", "fallback"}},
		{"Next, Checker aborted", func(call int) (bool, error) { return false, onFirst(call, aborted) }, nil,
			[]string{"next C-1", "release C-1", "fallback"}},
		{"insert aborted", nil, func(call int) error { return onFirst(call, aborted) },
			[]string{"next C-1", "release C-1", "fallback"}},
		{"Checker found it taken", func(call int) (bool, error) { return call == 1, nil }, func(int) error { return nil },
			[]string{"next C-1", "advance C-1", "fallback"}},
		{"insert collided", nil, func(call int) error { return onFirst(call, casenum.ErrDuplicate) },
			[]string{"next C-1", "advance C-1", "fallback"}},
		{"insert failed", nil, func(int) error { return errors.New("not null") }, []string{"next C-1"}},
		{"insert uncertain", nil, func(int) error { return casenum.Mark(casenum.Uncertain, errors.New("lost")) }, []string{"next C-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &releasingSeq{Store: casenumtest.NewStore()}
			opts := []casenum.Option{casenum.WithLayout("C-{seq}"), casenum.WithSequence(s),
				casenum.WithFallbackLayout("F-{rand:6}"), casenum.WithRetry(casenum.Retry{Attempts: 1})}
			var checks, inserts int
			if tc.checker != nil {
				opts = append(opts, casenum.WithChecker(checkerFunc(func(context.Context, string) (bool, error) {
					checks++
					return tc.checker(checks)
				})))
			}
			g, err := casenum.New(opts...)
			if err != nil {
				t.Fatal(err)
			}
			var n string
			if tc.insert == nil {
				n, err = g.Next(t.Context())
			} else {
				n, err = g.Create(t.Context(), func(context.Context, string) error {
					inserts++
					return tc.insert(inserts)
				})
			}
			if g.Stats().Fallbacks > 0 {
				s.note("fallback")
			}
			if !slices.Equal(s.log, tc.want) {
				t.Errorf("calls %q (number %q, error %v), want %q", s.log, n, err, tc.want)
			}
		})
	}
}

// onFirst returns err on the first call, nil after.
func onFirst(call int, err error) error {
	if call == 1 {
		return err
	}
	return nil
}

// A value past the width of its {seq} is released when the fallback layout
// takes over: a transaction that drew it must not commit it with the
// fallback's number.
func TestReleaseSeqPastWidth(t *testing.T) {
	t.Parallel()
	s := &releasingSeq{Store: casenumtest.NewStore()}
	if err := s.Store.Advance(t.Context(), "C-", 9); err != nil {
		t.Fatal(err)
	}
	g, err := casenum.New(casenum.WithLayout("C-{seq:1}{rand:2}"), casenum.WithSequence(s),
		casenum.WithFallbackLayout("F-{rand:6}"), casenum.WithRetry(casenum.Retry{Attempts: 2}))
	if err != nil {
		t.Fatal(err)
	}
	n, err := g.Create(t.Context(), func(context.Context, string) error { return nil })
	if err != nil || n[:2] != "F-" {
		t.Fatalf("Create = %q, %v; want a fallback number", n, err)
	}
	if want := []string{"next C-10", "release C-10"}; !slices.Equal(s.log, want) {
		t.Errorf("calls %q, want %q", s.log, want)
	}
}
