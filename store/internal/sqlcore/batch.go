package sqlcore

import (
	"context"
	"errors"
	"fmt"

	"github.com/casemint/casemint/casenum"
)

// line is the queue of one key of a Sequence's group commit: the members
// waiting for a turn, in the order they came. It exists while a leader
// runs batches for it: the caller who found no line, on its own goroutine
// (see solo.go), then a goroutine of its own while members wait; the line
// ends when no member waits.
type line[T any] struct {
	s       *Sequence
	f       *Face
	key     groupKey
	waiting []*member[T] // guarded by s.group.mu
}

// join puts m at the end of the line of key; when there is no line, it
// starts one that m leads, and returns it.
func join[T any](s *Sequence, f *Face, key groupKey, m *member[T]) (led *line[T]) {
	g := s.group
	g.mu.Lock()
	defer g.mu.Unlock()
	if l, ok := g.lines[key].(*line[T]); ok {
		l.waiting = append(l.waiting, m)
		return nil
	}
	l := &line[T]{s: s, f: f, key: key}
	g.lines[key] = l
	return l
}

// handOff ends a leader's work on the line: it ends the line when no
// member waits, or starts a goroutine that leads the next batches.
func (l *line[T]) handOff() {
	g := l.s.group
	g.mu.Lock()
	defer g.mu.Unlock()
	l.dropGone()
	if len(l.waiting) == 0 {
		delete(g.lines, l.key)
		return
	}
	go l.lead()
}

// lead runs batches while members wait.
func (l *line[T]) lead() {
	for {
		first := l.first()
		if first == nil {
			return
		}
		l.batch(first)
	}
}

// resume finishes r, handed over by a caller who led it, and leads the
// batches after it.
func (l *line[T]) resume(r *run[T]) {
	r.finish()
	l.lead()
}

// first returns the first member still waiting, or nil after ending the
// line: a member who joins later starts a new one.
func (l *line[T]) first() *member[T] {
	g := l.s.group
	g.mu.Lock()
	defer g.mu.Unlock()
	l.dropGone()
	if len(l.waiting) == 0 {
		delete(g.lines, l.key)
		return nil
	}
	return l.waiting[0]
}

// dropGone drops the members who gave up from the front of the line.
func (l *line[T]) dropGone() {
	for len(l.waiting) > 0 && gone(l.waiting[0]) {
		l.waiting = l.waiting[1:]
	}
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

// refuse tells members waiting for a turn that the batch cannot give them
// one: their Next fails with err.
func refuse[T any](ms []*member[T], err error) {
	for _, m := range ms {
		select {
		case m.turn <- grant[T]{err: err}:
		case <-m.left:
		}
	}
}

// run is one batch: its transaction, the values it reserved, and the
// members whose functions ran in it.
type run[T any] struct {
	l       *line[T]
	ctx     context.Context
	b       Beginner[T]
	tx      T
	taken   int          // members taken into the batch
	pending []*member[T] // taken, values reserved, turns to come
	next    uint64       // the value of the next turn
	top     uint64       // the highest value reserved; 0 before the first
	ran     []*member[T]
}

// batch runs one transaction for the members of the line: BEGIN, turns
// (raising the counter for each round of members), COMMIT. Its statements
// run with a context that keeps first's values but not its cancellation:
// the other members' records depend on them.
func (l *line[T]) batch(first *member[T]) {
	ctx := context.WithoutCancel(first.ctx)
	tx, err := first.b.Begin(ctx)
	if err != nil {
		refuse(l.take(l.s.group.max), fmt.Errorf("%s: begin: %w", l.f.Pkg, err))
		return
	}
	(&run[T]{l: l, ctx: ctx, b: first.b, tx: tx}).finish()
}

// finish gives the batch's remaining turns, then commits it, or rolls it
// back when no function ran or one failed, and tells the members that ran.
func (r *run[T]) finish() {
	if err := r.turns(); err != nil {
		r.b.Rollback(r.ctx, r.tx)
		r.tell(outcome{err: err})
		return
	}
	if len(r.ran) == 0 {
		r.b.Rollback(r.ctx, r.tx)
		return
	}
	r.commit()
}

// turns gives each member its turn, in rounds: the members waiting when
// a round starts, up to the batch's size. It returns what the members that
// ran are told when the batch fails before COMMIT.
func (r *run[T]) turns() error {
	for {
		if len(r.pending) == 0 {
			if more, err := r.round(); err != nil || !more {
				return err
			}
		}
		m := r.pending[0]
		r.pending = r.pending[1:]
		if err := r.turn(m); err != nil {
			r.l.putBack(r.pending)
			r.pending = nil
			return err
		}
	}
}

// round takes the members waiting into the batch, up to its size, and
// reserves their values; it reports whether it took any.
func (r *run[T]) round() (bool, error) {
	g := r.l.s.group
	if r.taken >= g.max {
		return false, nil
	}
	ms := r.l.take(g.max - r.taken)
	if len(ms) == 0 {
		return false, nil
	}
	r.taken += len(ms)
	if err := r.reserve(len(ms)); err != nil {
		refuse(ms, err)
		return false, beforeCommit(r.ctx, err)
	}
	r.pending = ms
	return true, nil
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
		r.next = top - k + 1
	}
	r.top = top
	return nil
}

// turn hands m its turn and waits for its end. A member that gave up, or
// whose function did not run, takes no value. The error is what the
// members that ran are told when m's function failed.
func (r *run[T]) turn(m *member[T]) error {
	select {
	case m.turn <- grant[T]{v: r.next, tx: r.tx, first: len(r.ran) == 0}:
	case <-m.left:
		return nil
	}
	end := <-m.done
	switch {
	case !end.ran:
		return nil
	case end.err != nil:
		return r.failedTurn(end.err)
	}
	r.ran = append(r.ran, m)
	r.next++
	return nil
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
// tells the members that ran.
func (r *run[T]) commit() {
	f := r.l.f
	if r.next <= r.top {
		if _, err := r.b.Handle(r.tx).Exec(r.ctx, r.l.s.group.setBack, int64(r.next-1), r.l.key.scope); err != nil {
			r.b.Rollback(r.ctx, r.tx)
			r.tell(outcome{err: beforeCommit(r.ctx, fmt.Errorf("%s: setting the counter back: %w", f.Pkg, err))})
			return
		}
	}
	err := r.b.Commit(r.ctx, r.tx)
	if err != nil && len(r.ran) > 1 && errors.Is(err, f.TxDone) {
		r.tell(outcome{err: r.failedTurn(err)})
		return
	}
	r.tell(outcome{committed: true, err: err})
}

// tell sends o to every member whose function ran.
func (r *run[T]) tell(o outcome) {
	for _, m := range r.ran {
		m.verdict <- o
	}
}
