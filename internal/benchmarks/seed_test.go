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
	seedShape     = regexp.MustCompile(`^CASE-\d{8}-\d{13}-\d{3}$`)
	fallbackShape = regexp.MustCompile(`^CASE-\d{8}-[0-9a-f]{8}$`)
)

func TestSeedNumberShape(t *testing.T) {
	t.Parallel()
	for range 100 {
		if n := SeedNumber(); !seedShape.MatchString(n) {
			t.Fatalf("SeedNumber() = %q, not the seed's CASE-YYYYMMDD-<ms>-NNN", n)
		}
	}
	if n := SeedFallback("20261127"); !fallbackShape.MatchString(n) || n[5:13] != "20261127" {
		t.Fatalf("SeedFallback = %q", n)
	}
}

// The port and casemint's default layout render the same shape: the
// benchmark compares like with like.
func TestSeedMatchesDefaultLayout(t *testing.T) {
	t.Parallel()
	g, err := casenum.New()
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(SeedNumber()); err != nil {
		t.Fatalf("casemint's default layout refuses the seed's number: %v", err)
	}
}

func TestSeedCreateStoresAFreeNumber(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	n, err := SeedCreate(context.Background(), s.Exists, s.Insert)
	if err != nil {
		t.Fatal(err)
	}
	if !seedShape.MatchString(n) || !s.Contains(n) {
		t.Fatalf("SeedCreate = %q, stored %v", n, s.Contains(n))
	}
	if s.Checks() != 1 || s.Inserts() != 1 {
		t.Fatalf("checks %d, inserts %d; want 1 and 1", s.Checks(), s.Inserts())
	}
}

// When every lookup finds a row the seed looks up eleven candidates, then
// inserts a UUID-based fallback without looking it up.
func TestSeedCreateFallsBackUnchecked(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	lookups := 0
	taken := func(context.Context, string) (bool, error) { lookups++; return true, nil }
	n, err := SeedCreate(context.Background(), taken, s.Insert)
	if err != nil {
		t.Fatal(err)
	}
	if lookups != SeedAttempts+1 {
		t.Fatalf("%d lookups, want %d", lookups, SeedAttempts+1)
	}
	if !fallbackShape.MatchString(n) || !s.Contains(n) {
		t.Fatalf("SeedCreate = %q, want a stored fallback", n)
	}
}

// The race the seed leaves open: the insert fails, and the request fails.
func TestSeedCreateReturnsTheInsertError(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	dup := func(context.Context, string) error { return casenum.ErrDuplicate }
	if _, err := SeedCreate(context.Background(), s.Exists, dup); !errors.Is(err, casenum.ErrDuplicate) {
		t.Fatalf("err = %v, want the insert's error", err)
	}
	boom := errors.New("lookup failed")
	fail := func(context.Context, string) (bool, error) { return false, boom }
	if _, err := SeedCreate(context.Background(), fail, s.Insert); !errors.Is(err, boom) || s.Inserts() != 0 {
		t.Fatalf("err = %v, inserts %d; want the lookup's error and no insert", err, s.Inserts())
	}
}

func TestSeedCreateStopsWithItsContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	taken := func(context.Context, string) (bool, error) { cancel(); return true, nil }
	if _, err := SeedCreate(ctx, taken, casenumtest.NewStore().Insert); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
