package sqlcore

import (
	"context"
	"fmt"
)

// A caller who finds no line for its key leads the batch itself, on its
// own goroutine: it begins the transaction, takes the callers who joined
// meanwhile, raises the counter for all of them and takes the first turn.
// Alone after its function, it commits; otherwise a goroutine takes the
// batch over and the caller waits for the outcome like any member. A lone
// caller thus runs BEGIN, the counter, its function and COMMIT with no
// goroutine in between.

// solo begins the batch that m, the first of the line, leads.
func (l *line[T]) solo(m *member[T]) (*run[T], error) {
	ctx := context.WithoutCancel(m.ctx)
	tx, err := m.b.Begin(ctx)
	if err != nil {
		l.handOff()
		return nil, fmt.Errorf("%s: begin: %w", l.f.Pkg, err)
	}
	r := &run[T]{l: l, ctx: ctx, b: m.b, tx: tx, taken: 1}
	r.pending = l.take(l.s.group.max - 1)
	r.taken += len(r.pending)
	if err := r.reserve(len(r.pending) + 1); err != nil {
		r.b.Rollback(ctx, tx)
		l.putBack(r.pending) // the next batch tries for them
		l.handOff()
		return nil, err
	}
	return r, nil
}

// ownTurn ends the turn of the caller who leads r. An unused turn hands
// the batch, and the turn's value, to the members after it; a failed one
// rolls back what is only the caller's own, and the members taken go into
// the next batch.
func (r *run[T]) ownTurn(m *member[T], e turnEnd) {
	switch {
	case !e.ran:
		go r.l.resume(r)
	case e.err != nil:
		r.b.Rollback(r.ctx, r.tx)
		r.l.putBack(r.pending)
		r.pending = nil
		r.l.handOff()
	default:
		r.ran = append(r.ran, m)
		r.next++
	}
}

// settle ends the leading caller's part after its function ran: it
// commits when no one else is in the batch or waiting, or hands the batch
// over and waits for its outcome.
func (r *run[T]) settle(ctx context.Context, a *attempt[T], m *member[T]) error {
	if len(r.pending) > 0 || !r.l.idle() {
		go r.l.resume(r)
		return m.outcome(ctx, a)
	}
	err := r.b.Commit(r.ctx, r.tx)
	r.l.handOff() // to those who came during COMMIT
	if err != nil {
		return a.atCommit(ctx, err)
	}
	return nil
}

// idle reports whether no member waits in the line.
func (l *line[T]) idle() bool {
	g := l.s.group
	g.mu.Lock()
	defer g.mu.Unlock()
	l.dropGone()
	return len(l.waiting) == 0
}
