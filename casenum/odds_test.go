package casenum_test

import (
	"math"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
)

func TestOdds(t *testing.T) {
	t.Parallel()
	near := func(got, want float64) bool { return math.Abs(got-want) <= 1e-9*math.Abs(want) }
	for _, tt := range []struct {
		layout   string
		space    float64
		bucket   time.Duration
		capacity float64
	}{
		{casenum.DefaultLayout, 1000, time.Millisecond, 0},
		{casenum.DefaultFallbackLayout, 1 << 32, 24 * time.Hour, 0},
		{"{uuid}", math.Exp2(122), 0, 0},
		{"{uuid:13}", math.Exp2(48), 0, 0},
		{"{uuid:17}", math.Exp2(62), 0, 0},
		{"{alnum:2}-{hex:3}{check}", 32 * 32 * 16 * 16 * 16, 0, 0},
		{"{date:2006-01}-{seq:4}", 1, 31 * 24 * time.Hour, 1e18 - 1}, // grows
		{"{date:2006-01}-{seq:4}{rand:1}", 10, 31 * 24 * time.Hour, 9999},
		{"{seq}", 1, 0, 1e18 - 1},
		{"{date:2006}/{date:15:04}-{rand:2}", 100, time.Minute, 0},
		{"{date:06.002}-{rand:2}", 100, 24 * time.Hour, 0},
		{"T-{unixms}", 1, time.Millisecond, 0},
	} {
		o := mustParse(t, tt.layout).Odds(10)
		if !near(o.Space, tt.space) || o.Bucket != tt.bucket || o.Capacity != tt.capacity {
			t.Errorf("%s: Odds = %+v, want space %g, bucket %v, capacity %g", tt.layout, o, tt.space, tt.bucket, tt.capacity)
		}
	}
	// 10/s in 1ms buckets: 0.005 numbers before a candidate, each
	// colliding with odds 1/1000.
	o := mustParse(t, casenum.DefaultLayout).Odds(10)
	if want := 1 - math.Pow(1-1e-3, 0.005); !near(o.Collision, want) || !near(o.ExpectedAttempts, 1/(1-want)) || !near(o.PerDay, 864000*want) {
		t.Errorf("default layout at 10/s: %+v, want collision %g", o, want)
	}
	// Only the time varies: a candidate collides when another was minted
	// earlier in its millisecond (Poisson).
	if o := mustParse(t, "T-{unixms}").Odds(1000); !near(o.Collision, 1-math.Exp(-0.5)) {
		t.Errorf("time-only layout at 1000/s: collision %g, want %g", o.Collision, 1-math.Exp(-0.5))
	}
	// Without a time token a day of numbers shares one space.
	if o := mustParse(t, "{rand:6}").Odds(1); !near(o.Collision, 1-math.Pow(1-1e-6, 43200)) {
		t.Errorf("untimed layout at 1/s: collision %g", o.Collision)
	}
	if o := mustParse(t, "{date}-{seq:3}").Odds(1e6); o.Collision != 0 || o.ExpectedAttempts != 1 || o.PerDay != 0 {
		t.Errorf("{seq} layout: %+v, want no collisions", o)
	}
	if o := mustParse(t, casenum.DefaultLayout).Odds(0); o.Collision != 0 || o.ExpectedAttempts != 1 {
		t.Errorf("at 0/s: %+v", o)
	}
}
