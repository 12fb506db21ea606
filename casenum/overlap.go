package casenum

import (
	"fmt"
	"time"
)

// What a character of a number means to Parse, for telling whether two
// layouts read one string as two numbers: nothing (a literal, a random
// token, a check character), a digit of the fields form of a date (1 to
// 17), a digit of {unixms}, a digit of {seq}, a character of {key}, a
// digit of {fy}.
const (
	meansNothing = 0
	meansUnixMS  = 32 // + the digit's index
	meansSeq     = 64 // + 1 for the digits of a permuted counter
	meansKey     = 66
	meansFY      = 128 // + 8*(month-1) + 4 for the year a fiscal year ends in + the index of the digit in the year
)

// atom is one character of a layout's canonical numbers: the bytes it can
// be, and what it means.
type atom struct {
	set   byteSet
	means uint8
}

// edge is a character of a layout's numbers, read from one state of its
// graph to another.
type edge struct {
	atom
	to int
}

// graph is a layout's canonical numbers as states joined by edges: a
// number is the characters of a walk from state 0 to a final state. Tokens
// whose width varies (a counter that grows, a {key}) branch.
type graph struct {
	out   [][]edge // out[s]: the edges from state s
	ends  []int    // the states where the text so far ends: where the next character starts from
	final []bool
}

// add adds a state reached by a from each state in ends, and makes it the
// only end.
func (g *graph) add(a atom) {
	s := len(g.out)
	g.out = append(g.out, nil)
	for _, e := range g.ends {
		g.out[e] = append(g.out[e], edge{a, s})
	}
	g.ends = []int{s}
}

// run adds a run of min to n atoms, n >= 1: the first first, the others
// rest.
func (g *graph) run(first, rest atom, min, n int) {
	var ends []int
	for i := range n {
		a := rest
		if i == 0 {
			a = first
		}
		g.add(a)
		if i+1 >= min {
			ends = append(ends, g.ends[0])
		}
	}
	g.ends = ends
}

// graph returns l's canonical numbers as a graph.
func (l *Layout) graph() *graph {
	g := &graph{out: make([][]edge, 1), ends: []int{0}}
	for i := range l.segs {
		sg := &l.segs[i]
		switch {
		case sg.kind == segLiteral:
			for j := 0; j < len(sg.text); j++ {
				g.add(literalAtom(sg.text[j]))
			}
		case sg.kind == segKey:
			g.run(classAtom("ABCDEFGHIJKLMNOPQRSTUVWXYZ", meansKey), tokenAtom(sg, sym[0], 0), 1, maxKey)
		case sg.vary:
			g.growingCounter(sg)
		default:
			d := 0 // symbols so far
			for j := 0; j < len(sg.shape); j++ {
				if c := sg.shape[j]; c >= ' ' {
					g.add(literalAtom(c))
				} else {
					g.add(tokenAtom(sg, c, d))
					d++
				}
			}
		}
	}
	g.final = make([]bool, len(g.out))
	for _, e := range g.ends {
		g.final[e] = true
	}
	return g
}

// growingCounter adds a counter that grows: its padding of N digits, or
// more digits, up to maxDigits, that start with no zero.
func (g *graph) growingCounter(sg *segment) {
	digit := tokenAtom(sg, sym[0], 0)
	from := append([]int(nil), g.ends...)
	g.run(digit, digit, len(sg.shape), len(sg.shape))
	padded := g.ends
	if len(sg.shape) < maxDigits {
		g.ends = from
		g.run(classAtom("123456789", meansSeq), digit, len(sg.shape)+1, maxDigits)
	}
	g.ends = append(g.ends, padded...)
}

func literalAtom(c byte) atom {
	var a atom
	a.set.add(c)
	return a
}

// classAtom returns an atom of the bytes of class that means means.
func classAtom(class string, means uint8) atom {
	a := atom{means: means}
	for i := 0; i < len(class); i++ {
		a.set.add(class[i])
	}
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
	case sg.kind == segKey:
		a.means = meansKey
	case sg.kind == segFY:
		a.means = fyMeaning(sg, d)
	case sg.kind == segUUID && uuidFixed(d) != "":
		a = classAtom(uuidFixed(d), meansNothing) // a version 4 UUID's version or variant digit
	}
	return a
}

// fyMeaning is what digit d of {fy} sg means: a digit of the year a
// fiscal year that starts in its month starts or ends in.
func fyMeaning(sg *segment, d int) uint8 {
	m := uint8(meansFY + 8*(sg.month-1) + 4 - len(sg.shape) + d)
	if sg.text == "end" {
		m += 4
	}
	return m
}

// difference is where two layouts first read a string differently: the
// 0-based position and what each reads there.
type difference struct {
	at     int
	ma, mb uint8
}

// overlap returns where a string that both a and b read, as numbers that
// mean different things to Parse, first differs in meaning, and whether
// there is such a string. Check characters and the calendar are left out,
// so it may see an overlap where they rule one out, never miss one. It
// walks the graphs of both in step, breadth first: a state of the walk is
// a state of each and whether their meanings differed on the way.
func overlap(a, b *Layout) (difference, bool) {
	x, y := a.graph(), b.graph()
	type pair struct {
		s, t   int
		differ bool
	}
	type visit struct {
		first difference // where the walk that got here first differed
		depth int
	}
	seen := map[pair]visit{{0, 0, false}: {}}
	for queue := []pair{{0, 0, false}}; len(queue) > 0; queue = queue[1:] {
		p := queue[0]
		v := seen[p]
		if p.differ && x.final[p.s] && y.final[p.t] {
			return v.first, true
		}
		for _, ex := range x.out[p.s] {
			for _, ey := range y.out[p.t] {
				q := pair{ex.to, ey.to, p.differ || ex.means != ey.means}
				if _, ok := seen[q]; ok || !ex.set.meets(ey.set) {
					continue
				}
				w := visit{v.first, v.depth + 1}
				if !p.differ && q.differ {
					w.first = difference{v.depth, ex.means, ey.means}
				}
				seen[q] = w
				queue = append(queue, q)
			}
		}
	}
	return difference{}, false
}

// refuseOverlaps returns an error naming two of layouts (nil ones
// skipped) that read one string as two numbers.
func refuseOverlaps(layouts []*Layout) error {
	for i, a := range layouts {
		for _, b := range layouts[i+1:] {
			if a == nil || b == nil {
				continue
			}
			if d, ok := overlap(a, b); ok {
				return fmt.Errorf("casenum: the layouts %q and %q read some numbers as two different ones: "+
					"from position %d, one reads %s and the other %s", a.src, b.src, d.at+1, meaning(d.ma), meaning(d.mb))
			}
		}
	}
	return nil
}

// meaning says what a character that means m is.
func meaning(m uint8) string {
	switch {
	case m == meansNothing:
		return "no date, time or counter"
	case m >= meansFY:
		f, edge := m-meansFY, "starts"
		if f%8 >= 4 {
			edge = "ends"
		}
		return fmt.Sprintf("digit %d of the year a fiscal year from %s %s in", f%4+1, time.Month(f/8+1), edge)
	case m == meansKey:
		return "the key of {key}"
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
