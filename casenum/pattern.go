package casenum

import (
	"fmt"
	"regexp"
	"strings"
)

// Pattern returns a regular expression, in the RE2 syntax of package
// regexp (and of most engines: OpenAPI patterns, databases, log filters),
// that matches the shape of the layout's canonical numbers: its literal
// text, and for each token its characters and width, with each date field
// in its range (a month from 01 to 12, an hour from 00 to 23) and a UUID's
// version and variant digits. A counter that grows has its padding and up
// to 18 digits, with no zero beyond its padding; a {key} is an upper-case
// letter and up to 15 more upper-case letters and digits.
//
// It is unanchored, to find numbers in text; wrap it in ^(?:...)$ to match
// a whole string. It checks the shape only: the check character, whether a
// day exists in its month, and whether the fields agree are left to
// Validate, which accepts a subset of what the pattern matches.
func (l *Layout) Pattern() string {
	var b strings.Builder
	for i := range l.segs {
		sg := &l.segs[i]
		switch sg.kind {
		case segLiteral:
			b.WriteString(regexp.QuoteMeta(sg.text))
		case segDate:
			writeDatePattern(&b, sg.shape)
		case segUnixMS:
			b.WriteString("[1-9][0-9]{12}")
		case segUUID:
			writeUUIDPattern(&b, sg.shape)
		case segKey:
			fmt.Fprintf(&b, "[A-Z]%s{0,%d}", keySymbols.class, maxKey-1)
		case segSeq:
			writeSeqPattern(&b, sg)
		default:
			writeClass(&b, sg.syms.class, len(sg.shape))
		}
	}
	return b.String()
}

// writeClass writes n characters of a class.
func writeClass(b *strings.Builder, class string, n int) {
	switch {
	case n == 1:
		b.WriteString(class)
	case n > 1:
		fmt.Fprintf(b, "%s{%d}", class, n)
	}
}

// writeSeqPattern writes a counter: its N digits, or for one that grows,
// longer, with no zero beyond its padding. The longer form comes first, so
// that an unanchored match takes all of a counter's digits.
func writeSeqPattern(b *strings.Builder, sg *segment) {
	n := len(sg.shape)
	if !sg.vary || n == maxDigits {
		writeClass(b, digitSymbols.class, n)
		return
	}
	fmt.Fprintf(b, "(?:[1-9][0-9]{%d,%d}|", n, maxDigits-1)
	writeClass(b, digitSymbols.class, n)
	b.WriteString(")")
}

// writeDatePattern writes a date token's shape: its separators, and each
// field as the digits it can show.
func writeDatePattern(b *strings.Builder, shape string) {
	for j := 0; j < len(shape); {
		c := shape[j]
		if c >= ' ' {
			b.WriteString(regexp.QuoteMeta(shape[j : j+1]))
			j++
			continue
		}
		for _, f := range dateFields {
			if f.at == c {
				b.WriteString(f.pattern)
				j += len(f.layout)
				break
			}
		}
	}
}

// writeUUIDPattern writes a UUID's shape: hex digits, but a version 4 in
// the 13th and the variant in the 17th.
func writeUUIDPattern(b *strings.Builder, shape string) {
	d, run := 0, 0
	for j := 0; j < len(shape); j++ {
		if shape[j] == '-' {
			writeClass(b, hexSymbols.class, run)
			b.WriteByte('-')
			run = 0
			continue
		}
		fixed := uuidFixed(d)
		d++
		if fixed == "" {
			run++
			continue
		}
		writeClass(b, hexSymbols.class, run)
		run = 0
		if len(fixed) > 1 {
			fixed = "[" + fixed + "]"
		}
		b.WriteString(fixed)
	}
	writeClass(b, hexSymbols.class, run)
}
