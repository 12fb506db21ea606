package casenum

import (
	"unicode"
	"unicode/utf8"
)

// Match is a case number that Find found in a text.
type Match struct {
	Number     string // the canonical number
	Start, End int    // text[Start:End] is what was read as the number
}

// Find returns the numbers of the layout in text, such as an e-mail that
// mentions its case, in the order they appear and without overlap. It
// reads each the way Normalize reads what a person typed: in any case,
// with white space or other separators between (and inside) the parts, or
// none, and with the Crockford look-alikes. It needs the layout's literal
// text (CASE in CASE-{date}-{seq:6}{check}), in any case, as Normalize
// does. A number must stand apart: one that runs on into letters or digits
// on either side is none, so is one whose check character or fields do not
// agree. Find returns the canonical numbers, each with the bytes of text it
// read, Start to End; nil when it finds none.
//
// Text is not a typed number, so three things read apart from Normalize:
// white space within a counter that grows ends it past its padding (in
// "PROJ-12 3 days", PROJ-12), such a counter has a digit typed as one (the
// "o" of "No." is none), and a {key} that may be any key is taken only in
// upper case, as keys are written (not the "utf" of "utf-8"). A Generator
// made by ForKey reads its key in any case.
//
// Find takes time linear in the length of text. It finds what the layout
// says and no more: a layout whose only text is tokens, such as
// {alnum:8}, matches any word of its shape, and only a check character
// weeds most of those out; {key}-{seq} matches any upper-case word before
// a number (COVID-19), unless the key is known.
func (l *Layout) Find(text string) []Match {
	return l.set().find(text)
}

// Find is Layout.Find with the Generator's layouts: its layout, its
// fallback layout and its former layouts, with dates in its Location, and
// for a Generator made by ForKey, its key only.
// Where two layouts read numbers from the same place, the longer reading
// wins; two different numbers of the same length are no match, as
// Normalize refuses them.
func (g *Generator) Find(text string) []Match {
	return g.reads.find(text)
}

// find walks text once, trying to read a number wherever one can start:
// after a character that is no letter or digit, at a byte a layout starts
// with.
func (s layoutSet) find(text string) []Match {
	var first byteSet
	for _, l := range s.layouts {
		if l != nil {
			first.union(&l.first)
		}
	}
	// A class a byte: 1 for an ASCII letter or digit, 2 for a byte a number
	// can start with.
	var class [256]uint8
	for c := range 256 {
		if isAlpha(byte(c)) || isDigit(byte(c)) {
			class[c] = 1
		}
		if first.has(byte(c)) {
			class[c] |= 2
		}
	}
	var ms []Match
	var r reading
	word := false // the character before i is a letter or a digit
	for i := 0; i < len(text); {
		c := text[i]
		if class[c]&2 != 0 && !word {
			if m, ok := s.matchAt(&r, text, i); ok {
				ms = append(ms, m)
				last, _ := utf8.DecodeLastRuneInString(text[:m.End])
				i, word = m.End, isWord(last)
				continue
			}
		}
		if c < utf8.RuneSelf {
			i, word = i+1, class[c]&1 != 0
			continue
		}
		rn, size := utf8.DecodeRuneInString(text[i:])
		i, word = i+size, isWord(rn)
	}
	return ms
}

// matchAt reads a number of each layout at byte i of text, and returns
// the longest reading that ends apart from a letter or digit.
func (s layoutSet) matchAt(r *reading, text string, i int) (Match, bool) {
	var p pick
	for _, l := range s.layouts {
		if l == nil || !l.first.has(text[i]) {
			continue
		}
		// Like Normalize, Find reads no number spaced out past 4 times its
		// length: the work at any byte is bounded.
		r.begin(text[:min(len(text), i+4*l.size)], i, s.key, true, true)
		if r.segments(l) && r.agree(s.loc) && (r.pos == len(text) || !startsWord(text[r.pos:])) {
			p.offer(text, i, r)
		}
	}
	return p.best, p.best.End > 0 && !p.ambiguous
}

// pick chooses among the readings of layouts at one place: the longest;
// of two different numbers of one length, the one typed exactly as it
// renders (Normalize keeps a number that validates), else neither.
type pick struct {
	best      Match
	exact     bool
	ambiguous bool
}

func (p *pick) offer(text string, i int, r *reading) {
	exact := string(r.out) == text[i:r.pos]
	switch {
	case r.pos < p.best.End, r.pos == p.best.End && (string(r.out) == p.best.Number || p.exact && !exact):
		return
	case r.pos == p.best.End && exact == p.exact:
		p.ambiguous = true
		return
	}
	p.best, p.exact, p.ambiguous = Match{Number: string(r.out), Start: i, End: r.pos}, exact, false
}

// isWord reports whether c is a letter or a digit, which a number must not
// run on into.
func isWord(c rune) bool {
	if c < utf8.RuneSelf {
		return isAlpha(byte(c)) || isDigit(byte(c))
	}
	return unicode.IsLetter(c) || unicode.IsDigit(c)
}

// startsWord reports whether s starts with a letter or a digit.
func startsWord(s string) bool {
	c, _ := utf8.DecodeRuneInString(s)
	return isWord(c)
}

// byteSet is a set of bytes.
type byteSet [4]uint64

func (b *byteSet) add(c byte)      { b[c>>6] |= 1 << (c & 63) }
func (b *byteSet) has(c byte) bool { return b[c>>6]&(1<<(c&63)) != 0 }

// union adds the bytes of o to b.
func (b *byteSet) union(o *byteSet) {
	for i := range b {
		b[i] |= o[i]
	}
}

// meets reports whether b and o share a byte.
func (b *byteSet) meets(o byteSet) bool {
	return b[0]&o[0]|b[1]&o[1]|b[2]&o[2]|b[3]&o[3] != 0
}

// firstBytes returns the bytes a number of l can start with as a person
// types it: a literal's first letter in any case, any separator where the
// layout has one (it may also be left out, so the next counts too), a
// token's first symbol as Normalize reads it; a {key}'s first letter.
func (l *Layout) firstBytes() byteSet {
	var set byteSet
	for _, sg := range l.segs {
		if sg.kind == segLiteral {
			if literalFirst(&set, sg.text) {
				return set
			}
			continue
		}
		for j := 0; j < len(sg.shape); j++ {
			if sg.kind == segKey {
				for c := byte('A'); c <= 'Z'; c++ {
					set.add(c)
					set.add(c | 0x20)
				}
				return set
			}
			if sg.shape[j] < ' ' {
				for c := range 256 {
					if _, ok := sg.syms.read(byte(c), true); ok {
						set.add(byte(c))
					}
				}
				return set
			}
			addSeparators(&set)
		}
	}
	return set
}

// literalFirst adds the bytes lit can start with, and reports whether it
// must start with one of them: white space and separators may be left out.
func literalFirst(set *byteSet, lit string) bool {
	for _, c := range lit {
		switch {
		case unicode.IsSpace(c):
		case c < utf8.RuneSelf && isSeparator(byte(c)):
			addSeparators(set)
		default:
			for f := unicode.SimpleFold(c); ; f = unicode.SimpleFold(f) {
				var b [utf8.UTFMax]byte
				utf8.EncodeRune(b[:], f)
				set.add(b[0])
				if f == c {
					return true
				}
			}
		}
	}
	return false
}

// addSeparators adds the bytes that can stand for a separator.
func addSeparators(set *byteSet) {
	for c := byte(' '); c < 0x7f; c++ {
		if isSeparator(c) {
			set.add(c)
		}
	}
}
