package casenumtest

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/casemint/casemint/casenum"
)

var (
	_ casenum.Checker  = (*Store)(nil)
	_ casenum.Sequence = (*Store)(nil)
)

// Store is an in-memory table of case numbers with a UNIQUE column and a
// table of per-scope counters. It plays the three parts a database plays
// for a casenum.Generator:
//
//   - Exists is a casenum.Checker;
//   - Insert is an insert function for Generator.Create: it stores the
//     number, or returns an error wrapping casenum.ErrDuplicate when the
//     number is taken, as a unique violation would;
//   - Next is a casenum.Sequence: 1, 2, 3, ... per scope, with no gaps;
//     Advance moves a counter forward, past numbers stored by other means.
//
// It counts the calls to each method, so a test can assert round trips, and
// FailWith makes it fail on demand, as a database that went away would.
//
// A Store is safe for concurrent use. The zero value is an empty Store.
type Store struct {
	mu      sync.Mutex
	numbers map[string]struct{}
	seqs    map[string]uint64
	fail    error
	checks  int
	inserts int
	nexts   int
}

// NewStore returns an empty Store.
func NewStore() *Store { return &Store{} }

// Exists reports whether number is stored. It is a casenum.Checker.
func (s *Store) Exists(ctx context.Context, number string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks++
	if err := s.errLocked(ctx); err != nil {
		return false, err
	}
	_, ok := s.numbers[number]
	return ok, nil
}

// Insert stores number. If number is already stored it returns an error
// wrapping casenum.ErrDuplicate and leaves the Store as it was.
func (s *Store) Insert(ctx context.Context, number string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inserts++
	if err := s.errLocked(ctx); err != nil {
		return err
	}
	if _, ok := s.numbers[number]; ok {
		return fmt.Errorf("casenumtest: insert %q: %w", number, casenum.ErrDuplicate)
	}
	if s.numbers == nil {
		s.numbers = make(map[string]struct{})
	}
	s.numbers[number] = struct{}{}
	return nil
}

// Next returns the next counter of scope: 1 for a scope it has not seen,
// one more on every call after. It is a casenum.Sequence. A call that
// returns an error does not advance the counter.
func (s *Store) Next(ctx context.Context, scope string) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nexts++
	if err := s.errLocked(ctx); err != nil {
		return 0, err
	}
	if s.seqs == nil {
		s.seqs = make(map[string]uint64)
	}
	s.seqs[scope]++
	return s.seqs[scope], nil
}

// Advance moves the counter of scope forward so that Next returns more
// than last; a counter already at or past last stays as it is. It is the
// optional method of a casenum.Sequence that a Generator calls after a
// candidate's {seq} value turned out taken. A call that returns an error
// changes nothing.
func (s *Store) Advance(ctx context.Context, scope string, last uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.errLocked(ctx); err != nil {
		return err
	}
	if s.seqs == nil {
		s.seqs = make(map[string]uint64)
	}
	s.seqs[scope] = max(s.seqs[scope], last)
	return nil
}

// errLocked returns why a call must fail: ctx.Err() first, then the error
// set by FailWith.
func (s *Store) errLocked(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.fail
}

// FailWith makes every later call of Exists, Insert, Next and Advance return err as
// it is, unwrapped, without touching the data, until FailWith(nil). A done
// context still takes precedence: its error is returned instead. The calls
// are counted all the same.
func (s *Store) FailWith(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

// Add stores numbers directly, as rows that were there before the test, so
// that a Generator meets a collision. It bypasses FailWith and the
// counters, and ignores numbers already stored.
func (s *Store) Add(numbers ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.numbers == nil {
		s.numbers = make(map[string]struct{}, len(numbers))
	}
	for _, n := range numbers {
		s.numbers[n] = struct{}{}
	}
}

// Len returns how many numbers are stored.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.numbers)
}

// Contains reports whether number is stored, without counting a check.
func (s *Store) Contains(number string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.numbers[number]
	return ok
}

// Numbers returns the stored numbers in ascending order.
func (s *Store) Numbers() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.numbers))
	for n := range s.numbers {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Checks returns how many times Exists was called, failed calls included:
// each is one round trip to a real database.
func (s *Store) Checks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checks
}

// Inserts returns how many times Insert was called, duplicates and failed
// calls included.
func (s *Store) Inserts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inserts
}

// Nexts returns how many times Next was called, failed calls included.
func (s *Store) Nexts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nexts
}
