package main

import (
	"context"
	"database/sql"
	"errors"
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
	modeCheckFirst = "checkfirst" // check-then-insert: SELECT, then INSERT
	modeInsert     = "insert"     // hand-written: one INSERT of a number counted in memory
	modeCreate     = "create"     // casenum's default layout with Generator.Create
	modeSeq        = "seq"        // CASE-{date}-{seq:8} on a store.Sequence, one value per round trip
	modeBlock      = "block"      // the same with store.WithBlock(100)
	modeCreateTx   = "createtx"   // casenum's default layout with store.CreateTx
	modeGapFree    = "gapfree"    // hand-written gap-free transaction: BEGIN, counter upsert, INSERT, COMMIT
	modeSeqTx      = "seqtx"      // CASE-{date}-{seq:8} with store.CreateTx, drawn in the record's transaction
	modeSeqGroup   = "seqgroup"   // seqtx with store.WithGroupCommit
)

var allModes = []string{modeCheckFirst, modeInsert, modeCreate, modeSeq, modeBlock, modeCreateTx, modeGapFree, modeSeqTx, modeSeqGroup}

// handWritten are the modes that use no casemint: like checkfirst, the
// statements an application writes without it.
var handWritten = []string{modeCheckFirst, modeInsert, modeGapFree}

// seqLayout is the layout of the modes with a counter.
const seqLayout = "CASE-{date}-{seq:8}"

// result is what one configuration measured.
type result struct {
	mode       string
	workers    int
	requests   int
	numbers    []string       // the case numbers in the table afterwards
	failed     int            // requests that returned an error
	failures   map[string]int // failed requests by kind (see failure)
	firstErr   map[string]error
	statements int64 // requests sent to the database, all nodes together
	inTx       int64 // the statements of them sent inside transactions
	tally
	elapsed  time.Duration
	p50, p99 time.Duration
}

// tally is what a mode's Generators (or checkfirst's lookups) counted.
type tally struct {
	attempts   uint64 // candidates tried (casenum.Stats.Attempts; 0 for checkfirst)
	collisions uint64 // candidates found taken (checkfirst: by its SELECT)
	aborted    uint64 // attempts the database refused, retried (casenum.Stats.Aborted)
	fallbacks  uint64 // requests that went on to the fallback layout
}

// stored returns the records stored.
func (r result) stored() int { return len(r.numbers) }

// perSecond returns the stored records per second.
func (r result) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.stored()) / r.elapsed.Seconds()
}

// roundTrips returns the statements per stored record.
func (r result) roundTrips() float64 {
	if r.stored() == 0 {
		return 0
	}
	return float64(r.statements) / float64(r.stored())
}

// request stores one record and returns its error.
type request func(ctx context.Context) error

// prepare builds a mode's request function for each node of t on fresh
// tables, and a function that reports what the mode counted.
func prepare(ctx context.Context, t *target, tb tables, mode string) ([]request, func() tally, error) {
	switch mode {
	case modeCheckFirst:
		return checkFirst(t, tb)
	case modeInsert:
		return plainInsert(t, tb), func() tally { return tally{} }, nil
	case modeGapFree:
		if err := t.counterTable(ctx, tb); err != nil {
			return nil, nil, err
		}
		return handGapFree(t, tb)
	}
	if !slices.Contains(allModes, mode) {
		return nil, nil, fmt.Errorf("unknown mode %q", mode)
	}
	gens := make([]*casenum.Generator, len(t.nodes))
	reqs := make([]request, len(t.nodes))
	for i, nd := range t.nodes {
		g, err := t.generator(ctx, tb, mode, i)
		if err != nil {
			return nil, nil, err
		}
		gens[i] = g
		reqs[i] = createRequest(nd.db, g, t.insertSQL(tb), mode == modeCreateTx || mode == modeSeqTx || mode == modeSeqGroup)
	}
	return reqs, func() tally {
		var s tally
		for _, g := range gens {
			st := g.Stats()
			s.attempts += st.Attempts
			s.collisions += st.Collisions
			s.aborted += st.Aborted
			s.fallbacks += st.Fallbacks
		}
		return s
	}, nil
}

// checkFirst builds checkfirst's requests: benchmarks.CheckThenInsert on
// each node, counting the candidates its lookups found taken.
func checkFirst(t *target, tb tables) ([]request, func() tally, error) {
	insertSQL := t.insertSQL(tb)
	reqs := make([]request, len(t.nodes))
	var taken atomic.Uint64
	for i, nd := range t.nodes {
		checker, err := store.NewChecker(nd.db, t.dialect, tb.records, "case_number")
		if err != nil {
			return nil, nil, err
		}
		exists := func(ctx context.Context, number string) (bool, error) {
			ok, err := checker.Exists(ctx, number)
			if ok {
				taken.Add(1)
			}
			return ok, err
		}
		insert := func(ctx context.Context, number string) error {
			_, err := nd.db.ExecContext(ctx, insertSQL, number, "dbbench")
			return err
		}
		reqs[i] = func(ctx context.Context) error {
			_, err := benchmarks.CheckThenInsert(ctx, exists, insert)
			return err
		}
	}
	return reqs, func() tally { return tally{collisions: taken.Load()} }, nil
}

