package casenum

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxInput bounds what Validate and Normalize read, unless a layout renders
// longer numbers: it keeps a hostile input cheap to refuse.
const maxInput = 256

// Validate reports whether number is a case number of the layout exactly as
// it renders: the literals, each token's shape (a real calendar date, a
// version 4 UUID's fixed digits) and the check character. It returns nil,
// or a *NumberError wrapping ErrInvalidNumber that says what is wrong and
// where.
func (l *Layout) Validate(number string) error {
	_, _, err := read(number, false, l)
	return err
}

// Normalize turns what a person typed into the canonical number of the
// layout: it ignores white space and letter case, lets a separator between
// the layout's parts (or inside a date or a UUID) be typed as another or
// left out, and reads the Crockford look-alikes I and L as 1 and O as 0 in
// the tokens. Every token has a fixed width, so a separator mistyped as a
// digit cannot hide in a run of digits. A number that validates comes back
// as it is. Input that cannot be read returns a
// *NumberError wrapping ErrInvalidNumber.
func (l *Layout) Normalize(input string) (string, error) {
	return normalize(input, l)
}

// Validate is Layout.Validate with the Generator's layout, then its
// fallback layout. Validate never consults the Checker: a valid number may
// be unknown.
func (g *Generator) Validate(number string) error {
	_, _, err := read(number, false, g.layout, g.fallback)
	return err
}

// Normalize is Layout.Normalize with the Generator's layout, then its
// fallback layout: a number that validates with either comes back as it
// is. Typed input that reads as a number of both, different ones (upper-case
// hex reads as Crockford base32 too), is refused as ambiguous.
func (g *Generator) Normalize(input string) (string, error) {
	return normalize(input, g.layout, g.fallback)
}

// Parts is what a case number holds, as Generator.Parse reads it.
type Parts struct {
	Fallback bool      // the number is of the fallback layout
	Time     time.Time // the earliest instant its time tokens allow, in the Generator's Location; zero without
	Scope    string    // the text before {seq}; "" without
	Seq      uint64    // the {seq} value; 0 without
}

// Parse reads what a number holds: when it was minted, to the millisecond
// with {unixms} and otherwise to the finest field of its date tokens (a
// {date} number reads as the day's first instant in the Generator's
// Location, midnight where the day has one); its {seq}
// scope and value; and whether it is of the fallback layout. Date fields a
// layout leaves out take the values time.Parse gives them: year 0, January,
// the first, midnight.
//
// Parse accepts exactly what Validate accepts; for anything else it returns
// a *NumberError wrapping ErrInvalidNumber. Normalize typed input first.
func (g *Generator) Parse(number string) (Parts, error) {
	r, i, err := read(number, false, g.layout, g.fallback)
	if err != nil {
		return Parts{}, err
	}
	p := Parts{Fallback: i == 1}
	switch {
	case r.ms >= 0:
		p.Time = time.UnixMilli(r.ms).In(g.loc)
	case r.date.have != 0:
		p.Time = r.date.time(g.loc)
	}
	if r.seqAt >= 0 {
		p.Scope, p.Seq = number[:r.seqAt], r.seq
	}
	return p, nil
}

func normalize(input string, layouts ...*Layout) (string, error) {
	if _, _, err := read(input, false, layouts...); err == nil {
		return input, nil
	}
	if len(input) > 4*inputLimit(layouts) {
		// Bounded work on hostile input: even spaced out, no number is
		// this long.
		return "", &NumberError{Reason: fmt.Sprintf("%d bytes is longer than any case number", len(input))}
	}
	if !utf8.ValidString(input) {
		return "", &NumberError{Reason: "not valid UTF-8"}
	}
	if trimmed := strings.TrimSpace(input); trimmed != input {
		if _, _, err := read(trimmed, false, layouts...); err == nil {
			return trimmed, nil
		}
	}
	s := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, input)
	r, i, err := read(s, true, layouts...)
	if err != nil {
		return "", err
	}
	// Read loosely, a number may fit another layout too (upper-case hex is
	// also Crockford base32): then the input does not say which was meant.
	for _, l := range layouts[i+1:] {
		if l == nil {
			continue
		}
		if o := l.read(s, true); o.err == nil && string(o.out) != string(r.out) {
			return "", &NumberError{Input: s, Reason: fmt.Sprintf("ambiguous: reads as %s and as %s", r.out, o.out)}
		}
	}
	return string(r.out), nil
}

