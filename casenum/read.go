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
	_, _, err := read(number, false, "", l)
	return err
}

// Normalize turns what a person typed into the canonical number of the
// layout: it ignores white space and letter case, lets a separator between
// the layout's parts (or inside a date or a UUID) be typed as another or
// left out, and reads the Crockford look-alikes I and L as 1 and O as 0 in
// the tokens. Every token but a counter that grows has a fixed width, so a
// separator mistyped as a digit cannot hide in a run of digits; a counter
// ends where the layout delimits it, and a space typed for its separator
// is read as one. A counter typed with more or fewer leading zeros than
// its padding is written with its padding. A number that validates comes
// back as it is. Input that cannot be read returns a *NumberError wrapping
// ErrInvalidNumber.
func (l *Layout) Normalize(input string) (string, error) {
	return normalize(input, "", l)
}

// Validate is Layout.Validate with the Generator's layout, then its
// fallback layout. Validate never consults the Checker: a valid number may
// be unknown. A {key} may be any key, or for a Generator made by ForKey,
// its key only.
func (g *Generator) Validate(number string) error {
	_, _, err := read(number, false, g.key, g.layout, g.fallback)
	return err
}

// Normalize is Layout.Normalize with the Generator's layout, then its
// fallback layout: a number that validates with either comes back as it
// is. Typed input that reads as a number of both, different ones (upper-case
// hex reads as Crockford base32 too), is refused as ambiguous. A {key} is
// written in upper case; for a Generator made by ForKey it must be its key.
func (g *Generator) Normalize(input string) (string, error) {
	return normalize(input, g.key, g.layout, g.fallback)
}

// Parts is what a case number holds, as Generator.Parse reads it.
type Parts struct {
	Fallback bool      // the number is of the fallback layout
	Time     time.Time // the earliest instant its time tokens allow, in the Generator's Location; zero without
	Scope    string    // the text before {seq}; "" without
	Seq      uint64    // the {seq} value; 0 without
	Key      string    // the {key}; "" without
}

// Parse reads what a number holds: when it was minted, to the millisecond
// with {unixms} and otherwise to the finest field of its date tokens (a
// {date} number reads as the day's first instant in the Generator's
// Location, midnight where the day has one; a {fy} number without a finer
// date as the first instant of its fiscal year); its {seq}
// scope and value; its {key}; and whether it is of the fallback layout. Date fields a
// layout leaves out take the values time.Parse gives them: year 0, January,
// the first, midnight.
//
// Parse accepts exactly what Validate accepts; for anything else it returns
// a *NumberError wrapping ErrInvalidNumber. Normalize typed input first.
func (g *Generator) Parse(number string) (Parts, error) {
	r, i, err := read(number, false, g.key, g.layout, g.fallback)
	if err != nil {
		return Parts{}, err
	}
	p := Parts{Fallback: i == 1, Key: r.key, Time: r.time(g.loc)}
	if r.seqAt >= 0 {
		p.Scope, p.Seq = number[:r.seqAt], r.seq
	}
	return p, nil
}

func normalize(input, key string, layouts ...*Layout) (string, error) {
	if _, _, err := read(input, false, key, layouts...); err == nil {
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
		if _, _, err := read(trimmed, false, key, layouts...); err == nil {
			return trimmed, nil
		}
	}
	s := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, input)
	r, i, s, err := readTyped(input, s, key, layouts)
	if err != nil {
		return "", err
	}
	// Read loosely, a number may fit another layout too (upper-case hex is
	// also Crockford base32): then the input does not say which was meant.
	for _, l := range layouts[i+1:] {
		if l == nil {
			continue
		}
		if o := l.read(s, true, key); o.err == nil && string(o.out) != string(r.out) {
			return "", &NumberError{Input: s, Reason: fmt.Sprintf("ambiguous: reads as %s and as %s", r.out, o.out)}
		}
	}
	return string(r.out), nil
}

