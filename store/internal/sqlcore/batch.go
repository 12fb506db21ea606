package sqlcore

import (
	"context"
	"errors"
	"fmt"

	"github.com/casemint/casemint/casenum"
)

// line is the queue of one key of a Sequence's group commit: the members
// waiting for a turn, in the order they came. It exists while a batch runs
// or members wait; the member who finds no line leads the next batch.
type line[T any] struct {
	s       *Sequence
	f       *Face
	key     groupKey
	waiting []*member[T] // guarded by s.group.mu
}

// join puts m at the end of the line of key and reports false; when there
// is no line, it starts one that m leads, and reports true.
func join[T any](s *Sequence, f *Face, key groupKey, m *member[T]) (*line[T], bool) {
	g := s.group
	g.mu.Lock()
	defer g.mu.Unlock()
	if l, ok := g.lines[key].(*line[T]); ok {
		l.waiting = append(l.waiting, m)
		return l, false
	}
	l := &line[T]{s: s, f: f, key: key}
	g.lines[key] = l
	return l, true
}

// handOff gives the lead of the next batch to the first member waiting,
// or ends the line when none waits.
func (l *line[T]) handOff() {
	for {
		m := l.pop()
		if m == nil {
			return
		}
		select {
		case m.turn <- nil:
			return
		case <-m.left:
		}
	}
}

// pop removes the first member waiting from the line and returns it; with
// none, it ends the line and returns nil.
func (l *line[T]) pop() *member[T] {
	g := l.s.group
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(l.waiting) == 0 {
		delete(g.lines, l.key)
		return nil
	}
	m := l.waiting[0]
	l.waiting = l.waiting[1:]
	return m
}

// take removes up to n members still waiting from the front of the line.
func (l *line[T]) take(n int) []*member[T] {
	g := l.s.group
	g.mu.Lock()
	defer g.mu.Unlock()
	var ms []*member[T]
	for len(l.waiting) > 0 && len(ms) < n {
		m := l.waiting[0]
		l.waiting = l.waiting[1:]
		if !gone(m) {
			ms = append(ms, m)
		}
	}
	return ms
}

// putBack returns members taken into a batch that ended before their
// turn to the front of the line, for the next batch.
func (l *line[T]) putBack(ms []*member[T]) {
	if len(ms) == 0 {
		return
	}
	g := l.s.group
	g.mu.Lock()
	defer g.mu.Unlock()
	l.waiting = append(append([]*member[T](nil), ms...), l.waiting...)
}

// gone reports whether m gave up before its turn.
func gone[T any](m *member[T]) bool {
	select {
	case <-m.left:
		return true
	default:
		return false
	}
}

// run is one batch: its transaction, the values it reserved, the members
// taken and those whose functions ran. It is used by one goroutine at a
// time: whoever holds the turn, which is handed on with the run.
type run[T any] struct {
	l       *line[T]
	ctx     context.Context
	b       Beginner[T]
	tx      T
	taken   int          // members taken into the batch
	size    int          // members the batch takes at most
	pending []*member[T] // taken, values reserved, turns to come
	first   uint64       // the first value the batch hands out
	next    uint64       // the value of the next turn
	top     uint64       // the highest value reserved; 0 before the first
	ran     []*member[T]
}

// begin starts the batch m leads: BEGIN, then the members who joined
// meanwhile are taken, and the counter is raised for them and for m, who
// has the first turn. Until then no other member's record depends on the
// batch, so m's cancellation ends it; from m's turn on, the batch's
// statements run with a context that keeps m's values but not its
// cancellation.
func (l *line[T]) begin(m *member[T]) (*run[T], error) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(m.ctx))
	stop := context.AfterFunc(m.ctx, cancel)
	tx, err := m.b.Begin(ctx)
	if err != nil {
		stop()
		l.handOff()
		return nil, l.leadErr(m, fmt.Errorf("%s: begin: %w", l.f.Pkg, err))
	}
	r := &run[T]{l: l, ctx: ctx, b: m.b, tx: tx, taken: 1, size: l.s.group.size(l.key)}
	r.pending = l.take(r.size - 1)
	r.taken += len(r.pending)
	err = r.reserve(len(r.pending) + 1)
	if !stop() && err == nil {
		err = m.ctx.Err() // m was cancelled before its turn: nothing ran
	}
	if err != nil {
		// ctx may be cancelled, and ROLLBACK must still be sent.
		r.b.Rollback(context.WithoutCancel(m.ctx), tx)
		l.putBack(r.pending) // the next batch tries for them
		l.handOff()
		return nil, l.leadErr(m, err)
	}
	return r, nil
}

// leadErr returns err, why the batch m leads ended before m's turn; or,
// when m's context ended meanwhile, the context's error, which ended it.
func (l *line[T]) leadErr(m *member[T], err error) error {
	if m.ctx.Err() == nil {
		return err
	}
	return fmt.Errorf("%s: leading the batch of scope %q: %w", l.f.Pkg, l.key.scope, m.ctx.Err())
}

