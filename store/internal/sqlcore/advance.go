package sqlcore

import (
	"context"
	"fmt"
	"math"
)

// Advance raises the scope's counter to last, on the Sequence's handle,
// so that Next returns more than last; a counter already at last or past
// it stays. last 0 changes nothing and sends nothing.
func (s *Sequence) Advance(ctx context.Context, f *Face, scope string, last uint64) error {
	if err := s.usable(f); err != nil {
		return err
	}
	return s.advance(ctx, f, s.h, scope, last)
}

// advance raises the scope's counter to last on h, in one statement. With
// blocks, the scope's block is held meanwhile, and afterwards hands out
// only the values it reserved above last.
func (s *Sequence) advance(ctx context.Context, f *Face, h Handle, scope string, last uint64) error {
	if err := f.checkScope(scope); err != nil {
		return err
	}
	if last > math.MaxInt64 {
		return fmt.Errorf("%w: %d is more than a counter holds", f.CounterRange, last)
	}
	if last == 0 {
		return nil // every counter is past 0 already
	}
	run := func(ctx context.Context) error {
		return retryRefused(ctx, h, func() error {
			_, err := h.Exec(ctx, s.stmt.advance, scope, int64(last))
			return err
		})
	}
	var err error
	if s.blocks != nil {
		err = s.blocks.skip(ctx, scope, last, run)
	} else {
		err = run(ctx)
	}
	if err != nil {
		return fmt.Errorf("%s: advancing scope %q to %d: %w", f.Pkg, scope, last, err)
	}
	return nil
}

// Release sets the scope's counter back to v-1 where it still stands at
// v, on the Sequence's handle, so that v is drawn again; with blocks, v
// goes back to the block instead, if it was the last value the block
// handed out. It is best effort and reports nothing: a value not given
// back is a gap, as without Release.
func (s *Sequence) Release(ctx context.Context, f *Face, scope string, v uint64) {
	if s.usable(f) != nil || f.checkScope(scope) != nil || v == 0 || v > math.MaxInt64 {
		return
	}
	if s.blocks != nil {
		s.blocks.giveBack(ctx, scope, v)
		return
	}
	_ = retryRefused(ctx, s.h, func() error {
		_, err := s.h.Exec(ctx, s.stmt.release, scope, int64(v))
		return err
	})
}
