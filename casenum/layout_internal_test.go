package casenum

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
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
		if n, err = g.render(ctx, g.layout); err != nil {
			b.Fatal(err)
		}
	}
	if len(n) != len("CASE-20250929-1759131413832-073") {
		b.Fatalf("rendered %q", n)
	}
}
