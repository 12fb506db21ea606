package casenumtest_test

import (
	"testing"

	"github.com/casemint/casemint/casenum/casenumtest"
)

func draw(r *casenumtest.Random, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = r.Uint64()
	}
	return out
}

func TestRandomDeterministic(t *testing.T) {
	t.Parallel()
	a, b := draw(casenumtest.NewRandom(42), 100), draw(casenumtest.NewRandom(42), 100)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 42, value %d: %d and %d differ", i, a[i], b[i])
		}
	}
	c := draw(casenumtest.NewRandom(43), 100)
	same := 0
	for i := range a {
		if a[i] == c[i] {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seeds 42 and 43 agree on %d of 100 values", same)
	}
	seen := map[uint64]bool{}
	for _, v := range a {
		seen[v] = true
	}
	if len(seen) < 100 {
		t.Errorf("seed 42 repeated values: %d distinct of 100", len(seen))
	}
}

func TestValuesCycle(t *testing.T) {
	t.Parallel()
	in := []uint64{7, 7, 9}
	r := casenumtest.NewValues(in...)
	in[0] = 100 // NewValues keeps its own copy
	want := []uint64{7, 7, 9, 7, 7, 9, 7}
	for i, w := range want {
		if got := r.Uint64(); got != w {
			t.Fatalf("value %d = %d, want %d", i, got, w)
		}
	}
}

func TestValuesEmpty(t *testing.T) {
	t.Parallel()
	r := casenumtest.NewValues()
	for range 3 {
		if got := r.Uint64(); got != 0 {
			t.Fatalf("NewValues() yielded %d, want 0", got)
		}
	}
}
