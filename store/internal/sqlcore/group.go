package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/casemint/casemint/casenum"
)

// Group commit: the calls of CreateTx that draw {seq} from one counter of a
// Sequence at the same time share one transaction, a batch. The caller
// who finds no batch open leads one: it begins the transaction, takes the
// callers waiting, raises the counter once for all of them, and has the
// first turn. In its turn a caller's Next returns its value, its insert
// runs fn on the shared transaction, and the caller hands the turn, with
// the batch, to the next one, raising the counter again for callers who
// came meanwhile; the last commits and tells the others. No goroutine
// runs between them: a lone caller runs BEGIN, the counter, fn and
// COMMIT, as without group commit. Values are handed out at turn time, so
// a caller that leaves before its turn takes none and leaves no gap.

// GroupCommit returns the option that makes CreateTx share a transaction
// among up to n concurrent callers drawing from one counter.
func GroupCommit(n int) func(*Config) {
	return func(c *Config) { c.grouped, c.groupCommit = true, n }
}

// groups is the group commit of one Sequence: the callers waiting for a
// turn, in a line per key, and what a batch needs to raise and set back
// the counter. It is safe for concurrent use.
type groups struct {
	max   int     // callers per batch
	d     Dialect // of the counter table
	table string  // quoted
	// setBack sets a scope's counter (the second parameter) to the first
	// parameter, under the lock the batch holds.
	setBack string

	mu    sync.Mutex
	lines map[groupKey]any // *line[T], while a batch of the key runs or callers wait
	// stops holds, per key, a value found taken that was not the first of
	// its batch: the values below it were rolled back with that batch, so
	// moving the counter past it would leave them a gap. Batches end before
	// handing it out, until one hands it out first, where it can be skipped,
	// or one finds the counter past it.
	stops map[groupKey]uint64
	// solo holds, per key, how many batches of one caller come next: a
	// uniqueness checked at COMMIT refused a batch without saying whose
	// record collided.
	solo map[groupKey]int
}

// size returns how many callers a batch of key that starts now takes at
// most, counting it as one of the batches of one caller solo asks for.
func (g *groups) size(key groupKey) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.solo[key] > 0 {
		g.solo[key]--
		return 1
	}
	return g.max
}

// setSolo asks for n batches of one caller of key.
func (g *groups) setSolo(key groupKey, n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.solo[key] = n
}

// stop returns the value batches of key must not hand out but first; 0 for none.
func (g *groups) stop(key groupKey) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stops[key]
}

// lowerStop records v as the stop of key, unless a lower one is set.
func (g *groups) lowerStop(key groupKey, v uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if stop := g.stops[key]; stop == 0 || v < stop {
		g.stops[key] = v
	}
}

// clearStop drops the stop of key when it is at most last: the counter
// stands past it.
func (g *groups) clearStop(key groupKey, last uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stops[key] <= last {
		delete(g.stops, key)
	}
}

// groupKey is what the callers of one batch share besides the Sequence,
// and with it the database: the scope and the transaction options.
type groupKey struct {
	scope string
	opts  any
}

// newGroups returns the group commit cfg asks for, or nil without it. A
// block's values would outlive the batch's transaction, and a Sequence in
// a transaction never draws in CreateTx's: both are refused.
func newGroups(f *Face, d Dialect, table string, cfg Config, inTx bool) (*groups, error) {
	switch {
	case !cfg.grouped:
		return nil, nil
	case cfg.groupCommit < 1:
		return nil, fmt.Errorf("%w: group commit of %d callers, want at least 1", f.InvalidOption, cfg.groupCommit)
	case cfg.block > 1:
		return nil, fmt.Errorf("%w: group commit and blocks exclude each other", f.InvalidOption)
	case inTx:
		return nil, fmt.Errorf("%w: a Sequence with group commit must run on the database CreateTx begins on, not in a transaction", f.InvalidQuerier)
	}
	qt, err := f.table(d, table)
	if err != nil {
		return nil, err
	}
	return &groups{
		max:     cfg.groupCommit,
		d:       d,
		table:   qt,
		setBack: "UPDATE " + qt + " SET value = " + d.placeholder(1) + " WHERE scope = " + d.placeholder(2),
		lines:   make(map[groupKey]any),
		stops:   make(map[groupKey]uint64),
		solo:    make(map[groupKey]int),
	}, nil
}

