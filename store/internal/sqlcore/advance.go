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
	return endedTx(s.h, s.advance(ctx, f, s.h, scope, last))
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
