package benchmarks

import (
	"context"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bwmarrin/snowflake"
	"github.com/google/uuid"
	"github.com/oklog/ulid/v2"
	"github.com/rs/xid"
	"github.com/segmentio/ksuid"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// sink keeps results alive so that no call can be optimised away.
var sink string

// counter is a Sequence of one atomic counter for every scope. It wraps
// before 10^6 so that {seq:6} never runs out however large b.N grows: the
// benchmark measures rendering, not a store.
type counter struct{ n atomic.Uint64 }

func (c *counter) Next(context.Context, string) (uint64, error) {
	return (c.n.Add(1)-1)%999_999 + 1, nil
}

func mustNew(b *testing.B, opts ...casenum.Option) *casenum.Generator {
	b.Helper()
	g, err := casenum.New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// next adapts a Generator to the benchmarks' func() string, failing the
// benchmark on an error.
func next(b *testing.B, g *casenum.Generator) func() string {
	ctx := context.Background()
	return func() string {
		n, err := g.Next(ctx)
		if err != nil {
			b.Error(err)
		}
		return n
	}
}

// BenchmarkID mints one identifier per op with each generator, serially and
// from GOMAXPROCS goroutines at once (run=parallel, where ns/op is wall time
// divided by all ops). Compare with
//
//	go test -run '^$' -bench ID -count 6 > bench.txt && go tool benchstat -col /run bench.txt
//
// The clock entries say what reading the clock costs on the machine, since
// most of these generators read it once (casemint, wall clock only) or twice
// (time.Now reads the wall and the monotonic clock).
func BenchmarkID(b *testing.B) {
	fake := casenumtest.NewClock(time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC))
	node, err := snowflake.NewNode(1)
	if err != nil {
		b.Fatal(err)
	}
	gens := []struct {
		name string
		fn   func() string
	}{
		{"casemint-default", next(b, mustNew(b))},
		{"casemint-default-fakeclock", next(b, mustNew(b, casenum.WithClock(fake)))},
		{"casemint-spoken", next(b, mustNew(b, casenum.WithLayout("INC-{alnum:6}{check}")))},
		{"casemint-seq", next(b, mustNew(b, casenum.WithLayout("CASE-{date}-{seq:6}{check}"), casenum.WithSequence(&counter{})))},
		{"seed-port", SeedNumber},
		{"uuid-v4", uuid.NewString},
		{"uuid-v7", func() string { return uuid.Must(uuid.NewV7()).String() }},
		{"ulid", func() string { return ulid.Make().String() }},
		{"xid", func() string { return xid.New().String() }},
		{"ksuid", func() string { return ksuid.New().String() }},
		{"snowflake", func() string { return node.Generate().String() }},
		{"clock-time.Now", func() string { t := time.Now(); _ = t; return "" }},
		{"clock-gettimeofday", func() string {
			var tv syscall.Timeval
			_ = syscall.Gettimeofday(&tv)
			return ""
		}},
	}
	for _, g := range gens {
		b.Run("gen="+g.name+"/run=serial", func(b *testing.B) {
			b.ReportAllocs()
			var s string
			for b.Loop() {
				s = g.fn()
			}
			sink = s
		})
		b.Run("gen="+g.name+"/run=parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				var s string
				for pb.Next() {
					s = g.fn()
				}
				_ = s
			})
		})
	}
}