// createInBatches is CreateTx with a Sequence that has group commit: the
// call's {seq} draws join batches, through a caller bound to g.
func createInBatches[T any](ctx context.Context, a *attempt[T], seq *Sequence, g *casenum.Generator,
	fn func(ctx context.Context, tx T, number string) error) (string, error) {
	c := &caller[T]{a: a, s: seq}
	defer c.release() // a turn the last attempt never used
	return g.BindSequence(c).Create(ctx, c.insert(fn))
}

// caller is the Sequence CreateTx binds to one call when its Sequence has
// group commit. Its Next joins the batch of its scope and returns the
// value of the caller's turn; its insert runs fn in that turn. A call runs
// its attempts one at a time, so it needs no lock.
//
// A collision of a record fails its batch and comes back to the
// Generator as the caller's own, which then moves the counter past the
// taken value with Advance.
type caller[T any] struct {
	a *attempt[T]
	s *Sequence
	m *member[T] // the member whose turn the last Next got, until an insert uses it
	// What the last Next drew: its key, and whether its value was the
	// first its batch handed out, which only then can Advance skip.
	key   groupKey
	first bool
}

// Next waits for a turn in the batch of scope, or leads a batch of its
// own, and returns the turn's value.
func (c *caller[T]) Next(ctx context.Context, scope string) (uint64, error) {
	c.release()
	f := c.a.f
	if err := f.checkScope(scope); err != nil {
		return 0, err
	}
	m := &member[T]{ctx: ctx, b: c.a.b, turn: make(chan *run[T]), left: make(chan struct{}), verdict: make(chan outcome, 1)}
	c.key = groupKey{scope, c.a.b.Options()}
	l, leads := join(c.s, f, c.key, m)
	r, err := m.await(l, leads)
	if err != nil {
		return 0, beforeCommit(ctx, err)
	}
	m.r, m.first = r, len(r.ran) == 0
	if err := ctx.Err(); err != nil {
		r.pass() // nothing ran: the value goes to the next caller
		return 0, beforeCommit(ctx, err)
	}
	c.m, c.first = m, r.next == r.first
	return r.next, nil
}

// await waits for m's turn in a batch, or for the lead of the next one,
// which it begins.
func (m *member[T]) await(l *line[T], leads bool) (*run[T], error) {
	if !leads {
		select {
		case r := <-m.turn:
			if r != nil {
				return r, nil
			}
		case <-m.ctx.Done():
			close(m.left)
			return nil, fmt.Errorf("%s: waiting for a turn in the batch of scope %q: %w", l.f.Pkg, l.key.scope, m.ctx.Err())
		}
	}
	if err := m.ctx.Err(); err != nil {
		l.handOff()
		return nil, err
	}
	return l.begin(m)
}

// Advance moves the counter past last, the value of a candidate that
// collided, on the Sequence's handle: the batch that drew it rolled back.
// Only a value its batch handed out first can be skipped at once: the
// counter then stands just below it. A later one waits until batches have
// committed the values below it (see groups.stops). A turn still held (a
// Checker found the candidate taken before any insert) goes to the next
// caller first, so that its batch can end and free the counter's row.
func (c *caller[T]) Advance(ctx context.Context, scope string, last uint64) error {
	c.release()
	g := c.s.group
	if !c.first {
		g.lowerStop(c.key, last)
		return nil
	}
	if err := c.s.Advance(ctx, c.a.f, scope, last); err != nil {
		return err
	}
	g.clearStop(c.key, last)
	return nil
}

