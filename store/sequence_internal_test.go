package store

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
)

// bumpDB plays the MySQL counter statement: it adds step to the scope's
// value and reports it as LastInsertId.
type bumpDB struct {
	step   int64
	values map[string]int64
}

type lastID int64

func (r lastID) LastInsertId() (int64, error) { return int64(r), nil }
func (r lastID) RowsAffected() (int64, error) { return 1, nil }

func (b *bumpDB) ExecContext(_ context.Context, _ string, args ...any) (sql.Result, error) {
	scope := args[0].(string)
	b.values[scope] += b.step
	return lastID(b.values[scope]), nil
}

func (b *bumpDB) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, fmt.Errorf("bumpDB: no queries")
}

func (b *bumpDB) QueryRowContext(context.Context, string, ...any) *sql.Row { return nil }

// The block cache keeps at most maxCachedScopes scopes; an evicted scope
// reserves a new block, losing the rest of the old one, never reusing it.
func TestBlockCacheEviction(t *testing.T) {
	t.Parallel()
	db := &bumpDB{step: 10, values: map[string]int64{}}
	s, err := NewSequence(db, MySQL, "counters", WithBlock(10))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	seen := map[string]map[uint64]bool{}
	for round := range 2 {
		for i := range maxCachedScopes + 100 {
			scope := fmt.Sprintf("S%d-", i)
			v, err := s.Next(ctx, scope)
			if err != nil {
				t.Fatal(err)
			}
			if seen[scope] == nil {
				seen[scope] = map[uint64]bool{}
			}
			if seen[scope][v] {
				t.Fatalf("round %d: scope %q handed out %d twice", round, scope, v)
			}
			seen[scope][v] = true
		}
		if n := len(s.blocks.scopes); n > maxCachedScopes {
			t.Fatalf("block cache holds %d scopes, want at most %d", n, maxCachedScopes)
		}
	}
	// The 100 scopes evicted in round 0 (and more in round 1) had to
	// reserve a second block.
	again := 0
	for _, v := range db.values {
		if v == 20 {
			again++
		}
	}
	if again < 100 {
		t.Errorf("%d scopes reserved a second block, want at least 100", again)
	}
}
