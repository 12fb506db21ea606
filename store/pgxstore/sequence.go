package pgxstore

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store/internal/sqlcore"
)

var _ casenum.Sequence = (*Sequence)(nil)

// SequenceOption configures NewSequence.
type SequenceOption func(*sqlcore.Config)

// WithBlock makes Next reserve n values per round trip and hand them out
// from memory, as store.WithBlock does: numbers stay unique, but the rest
// of a block is lost when the process stops. A Sequence with blocks
// refuses a pgx.Tx as its Querier, since a block reserved in a transaction
// that rolls back would be handed out again. n below 1 is refused with
// store.ErrInvalidOption.
func WithBlock(n int) SequenceOption { return sqlcore.Block(n) }

// WithGroupCommit makes CreateTx share one transaction among up to
// maxBatch concurrent calls that draw {seq} from the same counter (same
// Sequence, scope and pgx.TxOptions), as store.WithGroupCommit does: one
// counter update and one COMMIT per batch, each caller's fn in turn on the
// shared transaction with its own number, and each caller its own outcome.
// The trade-off: one caller's slow fn delays every caller behind it in the
// batch. maxBatch below 1 and WithBlock are refused with
// store.ErrInvalidOption, a pgx.Tx as the Querier with
// store.ErrInvalidQuerier.
func WithGroupCommit(maxBatch int) SequenceOption { return sqlcore.GroupCommit(maxBatch) }

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
type Sequence sqlcore.Sequence

// NewSequence returns a Sequence keeping its counters in table, which may
// be schema-qualified. Create the table with CreateTable or from Schema. It
// returns an error wrapping store.ErrInvalidQuerier,
// store.ErrInvalidIdentifier or store.ErrInvalidOption when an argument is
// unusable.
func NewSequence(q Querier, table string, opts ...SequenceOption) (*Sequence, error) {
	if err := face.CheckHandle(q); err != nil {
		return nil, err
	}
	_, inTx := q.(pgx.Tx)
	s, err := sqlcore.NewSequence(face, handle{q}, inTx, sqlcore.Postgres, table, opts)
	return (*Sequence)(s), err
}

// WithTx returns a copy of s that runs its statements on q, typically the
// caller's pgx.Tx, as store.Sequence.WithTx does: gap-free numbering, and a
// statement refused in that transaction is final. A nil q makes the copy's
// Next fail with store.ErrInvalidQuerier.
func (s *Sequence) WithTx(q Querier) *Sequence {
	return (*Sequence)(s.core().WithTx(handle{q}, face.CheckHandle(q)))
}

// Schema returns the counter table's CREATE TABLE IF NOT EXISTS statement.
func (s *Sequence) Schema() string { return s.core().Schema() }

// CreateTable runs Schema on the Sequence's Querier.
func (s *Sequence) CreateTable(ctx context.Context) error { return s.core().CreateTable(ctx, face) }

// Next returns the scope's next value, as store.Sequence.Next does; a
// scope longer than store.MaxScopeLength is refused with
// store.ErrScopeTooLong.
func (s *Sequence) Next(ctx context.Context, scope string) (uint64, error) {
	return s.core().Next(ctx, face, scope)
}

// Advance moves the scope's counter forward so that Next returns more than
// last, as store.Sequence.Advance does, in one statement:
//
//	INSERT INTO "t" (scope, value) VALUES ($1, $2)
//	ON CONFLICT (scope) DO UPDATE SET value = GREATEST("t".value, EXCLUDED.value)
//
// A counter already at last or past it stays; on a copy made by WithTx it
// runs in that transaction. last 0 is no change.
func (s *Sequence) Advance(ctx context.Context, scope string, last uint64) error {
	return s.core().Advance(ctx, face, scope, last)
}

func (s *Sequence) core() *sqlcore.Sequence { return (*sqlcore.Sequence)(s) }