// Release gives back the turn of v, which no insert will use: see release.
func (c *caller[T]) Release(context.Context, string, uint64) { c.release() }

// release gives back a turn that no insert used, say after a Checker
// called its number taken or was aborted: its value goes to the next
// caller. Kept, the turn would be used by the next attempt's insert, which
// draws no value when its layout has no {seq}.
func (c *caller[T]) release() {
	if c.m != nil {
		c.m.r.pass()
		c.m = nil
	}
}

// insert returns the insert function of Generator.Create: fn in the turn
// the last Next got, then the batch's outcome. A number drawn without a
// turn (a layout without {seq}) is stored in a transaction of its own.
func (c *caller[T]) insert(fn func(ctx context.Context, tx T, number string) error) func(context.Context, string) error {
	alone := c.a.insert(fn)
	return func(ctx context.Context, number string) error {
		m := c.m
		if m == nil {
			return alone(ctx, number)
		}
		c.m = nil
		if err := ctx.Err(); err != nil {
			m.r.pass()
			return casenum.Mark(casenum.Failed, err) // nothing ran
		}
		if err := m.run(ctx, fn, number); err != nil {
			if !m.first && inFailedTransaction(err) {
				// A function before this one swallowed a failed
				// statement: PostgreSQL refuses the rest of the batch.
				return casenum.Mark(casenum.Aborted, err)
			}
			return beforeCommit(ctx, err)
		}
		return m.outcome(ctx, c.a)
	}
}

// member is one caller's place in a line, for one attempt: it waits for a
// turn, runs fn in it, hands the turn on and waits for the batch's
// outcome.
type member[T any] struct {
	ctx     context.Context // the caller's, whose values a batch it leads keeps
	b       Beginner[T]
	turn    chan *run[T]  // a turn in that batch, or nil: the lead of the next
	left    chan struct{} // closed when the caller gives up before its turn
	verdict chan outcome  // the batch's outcome, for a member whose fn ran
	r       *run[T]       // the batch, from the member's turn on
	first   bool          // no function ran before this one in the batch
}

// errPanicked is what a function that panicked, or called runtime.Goexit,
// failed with, for the batch.
var errPanicked = errors.New("the function panicked")

// run runs fn in the member's turn, then hands the turn on; when fn fails,
// or panics, it ends the batch instead: the panic goes on, the batch does
// not hang.
func (m *member[T]) run(ctx context.Context, fn func(context.Context, T, string) error, number string) error {
	ended := false
	defer func() {
		if !ended {
			m.r.fail(errPanicked)
		}
	}()
	err := fn(ctx, m.r.tx, number)
	ended = true
	if err != nil {
		m.r.fail(err)
		return err
	}
	m.r.ran1(m)
	m.r.pass()
	return nil
}

// outcome is what a batch tells a member whose function ran: COMMIT's
// answer, or why the batch ended without one.
type outcome struct {
	committed bool  // COMMIT was sent; err is its error
	err       error // marked for the Generator when not committed
}

// outcome waits for the batch's outcome. A caller whose context ends
// meanwhile may still be committed with the batch: uncertain.
func (m *member[T]) outcome(ctx context.Context, a *attempt[T]) error {
	var o outcome
	select {
	case o = <-m.verdict:
	case <-ctx.Done():
		select {
		case o = <-m.verdict:
		default:
			return casenum.Mark(casenum.Uncertain, fmt.Errorf("%w: %s: the context ended while the batch committed: %w",
				casenum.ErrUncertain, a.f.Pkg, ctx.Err()))
		}
	}
	switch {
	case !o.committed:
		return o.err
	case o.err != nil:
		return a.atCommit(ctx, o.err)
	}
	return nil
}

// inFailedTransaction reports whether err is PostgreSQL's refusal of a
// statement in a transaction where an earlier one failed (SQLSTATE 25P02).
func inFailedTransaction(err error) bool {
	s, ok := coded(err).(sqlStater)
	return ok && s.SQLState() == "25P02"
}