// inputLimit is the longest input worth reading for layouts.
func inputLimit(layouts []*Layout) int {
	limit := maxInput
	for _, l := range layouts {
		if l != nil {
			limit = max(limit, l.size)
		}
	}
	return limit
}

// NumberError is the error of Validate, Normalize and Parse: why an input
// is not a case number of a layout. It wraps ErrInvalidNumber. Its Reason
// and Position are meant for people: an API can answer with them without
// the package's prefix.
type NumberError struct {
	Input    string // what was read: for Normalize, the input without white space
	Position int    // 1-based byte position of the fault in Input; 0 when it concerns the whole input
	Reason   string // what is wrong, such as "check digit does not match: ..."
}

// Error returns the reason with the input and the position.
func (e *NumberError) Error() string {
	switch {
	case e.Input == "":
		return fmt.Sprintf("%v: %s", ErrInvalidNumber, e.Reason)
	case e.Position == 0:
		return fmt.Sprintf("%v: %q: %s", ErrInvalidNumber, e.Input, e.Reason)
	}
	return fmt.Sprintf("%v: %q: %s at position %d", ErrInvalidNumber, e.Input, e.Reason, e.Position)
}

// Unwrap returns ErrInvalidNumber.
func (e *NumberError) Unwrap() error { return ErrInvalidNumber }

// read reads s with each layout in turn, skipping nil ones, and returns the
// first reading that succeeds with the layout's index, or the error of the
// layout that came closest: a wrong check character (the shape matched),
// else the fault furthest in.
func read(s string, lenient bool, layouts ...*Layout) (*reading, int, error) {
	limit := inputLimit(layouts)
	switch {
	case s == "":
		return nil, 0, &NumberError{Reason: "empty"}
	case len(s) > limit:
		return nil, 0, &NumberError{Reason: fmt.Sprintf("%d bytes is longer than any case number", len(s))}
	case !utf8.ValidString(s):
		return nil, 0, &NumberError{Reason: "not valid UTF-8"}
	}
	var best *reading
	for i, l := range layouts {
		if l == nil {
			continue
		}
		r := l.read(s, lenient)
		if r.err == nil {
			return r, i, nil
		}
		if best == nil || r.badCheck && !best.badCheck || r.badCheck == best.badCheck && r.err.Position > best.err.Position {
			best = r
		}
	}
	return nil, 0, best.err
}

// reading is a walk of an input along a layout's segments, left to right:
// each segment reads where the last one ended, and no reading is ever
// undone. A token is read in two steps: its symbols (symbols), then the
// rule of the token itself (check). Strictly it takes the input exactly as
// the layout renders; leniently it forgives what Normalize forgives.
type reading struct {
	in       string
	lenient  bool
	pos      int    // the next byte of in
	out      []byte // the canonical number so far
	vars     []byte // what the tokens read, for the check character
	date     dateReading
	ms       int64 // {unixms}; -1 without
	seqAt    int   // where {seq} starts in out; -1 without
	seq      uint64
	err      *NumberError
	badCheck bool // the shape matched but the check character did not
}

// read reads in as a number of l, all of it.
func (l *Layout) read(in string, lenient bool) *reading {
	r := &reading{in: in, lenient: lenient, out: make([]byte, 0, l.size), ms: -1, seqAt: -1}
	if r.segments(l) && r.pos < len(in) {
		r.fail(r.pos, "unexpected "+quote(in[r.pos:]))
	}
	return r
}

