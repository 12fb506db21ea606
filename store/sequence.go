package store

import (
	"context"
	"database/sql"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store/internal/sqlcore"
)

var _ casenum.Sequence = (*Sequence)(nil)

// MaxScopeLength is the longest scope, in characters, that a Sequence
// accepts: the scope column is a VARCHAR(255). Next and Advance refuse a
// longer scope with ErrScopeTooLong instead of letting a database cut it
// short, which could make two scopes share a counter.
const MaxScopeLength = sqlcore.MaxScopeLength

// SequenceOption configures NewSequence.
type SequenceOption func(*sqlcore.Config)

// WithBlock makes Next reserve n values per round trip: it raises the
// scope's counter by n in one statement and hands out the n values from
// memory. The default, 1, costs one round trip per value.
//
// Blocks trade gaps for speed: the unused rest of a block is lost when the
// process stops, so numbers are unique but neither gap-free nor in the order
// they were handed out across processes. Several processes may share the
// table: each block is reserved atomically. A Sequence with blocks refuses a
// *sql.Tx as its Querier: a block reserved in a transaction that rolls back
// would be handed out again. n below 1 is refused with ErrInvalidOption.
func WithBlock(n int) SequenceOption { return sqlcore.Block(n) }

// WithGroupCommit makes CreateTx share one transaction among up to
// maxBatch concurrent calls that draw {seq} from the same counter: the
// same Sequence, scope and transaction options. A batch raises the counter
// once for the callers waiting, runs each caller's fn in turn on the shared
// transaction with its own number, and commits once, so a gap-free series
// no longer runs one transaction per record. A lone caller runs the
// statements it runs without the option: BEGIN, the counter, fn, COMMIT.
//
// Each caller keeps its own outcome. A caller whose fn fails gets its error
// and takes no number: the batch rolls back, the callers whose fn ran
// before retry with a new number, as after an aborted attempt, and those
// still waiting go into the next batch. A failed COMMIT answers each caller
// of the batch as CreateTx answers one; a COMMIT without an answer gives
// each casenum.ErrUncertain with its own number. A caller whose context
// ends before its turn leaves without a number and without a gap; once its
// fn ran, its record may commit with the batch, and it gets
// casenum.ErrUncertain. The batch's own statements run with the first
// caller's context values, without its cancellation.
//
// The trade-off: the batch waits while each fn runs, so one caller's slow
// fn (or Checker) delays every caller behind it in the batch. fn must not
// use tx after it returns. Next outside CreateTx is unchanged. maxBatch
// below 1 and WithBlock are refused with ErrInvalidOption, a *sql.Tx as
// the Querier with ErrInvalidQuerier.
func WithGroupCommit(maxBatch int) SequenceOption { return sqlcore.GroupCommit(maxBatch) }

// Sequence is a casenum.Sequence that keeps one counter per scope in a
// table of two columns, scope (the primary key) and value. Next raises the
// counter and reads it back in one atomic statement, so any number of
// processes can share the table without handing out a value twice.
//
// On a *sql.DB every Next is a statement of its own: values are unique and
// increasing per scope, and a value drawn for a record that is then not
// stored is a gap. On a *sql.Tx (see WithTx) the counter is raised inside
// the caller's transaction and commits or rolls back with the record, which
// makes the numbers gap-free. The price: the scope's row stays locked until
// the transaction ends, so one writer per scope at a time; keep those
// transactions short. That waiting holds at READ COMMITTED, the default of
// PostgreSQL; under REPEATABLE READ or SERIALIZABLE a concurrent writer of
// the scope fails with SQLSTATE 40001 instead: retry its transaction. On
// MySQL the statement also takes gap locks while a scope's row is new, so
// concurrent first uses of a scope may deadlock and one transaction is
// rolled back: retry it. WithBlock needs statements that commit on their
// own: it refuses a *sql.Tx, and a *sql.Conn or wrapper inside a
// transaction must not be given to it either, or a rolled-back block would
// be handed out again.
//
// A Sequence is safe for concurrent use when its Querier is (a *sql.DB is;
// a *sql.Tx runs one statement at a time). The zero value is not usable:
// make one with NewSequence.
type Sequence sqlcore.Sequence

