package casenum_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

var permKey = []byte("0123456789abcdef")

func permGen(t testing.TB, layout string, opts ...casenum.Option) *casenum.Generator {
	t.Helper()
	g, err := casenum.New(append([]casenum.Option{
		casenum.WithLayout(layout),
		casenum.WithFallbackLayout(""),
		casenum.WithPermutationKey(permKey),
		casenum.WithSequence(casenumtest.NewStore()),
		casenum.WithClock(casenumtest.NewClock(time.Date(2025, 9, 29, 9, 30, 0, 0, time.UTC))),
	}, opts...)...)
	if err != nil {
		t.Fatalf("New(%q): %v", layout, err)
	}
	return g
}

// A permuted counter renders unique numbers that show neither the volume
// nor the order; Parse gives the counter back.
func TestPermutedCounter(t *testing.T) {
	t.Parallel()
	g := permGen(t, "INV-{date}-{seq:6:perm}{check}")
	seen := map[string]bool{}
	rising := 0
	last := ""
	for i := uint64(1); i <= 2000; i++ {
		n := mint(t, g)
		if seen[n] {
			t.Fatalf("Next = %q twice", n)
		}
		seen[n] = true
		p, err := g.Parse(n)
		if err != nil || p.Seq != i || p.Scope != "INV-20250929-" {
			t.Fatalf("Parse(%q) = %+v, %v; want counter %d", n, p, err, i)
		}
		if err := g.Validate(n); err != nil {
			t.Fatalf("Validate(%q) = %v", n, err)
		}
		if n > last {
			rising++
		}
		last = n
		if i == 1 && strings.HasPrefix(n, "INV-20250929-00000") {
			t.Errorf("the first number %q shows its counter", n)
		}
	}
	// A counter that showed its order would rise every time; a permuted
	// one rises about half of the time.
	if rising > 1200 || rising < 800 {
		t.Errorf("%d of 2000 numbers were above the one before", rising)
	}
}

// The scope is the tweak: the same counter renders differently in another
// scope, and each scope counts on its own.
func TestPermutedCounterScopes(t *testing.T) {
	t.Parallel()
	clock := casenumtest.NewClock(time.Date(2025, 9, 29, 9, 30, 0, 0, time.UTC))
	g := permGen(t, "{date}-{seq:8:perm}", casenum.WithClock(clock))
	a := mint(t, g)
	clock.Advance(24 * time.Hour)
	b := mint(t, g)
	if a[9:] == b[9:] {
		t.Errorf("counter 1 renders %s on two days", a[9:])
	}
	for _, n := range []string{a, b} {
		if p, err := g.Parse(n); err != nil || p.Seq != 1 {
			t.Errorf("Parse(%q) = %+v, %v; want counter 1", n, p, err)
		}
	}
	// Another key renders other numbers, and reads other counters.
	other := permGen(t, "{date}-{seq:8:perm}", casenum.WithClock(clock), casenum.WithPermutationKey(make([]byte, 32)))
	if c := mint(t, other); c == b {
		t.Errorf("two keys render %s for counter 1", c)
	}
	if p, err := other.Parse(b); err != nil || p.Seq == 1 {
		t.Errorf("Parse(%q) with another key = %+v, %v", b, p, err)
	}
}

// The numbers are those FF1 gives: the permutation is the standard one.
func TestPermutedCounterIsFF1(t *testing.T) {
	t.Parallel()
	// NIST SP 800-38G sample 2: AES-128, tweak "9876543210", 0123456789 -> 6124200773.
	g := permGen(t, "9876543210{seq:10:perm}", casenum.WithPermutationKey([]byte{
		0x2B, 0x7E, 0x15, 0x16, 0x28, 0xAE, 0xD2, 0xA6, 0xAB, 0xF7, 0x15, 0x88, 0x09, 0xCF, 0x4F, 0x3C,
	}), casenum.WithSequence(startSeq(123456789)))
	if n := mint(t, g); n != "98765432106124200773" {
		t.Errorf("Next = %q, want 9876543210 and NIST's 6124200773", n)
	}
}

func TestPermutedCounterRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts []casenum.Option
		why  string
	}{
		{"no key", []casenum.Option{casenum.WithLayout("INV-{seq:6:perm}")}, "no key was given"},
		{"a former layout and no key", []casenum.Option{casenum.WithFormerLayouts("INV-{seq:6:perm}")}, "no key was given"},
		{"a short key", []casenum.Option{casenum.WithLayout("INV-{seq:6:perm}"), casenum.WithPermutationKey(make([]byte, 15))}, "16, 24 or 32 bytes"},
		{"five digits", []casenum.Option{casenum.WithLayout("INV-{seq:5:perm}"), casenum.WithPermutationKey(permKey)}, "6 digits or more"},
		{"no width", []casenum.Option{casenum.WithLayout("INV-{seq:perm}"), casenum.WithPermutationKey(permKey)}, "width"},
	} {
		_, err := casenum.New(append(tt.opts, casenum.WithSequence(casenumtest.NewStore()))...)
		if err == nil || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("%s: New = %v, want %q", tt.name, err, tt.why)
		}
	}
}