// reserve raises the counter so that n turns have values, counting the
// values that members who left did not take.
func (r *run[T]) reserve(n int) error {
	k := uint64(n)
	if r.top != 0 {
		k -= min(k, r.top+1-r.next)
	}
	if k == 0 {
		return nil
	}
	g := r.l.s.group
	top, err := r.l.s.raise(r.ctx, r.l.f, r.b.Handle(r.tx), g.d.add(g.table, int(k)), k, r.l.key.scope)
	if err != nil {
		return fmt.Errorf("%s: next value of scope %q: %w", r.l.f.Pkg, r.l.key.scope, err)
	}
	if r.top == 0 {
		r.first, r.next = top-k+1, top-k+1
		// The counter stood at first-1, read under the batch's lock: a stop
		// at or below it is passed, however the counter got there (another
		// process, Advance, another key of the scope), and kept would hide
		// a later stop.
		g.clearStop(r.l.key, r.first-1)
	}
	r.top = top
	return nil
}

// pass hands the turn to the next member of the batch, taking the members
// waiting in a new round, up to the batch's size, when none is pending.
// With no one left, it ends the batch: COMMIT, and every member that ran
// is told the outcome.
func (r *run[T]) pass() {
	for {
		if len(r.pending) == 0 {
			more, err := r.round()
			if err != nil {
				r.end(outcome{err: err})
				return
			}
			if !more {
				r.commit()
				return
			}
		}
		if r.next != r.first && r.next == r.l.s.group.stop(r.l.key) {
			// The value was found taken in a batch that rolled back: commit
			// the values below it first, so that a batch of its own can
			// hand it out first and skip it.
			r.l.putBack(r.pending)
			r.pending = nil
			r.commit()
			return
		}
		m := r.pending[0]
		r.pending = r.pending[1:]
		select {
		case m.turn <- r:
			return
		case <-m.left: // its value goes to the next
		}
	}
}

// round takes the members waiting into the batch, up to its size, and
// reserves their values; it reports whether it took any.
func (r *run[T]) round() (bool, error) {
	if r.taken >= r.size {
		return false, nil
	}
	ms := r.l.take(r.size - r.taken)
	if len(ms) == 0 {
		return false, nil
	}
	r.taken += len(ms)
	if err := r.reserve(len(ms)); err != nil {
		r.l.putBack(ms)
		return false, beforeCommit(r.ctx, err)
	}
	r.pending = ms
	return true, nil
}

// ran1 records that m's function ran in its turn, which took the value.
func (r *run[T]) ran1(m *member[T]) {
	r.ran = append(r.ran, m)
	r.next++
}

// fail ends the batch after a function failed with err: it rolls back,
// tells the members that ran what failedTurn says, and the members still
// to have a turn go into the next batch.
func (r *run[T]) fail(err error) {
	r.l.putBack(r.pending)
	r.pending = nil
	r.end(outcome{err: r.failedTurn(err)})
}

// failedTurn returns what the members that ran are told when a function
// failed: their attempt was aborted, nothing is committed, try again;
// unless the transaction was ended by a function, which may have
// committed what ran before it.
func (r *run[T]) failedTurn(err error) error {
	f := r.l.f
	switch {
	case errors.Is(err, f.TxDone):
		return casenum.Mark(casenum.Uncertain, fmt.Errorf("%w: %s: a function in the batch ended its transaction itself; leave COMMIT and ROLLBACK to CreateTx: %w",
			casenum.ErrUncertain, f.Pkg, err))
	case errors.Is(err, errPanicked):
		return casenum.Mark(casenum.Aborted, fmt.Errorf("%s: the batch was rolled back: another caller's function panicked", f.Pkg))
	}
	return casenum.Mark(casenum.Aborted, fmt.Errorf("%s: the batch was rolled back: another caller's function failed", f.Pkg))
}

// commit gives the counter back the values no member took, COMMITs and
// tells the members that ran; with none, it rolls back.
func (r *run[T]) commit() {
	f := r.l.f
	switch {
	case len(r.ran) == 0:
		r.end(outcome{})
		return
	case r.next <= r.top:
		if _, err := r.b.Handle(r.tx).Exec(r.ctx, r.l.s.group.setBack, int64(r.next-1), r.l.key.scope); err != nil {
			r.end(outcome{err: beforeCommit(r.ctx, fmt.Errorf("%s: setting the counter back: %w", f.Pkg, err))})
			return
		}
	}
	err := r.b.Commit(r.ctx, r.tx)
	o := outcome{committed: true, err: err}
	switch {
	case err == nil || len(r.ran) == 1:
	case errors.Is(err, f.TxDone):
		o = outcome{err: r.failedTurn(err)}
	case casenum.Classify(err) == casenum.Collided:
		// A uniqueness checked at COMMIT does not say whose record it
		// refused: telling each caller its number was taken would move the
		// counter past numbers no record holds. Each runs again, alone,
		// until the one that collides does so by itself.
		r.l.s.group.setSolo(r.l.key, len(r.ran))
		o = outcome{err: casenum.Mark(casenum.Aborted, fmt.Errorf("%s: a record of the batch collided at COMMIT, which does not say whose: %w", f.Pkg, err))}
	}
	r.tell(o)
	r.l.handOff()
}

// end rolls the batch back, tells the members that ran o, and gives the
// lead of the next batch to the first member waiting.
func (r *run[T]) end(o outcome) {
	r.b.Rollback(r.ctx, r.tx)
	r.tell(o)
	r.l.handOff()
}

// tell sends o to every member whose function ran.
func (r *run[T]) tell(o outcome) {
	for _, m := range r.ran {
		m.verdict <- o
	}
}
