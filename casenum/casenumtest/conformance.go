package casenumtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/casemint/casemint/casenum"
)

// A number of the default layout, used where any valid number will do.
const sampleNumber = "CASE-20250929-1759131413832-073"

// hostileNumbers are stored and must then be found exactly, while their
// neighbours, which differ by what quoting, escaping or pattern matching
// would blur, must stay free. No neighbour differs from a stored number
// only by letter case, accents or trailing spaces: the default collations
// of MySQL and MariaDB compare those as equal, and the suite does not
// require a case- or accent-sensitive column.
var hostileNumbers = []struct {
	number     string
	neighbours []string
}{
	{"CASE-1%", []string{"CASE-1", "CASE-10", "CASE-1%%", "CASE-1%0"}},
	{"CASE-_", []string{"CASE-", "CASE-__", "CASE-0"}},
	{"O'Brien-1", []string{"O''Brien-1", "OBrien-1", `O\'Brien-1`, "O'Brien-2"}},
	{`x"; DROP TABLE t; --`, []string{`x""; DROP TABLE t; --`, `x"; DROP TABLE t;`, "x"}},
	{`CASE-\1`, []string{"CASE-1", `CASE-\\1`, `CASE-\`}},
	{long64, []string{long64[:63], long64[:63] + "9", long64 + "0"}},
	{"CASE-Ωμέγα-日本-1", []string{"CASE-Ωμέγα-日本-2", "CASE-Ωμέγα-日本-", "CASE--日本-1"}},
}

// long64 is a 64-character number, the longest the suite stores.
var long64 = "CASE-" + strings.Repeat("0123456789", 5) + "012345678"

// TestChecker runs a conformance suite against a casenum.Checker, as
// testing/slogtest does for slog.Handler. Each subtest calls newChecker for
// a fresh Checker over an empty table, together with a function that stores
// a number in that table (an INSERT, for a database); newChecker may
// register cleanups on the t it is given, which is the subtest's.
//
// The suite requires that:
//   - a number not stored is free and a stored one exists;
//   - matching is exact: a prefix, an extension or a one-character change
//     of a stored number is free, and strings that mean something to SQL,
//     to LIKE or GLOB patterns or to an escaping routine (quotes, %, _, \,
//     *, ?) are stored and found as they are and match nothing else;
//   - numbers up to 64 characters and non-ASCII numbers work;
//   - Exists with a cancelled context returns false and an error for which
//     errors.Is(err, context.Canceled) holds, so that a Generator passes
//     the context's end through and a caller can tell it apart;
//   - 8 goroutines calling Exists at once all get the right answers.
//
// It does not require case-sensitive matching, so it runs unchanged against
// a MySQL or MariaDB column with a case-insensitive collation.
func TestChecker(t *testing.T, newChecker func(t *testing.T) (casenum.Checker, func(ctx context.Context, number string) error)) {
	t.Helper()
	setup := func(t *testing.T, numbers ...string) casenum.Checker {
		t.Helper()
		c, store := newChecker(t)
		for _, n := range numbers {
			if err := store(context.Background(), n); err != nil {
				t.Fatalf("storing %q: %v", n, err)
			}
		}
		return c
	}
	t.Run("UnknownIsFree", func(t *testing.T) {
		expectExists(t, setup(t), sampleNumber, false)
	})
	t.Run("StoredExists", func(t *testing.T) {
		expectExists(t, setup(t, sampleNumber), sampleNumber, true)
	})
	t.Run("NearMissIsFree", func(t *testing.T) { nearMissIsFree(t, setup(t, sampleNumber)) })
	t.Run("HostileNumbersMatchExactly", func(t *testing.T) {
		var stored []string
		for _, h := range hostileNumbers {
			stored = append(stored, h.number)
		}
		hostileNumbersMatchExactly(t, setup(t, stored...))
	})
	t.Run("PatternsAreLiteral", func(t *testing.T) { patternsAreLiteral(t, setup(t, "CASE-12", "CASE-%")) })
	t.Run("CancelledContext", func(t *testing.T) {
		c := setup(t, sampleNumber)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ok, err := c.Exists(ctx, sampleNumber)
		if ok || !errors.Is(err, context.Canceled) {
			t.Errorf("Exists(cancelled ctx, %q) = %v, %v; want false and an error wrapping context.Canceled", sampleNumber, ok, err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) { checkConcurrently(t, setup) })
}

func nearMissIsFree(t *testing.T, c casenum.Checker) {
	n := sampleNumber
	for _, miss := range []string{
		n[:len(n)-1],                          // prefix
		n[1:],                                 // suffix
		n + "4",                               // extension
		"X" + n,                               // extension in front
		n[:len(n)-1] + "4",                    // last character changed
		strings.Replace(n, "2025", "2026", 1), // a middle character changed
		strings.Replace(n, "-", "_", 1),       // a LIKE pattern would match it
		strings.Replace(n, "-", "", 1),        // a character dropped
	} {
		expectExists(t, c, miss, false)
	}
	expectExists(t, c, n, true)
}

func hostileNumbersMatchExactly(t *testing.T, c casenum.Checker) {
	for _, h := range hostileNumbers {
		expectExists(t, c, h.number, true)
		for _, nb := range h.neighbours {
			expectExists(t, c, nb, false)
		}
	}
}

// patternsAreLiteral: a Checker that builds a LIKE, GLOB or regular
// expression from the number finds these patterns in the plain numbers
// stored, CASE-12 and CASE-%.
func patternsAreLiteral(t *testing.T, c casenum.Checker) {
	for _, p := range []string{
		"CASE-1%", "CASE-1_", "CASE-%2", "CASE-__", "%", "_______",
		`CASE-1\2`, `CASE-\%`, "CASE-1*", "CASE-1?", "CASE-*", "CASE-.*", "CASE-1[0-9]",
	} {
		expectExists(t, c, p, false)
	}
	expectExists(t, c, "CASE-12", true)
	expectExists(t, c, "CASE-%", true)
}

func checkConcurrently(t *testing.T, setup func(t *testing.T, numbers ...string) casenum.Checker) {
	want := map[string]bool{}
	var stored []string
	for i := range 8 {
		n := fmt.Sprintf("CASE-20250929-%03d", i)
		want[n] = i%2 == 0
		if want[n] {
			stored = append(stored, n)
		}
	}
	c := setup(t, stored...)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 2 {
				for n, w := range want {
					ok, err := c.Exists(context.Background(), n)
					if err != nil || ok != w {
						t.Errorf("concurrent Exists(%q) = %v, %v; want %v, nil", n, ok, err, w)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func expectExists(t *testing.T, c casenum.Checker, number string, want bool) {
	t.Helper()
	ok, err := c.Exists(context.Background(), number)
	if err != nil {
		t.Errorf("Exists(%q): %v", number, err)
		return
	}
	if ok != want {
		t.Errorf("Exists(%q) = %v, want %v", number, ok, want)
	}
}

// TestSequence runs a conformance suite against a casenum.Sequence. Each
// subtest calls newSequence for a fresh Sequence over an empty table;
// newSequence may register cleanups on the t it is given.
//
// The suite requires that:
//   - a scope not seen before starts at 1 and serial calls count 1, 2, 3...;
//   - scopes are independent, including the empty scope (a layout that
//     starts with {seq}), scopes that are a prefix or an extension of one
//     another and scopes holding quotes, %, _ and \;
//   - 16 goroutines making 50 calls each on one scope get 1 to 800, each
//     once, and the next call gets 801: under concurrency, with no failed
//     call, no value is repeated or skipped;
//   - Next with a cancelled context returns an error for which
//     errors.Is(err, context.Canceled) holds;
//   - when the Sequence has the optional method Advance(ctx, scope, last)
//     (see casenum.Sequence): Next then returns last+1 for a counter below
//     last, a new scope included; a counter at or past last stays; other
//     scopes are untouched; and a cancelled context returns an error
//     wrapping context.Canceled and moves nothing.
//
// An SQLite-backed Sequence passes the concurrent subtest in well under a
// second when its database has a busy timeout or a pool of one connection.
func TestSequence(t *testing.T, newSequence func(t *testing.T) casenum.Sequence) {
	t.Helper()
	const scope = sequenceScope

	t.Run("NewScopeStartsAtOne", func(t *testing.T) {
		s := newSequence(t)
		expectNext(t, s, scope, 1)
	})

	t.Run("SerialIsConsecutive", func(t *testing.T) {
		s := newSequence(t)
		for want := uint64(1); want <= 10; want++ {
			if !expectNext(t, s, scope, want) {
				return
			}
		}
	})

	t.Run("ScopesAreIndependent", func(t *testing.T) { scopesAreIndependent(t, newSequence(t)) })
	t.Run("ConcurrentNoGapNoDuplicate", func(t *testing.T) { countConcurrently(t, newSequence(t)) })

	t.Run("CancelledContext", func(t *testing.T) {
		s := newSequence(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if v, err := s.Next(ctx, scope); !errors.Is(err, context.Canceled) {
			t.Errorf("Next(cancelled ctx, %q) = %d, %v; want an error wrapping context.Canceled", scope, v, err)
		}
	})

	if _, ok := newSequence(t).(advancer); ok {
		t.Run("AdvanceIsForwardOnly", func(t *testing.T) { advanceForwardOnly(t, newSequence(t).(advancer)) })
	}
}

// advancer is a Sequence with the optional method Advance.
type advancer interface {
	casenum.Sequence
	Advance(ctx context.Context, scope string, last uint64) error
}

func advanceForwardOnly(t *testing.T, s advancer) {
	ctx := context.Background()
	advance := func(scope string, last uint64) bool {
		t.Helper()
		if err := s.Advance(ctx, scope, last); err != nil {
			t.Errorf("Advance(%q, %d): %v", scope, last, err)
			return false
		}
		return true
	}
	const other = sequenceScope + "1"
	steps := []func() bool{
		func() bool { return expectNext(t, s, sequenceScope, 1) },
		func() bool { return advance(sequenceScope, 5) && expectNext(t, s, sequenceScope, 6) },
		func() bool { return advance(sequenceScope, 3) && expectNext(t, s, sequenceScope, 7) }, // backwards: stays
		func() bool { return advance(sequenceScope, 7) && expectNext(t, s, sequenceScope, 8) }, // at last: stays
		func() bool { return advance(other, 40) && expectNext(t, s, other, 41) },               // a new scope
		func() bool { return expectNext(t, s, "CASE-20250930-", 1) },                           // untouched
	}
	for _, step := range steps {
		if !step() {
			return
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Advance(cancelled, sequenceScope, 100); !errors.Is(err, context.Canceled) {
		t.Errorf("Advance(cancelled ctx, %q, 100) = %v; want an error wrapping context.Canceled", sequenceScope, err)
	}
	expectNext(t, s, sequenceScope, 9)
}

func expectNext(t *testing.T, s casenum.Sequence, scope string, want uint64) bool {
	t.Helper()
	v, err := s.Next(context.Background(), scope)
	if err != nil {
		t.Errorf("Next(%q): %v", scope, err)
		return false
	}
	if v != want {
		t.Errorf("Next(%q) = %d, want %d", scope, v, want)
		return false
	}
	return true
}

// sequenceScope is the scope the Sequence suite counts in.
const sequenceScope = "CASE-20250929-"

func scopesAreIndependent(t *testing.T, s casenum.Sequence) {
	scopes := []string{
		sequenceScope,
		sequenceScope + "1", // an extension
		"CASE-20250929",     // a prefix
		"CASE-20250930-",
		"",
		`CASE-'%_"-`,
		`CASE-'ab"-`, // what the scope above matches as a LIKE pattern
		`CASE-\-`,
	}
	// Scope i is called i+1 times, interleaved with the others, so a
	// counter shared between any two scopes shows.
	for round := range len(scopes) {
		for i, sc := range scopes {
			if i >= round && !expectNext(t, s, sc, uint64(round+1)) {
				return
			}
		}
	}
}

func countConcurrently(t *testing.T, s casenum.Sequence) {
	const goroutines, calls = 16, 50
	got := make([][]uint64, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for range calls {
				v, err := s.Next(context.Background(), sequenceScope)
				if err != nil {
					t.Errorf("concurrent Next(%q): %v", sequenceScope, err)
					return
				}
				got[g] = append(got[g], v)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	all := slices.Concat(got...)
	slices.Sort(all)
	for i, v := range all {
		if v != uint64(i+1) {
			t.Fatalf("concurrent Next values sorted: position %d holds %d, want %d (a gap or a duplicate)", i, v, i+1)
		}
	}
	expectNext(t, s, sequenceScope, goroutines*calls+1)
}
