package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/sqlerr"
)

var _ casenum.Sequence = (*Sequence)(nil)

// MaxScopeLength is the longest scope, in characters, that a Sequence
// accepts: the scope column is a VARCHAR(255). Next refuses a longer scope
// with ErrScopeTooLong instead of letting a database cut it short, which
// could make two scopes share a counter.
const MaxScopeLength = 255

// maxCachedScopes bounds the block cache, so per-day scopes do not pile up
// for ever; the rest of an evicted scope's block is lost, a gap.
const maxCachedScopes = 1024

// SequenceOption configures NewSequence.
type SequenceOption func(*sequenceConfig)

type sequenceConfig struct {
	block int
}

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
func WithBlock(n int) SequenceOption {
	return func(c *sequenceConfig) { c.block = n }
}

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
type Sequence struct {
	db     Querier
	d      Dialect
	schema string
	one    string // raises a counter by 1
	bulk   string // raises a counter by block; "" without blocks
	block  uint64
	blocks *blockCache
	err    error // a bad Querier given to WithTx, reported by Next
}

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
	qt, err := checkTarget(db, d, table)
	if err != nil {
		return nil, err
	}
	cfg := sequenceConfig{block: 1}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil SequenceOption", ErrInvalidOption)
		}
		opt(&cfg)
	}
	if cfg.block < 1 {
		return nil, fmt.Errorf("%w: block size %d, want at least 1", ErrInvalidOption, cfg.block)
	}
	s := &Sequence{
		db:     db,
		d:      d,
		schema: schemaSQL(d, qt),
		one:    bumpSQL(d, qt, 1),
		block:  uint64(cfg.block),
	}
	if cfg.block > 1 {
		if _, ok := db.(*sql.Tx); ok {
			return nil, fmt.Errorf("%w: a Sequence with blocks cannot run in a transaction", ErrInvalidQuerier)
		}
		s.bulk = bumpSQL(d, qt, cfg.block)
		s.blocks = &blockCache{scopes: make(map[string]*block)}
	}
	return s, nil
}

// bumpSQL returns the statement that raises a scope's counter by n and
// yields the new value. n is a validated int written as a literal, never
// input; the scope travels as a parameter.
func bumpSQL(d Dialect, table string, n int) string {
	ns := strconv.Itoa(n)
	if d == MySQL {
		return "INSERT INTO " + table + " (scope, value) VALUES (?, LAST_INSERT_ID(" + ns + ")) " +
			"ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + " + ns + ")"
	}
	return "INSERT INTO " + table + " (scope, value) VALUES (" + d.placeholder(1) + ", " + ns + ") " +
		"ON CONFLICT (scope) DO UPDATE SET value = " + table + ".value + " + ns + " RETURNING value"
}

// schemaSQL returns the CREATE TABLE statement of the counter table.
func schemaSQL(d Dialect, table string) string {
	scope := "VARCHAR(" + strconv.Itoa(MaxScopeLength) + ")"
	if d == SQLite {
		scope = "TEXT"
	}
	return "CREATE TABLE IF NOT EXISTS " + table + " (scope " + scope + " NOT NULL PRIMARY KEY, value BIGINT NOT NULL)"
}

// WithTx returns a copy of s that runs its statements on q, typically the
// caller's *sql.Tx, so the counter commits or rolls back with the record:
// gap-free numbering. It is cheap (nothing is validated again), so build one
// per transaction from a Sequence made once. The copy raises the counter by
// one per Next even when s reserves blocks. A nil q makes the copy's Next
// fail with ErrInvalidQuerier.
func (s *Sequence) WithTx(q Querier) *Sequence {
	if s == nil {
		return &Sequence{err: fmt.Errorf("%w: WithTx on a nil *Sequence", ErrInvalidQuerier)}
	}
	c := &Sequence{db: q, d: s.d, schema: s.schema, one: s.one, block: 1, err: s.err}
	if err := checkQuerier(q); err != nil {
		c.err = err
	}
	return c
}

// Schema returns the CREATE TABLE IF NOT EXISTS statement of the counter
// table, for a migration tool.
func (s *Sequence) Schema() string { return s.schema }

// CreateTable runs Schema on the Sequence's Querier. MySQL commits an open
// transaction before any CREATE TABLE, so call it outside one.
func (s *Sequence) CreateTable(ctx context.Context) error {
	if err := s.usable(); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.schema); err != nil {
		return fmt.Errorf("store: creating counter table: %w", err)
	}
	return nil
}

// usable reports why s cannot run statements, if it cannot.
func (s *Sequence) usable() error {
	switch {
	case s == nil || s.one == "":
		return fmt.Errorf("%w: Sequence not made by NewSequence", ErrInvalidQuerier)
	case s.err != nil:
		return s.err
	}
	return nil
}

