package benchmarks

import (
	"context"
	"sync/atomic"
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

// next adapts a Generator to the benchmarks' signature.
func next(g *casenum.Generator) func() (string, error) {
	ctx := context.Background()
	return func() (string, error) { return g.Next(ctx) }
}

// noErr adapts a generator that cannot fail.
func noErr(fn func() string) func() (string, error) {
	return func() (string, error) { return fn(), nil }
}

// BenchmarkID mints one identifier per op with each generator, serially and
// in parallel. Compare with
//
//	go test -run '^$' -bench . -count 6 > bench.txt && go tool benchstat -col /run bench.txt
//
// or, the default layout against xid, rounds interleaved in one process:
//
//	go test -run '^$' -bench 'ID/^gen=(casemint-default|xid)$/' -count 10 > ab.txt && go tool benchstat -col /gen ab.txt
//
// BenchmarkTimeNow, in the same run, says how much of each figure is the
// clock: every generator here that shows the time, casemint's default
// included, reads it once per identifier; casemint-default-fakeclock shows
// the rest of the cost.
func BenchmarkID(b *testing.B) {
	fake := casenumtest.NewClock(time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC))
	node, err := snowflake.NewNode(1)
	if err != nil {
		b.Fatal(err)
	}
	gens := []struct {
		name string
		fn   func() (string, error)
	}{
		{"casemint-default", next(mustNew(b))},
		{"casemint-default-fakeclock", next(mustNew(b, casenum.WithClock(fake)))},
		{"casemint-spoken", next(mustNew(b, casenum.WithLayout("INC-{alnum:6}{check}")))},
		{"casemint-seq", next(mustNew(b, casenum.WithLayout("CASE-{date}-{seq:6}{check}"), casenum.WithSequence(&counter{})))},
		{"check-then-insert", noErr(CheckThenInsertNumber)},
		{"uuid-v4", noErr(uuid.NewString)},
		{"uuid-v7", func() (string, error) {
			u, err := uuid.NewV7()
			return u.String(), err
		}},
		{"ulid", noErr(func() string { return ulid.Make().String() })},
		{"xid", noErr(func() string { return xid.New().String() })},
		{"ksuid", noErr(func() string { return ksuid.New().String() })},
		{"snowflake", noErr(func() string { return node.Generate().String() })},
	}
	for _, g := range gens {
		b.Run("gen="+g.name, func(b *testing.B) { serialAndParallel(b, g.fn) })
	}
}

// serialAndParallel measures fn serially (run=serial) and from GOMAXPROCS
// goroutines at once (run=parallel, where ns/op is the wall time divided by
// all calls).
func serialAndParallel(b *testing.B, fn func() (string, error)) {
	b.Run("run=serial", func(b *testing.B) {
		b.ReportAllocs()
		var s string
		var err error
		for b.Loop() {
			if s, err = fn(); err != nil {
				b.Fatal(err)
			}
		}
		sink = s
	})
	b.Run("run=parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := fn(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkTimeNow is what time.Now costs where it runs: two clock reads,
// the wall clock and the monotonic clock. Where a virtual machine's clock
// source makes every read a system call, that is most of an identifier's
// cost for the generators that call it (uuid v7, ulid, xid, ksuid, check-then-insert).
func BenchmarkTimeNow(b *testing.B) {
	serialAndParallel(b, func() (string, error) {
		if time.Now().IsZero() {
			return "zero", nil
		}
		return "", nil
	})
}