// readTyped reads s, the typed input without its white space, leniently,
// and returns what it read. Without its spaces the input may run a counter
// into what follows it: then a space between two letters or digits reads
// as the separator it stands for.
func readTyped(input, s, key string, layouts []*Layout) (*reading, int, string, error) {
	r, i, err := read(s, true, key, layouts...)
	if err != nil && s != input && varies(layouts) {
		spaced := spacesAsSeparators(input)
		if r2, i2, err2 := read(spaced, true, key, layouts...); err2 == nil {
			return r2, i2, spaced, nil
		}
	}
	return r, i, s, err
}

// varies reports whether one of layouts has a token whose width varies.
func varies(layouts []*Layout) bool {
	for _, l := range layouts {
		if l != nil && l.varies {
			return true
		}
	}
	return false
}

// spacesAsSeparators returns s with each run of white space between two
// ASCII letters or digits replaced by '-', and every other white space
// left out.
func spacesAsSeparators(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			b = append(b, s[i:i+n]...)
			i += n
			continue
		}
		j := i + n
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsSpace(r) {
				break
			}
			j += n
		}
		if len(b) > 0 && j < len(s) && isAlnum(b[len(b)-1]) && isAlnum(s[j]) {
			b = append(b, '-')
		}
		i = j
	}
	return string(b)
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
// else the fault furthest in. A {key} must be key, unless key is "".
func read(s string, lenient bool, key string, layouts ...*Layout) (*reading, int, error) {
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
		r := l.read(s, lenient, key)
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
	wantKey  string // the only {key} to take; "" for any
	pos      int    // the next byte of in
	out      []byte // the canonical number so far
	vars     []byte // what the tokens read, for the check character
	date     dateReading
	fy       fyReading
	ms       int64 // {unixms}; -1 without
	seqAt    int   // where {seq} starts in out; -1 without
	seq      uint64
	key      string // the {key} read
	err      *NumberError
	badCheck bool // the shape matched but the check character did not
}

// read reads in as a number of l, all of it, with key for its {key} if
// key is not "".
func (l *Layout) read(in string, lenient bool, key string) *reading {
	r := &reading{in: in, lenient: lenient, wantKey: key, out: make([]byte, 0, l.size), ms: -1, seqAt: -1}
	if r.segments(l) && r.agree() && r.pos < len(in) {
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
		if !r.token(l, i) || !r.check(l, sg, at, r.out[start:]) {
			return false
		}
		r.vars = append(r.vars, r.out[start:]...)
	}
	return true
}

// agree checks that the fiscal year read holds the date read.
func (r *reading) agree() bool {
	if r.fy.month == 0 {
		return true
	}
	if _, _, ok := r.fy.first(&r.date); !ok {
		return r.fail(r.fy.at, fmt.Sprintf("the date is not in the fiscal year that starts in %s %d", time.Month(r.fy.month), r.fy.start))
	}
	return true
}

// time returns the earliest instant the time tokens read allow, in loc;
// zero without time tokens.
func (r *reading) time(loc *time.Location) time.Time {
	switch {
	case r.ms >= 0:
		return time.UnixMilli(r.ms).In(loc)
	case r.fy.month != 0:
		y, m, _ := r.fy.first(&r.date)
		return r.date.timeIn(y, m, loc)
	case r.date.have != 0:
		y, _ := r.date.year()
		return r.date.timeIn(y, 1, loc)
	}
	return time.Time{}
}

func (r *reading) fail(at int, why string) bool {
	r.err = &NumberError{Input: r.in, Position: at + 1, Reason: why}
	return false
}

// token reads the symbols of token i of l at r.pos.
func (r *reading) token(l *Layout, i int) bool {
	switch sg := &l.segs[i]; {
	case sg.kind == segKey:
		return r.readKey(sg)
	case sg.vary:
		return r.counter(sg, l.segs[i+1:])
	}
	return r.symbols(&l.segs[i])
}

