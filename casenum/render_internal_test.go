package casenum

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed
)

// TestDayCacheRendersAsWithout renders layouts through one dayCache, as a
// Generator does, and through a fresh one, for instants that step forward
// and back by up to two days, in zones whose offsets change at midnight,
// by half an hour, or by a whole day (Samoa skipped 2011-12-30): every
// number must be the same, and its date the one time.Format gives.
func TestDayCacheRendersAsWithout(t *testing.T) {
	t.Parallel()
	var locs []*time.Location
	for _, zone := range []string{"UTC", "Pacific/Apia", "America/Santiago", "Australia/Lord_Howe", "Asia/Kathmandu", "Asia/Beirut", "Europe/Berlin"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		locs = append(locs, loc)
	}
	locs = append(locs, time.FixedZone("", -(9*3600+30*60)))
	var layouts []*Layout
	for _, s := range []string{DefaultLayout, DefaultFallbackLayout, "{date:2006-01-02}/{date:002}-{seq:3}{check}", "X{date:06}{date:0102}T{date:1504}-{rand:2}"} {
		l, err := ParseLayout(s)
		if err != nil {
			t.Fatal(err)
		}
		layouts = append(layouts, l)
	}
	if layouts[0].lead != 3 || layouts[2].lead != 4 || layouts[3].lead != 4 || layouts[3].fields != 0xf<<11 /* hhmm */ {
		t.Fatalf("leads %d %d %d, fields %b", layouts[0].lead, layouts[2].lead, layouts[3].lead, layouts[3].fields)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, loc := range locs {
		for _, l := range layouts {
			cache := new(dayCache)
			at := time.Date(2011, 12, 28, 0, 0, 0, 0, time.UTC)
			for range 5000 {
				at = at.Add(time.Duration(rng.Int64N(int64(96*time.Hour))) - 47*time.Hour)
				seed := rng.Uint64()
				render := func(days *dayCache) string {
					var buf [96]byte
					g := &Generator{config: config{loc: loc, rnd: rand.NewPCG(seed, 1), seq: oneSeq{}}, days: days}
					r := renderer{t: at, g: g, ctx: context.Background()}
					b, err := l.appendTo(buf[:0], &r)
					if err != nil {
						t.Fatal(err)
					}
					return string(b)
				}
				got, want := render(cache), render(new(dayCache))
				if got != want {
					t.Fatalf("%s at %v in %v: %q through the cache, %q without", l, at, loc, got, want)
				}
				if l == layouts[0] && got[5:13] != at.In(loc).Format("20060102") {
					t.Fatalf("%v in %v: %q", at, loc, got)
				}
			}
		}
	}
}

// TestDayCacheAcrossOffsetChanges fills the cache shortly before each
// change of a zone's offset from 2011 to 2026 and reads on in steps of a
// quarter hour, and likewise backwards from shortly after it: the day of a
// change can be 23 or 25 hours long, or start at 01:00.
func TestDayCacheAcrossOffsetChanges(t *testing.T) {
	t.Parallel()
	l, err := ParseLayout("{date}-{rand:1}")
	if err != nil {
		t.Fatal(err)
	}
	for _, zone := range []string{"Europe/Berlin", "America/Santiago", "Australia/Lord_Howe", "Asia/Beirut", "Pacific/Apia", "America/New_York"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2011, 1, 1, 0, 0, 0, 0, loc)
		for at.Year() < 2026 {
			_, change := at.ZoneBounds()
			if change.IsZero() {
				break
			}
			for _, first := range []time.Duration{time.Minute, 90 * time.Minute, 23 * time.Hour} {
				for _, forward := range []bool{true, false} {
					c := new(dayCache)
					now, step := change.Add(-first), 15*time.Minute
					if !forward {
						now, step = change.Add(first), -step
					}
					for range 4 * 48 {
						d, err := c.get(l, now, loc)
						if err != nil || d.text != now.In(loc).Format("20060102")+"-" {
							t.Fatalf("%s at %v: %v, %v", zone, now.In(loc), d, err)
						}
						now = now.Add(step)
					}
				}
			}
			at = change
		}
	}
}

// oneSeq is a Sequence that always hands out 1.
type oneSeq struct{}

func (oneSeq) Next(context.Context, string) (uint64, error) { return 1, nil }

func TestDayCacheRefusesYearsItCannotPrint(t *testing.T) {
	t.Parallel()
	l, err := ParseLayout("{date}-{rand:1}")
	if err != nil {
		t.Fatal(err)
	}
	c := new(dayCache)
	for _, at := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 12, 31, 23, 0, 0, 0, time.UTC)} {
		if d, err := c.get(l, at, time.UTC); err == nil {
			t.Errorf("%v: %q, want an error", at, d.text)
		}
	}
	if d, err := c.get(l, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), time.UTC); err != nil || d.text != "99991231-" {
		t.Fatalf("the last day of 9999: %v, %v", d, err)
	}
	// The cache holds 9999-12-31: a second later is the year 10000.
	if _, err := c.get(l, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC); err == nil {
		t.Error("the year 10000 from the cache")
	}
}

func TestAppendPadded(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 1; n <= maxDigits; n++ {
		for _, v := range []uint64{0, 1, pow10(n) - 1, rng.Uint64N(pow10(n)), rng.Uint64N(pow10(n))} {
			if got, want := string(appendPadded([]byte("x"), v, n)), fmt.Sprintf("x%0*d", n, v); got != want {
				t.Errorf("appendPadded(x, %d, %d) = %q, want %q", v, n, got, want)
			}
		}
	}
}

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
		if n, _, err = g.render(ctx, g.layout); err != nil {
			b.Fatal(err)
		}
	}
	if len(n) != len("CASE-20250929-1759131413832-073") {
		b.Fatalf("rendered %q", n)
	}
}
