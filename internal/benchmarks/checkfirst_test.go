package benchmarks

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

var (
	candidateShape = regexp.MustCompile(`^CASE-\d{8}-\d{13}-\d{3}$`)
	fallbackShape  = regexp.MustCompile(`^CASE-\d{8}-[0-9a-f]{8}$`)
)

func TestCheckThenInsertNumberShape(t *testing.T) {
	t.Parallel()
	for range 100 {
		if n := CheckThenInsertNumber(); !candidateShape.MatchString(n) {
			t.Fatalf("CheckThenInsertNumber() = %q, not CASE-YYYYMMDD-<ms>-NNN", n)
		}
	}
	if n := fallback("20261127"); !fallbackShape.MatchString(n) || n[5:13] != "20261127" {
		t.Fatalf("fallback = %q", n)
	}
}

// Check-then-insert's candidates and casemint's default layout have the
// same shape: the benchmarks compare like with like.
func TestCheckThenInsertMatchesDefaultLayout(t *testing.T) {
	t.Parallel()
	g, err := casenum.New()
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(CheckThenInsertNumber()); err != nil {
		t.Fatalf("casemint's default layout refuses a check-then-insert number: %v", err)
	}
}

func TestCheckThenInsertStoresAFreeNumber(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	n, err := CheckThenInsert(context.Background(), s.Exists, s.Insert)
	if err != nil {
		t.Fatal(err)
	}
	if !candidateShape.MatchString(n) || !s.Contains(n) {
		t.Fatalf("CheckThenInsert = %q, stored %v", n, s.Contains(n))
	}
	if s.Checks() != 1 || s.Inserts() != 1 {
		t.Fatalf("checks %d, inserts %d; want 1 and 1", s.Checks(), s.Inserts())
	}
}

// When every lookup finds a row, eleven candidates are looked up, then a
// UUID-based fallback is inserted without a lookup.
func TestCheckThenInsertFallsBackUnchecked(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	lookups := 0
	taken := func(context.Context, string) (bool, error) { lookups++; return true, nil }
	n, err := CheckThenInsert(context.Background(), taken, s.Insert)
	if err != nil {
		t.Fatal(err)
	}
	if lookups != candidateRetries+1 {
		t.Fatalf("%d lookups, want %d", lookups, candidateRetries+1)
	}
	if !fallbackShape.MatchString(n) || !s.Contains(n) {
		t.Fatalf("CheckThenInsert = %q, want a stored fallback", n)
	}
}

// The race check-then-insert leaves open: the insert fails, and so does
// the request.
func TestCheckThenInsertReturnsTheInsertError(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	dup := func(context.Context, string) error { return casenum.ErrDuplicate }
	if _, err := CheckThenInsert(context.Background(), s.Exists, dup); !errors.Is(err, casenum.ErrDuplicate) {
		t.Fatalf("err = %v, want the insert's error", err)
	}
	boom := errors.New("lookup failed")
	fail := func(context.Context, string) (bool, error) { return false, boom }
	if _, err := CheckThenInsert(context.Background(), fail, s.Insert); !errors.Is(err, boom) || s.Inserts() != 0 {
		t.Fatalf("err = %v, inserts %d; want the lookup's error and no insert", err, s.Inserts())
	}
}

func TestCheckThenInsertStopsWithItsContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	taken := func(context.Context, string) (bool, error) { cancel(); return true, nil }
	if _, err := CheckThenInsert(ctx, taken, casenumtest.NewStore().Insert); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
