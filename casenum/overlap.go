package casenum

import "fmt"

// What a character of a number means to Parse, for telling whether two
// layouts read one string as two numbers: nothing (a literal, a random
// token, a check character), a digit of the fields form of a date (1 to
// 17), a digit of {unixms}, a digit of {seq}.
const (
	meansNothing = 0
	meansUnixMS  = 32 // + the digit's index
	meansSeq     = 64
)

// atom is one character of a layout's canonical numbers: the bytes it can
// be, and what it means.
type atom struct {
	set   byteSet
	means uint8
}

// atoms returns the characters of l's canonical numbers, in order.
func (l *Layout) atoms() []atom {
	var as []atom
	for _, sg := range l.segs {
		if sg.kind == segLiteral {
			for i := 0; i < len(sg.text); i++ {
				as = append(as, literalAtom(sg.text[i]))
			}
			continue
		}
		d := 0 // symbols so far
		for j := 0; j < len(sg.shape); j++ {
			c := sg.shape[j]
			if c >= ' ' {
				as = append(as, literalAtom(c))
				continue
			}
			as = append(as, tokenAtom(&sg, c, d))
			d++
		}
	}
	return as
}

func literalAtom(c byte) atom {
	var a atom
	a.set.add(c)
	return a
}

// tokenAtom returns the d-th symbol of token sg, c in its shape.
func tokenAtom(sg *segment, c byte, d int) atom {
	var a atom
	for b := range 256 {
		if _, ok := sg.syms.read(byte(b), false); ok {
			a.set.add(byte(b))
		}
	}
	switch {
	case sg.kind == segDate:
		a.means = 1 + c
	case sg.kind == segUnixMS:
		a.means = meansUnixMS + uint8(d)
		if d == 0 {
			a.set[0] &^= 1 << '0' // no leading zero
		}
	case sg.kind == segSeq && sg.perm:
		a.means = meansSeq + 1 // digits that are not the counter
	case sg.kind == segSeq:
		a.means = meansSeq
	case sg.kind == segUUID && (d == 12 || d == 16):
		// A version 4 UUID's version digit and variant digit.
		fixed := "4"
		if d == 16 {
			fixed = "89ab"
		}
		a.set = byteSet{}
		for i := range len(fixed) {
			a.set.add(fixed[i])
		}
	}
	return a
}

// overlap reports where a string that both a and b read, as numbers that
// mean different things to Parse, first differs in meaning: a 0-based
// position; -1 when there is no such string. Check characters and the
// calendar are left out, so it may see an overlap where they rule one
// out, never miss one.
func overlap(a, b *Layout) int {
	x, y := a.atoms(), b.atoms()
	if len(x) != len(y) {
		return -1
	}
	at := -1
	for i := range x {
		if !x[i].set.meets(y[i].set) {
			return -1
		}
		if at < 0 && x[i].means != y[i].means {
			at = i
		}
	}
	return at
}

// refuseOverlaps returns an error naming two of layouts (nil ones
// skipped) that read one string as two numbers.
func refuseOverlaps(layouts []*Layout) error {
	for i, a := range layouts {
		for _, b := range layouts[i+1:] {
			if a == nil || b == nil {
				continue
			}
			if at := overlap(a, b); at >= 0 {
				return fmt.Errorf("casenum: the layouts %q and %q read some numbers as two different ones: "+
					"from position %d, one reads %s and the other %s", a.src, b.src, at+1, meaning(a, at), meaning(b, at))
			}
		}
	}
	return nil
}

// meaning says what the character at position i of l's numbers is.
func meaning(l *Layout, i int) string {
	m := l.atoms()[i].means
	switch {
	case m == meansNothing:
		return "no date, time or counter"
	case m >= meansSeq:
		return "the counter of {seq}"
	case m >= meansUnixMS:
		return "the time of {unixms}"
	}
	return "the " + fieldName(m-1) + " of a date"
}

// fieldName names the field of digit i of the fields form.
func fieldName(i byte) string {
	switch {
	case i < 4:
		return "year"
	case i < 6:
		return "month"
	case i < 8:
		return "day"
	case i < 11:
		return "day of the year"
	case i < 13:
		return "hour"
	case i < 15:
		return "minute"
	}
	return "second"
}
