// Package counter hands out the values of per-scope counters kept in a
// database table: it checks scopes and values, retries a counter upsert
// the database refused, and serves values from blocks reserved in one
// round trip. The statements themselves come from the caller.
package counter

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/sqlstmt"
)

// Errors of store and store/pgxstore; store exports them under the same
// names.
var (
	ErrInvalidOption = errors.New("store: invalid option")
	ErrScopeTooLong  = errors.New("store: scope too long")
	ErrCounterRange  = errors.New("store: counter out of range")
)

// CheckScope refuses a scope longer than the counter table holds, instead
// of letting a database cut it short, which could make two scopes share a
// counter.
func CheckScope(scope string) error {
	if n := utf8.RuneCountInString(scope); n > sqlstmt.MaxScopeLength {
		return fmt.Errorf("%w: %d characters, at most %d", ErrScopeTooLong, n, sqlstmt.MaxScopeLength)
	}
	return nil
}

// CheckBlock refuses a block size below 1.
func CheckBlock(n int) error {
	if n < 1 {
		return fmt.Errorf("%w: block size %d, want at least 1", ErrInvalidOption, n)
	}
	return nil
}

// Bounds of the retries of a counter upsert the database refused.
const (
	bumpAttempts = 50
	bumpDelay    = time.Millisecond
	bumpMaxDelay = 100 * time.Millisecond
)

// Bump runs raise, which raises a scope's counter by n in one statement
// and returns the new value, and checks the value. With retry (a handle
// on which each statement commits on its own), an upsert the database
// refused (a deadlock, a cluster's certification failure) stored nothing
// and is run again, after a growing, jittered wait. In a transaction the
// refusal ends the transaction, so it is returned.
func Bump(ctx context.Context, n uint64, retry bool, raise func(context.Context) (int64, error)) (uint64, error) {
	wait := bumpDelay
	for attempt := 1; ; attempt++ {
		v, err := raise(ctx)
		if err == nil {
			if v < 1 || uint64(v) < n {
				return 0, fmt.Errorf("%w: value %d after adding %d", ErrCounterRange, v, n)
			}
			return uint64(v), nil
		}
		if !retry || attempt == bumpAttempts || casenum.Classify(err) != casenum.Aborted {
			return 0, err
		}
		t := time.NewTimer(rand.N(wait) + 1)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return 0, fmt.Errorf("%w (after %w)", ctx.Err(), err)
		}
		wait = min(2*wait, bumpMaxDelay)
	}
}

// maxCachedScopes bounds the block cache, so per-day scopes do not pile up
// for ever; the rest of an evicted scope's block is lost, a gap.
const maxCachedScopes = 1024

// Blocks hands out values from blocks reserved in the database, one block
// per scope. The map's lock is held only to find a scope's block; the
// block's own lock is held across the round trip that refills it, so
// scopes never wait on each other. It is safe for concurrent use.
type Blocks struct {
	size   uint64
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

// NewBlocks returns a cache of blocks of size values; size is at least 2.
func NewBlocks(size int) *Blocks {
	return &Blocks{size: uint64(size), scopes: make(map[string]*block)}
}

// Size returns the number of values in a block.
func (c *Blocks) Size() uint64 { return c.size }

// Next returns the scope's next value from its block, calling reserve,
// which raises the scope's counter by Size and returns the new value, when
// the block is used up.
func (c *Blocks) Next(ctx context.Context, scope string, reserve func(context.Context) (uint64, error)) (uint64, error) {
	b, err := c.acquire(ctx, scope)
	if err != nil {
		return 0, err
	}
	defer b.release()
	if b.next != 0 && b.next <= b.last {
		v := b.next
		b.next++
		return v, nil
	}
	top, err := reserve(ctx)
	if err != nil {
		return 0, err
	}
	b.next, b.last = top-c.size+2, top
	return top - c.size + 1, nil
}

// acquire returns the scope's block, locked.
func (c *Blocks) acquire(ctx context.Context, scope string) (*block, error) {
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
		return nil, err
	}
	select {
	case b.sem <- struct{}{}:
		return b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (b *block) release() { <-b.sem }