// segments reads the segments of l from r.pos on, and reports whether they
// all read; r.pos is then where the number ends.
func (r *reading) segments(l *Layout) bool {
	for i := range l.segs {
		sg := &l.segs[i]
		if sg.kind == segLiteral {
			if !r.literal(sg.text) {
				return false
			}
			continue
		}
		at, start := r.pos, len(r.out)
		if !r.symbols(sg) || !r.check(l, sg, at, r.out[start:]) {
			return false
		}
		r.vars = append(r.vars, r.out[start:]...)
	}
	return true
}

func (r *reading) fail(at int, why string) bool {
	r.err = &NumberError{Input: r.in, Position: at + 1, Reason: why}
	return false
}

// symbols reads what the shape of token sg describes at r.pos: a symbol of
// sg.syms for every symbol, and the separators of a date or a UUID, which
// leniently may be typed as other separators or left out.
func (r *reading) symbols(sg *segment) bool {
	for j := 0; j < len(sg.shape); j++ {
		if c := sg.shape[j]; c >= ' ' {
			if r.pos < len(r.in) && (r.in[r.pos] == c || r.lenient && isSeparator(r.in[r.pos])) {
				r.pos++
			} else if !r.lenient {
				return r.fail(r.pos, fmt.Sprintf("expected '%c' in %s", c, describe(sg)))
			}
			r.out = append(r.out, c)
			continue
		}
		if r.pos == len(r.in) {
			return r.fail(r.pos, "too short: expected "+describe(sg))
		}
		b, ok := sg.syms.read(r.in[r.pos], r.lenient)
		if !ok {
			return r.fail(r.pos, fmt.Sprintf("expected a %s, got %s", sg.syms.name, quote(r.in[r.pos:r.pos+runeLen(r.in[r.pos:])])))
		}
		r.out = append(r.out, b)
		r.pos++
	}
	return true
}

// check applies the rule of token sg to the text its symbols read, which
// starts at byte at of the input.
func (r *reading) check(l *Layout, sg *segment, at int, text []byte) bool {
	switch sg.kind {
	case segDate:
		if !r.date.set(sg.shape, text) {
			return r.fail(at, fmt.Sprintf("%s is not a date (%s)", text, dateNames(sg.shape)))
		}
	case segUUID:
		if i, why := uuidFault(text); why != "" {
			return r.fail(at+i, why)
		}
	case segUnixMS:
		if text[0] == '0' {
			return r.fail(at, fmt.Sprintf("%s is not a Unix time in milliseconds", text))
		}
		r.ms = int64(atoi(text))
	case segSeq:
		r.seqAt, r.seq = len(r.out)-len(text), atoi(text)
	case segCheck:
		var buf [2]byte
		if want := appendCheck(buf[:0], l.check, r.vars); string(want) != string(text) {
			r.badCheck = true
			return r.fail(at, checkNames[l.check]+" match: a character is wrong or two are swapped")
		}
	}
	return true
}

// checkNames starts the error of a check character that does not match.
var checkNames = [...]string{
	checkDamm10: "check digit does not",
	checkDamm32: "check character does not",
	checkMod97:  "check digits do not",
}

// literal reads the layout's literal text. Leniently, letters match in any
// case (by Unicode's simple case folding), a separator may be typed as
// another or left out, and white space is left out (Normalize took it out
// of the input).
func (r *reading) literal(lit string) bool {
	if !r.lenient {
		if !strings.HasPrefix(r.in[r.pos:], lit) {
			return r.fail(r.pos, "expected "+quote(lit))
		}
		r.pos += len(lit)
		r.out = append(r.out, lit...)
		return true
	}
	for j := 0; j < len(lit); {
		c, size := utf8.DecodeRuneInString(lit[j:])
		switch {
		case unicode.IsSpace(c):
		case c < utf8.RuneSelf && isSeparator(byte(c)):
			if r.pos < len(r.in) && isSeparator(r.in[r.pos]) {
				r.pos++
			}
		case !r.foldedRune(c):
			return r.fail(r.pos, "expected "+quote(lit[j:]))
		}
		j += size
	}
	r.out = append(r.out, lit...)
	return true
}

