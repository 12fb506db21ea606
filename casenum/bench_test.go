package casenum_test

import (
	"context"
	"testing"

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
