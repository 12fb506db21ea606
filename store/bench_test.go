package store_test

import (
	"context"
	"database/sql"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

// countingQuerier counts the statements sent through it: one round trip
// each (go-sql-driver/mysql needs interpolateParams=true for that, which
// testdb's DSN sets).
type countingQuerier struct {
	q     store.Querier
	trips atomic.Int64
}

func (c *countingQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.trips.Add(1)
	return c.q.ExecContext(ctx, query, args...)
}

func (c *countingQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.trips.Add(1)
	return c.q.QueryContext(ctx, query, args...)
}

func (c *countingQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c.trips.Add(1)
	return c.q.QueryRowContext(ctx, query, args...)
}

func (c *countingQuerier) report(b *testing.B) {
	b.ReportMetric(float64(c.trips.Load())/float64(b.N), "roundtrips/op")
}

// benchBackend runs fn per backend with its database opened.
func benchBackend(b *testing.B, fn func(b *testing.B, bk backend, db *sql.DB)) {
	for _, bk := range backends {
		b.Run(bk.name, func(b *testing.B) { fn(b, bk, bk.open(b)) })
	}
}

// Create with the default layout and no Checker: one INSERT per stored
// number, plus one per collision.
func BenchmarkCreate(b *testing.B) {
	benchBackend(b, func(b *testing.B, bk backend, db *sql.DB) {
		g, err := casenum.New()
		if err != nil {
			b.Fatal(err)
		}
		for _, parallel := range []bool{false, true} {
			name := "serial"
			if parallel {
				name = "parallel"
			}
			b.Run(name, func(b *testing.B) {
				q := &countingQuerier{q: db}
				insert := inserter(q, bk.d, casesTable(b, bk, db), 0)
				create := func() {
					if _, err := g.Create(context.Background(), insert); err != nil {
						b.Error(err)
					}
				}
				b.ResetTimer()
				if parallel {
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							create()
						}
					})
				} else {
					for range b.N {
						create()
					}
				}
				b.StopTimer()
				q.report(b)
			})
		}
	})
}

// Sequence.Next one value per round trip, and in blocks of 100.
func BenchmarkSequenceNext(b *testing.B) {
	benchBackend(b, func(b *testing.B, bk backend, db *sql.DB) {
		for _, block := range []int{1, 100} {
			b.Run("block"+strconv.Itoa(block), func(b *testing.B) {
				table := testdb.Table(b, "bench_counters")
				testdb.DropOnCleanup(b, db, table)
				q := &countingQuerier{q: db}
				s, err := store.NewSequence(q, bk.d, table, store.WithBlock(block))
				if err != nil {
					b.Fatal(err)
				}
				if err := s.CreateTable(context.Background()); err != nil {
					b.Fatal(err)
				}
				q.trips.Store(0)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := s.Next(context.Background(), "B-"); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.StopTimer()
				q.report(b)
			})
		}
	})
}