// Next returns the scope's next value: 1 for a new scope, then one more on
// every call (with blocks, values of a block may be handed out in a
// different order across processes, never twice). Database and context
// errors come back wrapped; a longer scope than MaxScopeLength is refused
// with ErrScopeTooLong.
func (s *Sequence) Next(ctx context.Context, scope string) (uint64, error) {
	if err := s.usable(); err != nil {
		return 0, err
	}
	if n := utf8.RuneCountInString(scope); n > MaxScopeLength {
		return 0, fmt.Errorf("%w: %d characters, at most %d", ErrScopeTooLong, n, MaxScopeLength)
	}
	if s.blocks == nil {
		if a := attemptFor(ctx, s.db); a != nil {
			return s.nextInAttempt(ctx, a, scope)
		}
		return s.bump(ctx, s.one, 1, scope)
	}
	b, err := s.blocks.acquire(ctx, scope)
	if err != nil {
		return 0, err
	}
	defer b.release()
	if b.next != 0 && b.next <= b.last {
		v := b.next
		b.next++
		return v, nil
	}
	top, err := s.bump(ctx, s.bulk, s.block, scope)
	if err != nil {
		return 0, err
	}
	b.next, b.last = top-s.block+2, top
	return top - s.block + 1, nil
}

// nextInAttempt draws the value in the transaction of CreateTx's attempt,
// which it begins.
func (s *Sequence) nextInAttempt(ctx context.Context, a *attemptTx, scope string) (uint64, error) {
	a.rollback() // left by an earlier attempt that never reached its insert
	tx, err := a.begin(ctx)
	if err != nil {
		return 0, beforeCommit(ctx, fmt.Errorf("store: begin: %w", err))
	}
	v, err := bumpOn(ctx, tx, s.d, s.one, 1, scope)
	if err != nil {
		a.rollback()
		return 0, beforeCommit(ctx, err)
	}
	return v, nil
}

// Bounds of the retries of a counter upsert the database refused.
const (
	bumpAttempts = 12
	bumpDelay    = time.Millisecond
	bumpMaxDelay = 64 * time.Millisecond
)

// bump runs query, which raises the scope's counter by n, and returns the
// new value. On a *sql.DB, where each statement commits on its own, an
// upsert the database refused (a deadlock, a cluster's certification
// failure) stored nothing and is retried, with a growing, jittered wait. In
// a transaction the refusal ends the transaction, so it is returned.
func (s *Sequence) bump(ctx context.Context, query string, n uint64, scope string) (uint64, error) {
	_, autocommit := s.db.(*sql.DB)
	wait := bumpDelay
	for attempt := 1; ; attempt++ {
		v, err := bumpOn(ctx, s.db, s.d, query, n, scope)
		if err == nil || !autocommit || attempt == bumpAttempts || sqlerr.Classify(err) != sqlerr.Aborted {
			return v, err
		}
		t := time.NewTimer(rand.N(wait) + 1)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return 0, fmt.Errorf("store: next value of scope %q: %w (after %w)", scope, ctx.Err(), err)
		}
		wait = min(2*wait, bumpMaxDelay)
	}
}

// bumpOn runs the upsert query on q and returns the new value.
func bumpOn(ctx context.Context, q Querier, d Dialect, query string, n uint64, scope string) (uint64, error) {
	var v int64
	if d == MySQL {
		res, err := q.ExecContext(ctx, query, scope)
		if err != nil {
			return 0, fmt.Errorf("store: next value of scope %q: %w", scope, err)
		}
		if v, err = res.LastInsertId(); err != nil {
			return 0, fmt.Errorf("store: next value of scope %q: %w", scope, err)
		}
	} else if err := q.QueryRowContext(ctx, query, scope).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: next value of scope %q: %w", scope, err)
	}
	if v < 1 || uint64(v) < n {
		return 0, fmt.Errorf("%w: scope %q has value %d after adding %d", ErrCounterRange, scope, v, n)
	}
	return uint64(v), nil
}

// blockCache holds the reserved blocks, one per scope. The map's lock is
// held only to find a scope's block; the block's own lock is held across
// the round trip that refills it, so scopes never wait on each other.
type blockCache struct {
	mu     sync.Mutex
	scopes map[string]*block
}

// block is a scope's reserved values next..last still to hand out; next
// is 0 before the first reservation. sem, a one-slot channel, is its lock:
// a waiter can give up when its context ends.
type block struct {
	sem        chan struct{}
	next, last uint64
}

// acquire returns the scope's block, locked.
func (c *blockCache) acquire(ctx context.Context, scope string) (*block, error) {
	c.mu.Lock()
	b, ok := c.scopes[scope]
	if !ok {
		if len(c.scopes) >= maxCachedScopes {
			for k := range c.scopes { // evict one at random
				delete(c.scopes, k)
				break
			}
		}
		b = &block{sem: make(chan struct{}, 1)}
		c.scopes[scope] = b
	}
	c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: next value of scope %q: %w", scope, err)
	}
	select {
	case b.sem <- struct{}{}:
		return b, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("store: next value of scope %q: %w", scope, ctx.Err())
	}
}

func (b *block) release() { <-b.sem }