// A permuted counter keeps its N digits where a plain counter would grow:
// a counter beyond them has no number, and the error names the scope.
func TestPermutedCounterNeverGrows(t *testing.T) {
	t.Parallel()
	for layout, size := range map[string]int{"INV-{seq:6:perm}": 10, "INV-{seq:6:perm}{check}": 11, "INV-{seq:6:perm}-{rand:2}": 13, "INV-{seq:6:perm}{check}/X": 13} {
		g := permGen(t, layout, casenum.WithSequence(startSeq(999999)))
		n := mint(t, g)
		if p, err := g.Parse(n); err != nil || p.Seq != 999999 || len(n) != size {
			t.Errorf("%s: counter 999999 renders %q, which parses as %+v, %v", layout, n, p, err)
		}
		_, err := permGen(t, layout, casenum.WithSequence(startSeq(1e6))).Next(t.Context())
		if !errors.Is(err, casenum.ErrExhausted) || !strings.Contains(err.Error(), `the counter of scope "INV-"`) || !strings.Contains(err.Error(), "{seq:6:perm}") {
			t.Errorf("%s: Next with counter 10^6 = %v, want ErrExhausted naming the scope", layout, err)
		}
	}
}

// Numbers already stored are skipped as for {seq}: Advance gets the plain
// counter of the taken number, not the digits that show it, so the series
// goes on with the counters between and after them, gap-free in the
// attempt's transaction too.
func TestPermutedCounterSkipsTakenNumbers(t *testing.T) {
	t.Parallel()
	const layout = "INV-{seq:6:perm}{check}"
	var all []string
	src := permGen(t, layout)
	for range 5 {
		all = append(all, mint(t, src))
	}
	imported := []string{all[0], all[2]}
	want := []string{all[1], all[3], all[4]} // counters 2, 4, 5
	t.Run("Create", func(t *testing.T) {
		t.Parallel()
		table := casenumtest.NewStore()
		table.Add(imported...)
		g := permGen(t, layout, casenum.WithSequence(table))
		checkSkipsTaken(t, g, want, func() (string, error) { return g.Create(t.Context(), table.Insert) })
	})
	t.Run("counter in the attempt's transaction", func(t *testing.T) {
		t.Parallel()
		table := casenumtest.NewStore()
		table.Add(imported...)
		c := advancingCounter{&txCounter{committed: map[string]uint64{}}}
		g := permGen(t, layout, casenum.WithSequence(c))
		insert := c.insert(g, table)
		checkSkipsTaken(t, g, want, func() (string, error) { return g.Create(t.Context(), insert) })
	})
}

// Find, Pattern and the check character treat a permuted counter as digits.
func TestPermutedCounterReadsBack(t *testing.T) {
	t.Parallel()
	g := permGen(t, "INV-{seq:7:perm}{check}")
	n := mint(t, g)
	if got := found(g.Find("re: inv " + n[4:] + ".")); got != n+"@4:"+strconv.Itoa(4+len(n)) {
		t.Errorf("Find = %s, want %s", got, n)
	}
	if !strings.HasPrefix(g.Layout().Pattern(), "INV-[0-9]{7}") {
		t.Errorf("Pattern() = %s", g.Layout().Pattern())
	}
}

// FuzzPermutedCounter mints a number of {seq:N:perm} for any key, scope
// and counter: Parse gives the counter back from its N digits, a counter
// beyond them is ErrExhausted naming the scope, and a taken number moves
// the counter past its plain value.
func FuzzPermutedCounter(f *testing.F) {
	f.Add([]byte("0123456789abcdef"), "INV-", uint64(1), uint8(6))
	f.Add(make([]byte, 32), "CASE-20250929-", uint64(999999999999999999), uint8(18))
	f.Add(make([]byte, 24), "", uint64(0), uint8(0))
	f.Add([]byte("0123456789abcdef"), "X", uint64(1999998), uint8(6))
	f.Fuzz(func(t *testing.T, key []byte, prefix string, counter uint64, width uint8) {
		n := 6 + int(width)%13
		var limit uint64 = 1
		for range n {
			limit *= 10
		}
		counter %= 2 * limit
		layout := strings.NewReplacer("{", "{{", "}", "}}").Replace(prefix) + "{seq:" + strconv.Itoa(n) + ":perm}"
		gen := func(seq casenum.Sequence) (*casenum.Generator, error) {
			return casenum.New(casenum.WithLayout(layout), casenum.WithFallbackLayout(""),
				casenum.WithPermutationKey(key), casenum.WithSequence(seq))
		}
		g, err := gen(startSeq(counter))
		if err != nil {
			if len(key) == 16 || len(key) == 24 || len(key) == 32 {
				if _, perr := casenum.ParseLayout(layout); perr == nil {
					t.Fatalf("New(%q) with a %d-byte key = %v", layout, len(key), err)
				}
			}
			return
		}
		num, err := g.Next(context.Background())
		if counter >= limit {
			if !errors.Is(err, casenum.ErrExhausted) || !strings.Contains(err.Error(), "the counter of scope") {
				t.Fatalf("%s: Next with counter %d = %q, %v; want ErrExhausted naming the scope", layout, counter, num, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Next = %v", err)
		}
		p, err := g.Parse(num)
		if err != nil || p.Seq != counter || len(num) != len(p.Scope)+n {
			t.Fatalf("%s: Parse(%q) = %+v, %v; want counter %d", layout, num, p, err, counter)
		}
		if counter+2 >= limit {
			return
		}
		// The number of counter+1 is taken: Create stores counter+2.
		next, _ := gen(startSeq(counter + 1))
		table := casenumtest.NewStore()
		table.Add(mint(t, next))
		if err := table.Advance(context.Background(), p.Scope, counter); err != nil {
			t.Fatal(err)
		}
		g, _ = gen(table)
		got, err := g.Create(context.Background(), table.Insert)
		if p, perr := g.Parse(got); err != nil || perr != nil || p.Seq != counter+2 {
			t.Fatalf("%s: Create past the taken counter %d = %q (%+v), %v", layout, counter+1, got, p, err)
		}
	})
}
