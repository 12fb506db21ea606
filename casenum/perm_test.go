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
	// A counter beyond the width has no number.
	g := permGen(t, "INV-{seq:6:perm}", casenum.WithSequence(startSeq(1e6)))
	if _, err := g.Next(context.Background()); !errors.Is(err, casenum.ErrExhausted) {
		t.Errorf("Next with counter 10^6 = %v, want ErrExhausted", err)
	}
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

func FuzzPermutedCounter(f *testing.F) {
	f.Add([]byte("0123456789abcdef"), "INV-", uint64(1), uint8(6))
	f.Add(make([]byte, 32), "CASE-20250929-", uint64(999999999999999999), uint8(18))
	f.Add(make([]byte, 24), "", uint64(0), uint8(0))
	f.Fuzz(func(t *testing.T, key []byte, prefix string, counter uint64, width uint8) {
		n := 6 + int(width)%13
		var limit uint64 = 1
		for range n {
			limit *= 10
		}
		counter %= limit
		layout := strings.NewReplacer("{", "{{", "}", "}}").Replace(prefix) + "{seq:" + strconv.Itoa(n) + ":perm}"
		g, err := casenum.New(casenum.WithLayout(layout), casenum.WithFallbackLayout(""),
			casenum.WithPermutationKey(key), casenum.WithSequence(startSeq(counter)))
		if err != nil {
			if len(key) == 16 || len(key) == 24 || len(key) == 32 {
				if _, perr := casenum.ParseLayout(layout); perr == nil {
					t.Fatalf("New(%q) with a %d-byte key = %v", layout, len(key), err)
				}
			}
			return
		}
		num, err := g.Next(context.Background())
		if err != nil {
			t.Fatalf("Next = %v", err)
		}
		p, err := g.Parse(num)
		if err != nil || p.Seq != counter || len(num) != len(p.Scope)+n {
			t.Fatalf("%s: Parse(%q) = %+v, %v; want counter %d", layout, num, p, err, counter)
		}
	})
}
