package casenum

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"
)

// layScript is a Random that replays values and counts the draws.
type layScript struct {
	vals  []uint64
	drawn int
}

func (s *layScript) Uint64() uint64 {
	v := s.vals[s.drawn%len(s.vals)]
	s.drawn++
	return v
}

// TestUniformExact checks Lemire's method value by value: the draws x that
// map to output j (those with floor(x*n/2^64) = j) number floor(2^64/n) or
// one more, and the one more, the first x of the bucket, must be rejected so
// that every output keeps exactly floor(2^64/n) draws. Within a bucket the
// low half of x*n grows by n per step, so only the first x can fall below
// the threshold 2^64 mod n; the test asks uniform about those boundaries,
// including the values just under 2^64.
func TestUniformExact(t *testing.T) {
	t.Parallel()
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	for _, n := range []uint64{2, 3, 7, 10, 100, 1000, 1 << 20, 999_999_999_999_999_999, 1_000_000_000_000_000_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			bn := new(big.Int).SetUint64(n)
			q := new(big.Int).Div(two64, bn).Uint64()
			// first returns the smallest x with floor(x*n/2^64) = j.
			first := func(j uint64) *big.Int {
				x := new(big.Int).Mul(new(big.Int).SetUint64(j), two64)
				x.Add(x, new(big.Int).SetUint64(n-1))
				return x.Div(x, bn)
			}
			var js []uint64
			for j := uint64(0); j < min(n, 300); j++ {
				js = append(js, j, n-1-j)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			for range 300 {
				js = append(js, rng.Uint64N(n))
			}
			const sentinel = 1<<64 - 1 // accepted for every n, maps to n-1
			for _, j := range js {
				lo, hi := first(j), first(j+1) // hi = 2^64 for the last bucket
				size := new(big.Int).Sub(hi, lo).Uint64()
				s := &layScript{vals: []uint64{lo.Uint64(), sentinel}}
				got := uniform(s, n)
				rejected := s.drawn == 2
				if !rejected && got != j || rejected && got != n-1 {
					t.Fatalf("n=%d: first draw of bucket %d gave %d after %d draws", n, j, got, s.drawn)
				}
				accepted := size
				if rejected {
					accepted--
				}
				if accepted != q {
					t.Fatalf("n=%d: output %d has %d accepted draws, want %d", n, j, accepted, q)
				}
				last := new(big.Int).Sub(hi, big.NewInt(1)).Uint64()
				for _, x := range []uint64{lo.Uint64() + 1, last} {
					if size < 2 {
						break
					}
					s := &layScript{vals: []uint64{x}}
					if got := uniform(s, n); got != j || s.drawn != 1 {
						t.Fatalf("n=%d: draw %#x gave %d after %d draws, want %d at once", n, x, got, s.drawn, j)
					}
				}
			}
		})
	}
}

// TestUniformNoModuloBias draws {rand:18}'s bound, where reducing modulo
// 10^18 would favour the values below 2^64 mod 10^18 by 19 to 18.
func TestUniformNoModuloBias(t *testing.T) {
	t.Parallel()
	const n, draws = 1_000_000_000_000_000_000, 200_000
	const cut = (1<<64-1)%n + 1 // 2^64 mod n
	want := float64(cut) / n    // 0.4467
	src := rand.NewPCG(1, 2)
	var below, naiveBelow int
	for range draws {
		if uniform(src, n) < cut {
			below++
		}
		if src.Uint64()%n < cut {
			naiveBelow++
		}
	}
	got, naive := float64(below)/draws, float64(naiveBelow)/draws
	// One standard deviation is 0.0011; the bias of x%n is 0.0134.
	if d := got - want; d > 0.005 || d < -0.005 {
		t.Errorf("%.4f of values below 2^64 mod 10^18, want %.4f", got, want)
	}
	if d := naive - want; d < 0.008 {
		t.Errorf("the test cannot tell bias: x%%n gave %.4f, want about %.4f", naive, want+0.0134)
	}
}

// countSeq is a Sequence that counts per scope.
type countSeq map[string]uint64

func (s countSeq) Next(_ context.Context, scope string) (uint64, error) {
	s[scope]++
	return s[scope], nil
}

// TestTickTextRendersAsWithout renders through one shared tickText, as a
// Generator does, and without it: every number must be the same, whichever
// layout and zone last filled the cache and however far the clock moved.
func TestTickTextRendersAsWithout(t *testing.T) {
	t.Parallel()
	kathmandu := time.FixedZone("", 5*3600+45*60)
	layouts := []*Layout{
		MustParseLayout(DefaultLayout),
		MustParseLayout(DefaultFallbackLayout),
		MustParseLayout("X{date:2006-01-02}T{date:15:04:05}.{unixms}-{alnum:3}"),
		MustParseLayout("{date:06.002}/{seq:4}-{rand:2}"),
		MustParseLayout("CASE-{date}-{unixms}-{rand:3}{check}"),
		MustParseLayout("{rand:2}{date}"),
		MustParseLayout("T-{unixms}"),
		MustParseLayout("C{date:0601}-{seq:4}{check:mod97}"),
		MustParseLayout("{date}1{unixms}{alnum:2}{check}"),
		MustParseLayout("INC-{alnum:6}{check}"),
	}
	if !layouts[0].digits || layouts[0].lead != 5 || layouts[1].digits || layouts[4].lead != 5 || layouts[9].lead != 0 {
		t.Fatalf("leading segments: %d/%d/%d, digits %v/%v", layouts[0].lead, layouts[1].lead, layouts[4].lead, layouts[0].digits, layouts[1].digits)
	}
	cached := new(tickText)
	rng := rand.New(rand.NewPCG(5, 6))
	at := time.Date(2025, 12, 31, 23, 59, 58, 0, time.UTC)
	for i := range 5000 {
		// Steps from a microsecond to a day: the same millisecond and
		// second again, the next ones, midnight, the new year.
		at = at.Add(time.Duration(rng.Int64N(int64(time.Second) * 2)))
		if i%500 == 0 {
			at = at.Add(24 * time.Hour)
		}
		l := layouts[rng.IntN(len(layouts))]
		loc := []*time.Location{time.UTC, kathmandu}[rng.IntN(2)]
		seed := rng.Uint64()
		render := func(ticks *tickText) string {
			var buf [96]byte
			r := renderer{t: at, loc: loc, ticks: ticks, rnd: rand.NewPCG(seed, 1), seq: countSeq{}, ctx: context.Background()}
			if ticks != nil {
				if e := ticks.entry(l, at, loc); e != nil && l.digits {
					return string(e.appendDigits(buf[:0], l, r.rnd))
				}
			}
			b, err := l.appendTo(buf[:0], &r)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		want := render(nil)
		if got := render(cached); got != want {
			t.Fatalf("%s at %v in %v: %q through the cache, %q without", l, at, loc, got, want)
		}
		if l.lead > 0 && cached.entry(l, at, loc) == nil {
			t.Fatalf("%s at %v: the cache does not hold the leading text", l, at)
		}
		if got := render(cached); got != want { // now from the cache
			t.Fatalf("%s at %v in %v: %q from the cache, %q without", l, at, loc, got, want)
		}
	}
}

// BenchmarkRender is BenchmarkNext/serial without the retry loop around
// the rendering: the difference is what the loop and its counters cost.
func BenchmarkRender(b *testing.B) {
	g, err := New()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	var n string
	for b.Loop() {
		if n, _, err = g.render(ctx, g.layout); err != nil {
			b.Fatal(err)
		}
	}
	if len(n) != len("CASE-20250929-1759131413832-073") {
		b.Fatalf("rendered %q", n)
	}
}
