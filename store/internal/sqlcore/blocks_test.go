package sqlcore

import (
	"context"
	"fmt"
	"testing"
)

// The block cache keeps at most maxCachedScopes scopes; an evicted scope
// reserves a new block, losing the rest of the old one, never reusing it.
func TestBlocksEviction(t *testing.T) {
	t.Parallel()
	const size = 10
	counters := map[string]uint64{} // the database's counters
	c := newBlocks(size)
	ctx := t.Context()
	seen := map[string]map[uint64]bool{}
	for round := range 2 {
		for i := range maxCachedScopes + 100 {
			scope := fmt.Sprintf("S%d-", i)
			v, err := c.next(ctx, scope, func(context.Context) (uint64, error) {
				counters[scope] += size
				return counters[scope], nil
			})
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
		if n := len(c.scopes); n > maxCachedScopes {
			t.Fatalf("block cache holds %d scopes, want at most %d", n, maxCachedScopes)
		}
	}
	// The 100 scopes evicted in round 0 (and more in round 1) had to
	// reserve a second block.
	again := 0
	for _, v := range counters {
		if v == 2*size {
			again++
		}
	}
	if again < 100 {
		t.Errorf("%d scopes reserved a second block, want at least 100", again)
	}
}