// NewSequence returns a Sequence keeping its counters in table, which may
// be schema-qualified. Create the table with CreateTable or from Schema. It
// returns an error wrapping ErrInvalidQuerier, ErrInvalidDialect,
// ErrInvalidIdentifier or ErrInvalidOption when an argument is unusable.
//
// The statements Next runs (shown for PostgreSQL, with SQLite alike):
//
//	INSERT INTO t (scope, value) VALUES ($1, 1)
//	ON CONFLICT (scope) DO UPDATE SET value = t.value + 1 RETURNING value
//
// and for MySQL and MariaDB, reading the value from Result.LastInsertId,
// which comes back with the statement's own reply (a separate SELECT
// LAST_INSERT_ID() could run on another pooled connection):
//
//	INSERT INTO t (scope, value) VALUES (?, LAST_INSERT_ID(1))
//	ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + 1)
//
// go-sql-driver/mysql spends two round trips per statement, preparing it
// first, unless the DSN sets interpolateParams=true.
func NewSequence(db Querier, d Dialect, table string, opts ...SequenceOption) (*Sequence, error) {
	if err := checkTarget(db, d); err != nil {
		return nil, err
	}
	_, inTx := db.(*sql.Tx)
	s, err := sqlcore.NewSequence(face, handle{db}, inTx, d.core(), table, opts)
	return (*Sequence)(s), err
}

// WithTx returns a copy of s that runs its statements on q, typically the
// caller's *sql.Tx, so the counter commits or rolls back with the record:
// gap-free numbering. It is cheap (nothing is validated again), so build one
// per transaction from a Sequence made once. The copy raises the counter by
// one per Next even when s reserves blocks. A nil q makes the copy's Next
// fail with ErrInvalidQuerier. A statement the database refuses in that
// transaction (a deadlock, a serialization failure) is final
// (casenum.Failed), not retried: MySQL has rolled the transaction back,
// and only the caller can run it again.
func (s *Sequence) WithTx(q Querier) *Sequence {
	return (*Sequence)(s.core().WithTx(handle{q}, face.CheckHandle(q)))
}

// Schema returns the CREATE TABLE IF NOT EXISTS statement of the counter
// table, for a migration tool.
func (s *Sequence) Schema() string { return s.core().Schema() }

// CreateTable runs Schema on the Sequence's Querier. MySQL commits an open
// transaction before any CREATE TABLE, so call it outside one.
func (s *Sequence) CreateTable(ctx context.Context) error { return s.core().CreateTable(ctx, face) }

// Next returns the scope's next value: 1 for a new scope, then one more on
// every call (with blocks, values of a block may be handed out in a
// different order across processes, never twice). Database and context
// errors come back wrapped; a longer scope than MaxScopeLength is refused
// with ErrScopeTooLong.
func (s *Sequence) Next(ctx context.Context, scope string) (uint64, error) {
	return s.core().Next(ctx, face, scope)
}

// Advance moves the scope's counter forward so that Next returns more than
// last: the series continues after numbers stored without the Sequence
// (an import, a migration), or after a value found taken. It is one
// statement,
//
//	INSERT INTO t (scope, value) VALUES ($1, $2)
//	ON CONFLICT (scope) DO UPDATE SET value = GREATEST(t.value, EXCLUDED.value)
//
// (MAX on SQLite; ON DUPLICATE KEY UPDATE value = GREATEST(value,
// VALUES(value)) on MySQL and MariaDB), so it never moves a counter back:
// one already at last or past it stays, and a call whose outcome is
// unknown can simply be run again. On a copy made by WithTx it runs in
// that transaction and rolls back with it. With blocks, the values of this
// Sequence's block up to last are dropped; blocks other processes reserved
// earlier still hand theirs out. last 0 is no change, and sends nothing. A
// scope longer than MaxScopeLength is refused with ErrScopeTooLong, a last
// above math.MaxInt64 (what the value column holds) with ErrCounterRange.
func (s *Sequence) Advance(ctx context.Context, scope string, last uint64) error {
	return s.core().Advance(ctx, face, scope, last)
}

func (s *Sequence) core() *sqlcore.Sequence { return (*sqlcore.Sequence)(s) }
