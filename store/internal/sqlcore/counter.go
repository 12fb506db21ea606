package sqlcore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
	"unicode/utf8"

	"github.com/casemint/casemint/casenum"
)

// Sequence is the state behind a face's Sequence: the statements of its
// counter table, the handle they run on and, with blocks, the values
// reserved but not yet handed out. A face's Sequence is one of these
// under its own name. A nil or zero Sequence, not made by NewSequence,
// fails every call with the face's InvalidQuerier.
type Sequence struct {
	stmt   counterStmts
	h      Handle
	blocks *blocks // nil without blocks
	group  *groups // nil without group commit
	err    error   // why h cannot be used, reported by every call
}

// Config is what a face's SequenceOptions set.
type Config struct {
	block int // values reserved per round trip

	grouped     bool // GroupCommit was given
	groupCommit int  // its callers per batch
}

// NewSequence returns a Sequence keeping its counters in table, running its
// statements on h; inTx says that h is a transaction, which a Sequence
// with blocks refuses (a block reserved in a transaction that rolls back
// would be handed out again). opts are the face's SequenceOptions.
func NewSequence[O ~func(*Config)](f *Face, h Handle, inTx bool, d Dialect, table string, opts []O) (*Sequence, error) {
	cfg := Config{block: 1}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil SequenceOption", f.InvalidOption)
		}
		opt(&cfg)
	}
	if cfg.block < 1 {
		return nil, fmt.Errorf("%w: block size %d, want at least 1", f.InvalidOption, cfg.block)
	}
	stmt, err := f.counterStatements(d, table, cfg.block)
	if err != nil {
		return nil, err
	}
	s := &Sequence{stmt: stmt, h: h}
	if cfg.block > 1 {
		if inTx {
			return nil, fmt.Errorf("%w: a Sequence with blocks cannot run in a transaction", f.InvalidQuerier)
		}
		s.blocks = newBlocks(cfg.block)
	}
	if s.group, err = newGroups(f, d, table, cfg, inTx); err != nil {
		return nil, err
	}
	return s, nil
}

// Block returns the option that makes a Sequence reserve n values per
// round trip.
func Block(n int) func(*Config) {
	return func(c *Config) { c.block = n }
}

// WithTx returns a copy of s that runs its statements on h and raises the
// counter by one per Next, even when s reserves blocks; herr, when not
// nil, says why h cannot be used, and every call of the copy returns it.
func (s *Sequence) WithTx(h Handle, herr error) *Sequence {
	if s == nil {
		return nil
	}
	c := &Sequence{stmt: s.stmt, h: h, err: s.err}
	if herr != nil {
		c.err = herr
	}
	return c
}

// On returns s when its values can be drawn in the transactions of
// CreateTx begun on h: s runs on h itself, one value per round trip
// (a block would outlive a transaction). Otherwise it returns nil.
func (s *Sequence) On(h Handle) *Sequence {
	if s == nil || s.stmt.one == "" || s.err != nil || s.blocks != nil || !sameHandle(s.h, h) {
		return nil
	}
	return s
}

// Schema returns the CREATE TABLE IF NOT EXISTS statement of the counter
// table; "" for a Sequence not made by NewSequence.
func (s *Sequence) Schema() string {
	if s == nil {
		return ""
	}
	return s.stmt.schema
}

// CreateTable runs Schema on the Sequence's handle.
func (s *Sequence) CreateTable(ctx context.Context, f *Face) error {
	if err := s.usable(f); err != nil {
		return err
	}
	if _, err := s.h.Exec(ctx, s.stmt.schema); err != nil {
		return fmt.Errorf("%s: creating counter table: %w", f.Pkg, err)
	}
	return nil
}

// usable reports why s cannot run statements, if it cannot.
func (s *Sequence) usable(f *Face) error {
	switch {
	case s == nil || s.stmt.one == "":
		return fmt.Errorf("%w: Sequence not made by NewSequence", f.InvalidQuerier)
	case s.err != nil:
		return s.err
	}
	return nil
}