// foldedRune reads c, in any case, at r.pos.
func (r *reading) foldedRune(c rune) bool {
	if r.pos == len(r.in) {
		return false
	}
	in, size := utf8.DecodeRuneInString(r.in[r.pos:])
	for f := c; in != f; {
		if f = unicode.SimpleFold(f); f == c {
			return false
		}
	}
	r.pos += size
	return true
}

// symbols is a kind of symbol a token renders: its name in errors and how
// a typed byte reads as one.
type symbols struct {
	name  string
	class string // as a character class of a regular expression
	read  func(c byte, lenient bool) (byte, bool)
}

var (
	digitSymbols = symbols{"digit", "[0-9]", func(c byte, lenient bool) (byte, bool) {
		if lenient {
			return lookAlike(c)
		}
		return c, isDigit(c)
	}}
	hexSymbols = symbols{"hex digit", "[0-9a-f]", func(c byte, lenient bool) (byte, bool) {
		if lenient {
			if d, ok := lookAlike(c); ok {
				return d, true
			}
			if c >= 'A' && c <= 'F' {
				c += 'a' - 'A'
			}
		}
		return c, isDigit(c) || c >= 'a' && c <= 'f'
	}}
	crockfordSymbols = symbols{"Crockford base32 symbol", "[0-9A-HJKMNP-TV-Z]", func(c byte, lenient bool) (byte, bool) {
		if !lenient {
			return c, strings.IndexByte(crockford, c) >= 0
		}
		v, ok := crockfordValue(c)
		if !ok {
			return c, false
		}
		return crockford[v], true
	}}
)

// describe says what a token reads, for an error.
func describe(sg *segment) string {
	switch sg.kind {
	case segDate:
		return fmt.Sprintf("a date (%s)", dateNames(sg.shape))
	case segUUID:
		return fmt.Sprintf("%d hex digits of a UUID", len(strings.ReplaceAll(sg.shape, "-", "")))
	case segCheck:
		if len(sg.shape) == 1 {
			return "a check " + sg.syms.name
		}
	}
	return fmt.Sprintf("%d %ss", len(sg.shape), sg.syms.name)
}

// lookAlike reads what a person may type for a digit: O for 0, I and L for 1.
func lookAlike(c byte) (byte, bool) {
	switch c | 0x20 {
	case 'o':
		return '0', true
	case 'i', 'l':
		return '1', true
	}
	return c, isDigit(c)
}

// uuidFault finds the digit of a UUID's text that a version 4 UUID cannot
// have: its 13th hex digit is the version, the 17th holds the variant.
func uuidFault(text []byte) (int, string) {
	d := 0
	for i, c := range text {
		switch {
		case c == '-':
			continue
		case d == 12 && c != '4':
			return i, "not a version 4 UUID"
		case d == 16 && strings.IndexByte("89ab", c) < 0:
			return i, "not an RFC 9562 UUID variant"
		}
		d++
	}
	return 0, ""
}

// dateReading collects the fields of a number's date tokens in the fields
// form, to check them together and to tell the time they stand for.
type dateReading struct {
	form [17]byte
	have uint32 // a bit per digit of form that was read
}

// set adds what a date token read; it reports whether the fields still
// make a real date and time, and agree where two tokens show one field.
func (d *dateReading) set(shape string, text []byte) bool {
	for j := 0; j < len(shape); j++ {
		if i := shape[j]; i < ' ' {
			if d.have&(1<<i) != 0 && d.form[i] != text[j] {
				return false
			}
			d.form[i] = text[j]
			d.have |= 1 << i
		}
	}
	if y, ok := d.year(); ok {
		return d.validIn(y)
	}
	// Without its year a date is valid when it is in some year.
	return d.validIn(2000) || d.validIn(2001)
}