// generator returns the Generator of a casemint mode for node i; the modes
// with a counter get a store.Sequence on the node's very *sql.DB, so that
// seqtx and seqgroup draw in the record's transaction.
func (t *target) generator(ctx context.Context, tb tables, mode string, i int) (*casenum.Generator, error) {
	var opts []casenum.Option
	switch mode {
	case modeSeq, modeBlock, modeSeqTx, modeSeqGroup:
		var seqOpts []store.SequenceOption
		switch mode {
		case modeBlock:
			seqOpts = append(seqOpts, store.WithBlock(100))
		case modeSeqGroup:
			seqOpts = append(seqOpts, store.WithGroupCommit(t.batch))
		}
		seq, err := store.NewSequence(t.nodes[i].db, t.dialect, tb.counters, seqOpts...)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			if err := t.counterTable(ctx, tb); err != nil {
				return nil, err
			}
		}
		opts = append(opts, casenum.WithLayout(seqLayout), casenum.WithSequence(seq))
	default:
		if t.layout != "" {
			opts = append(opts, casenum.WithLayout(t.layout))
		}
	}
	return casenum.New(opts...)
}

// createRequest stores a record with g.Create, or with store.CreateTx in a
// transaction per attempt.
func createRequest(db *sql.DB, g *casenum.Generator, insertSQL string, tx bool) request {
	if tx {
		return func(ctx context.Context) error {
			_, err := store.CreateTx(ctx, db, g, nil, func(ctx context.Context, tx *sql.Tx, number string) error {
				_, err := tx.ExecContext(ctx, insertSQL, number, "dbbench")
				return err
			})
			return err
		}
	}
	return func(ctx context.Context) error {
		_, err := g.Create(ctx, func(ctx context.Context, number string) error {
			_, err := db.ExecContext(ctx, insertSQL, number, "dbbench")
			return err
		})
		return err
	}
}

// failure names the kind of a failed request's error for the report:
// "duplicate" (a unique violation: checkfirst's race), "busy"
// (casenum.ErrExhausted after the database refused every attempt),
// "exhausted" (casenum.ErrExhausted otherwise), or the casenum.Classify
// outcome, "aborted", "uncertain" or "failed".
func failure(err error) string {
	switch {
	case errors.Is(err, casenum.ErrExhausted) && casenum.Classify(err) == casenum.Aborted:
		return "busy"
	case errors.Is(err, casenum.ErrExhausted):
		return "exhausted"
	case store.IsUniqueViolation(err):
		return "duplicate"
	}
	return casenum.Classify(err).String()
}

// runOne measures one mode at one worker count on fresh tables: n requests
// shared among the workers, worker w writing through node w % nodes, each
// request timed from its start to its answer.
func runOne(ctx context.Context, t *target, mode string, workers, n int) (result, error) {
	res := result{mode: mode, workers: workers, requests: n, failures: map[string]int{}, firstErr: map[string]error{}}
	if err := t.pool(ctx, workers); err != nil {
		return res, err
	}
	tb, err := t.newTables(ctx)
	if err != nil {
		return res, err
	}
	defer t.drop(context.WithoutCancel(ctx), tb)
	reqs, counted, err := prepare(ctx, t, tb, mode)
	if err != nil {
		return res, err
	}
	t.resetSent() // count the requests' statements only

	var (
		next    atomic.Int64
		mu      sync.Mutex
		wg      sync.WaitGroup
		latency = make([]time.Duration, 0, n)
	)
	began := time.Now()
	for w := range workers {
		do := reqs[w%len(reqs)]
		wg.Go(func() {
			mine := make([]time.Duration, 0, n/workers+1)
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				start := time.Now()
				err := do(ctx)
				mine = append(mine, time.Since(start))
				if err != nil {
					kind := failure(err)
					mu.Lock()
					res.failed++
					res.failures[kind]++
					if res.firstErr[kind] == nil {
						res.firstErr[kind] = err
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
	res.statements, res.inTx = t.sent()
	res.tally = counted()
	if res.numbers, err = t.numbers(ctx, tb); err != nil {
		return res, err
	}
	// A request that failed uncertain may have stored its record.
	if ok := n - res.failed; res.stored() < ok || res.stored() > ok+res.failures[casenum.Uncertain.String()] {
		return res, fmt.Errorf("%s, %d workers: %d rows stored but %d requests succeeded", mode, workers, res.stored(), ok)
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