// readKey reads a {key}: a letter, then letters and digits, 16 at most,
// up to the literal that delimits it. Leniently its letters may be typed
// in lower case. A reading for one key takes that key only.
func (r *reading) readKey(sg *segment) bool {
	start, n := r.pos, len(r.out)
	for r.pos < len(r.in) {
		c, ok := sg.syms.read(r.in[r.pos], r.lenient)
		if !ok {
			break
		}
		r.out = append(r.out, c)
		r.pos++
	}
	switch key := r.out[n:]; {
	case len(key) == 0 || isDigit(key[0]):
		return r.fail(start, "expected a key: a letter, then letters and digits")
	case len(key) > maxKey:
		return r.fail(start, fmt.Sprintf("a key of %d characters: a key has %d at most", len(key), maxKey))
	case r.wantKey != "" && string(key) != r.wantKey:
		return r.fail(start, fmt.Sprintf("the key %s, not %s", key, r.wantKey))
	default:
		r.key = string(key)
	}
	return true
}

// counter reads a {seq} that grows: its digits up to what delimits it, at
// least its padding and at most maxDigits. It writes them as they render:
// strictly a zero beyond the padding is refused and the padding required;
// leniently the one is dropped and the other added.
func (r *reading) counter(sg *segment, rest []segment) bool {
	start, end := r.pos, r.counterEnd(rest)
	short := end-start < len(sg.shape) && (!r.lenient || end == start)
	switch n := end - start; {
	case short && end < len(r.in) && !isDigit(r.in[end]):
		return r.fail(end, fmt.Sprintf("expected a digit, got %s", quote(r.in[end:end+runeLen(r.in[end:])])))
	case short:
		return r.fail(end, "too short: expected "+describe(sg))
	case n > maxDigits:
		return r.fail(start, fmt.Sprintf("%d digits is longer than any counter (%d)", n, maxDigits))
	case !r.lenient && n > len(sg.shape) && r.in[start] == '0':
		return r.fail(start, fmt.Sprintf("%s has a zero beyond the padding of %s", r.in[start:end], describe(sg)))
	}
	var v uint64
	for _, c := range []byte(r.in[start:end]) {
		d, _ := lookAlike(c)
		v = 10*v + uint64(d-'0')
	}
	r.out = appendPadded(r.out, v, max(len(sg.shape), digits(v)))
	r.pos = end
	return true
}

// counterEnd returns where a growing counter that starts at r.pos ends:
// where its run of digits ends (leniently, of look-alikes too, short of
// the letter the next literal starts with), less a check character that
// follows and is the last digit of the run.
func (r *reading) counterEnd(rest []segment) int {
	stop := literalLetter(rest)
	i := r.pos
	for ; i < len(r.in); i++ {
		c := r.in[i]
		if _, ok := lookAlike(c); !isDigit(c) && (!r.lenient || !ok || c|0x20 == stop) {
			break
		}
	}
	if len(rest) == 0 || rest[0].kind != segCheck || r.checkLetterAt(i, &rest[0]) {
		return i
	}
	return max(r.pos, i-len(rest[0].shape))
}

// literalLetter returns the letter, in lower case, that the literal after
// a counter (and after the {check} that may follow it) starts with; 0 when
// it starts with another character or there is none.
func literalLetter(rest []segment) byte {
	for _, sg := range rest {
		if sg.kind == segLiteral && isAlpha(sg.text[0]) {
			return sg.text[0] | 0x20
		}
		if sg.kind != segCheck {
			break
		}
	}
	return 0
}

