package casenum_test

import (
	"context"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
)

// BenchmarkNext measures the default layout with no checker: the hot path of
// a service that relies on Create or on its UNIQUE column.
func BenchmarkNext(b *testing.B) {
	ctx := context.Background()
	g, err := casenum.New()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := g.Next(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := g.Next(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// fixedClock is a Clock that costs nothing to read, to show what the
// Generator itself costs apart from the system clock.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// BenchmarkNextFixedClock is BenchmarkNext without the cost of reading the
// system clock, which on some virtual machines is a system call.
func BenchmarkNextFixedClock(b *testing.B) {
	ctx := context.Background()
	g, err := casenum.New(casenum.WithClock(fixedClock{time.Now()}))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Next(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
