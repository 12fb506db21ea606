package pgxstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/counter"
	"github.com/casemint/casemint/internal/sqlstmt"
	"github.com/casemint/casemint/internal/txattempt"
)

var _ casenum.Sequence = (*Sequence)(nil)

// SequenceOption configures NewSequence.
type SequenceOption func(*sequenceConfig)

type sequenceConfig struct {
	block int
}

// WithBlock makes Next reserve n values per round trip and hand them out
// from memory, as store.WithBlock does: numbers stay unique, but the rest
// of a block is lost when the process stops. A Sequence with blocks
// refuses a pgx.Tx as its Querier, since a block reserved in a transaction
// that rolls back would be handed out again. n below 1 is refused with
// store.ErrInvalidOption.
func WithBlock(n int) SequenceOption {
	return func(c *sequenceConfig) { c.block = n }
}

// Sequence is a casenum.Sequence that keeps one counter per scope in a
// table of two columns, scope (the primary key) and value, like
// store.Sequence. Next raises the counter and reads it back in one atomic
// statement,
//
//	INSERT INTO "t" (scope, value) VALUES ($1, 1)
//	ON CONFLICT (scope) DO UPDATE SET value = "t".value + 1 RETURNING value
//
// so any number of processes can share the table without handing out a
// value twice. On a pool every Next commits on its own; bound to the
// record's transaction with WithTx, or drawn by CreateTx, the counter
// commits or rolls back with the record: gap-free numbers, one writer per
// scope at a time.
//
// A Sequence is safe for concurrent use when its Querier is (a
// *pgxpool.Pool is; a *pgx.Conn and a pgx.Tx are not). The zero value is
// not usable: make one with NewSequence.
type Sequence struct {
	q      Querier
	stmt   sqlstmt.Counter
	blocks *counter.Blocks // nil without blocks
	err    error           // a bad Querier given to WithTx, reported by Next
}

// NewSequence returns a Sequence keeping its counters in table, which may
// be schema-qualified. Create the table with CreateTable or from Schema. It
// returns an error wrapping store.ErrInvalidQuerier,
// store.ErrInvalidIdentifier or store.ErrInvalidOption when an argument is
// unusable.
func NewSequence(q Querier, table string, opts ...SequenceOption) (*Sequence, error) {
	if err := sqlstmt.CheckQuerier(q); err != nil {
		return nil, err
	}
	cfg := sequenceConfig{block: 1}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil SequenceOption", counter.ErrInvalidOption)
		}
		opt(&cfg)
	}
	if err := counter.CheckBlock(cfg.block); err != nil {
		return nil, err
	}
	stmt, err := sqlstmt.Postgres.Counter(table, cfg.block)
	if err != nil {
		return nil, err
	}
	s := &Sequence{q: q, stmt: stmt}
	if cfg.block > 1 {
		if _, ok := q.(pgx.Tx); ok {
			return nil, fmt.Errorf("%w: a Sequence with blocks cannot run in a transaction", sqlstmt.ErrInvalidQuerier)
		}
		s.blocks = counter.NewBlocks(cfg.block)
	}
	return s, nil
}

// WithTx returns a copy of s that runs its statements on q, typically the
// caller's pgx.Tx, so the counter commits or rolls back with the record:
// gap-free numbering. It is cheap, so build one per transaction from a
// Sequence made once. The copy raises the counter by one per Next even
// when s reserves blocks. A nil q makes the copy's Next fail with
// store.ErrInvalidQuerier.
func (s *Sequence) WithTx(q Querier) *Sequence {
	if s == nil {
		return &Sequence{err: fmt.Errorf("%w: WithTx on a nil *Sequence", sqlstmt.ErrInvalidQuerier)}
	}
	c := &Sequence{q: q, stmt: s.stmt, err: s.err}
	if err := sqlstmt.CheckQuerier(q); err != nil {
		c.err = err
	}
	return c
}

// Schema returns the CREATE TABLE IF NOT EXISTS statement of the counter
// table, for a migration tool.
func (s *Sequence) Schema() string { return s.stmt.Schema }

// CreateTable runs Schema on the Sequence's Querier.
func (s *Sequence) CreateTable(ctx context.Context) error {
	if err := s.usable(); err != nil {
		return err
	}
	if _, err := s.q.Exec(ctx, s.stmt.Schema); err != nil {
		return fmt.Errorf("pgxstore: creating counter table: %w", err)
	}
	return nil
}

// usable reports why s cannot run statements, if it cannot.
func (s *Sequence) usable() error {
	switch {
	case s == nil || s.stmt.One == "":
		return fmt.Errorf("%w: Sequence not made by NewSequence", sqlstmt.ErrInvalidQuerier)
	case s.err != nil:
		return s.err
	}
	return nil
}

// Next returns the scope's next value: 1 for a new scope, then one more on
// every call. Database and context errors come back wrapped; a scope
// longer than store.MaxScopeLength is refused with store.ErrScopeTooLong.
func (s *Sequence) Next(ctx context.Context, scope string) (uint64, error) {
	if err := s.usable(); err != nil {
		return 0, err
	}
	if err := counter.CheckScope(scope); err != nil {
		return 0, err
	}
	v, err := s.next(ctx, scope)
	if err != nil {
		return 0, fmt.Errorf("pgxstore: next value of scope %q: %w", scope, err)
	}
	return v, nil
}

// next draws the value from the scope's block, in the transaction of
// CreateTx's attempt, or with a statement on the Sequence's Querier.
func (s *Sequence) next(ctx context.Context, scope string) (uint64, error) {
	if s.blocks != nil {
		return s.blocks.Next(ctx, scope, func(ctx context.Context) (uint64, error) {
			return bump(ctx, s.q, s.stmt.Block, s.blocks.Size(), scope)
		})
	}
	if v, ok, err := txattempt.Next(ctx, s.q, func(ctx context.Context, tx pgx.Tx) (uint64, error) {
		return bump(ctx, tx, s.stmt.One, 1, scope)
	}); ok {
		return v, err
	}
	return bump(ctx, s.q, s.stmt.One, 1, scope)
}

// bump runs query on q, which raises the scope's counter by n, and returns
// the new value. On a pool, where each statement commits on its own, an
// upsert the database refused is retried.
func bump(ctx context.Context, q Querier, query string, n uint64, scope string) (uint64, error) {
	_, autocommit := q.(*pgxpool.Pool)
	return counter.Bump(ctx, n, autocommit, func(ctx context.Context) (int64, error) {
		var v int64
		err := q.QueryRow(ctx, query, scope).Scan(&v)
		return v, err
	})
}