// checkLetterAt reports whether the check character chk, a Crockford
// symbol, starts at byte i as a letter, right after a counter's digits.
// Look-alikes of digits are no check letters.
func (r *reading) checkLetterAt(i int, chk *segment) bool {
	if chk.syms != &crockfordSymbols || i == len(r.in) || isDigit(r.in[i]) {
		return false
	}
	if _, ok := lookAlike(r.in[i]); ok {
		return false
	}
	_, ok := chk.syms.read(r.in[i], r.lenient)
	return ok
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
	case segFY:
		if !r.fy.set(sg, text, at) {
			return r.fail(at, fmt.Sprintf("the fiscal year %s disagrees with the one before", text))
		}
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
// case, and a separator or a space of the layout may be typed as any
// separator or left out (Normalize took white space out of the input).
func (r *reading) literal(lit string) bool {
	if !r.lenient {
		if !strings.HasPrefix(r.in[r.pos:], lit) {
			return r.fail(r.pos, "expected "+quote(lit))
		}
		r.pos += len(lit)
		r.out = append(r.out, lit...)
		return true
	}
	for j := 0; j < len(lit); j++ {
		c := lit[j]
		if n := spaceLen(lit[j:]); n > 0 || isSeparator(c) {
			// A separator or a space of the layout: a separator typed
			// for it is read, none is needed.
			j += max(n, 1) - 1
			if r.pos < len(r.in) && isSeparator(r.in[r.pos]) {
				r.pos++
			}
			continue
		}
		if r.pos == len(r.in) || r.in[r.pos] != c && !(isAlpha(c) && r.in[r.pos]|0x20 == c|0x20) {
			return r.fail(r.pos, "expected "+quote(lit[j:]))
		}
		r.pos++
	}
	r.out = append(r.out, lit...)
	return true
}

// spaceLen returns the length of the white space character s starts with,
// or 0.
func spaceLen(s string) int {
	if r, n := utf8.DecodeRuneInString(s); unicode.IsSpace(r) {
		return n
	}
	return 0
}

// symbols is a kind of symbol a token renders: its name in errors and how
// a typed byte reads as one.
type symbols struct {
	name string
	read func(c byte, lenient bool) (byte, bool)
}

var (
	digitSymbols = symbols{"digit", func(c byte, lenient bool) (byte, bool) {
		if lenient {
			return lookAlike(c)
		}
		return c, isDigit(c)
	}}
	hexSymbols = symbols{"hex digit", func(c byte, lenient bool) (byte, bool) {
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
	keySymbols = symbols{"key letter or digit", func(c byte, lenient bool) (byte, bool) {
		if lenient && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		return c, c >= 'A' && c <= 'Z' || isDigit(c)
	}}
	crockfordSymbols = symbols{"Crockford base32 symbol", func(c byte, lenient bool) (byte, bool) {
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
	case segSeq:
		if sg.vary {
			return fmt.Sprintf("a counter of at least %d digits", len(sg.shape))
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
		return fullYear(y), true
	}
	return 0, false
}

// fullYear returns the year of two digits as time.Parse reads them: 69 to
// 99 in the 1900s, the rest in the 2000s.
func fullYear(yy int) int {
	if yy >= 69 {
		return 1900 + yy
	}
	return 2000 + yy
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

// timeIn returns the earliest instant the fields allow in loc, in year y
// unless they show four digits of a year, and in month m where they do not
// tell the month. Fields that are not there take the values time.Parse
// gives them: the first, midnight.
func (d *dateReading) timeIn(y, m int, loc *time.Location) time.Time {
	if yy, ok := d.field(0, 4); ok {
		y = yy
	}
	mm, hasM := d.field(4, 2)
	if hasM {
		m = mm
	}
	day, hasD := d.field(6, 2)
	if yd, ok := d.field(8, 3); ok && !hasM && !hasD {
		m, day = 1, yd
	}
	h, _ := d.field(11, 2)
	mi, _ := d.field(13, 2)
	s, _ := d.field(15, 2)
	return wallTime(y, m, max(day, 1), h, mi, s, loc)
}

// wallTime returns the earliest instant in loc that shows the date and
// time given.
func wallTime(y, m, day, h, mi, s int, loc *time.Location) time.Time {
	t := time.Date(y, time.Month(m), day, h, mi, s, 0, loc)
	wy, wm, wd := time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC).Date()
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
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isAlnumRune reports whether r is an ASCII letter or digit.
func isAlnumRune(r rune) bool { return r < utf8.RuneSelf && isAlnum(byte(r)) }

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

// quote shows a piece of the input in an error, shortened.
func quote(s string) string {
	if len(s) > 24 {
		return fmt.Sprintf("%q...", s[:24])
	}
	return fmt.Sprintf("%q", s)
}