// Next returns the scope's next value, from its block or with a statement
// on the Sequence's handle.
func (s *Sequence) Next(ctx context.Context, f *Face, scope string) (uint64, error) {
	if err := s.usable(f); err != nil {
		return 0, err
	}
	v, err := s.draw(ctx, f, s.h, scope)
	return v, endedTx(s.h, err)
}

// draw returns the scope's next value, raising the counter on h.
func (s *Sequence) draw(ctx context.Context, f *Face, h Handle, scope string) (uint64, error) {
	if err := f.checkScope(scope); err != nil {
		return 0, err
	}
	var v uint64
	var err error
	if s.blocks != nil {
		v, err = s.blocks.next(ctx, scope, func(ctx context.Context) (uint64, error) {
			return s.raise(ctx, f, h, s.stmt.block, s.blocks.size, scope)
		})
	} else {
		v, err = s.raise(ctx, f, h, s.stmt.one, 1, scope)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: next value of scope %q: %w", f.Pkg, scope, err)
	}
	return v, nil
}

// checkScope refuses a scope longer than the table holds, instead of
// letting the database cut it short, which could make two scopes share a
// counter.
func (f *Face) checkScope(scope string) error {
	if n := utf8.RuneCountInString(scope); n > MaxScopeLength {
		return fmt.Errorf("%w: %d characters, at most %d", f.ScopeTooLong, n, MaxScopeLength)
	}
	return nil
}

// Bounds of the retries of a counter upsert the database refused.
const (
	raiseAttempts = 50
	raiseDelay    = time.Millisecond
	raiseMaxDelay = 100 * time.Millisecond
)

// raise runs query on h, which raises the scope's counter by n in one
// statement, and returns the new value.
func (s *Sequence) raise(ctx context.Context, f *Face, h Handle, query string, n uint64, scope string) (uint64, error) {
	var v int64
	err := retryRefused(ctx, h, func() (err error) {
		v, err = s.upsert(ctx, h, query, scope)
		return err
	})
	if err != nil {
		return 0, err
	}
	if v < 1 || uint64(v) < n {
		return 0, fmt.Errorf("%w: value %d after adding %d", f.CounterRange, v, n)
	}
	return uint64(v), nil
}

// endedTx marks err final when h is a caller's transaction in which the
// database refused a statement (a deadlock, a serialization or
// certification failure, a lock wait timeout): MySQL rolls the whole
// transaction back on a deadlock, so a retry would run outside it, each
// statement committing on its own, and PostgreSQL refuses every statement
// after. Only the caller can run its transaction again.
func endedTx(h Handle, err error) error {
	if err == nil || h.Autocommit() || casenum.Classify(err) != casenum.Aborted {
		return err
	}
	return casenum.Mark(casenum.Failed, fmt.Errorf("%w: refused in the caller's transaction, which may have ended; run the transaction again from its start", err))
}

// retryRefused runs stmt, a counter statement on h. Where each statement
// commits on its own, one the database refused (a deadlock, a cluster's
// certification failure) stored nothing and is run again, after a
// growing, jittered wait. In a transaction the refusal ended the
// transaction, so it is returned.
func retryRefused(ctx context.Context, h Handle, stmt func() error) error {
	wait := raiseDelay
	for attempt := 1; ; attempt++ {
		err := stmt()
		if err == nil || !h.Autocommit() || attempt == raiseAttempts || casenum.Classify(err) != casenum.Aborted {
			return err
		}
		t := time.NewTimer(rand.N(wait) + 1)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (after %w)", ctx.Err(), err)
		}
		wait = min(2*wait, raiseMaxDelay)
	}
}

// upsert runs one counter statement and reads the value it returns: on
// MySQL the result's LastInsertId, which comes back with the statement's
// own reply (a separate SELECT LAST_INSERT_ID() could run on another
// pooled connection); elsewhere the row of RETURNING.
func (s *Sequence) upsert(ctx context.Context, h Handle, query, scope string) (int64, error) {
	if s.stmt.d == MySQL {
		res, err := h.Exec(ctx, query, scope)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}
	return h.QueryInt(ctx, query, scope)
}
