package casenum

import (
	"fmt"
	"strings"
	"sync"
)

// maxRedraws bounds how often a candidate's random tokens are drawn again
// because its {alnum} runs spell a blocked word: a fair draw is blocked
// rarely, so only a list that blocks (nearly) every draw, or a broken
// Random, comes near it.
const maxRedraws = 100

// blocklist finds the words that {alnum} must not spell: an Aho-Corasick
// automaton over the 32 symbols of Crockford base32, into which the words
// are folded (case, and the look-alikes O as 0, I and L as 1), so that it
// reads the canonical symbols a token renders.
type blocklist struct {
	next [][32]uint16 // next[s][v]: the state after symbol value v in state s
	hit  []bool       // the state's text ends with a word
}

// defaultBlocklist is the built-in list, compiled once on first use.
var defaultBlocklist = sync.OnceValue(func() *blocklist {
	b, err := newBlocklist(strings.Fields(defaultBlockWords))
	if err != nil {
		panic(err) // the built-in list is constant and tested
	}
	return b
})

// newBlocklist compiles words, or returns nil when there are none. A word
// with a U can never be rendered (U is no symbol and has no look-alike)
// and is left out.
func newBlocklist(words []string) (*blocklist, error) {
	b := &blocklist{next: make([][32]uint16, 1), hit: make([]bool, 1)}
	for _, w := range words {
		if err := b.add(w); err != nil {
			return nil, err
		}
	}
	if len(b.next) == 1 {
		return nil, nil
	}
	b.link()
	return b, nil
}

// add puts a word into the automaton's trie.
func (b *blocklist) add(word string) error {
	if word == "" {
		return fmt.Errorf("casenum: an empty word in the blocklist")
	}
	vals := make([]byte, 0, len(word))
	renderable := true // a word with a U, which {alnum} never renders, needs no place
	for i := 0; i < len(word); i++ {
		c := word[i]
		if !isDigit(c) && !isAlpha(c) {
			return fmt.Errorf("casenum: blocklist word %q: only ASCII letters and digits can be rendered", word)
		}
		v, ok := crockfordValue(c)
		renderable = renderable && ok
		vals = append(vals, v)
	}
	if !renderable {
		return nil
	}
	s := uint16(0)
	for _, v := range vals {
		if b.next[s][v] == 0 {
			if len(b.next) == 1<<16 {
				return fmt.Errorf("casenum: the blocklist is too long: %q and the words after it do not fit", word)
			}
			b.next = append(b.next, [32]uint16{})
			b.hit = append(b.hit, false)
			b.next[s][v] = uint16(len(b.next) - 1)
		}
		s = b.next[s][v]
	}
	b.hit[s] = true
	return nil
}

// link turns the trie into the automaton: breadth first, each state's
// missing transitions go where its longest proper suffix in the trie goes.
func (b *blocklist) link() {
	fail := make([]uint16, len(b.next))
	queue := make([]uint16, 0, len(b.next))
	for _, t := range b.next[0] {
		if t != 0 {
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		b.hit[s] = b.hit[s] || b.hit[fail[s]]
		for v, t := range b.next[s] {
			if t == 0 {
				b.next[s][v] = b.next[fail[s]][v]
				continue
			}
			fail[t] = b.next[fail[s]][v]
			queue = append(queue, t)
		}
	}
}

// feed runs the automaton from state s over the rendered symbols of text
// and reports whether a word ended in it.
func (b *blocklist) feed(s uint16, text []byte) (uint16, bool) {
	for _, c := range text {
		v, ok := crockfordValue(c)
		if !ok {
			s = 0
			continue
		}
		if s = b.next[s][v]; b.hit[s] {
			return s, true
		}
	}
	return s, false
}

// allowed returns how many strings of n symbols spell no word.
func (b *blocklist) allowed(n int) float64 {
	count := make([]float64, len(b.next))
	step := make([]float64, len(b.next))
	count[0] = 1
	for range n {
		clear(step)
		for s, c := range count {
			if c == 0 {
				continue
			}
			for _, t := range b.next[s] {
				if !b.hit[t] {
					step[t] += c
				}
			}
		}
		count, step = step, count
	}
	total := 0.0
	for _, c := range count {
		total += c
	}
	return total
}

// scan follows the {alnum} runs of a candidate through blocklist b: it
// reads the text that sg rendered.
func (r *renderer) scan(b *blocklist, sg *segment, text []byte) {
	if !sg.run {
		r.word = 0
		return
	}
	var hit bool
	r.word, hit = b.feed(r.word, text)
	r.hit = r.hit || hit
}
