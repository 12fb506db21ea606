package sqlcore

import (
	"context"
	"sync"
)

// maxCachedScopes bounds the block cache, so per-day scopes do not pile up
// for ever; the rest of an evicted scope's block is lost, a gap.
const maxCachedScopes = 1024

// blocks hands out values from blocks reserved in the database, one block
// per scope. The map's lock is held only to find a scope's block; the
// block's own lock is held across the round trip that refills it, so
// scopes never wait on each other. It is safe for concurrent use.
type blocks struct {
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

// newBlocks returns a cache of blocks of size values; size is at least 2.
func newBlocks(size int) *blocks {
	return &blocks{size: uint64(size), scopes: make(map[string]*block)}
}

// next returns the scope's next value from its block, calling reserve,
// which raises the scope's counter by the block's size and returns the new
// value, when the block is used up.
func (c *blocks) next(ctx context.Context, scope string, reserve func(context.Context) (uint64, error)) (uint64, error) {
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

// skip runs advance, which raises the scope's counter to at least last,
// with the scope's block held, and drops the values up to last from the
// block. Held, the block cannot reserve values below last meanwhile.
func (c *blocks) skip(ctx context.Context, scope string, last uint64, advance func(context.Context) error) error {
	b, err := c.acquire(ctx, scope)
	if err != nil {
		return err
	}
	defer b.release()
	if err := advance(ctx); err != nil {
		return err
	}
	if b.next != 0 && b.next <= last {
		b.next = last + 1 // past b.last, the block is used up
	}
	return nil
}

// acquire returns the scope's block, locked.
func (c *blocks) acquire(ctx context.Context, scope string) (*block, error) {
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
