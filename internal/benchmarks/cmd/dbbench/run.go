package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/benchmarks"
	"github.com/casemint/casemint/store"
)

// The modes, in the order the report lists them.
const (
	modeSeed   = "seed"   // the seed: SELECT, then INSERT
	modeCreate = "create" // casenum's default layout with Generator.Create
	modeSeq    = "seq"    // CASE-{date}-{seq:8} on a store.Sequence, one value per round trip
	modeBlock  = "block"  // the same with store.WithBlock(100)
)

var allModes = []string{modeSeed, modeCreate, modeSeq, modeBlock}

// result is what one configuration measured.
type result struct {
	mode       string
	workers    int
	requests   int
	stored     int   // rows in the table afterwards
	failed     int   // requests that returned an error
	duplicates int   // failed requests whose error was a unique violation
	statements int64 // statements sent, all requests together
	retries    int64 // candidates found taken (seed: by the SELECT; casemint: collisions)
	elapsed    time.Duration
	p50, p99   time.Duration
	firstErr   error
}

// perSecond returns the stored records per second.
func (r result) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.stored) / r.elapsed.Seconds()
}

// roundTrips returns the statements per stored record.
func (r result) roundTrips() float64 {
	if r.stored == 0 {
		return 0
	}
	return float64(r.statements) / float64(r.stored)
}

// request stores one record and returns its error.
type request func(ctx context.Context) error

// prepare builds the request function of a mode on fresh tables, and a
// function that reports the retries it saw.
func prepare(ctx context.Context, t *target, q *counting, tb tables, mode string) (request, func() int64, error) {
	insertSQL := t.insertSQL(tb)
	insert := func(ctx context.Context, number string) error {
		_, err := q.ExecContext(ctx, insertSQL, number, "dbbench")
		return err
	}
	switch mode {
	case modeSeed:
		checker, err := store.NewChecker(q, t.dialect, tb.records, "case_number")
		if err != nil {
			return nil, nil, err
		}
		var taken atomic.Int64
		exists := func(ctx context.Context, number string) (bool, error) {
			ok, err := checker.Exists(ctx, number)
			if ok {
				taken.Add(1)
			}
			return ok, err
		}
		return func(ctx context.Context) error {
			_, err := benchmarks.SeedCreate(ctx, exists, insert)
			return err
		}, taken.Load, nil
	case modeCreate, modeSeq, modeBlock:
		var opts []casenum.Option
		if mode != modeCreate {
			var seqOpts []store.SequenceOption
			if mode == modeBlock {
				seqOpts = append(seqOpts, store.WithBlock(100))
			}
			seq, err := store.NewSequence(q, t.dialect, tb.counters, seqOpts...)
			if err != nil {
				return nil, nil, err
			}
			if err := seq.CreateTable(ctx); err != nil {
				return nil, nil, err
			}
			opts = append(opts, casenum.WithLayout("CASE-{date}-{seq:8}"), casenum.WithSequence(seq))
		}
		g, err := casenum.New(opts...)
		if err != nil {
			return nil, nil, err
		}
		return func(ctx context.Context) error {
				_, err := g.Create(ctx, insert)
				return err
			}, func() int64 {
				return int64(g.Stats().Collisions)
			}, nil
	}
	return nil, nil, fmt.Errorf("unknown mode %q", mode)
}

// runOne measures one mode at one worker count on fresh tables: n requests
// shared among the workers, each timed from its start to its answer.
func runOne(ctx context.Context, t *target, mode string, workers, n int) (result, error) {
	res := result{mode: mode, workers: workers, requests: n}
	if err := t.pool(ctx, workers); err != nil {
		return res, err
	}
	tb, err := t.newTables(ctx)
	if err != nil {
		return res, err
	}
	defer t.drop(context.WithoutCancel(ctx), tb)
	q := &counting{db: t.db}
	do, retries, err := prepare(ctx, t, q, tb, mode)
	if err != nil {
		return res, err
	}
	q.n.Store(0) // count the requests' statements only

	var (
		next    atomic.Int64
		mu      sync.Mutex
		wg      sync.WaitGroup
		latency = make([]time.Duration, 0, n)
	)
	began := time.Now()
	for range workers {
		wg.Go(func() {
			mine := make([]time.Duration, 0, n/workers+1)
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				start := time.Now()
				err := do(ctx)
				mine = append(mine, time.Since(start))
				if err != nil {
					mu.Lock()
					res.failed++
					if store.IsUniqueViolation(err) {
						res.duplicates++
					}
					if res.firstErr == nil {
						res.firstErr = err
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			latency = append(latency, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(began)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	res.statements = q.n.Load()
	res.retries = retries()
	if res.stored, err = t.count(ctx, tb); err != nil {
		return res, err
	}
	if want := n - res.failed; res.stored != want {
		return res, fmt.Errorf("%s, %d workers: %d rows stored but %d requests succeeded", mode, workers, res.stored, want)
	}
	slices.Sort(latency)
	res.p50, res.p99 = percentile(latency, 0.50), percentile(latency, 0.99)
	return res, nil
}

// percentile returns the q-quantile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