// field returns the digits of form at [i, i+n) as a number, if all were read.
func (d *dateReading) field(i, n int) (int, bool) {
	v := 0
	for k := i; k < i+n; k++ {
		if d.have&(1<<k) == 0 {
			return 0, false
		}
		v = 10*v + int(d.form[k]-'0')
	}
	return v, true
}

// year returns the year, from four digits or from two as time.Parse reads
// them (69 to 99 in the 1900s, the rest in the 2000s).
func (d *dateReading) year() (int, bool) {
	if y, ok := d.field(0, 4); ok {
		return y, true
	}
	if y, ok := d.field(2, 2); ok {
		if y >= 69 {
			return 1900 + y, true
		}
		return 2000 + y, true
	}
	return 0, false
}

func (d *dateReading) validIn(y int) bool {
	m, hasM := d.field(4, 2)
	day, hasD := d.field(6, 2)
	if hasM && (m < 1 || m > 12) || hasD && !validDay(y, m, hasM, day) {
		return false
	}
	if yd, ok := d.field(8, 3); ok {
		t := time.Date(y, 1, yd, 0, 0, 0, 0, time.UTC)
		if yd < 1 || t.Year() != y || hasM && int(t.Month()) != m || hasD && t.Day() != day {
			return false
		}
	}
	h, _ := d.field(11, 2)
	mi, _ := d.field(13, 2)
	s, _ := d.field(15, 2)
	return h < 24 && mi < 60 && s < 60
}

// validDay reports whether day is a day of month m of year y, or of some
// month when the month is not known.
func validDay(y, m int, hasM bool, day int) bool {
	if day < 1 || day > 31 {
		return false
	}
	return !hasM || time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC).Day() == day
}

// time returns the earliest instant the fields allow in loc. Fields that
// are not there take the values time.Parse gives them: year 0, January,
// the first, midnight.
func (d *dateReading) time(loc *time.Location) time.Time {
	y, _ := d.year()
	m, hasM := d.field(4, 2)
	day, hasD := d.field(6, 2)
	if yd, ok := d.field(8, 3); ok && !hasM && !hasD {
		m, day = 1, yd
	}
	h, _ := d.field(11, 2)
	mi, _ := d.field(13, 2)
	s, _ := d.field(15, 2)
	t := time.Date(y, time.Month(max(m, 1)), max(day, 1), h, mi, s, 0, loc)
	wy, wm, wd := time.Date(y, time.Month(max(m, 1)), max(day, 1), 0, 0, 0, 0, time.UTC).Date()
	if ty, tm, td := t.Date(); ty != wy || tm != wm || td != wd {
		// The wall time does not exist (a day that starts at 01:00 after
		// a change of zone offset at midnight): time.Date went back into
		// the day before. The earliest instant that shows the date is
		// where the offset changed.
		_, t = t.ZoneBounds()
	}
	return t
}

// dateNames shows a date's shape as people write it: YYYY-MM-DD.
func dateNames(shape string) string {
	b := []byte(shape)
	for i, c := range b {
		if c < ' ' {
			b[i] = fieldNames[c]
		}
	}
	return string(b)
}

func atoi(digits []byte) uint64 {
	var v uint64
	for _, c := range digits {
		v = 10*v + uint64(c-'0')
	}
	return v
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isSeparator reports whether a typed byte can stand for a separator: ASCII
// punctuation.
func isSeparator(c byte) bool {
	return c > ' ' && c < 0x7f && !isDigit(c) && !isAlpha(c)
}

// runeLen is the length of the first rune of s, to quote it whole.
func runeLen(s string) int {
	_, n := utf8.DecodeRuneInString(s)
	return n
}

// quote shows a piece of the input in an error, shortened, never in the
// middle of a character.
func quote(s string) string {
	if len(s) <= 24 {
		return fmt.Sprintf("%q", s)
	}
	n := 24
	for k := 0; k < utf8.UTFMax-1 && !utf8.RuneStart(s[n]); k++ {
		n--
	}
	return fmt.Sprintf("%q...", s[:n])
}
