package casenum

import (
	"fmt"
)

// minPermDigits is the least width of {seq:N:perm}: FF1 permutes no
// fewer than a million values (NIST SP 800-38G, radix^minlen >= 10^6).
const minPermDigits = 6

// WithPermutationKey sets the AES key, of 16, 24 or 32 bytes, of the
// permutation behind {seq:N:perm}; New fails for a layout with one and no
// key. The key is copied.
//
// {seq:N:perm} renders the counter through FF1 (NIST SP 800-38G), a
// format-preserving cipher over AES, with the scope as tweak: N digits that
// no other counter of the scope shows, so numbers stay unique and the
// Sequence, gap-free in a transaction, draws plain counters as for {seq};
// a collision moves the counter past the taken one with Advance, as for
// {seq}. Parse gives the counter back. It never grows past its N digits:
// a counter beyond them fails the call with ErrExhausted naming the scope,
// unless a fallback layout takes over. What it hides: how many numbers a scope
// holds, and their order within it (INV-482913 tells nothing of
// INV-077204). What it does not: it is no secret a number proves, a scope
// that shows a date still says when, and numbers of two scopes compare as
// their scopes do. Keep the key as you keep the data: without it Parse
// cannot give the counters back, and a new key renders other numbers for
// the same counters, which may be numbers the old key rendered already;
// Create retries those as collisions.
func WithPermutationKey(key []byte) Option {
	return func(c *config) error {
		c.permKey = append([]byte(nil), key...)
		return nil
	}
}

// setPermutation makes g's permutation from its key, and refuses a layout
// with {seq:N:perm} and no key.
func (g *Generator) setPermutation() error {
	if g.permKey != nil {
		f, err := newFF1(g.permKey)
		if err != nil {
			return err
		}
		g.perm = f
	}
	for _, l := range g.reads.layouts {
		if l != nil && g.perm == nil && l.seqSegment().perm {
			return fmt.Errorf("casenum: the layout %q has a permuted counter but no key was given (WithPermutationKey)", l.src)
		}
	}
	return nil
}

// seqSegment returns l's {seq} token, or an empty segment without one.
func (l *Layout) seqSegment() *segment {
	for i := range l.segs {
		if l.segs[i].kind == segSeq {
			return &l.segs[i]
		}
	}
	return &segment{}
}
