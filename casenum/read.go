package casenum

import (
	"fmt"
	"slices"
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
// version 4 UUID's fixed digits), fields that agree, and the check
// character. It returns nil, or a *NumberError wrapping ErrInvalidNumber
// that says what is wrong and where.
//
// A Layout has no Location: a date shown with {unixms} must be the date of
// that instant in some time zone, from UTC-14 to UTC+14. Generator.Validate
// checks it in the Generator's Location.
func (l *Layout) Validate(number string) error {
	_, _, err := l.set().read(number, false)
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
	return l.set().normalize(input)
}

// Validate is Layout.Validate with the Generator's layout, then its
// fallback layout and its former layouts, with dates in the Generator's
// Location: a date shown with {unixms} must be the date of that instant
// there, and a date and time must exist there (not 02:30 on the night the
// clocks skip it), as in a number the Generator could have minted.
// Validate never consults the Checker: a valid number may be unknown. A
// {key} may be any key, or for a Generator made by ForKey, its key only.
func (g *Generator) Validate(number string) error {
	_, _, err := g.reads.read(number, false)
	return err
}

// Normalize is Layout.Normalize with the Generator's layout, then its
// fallback layout and its former layouts: a number that validates with one
// comes back as it is. Typed input that reads as a number of two, different
// ones (upper-case hex reads as Crockford base32 too), is refused as
// ambiguous. A {key} is written in upper case; for a Generator made by
// ForKey it must be its key.
func (g *Generator) Normalize(input string) (string, error) {
	return g.reads.normalize(input)
}

// Parts is what a case number holds, as Generator.Parse reads it.
type Parts struct {
	Fallback bool      // the number is of the fallback layout
	Time     time.Time // the earliest instant its time tokens allow, in the Generator's Location; zero without
	Scope    string    // the text before {seq}; "" without
	Seq      uint64    // the {seq} value; 0 without
	Key      string    // the {key}; "" without
	Layout   string    // the layout the number was read with: the Generator's, its fallback or a former one
}

// Parse reads what a number holds: when it was minted, to the millisecond
// with {unixms} and otherwise to the finest field of its date tokens (a
// {date} number reads as the day's first instant in the Generator's
// Location, midnight where the day has one; a {fy} number without a finer
// date as the first instant of its fiscal year); its {seq} scope and
// value; its {key}; whether it is of the fallback layout, and which layout
// it was read with. For {seq:N:perm} it gives the counter, not the digits
// that show it. Date fields a layout leaves out take the values time.Parse
// gives them: year 0, January, the first, midnight.
//
// Parse accepts exactly what Validate accepts, so it never returns a time
// the Generator could not have minted; for anything else it returns a
// *NumberError wrapping ErrInvalidNumber. Normalize typed input first.
func (g *Generator) Parse(number string) (Parts, error) {
	r, l, err := g.reads.read(number, false)
	if err != nil {
		return Parts{}, err
	}
	p := Parts{Fallback: l == g.fallback, Time: r.time(g.loc), Key: r.key, Layout: l.src}
	if r.seqAt >= 0 {
		p.Scope, p.Seq = number[:r.seqAt], r.seq
		if sg := l.seqSegment(); sg.perm {
			p.Seq = g.perm.decrypt(r.seq, len(sg.shape), []byte(p.Scope))
		}
	}
	return p, nil
}

// layoutSet is what numbers are read with: layouts, tried in order (nil
// ones skipped); the Location of their dates, nil for a Layout's own
// reading, which takes a date shown with {unixms} in any zone; and the
// only {key} to take, "" for any.
type layoutSet struct {
	loc     *time.Location
	key     string
	layouts []*Layout
}

// set is the layoutSet of l alone.
func (l *Layout) set() layoutSet { return layoutSet{layouts: []*Layout{l}} }

func (s layoutSet) normalize(input string) (string, error) {
	layouts := s.layouts
	if _, _, err := s.read(input, false); err == nil {
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
		if _, _, err := s.read(trimmed, false); err == nil {
			return trimmed, nil
		}
	}
	in := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, input)
	r, first, in, err := s.readTyped(input, in)
	if err != nil {
		return "", err
	}
	// Read loosely, a number may fit another layout too (upper-case hex is
	// also Crockford base32): then the input does not say which was meant.
	for _, l := range layouts[slices.Index(layouts, first)+1:] {
		if l == nil {
			continue
		}
		if o := l.read(in, true, s.loc, s.key); o.err == nil && string(o.out) != string(r.out) {
			return "", &NumberError{Input: in, Reason: fmt.Sprintf("ambiguous: reads as %s and as %s", r.out, o.out)}
		}
	}
	return string(r.out), nil
}

// readTyped reads in, the typed input without its white space, leniently,
// and returns what it read. Without its spaces the input may run a counter
// into what follows it: then a space between two letters or digits reads
// as the separator it stands for.
func (s layoutSet) readTyped(input, in string) (*reading, *Layout, string, error) {
	r, l, err := s.read(in, true)
	if err != nil && in != input && varies(s.layouts) {
		spaced := spacesAsSeparators(input)
		if r2, l2, err2 := s.read(spaced, true); err2 == nil {
			return r2, l2, spaced, nil
		}
	}
	return r, l, in, err
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
		j := skipSpace(s, i)
		if len(b) > 0 && j < len(s) && isAlnum(b[len(b)-1]) && isAlnum(s[j]) {
			b = append(b, '-')
		}
		i = j
	}
	return string(b)
}

// skipSpace returns the first byte at or after p of s that starts no white
// space.
func skipSpace(s string, p int) int {
	for p < len(s) {
		c, size := utf8.DecodeRuneInString(s[p:])
		if !unicode.IsSpace(c) {
			break
		}
		p += size
	}
	return p
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
	Reason   string // what is wrong, such as "check digit does not match: ..."; it names Layout when that is not the Generator's main one
	Layout   string // the layout the input came closest to, which Reason is about; "" when it reached none
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

// read reads in with each layout in turn and returns the first reading
// that succeeds with its layout, or the error of the layout that came
// closest: one whose shape the input has (its check character or its
// fields failed), else the one whose fault is furthest in.
func (s layoutSet) read(in string, lenient bool) (*reading, *Layout, error) {
	switch {
	case in == "":
		return nil, nil, &NumberError{Reason: "empty"}
	case len(in) > inputLimit(s.layouts):
		return nil, nil, &NumberError{Reason: fmt.Sprintf("%d bytes is longer than any case number", len(in))}
	case !utf8.ValidString(in):
		return nil, nil, &NumberError{Reason: "not valid UTF-8"}
	}
	var best *reading
	var closest *Layout
	for _, l := range s.layouts {
		if l == nil {
			continue
		}
		r := l.read(in, lenient, s.loc, s.key)
		if r.err == nil {
			return r, l, nil
		}
		if best == nil || r.complete && !best.complete || r.complete == best.complete && r.err.Position > best.err.Position {
			best, closest = r, l
		}
	}
	best.err.Layout = closest.src
	if closest != s.layouts[0] {
		best.err.Reason = fmt.Sprintf("closest to the layout %s: %s", closest.src, best.err.Reason)
	}
	return nil, nil, best.err
}

// reading is a walk of an input along a layout's segments, left to right:
// each segment reads where the last one ended, and no reading is ever
// undone. A token is read in two steps: its symbols (token), then the
// rule of the token itself (check). Strictly it takes the input exactly as
// the layout renders; leniently it forgives what Normalize forgives.
type reading struct {
	in       string
	lenient  bool
	inText   bool   // reading text: white space may stand anywhere after the first byte, and no error is wanted
	wantKey  string // the only {key} to take; "" for any
	start    int    // where the number starts in in
	pos      int    // the next byte of in
	out      []byte // the canonical number so far
	sum      uint64 // the check character's state over the tokens read
	date     dateReading
	fy       fyReading
	ms       int64 // {unixms}; -1 without
	dateAt   int   // where the first date token starts in the input; -1 without
	seqAt    int   // where {seq} starts in out; -1 without
	seq      uint64
	key      string // the {key} read
	err      *NumberError
	complete bool // the input has the layout's shape, but a check character or fields that agree it has not
}

// begin starts a reading of in at byte at, for key ("" for any), keeping
// the buffers of r.
func (r *reading) begin(in string, at int, key string, lenient, inText bool) {
	*r = reading{in: in, lenient: lenient, inText: inText, wantKey: key, pos: at, start: at,
		out: r.out[:0], ms: -1, dateAt: -1, seqAt: -1}
}

// next returns where the next byte of the number is: r.pos, or in text
// the first byte after the white space there.
func (r *reading) next() int {
	if !r.inText || r.pos == r.start {
		return r.pos
	}
	return skipSpace(r.in, r.pos)
}

// read reads in as a number of l, all of it, with dates in loc and key for
// its {key} unless key is "".
func (l *Layout) read(in string, lenient bool, loc *time.Location, key string) *reading {
	r := &reading{out: make([]byte, 0, l.size)}
	r.begin(in, 0, key, lenient, false)
	ok := r.segments(l)
	switch {
	case (ok || r.complete) && r.pos < len(in):
		// A number of another shape: saying its check character is
		// wrong would send a person looking for a typo.
		r.complete = false
		r.fail(r.pos, func() string { return "unexpected " + quote(in[r.pos:]) })
	case ok:
		r.complete = !r.agree(loc)
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
		if l.check != checkNone {
			r.sum = l.check.feed(r.sum, r.out[start:])
		}
	}
	return true
}

// fail ends the reading with an error at byte at of the input. why is
// called only when the error is wanted: Find reads text where most places
// hold no number, and wants none.
func (r *reading) fail(at int, why func() string) bool {
	if !r.inText {
		r.err = &NumberError{Input: r.in, Position: at + 1, Reason: why()}
	}
	return false
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
		return r.date.time(loc)
	}
	return time.Time{}
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
// in lower case, except in text when any key is taken: a word of a key's
// shape in any case would be most words of prose. A reading for one key
// takes that key only.
func (r *reading) readKey(sg *segment) bool {
	r.pos = r.next()
	start, n := r.pos, len(r.out)
	fold := r.lenient && (!r.inText || r.wantKey != "")
	for r.pos < len(r.in) {
		c, ok := sg.syms.read(r.in[r.pos], fold)
		if !ok {
			break
		}
		r.out = append(r.out, c)
		r.pos++
	}
	switch key := r.out[n:]; {
	case len(key) == 0 || isDigit(key[0]):
		return r.fail(start, func() string { return "expected a key: a letter, then letters and digits" })
	case len(key) > maxKey:
		return r.fail(start, func() string { return fmt.Sprintf("a key of %d characters: a key has %d at most", len(key), maxKey) })
	case r.wantKey != "" && string(key) != r.wantKey:
		return r.fail(start, func() string { return fmt.Sprintf("the key %s, not %s", key, r.wantKey) })
	default:
		r.key = string(key)
	}
	return true
}

// counter reads a {seq} that grows: its digits up to what delimits it, at
// least its padding and at most maxDigits. It writes them as they render:
// strictly a zero beyond the padding is refused and the padding required;
// leniently the one is dropped and the other added. In text a counter has
// a digit typed as one, not look-alikes only.
func (r *reading) counter(sg *segment, rest []segment) bool {
	r.pos = r.next()
	start := r.pos
	end, n := r.counterEnd(rest, len(sg.shape))
	short := n < len(sg.shape) && (!r.lenient || n == 0)
	switch {
	case short && end < len(r.in) && !isDigit(r.in[end]):
		return r.fail(end, func() string {
			return fmt.Sprintf("expected a digit, got %s", quote(r.in[end:end+runeLen(r.in[end:])]))
		})
	case short:
		return r.fail(end, func() string { return "too short: expected " + describe(sg) })
	case n > maxDigits:
		return r.fail(start, func() string { return fmt.Sprintf("%d digits is longer than any counter (%d)", n, maxDigits) })
	case !r.lenient && n > len(sg.shape) && r.in[start] == '0':
		return r.fail(start, func() string {
			return fmt.Sprintf("%s has a zero beyond the padding of %s", r.in[start:end], describe(sg))
		})
	case r.inText && strings.IndexFunc(r.in[start:end], isDigitRune) < 0:
		// A word such as "No" or "lo" is no counter in prose.
		return false
	}
	var v uint64
	for _, c := range []byte(r.in[start:end]) {
		if d, ok := lookAlike(c); ok {
			v = 10*v + uint64(d-'0')
		}
	}
	r.out = appendPadded(r.out, v, max(len(sg.shape), digits(v)))
	r.pos = end
	return true
}

// counterEnd returns where a growing counter of padding pad that starts at
// r.pos ends, and how many digits it has: its run of digits (leniently, of
// look-alikes too, short of the letter the next literal starts with), less
// a check character that follows and is the last digit of the run. In
// text, white space may stand between the digits of its padding, as in a
// token of fixed width; past the padding it ends the run, since it cannot
// be told from the end of the number.
func (r *reading) counterEnd(rest []segment, pad int) (end, n int) {
	stop := literalLetter(rest)
	var at [2]int // where the last two digits start, the last first
	for end = r.pos; ; n++ {
		p := end
		if r.inText && n > 0 && n < pad {
			p = skipSpace(r.in, end)
		}
		if p == len(r.in) || !r.counterDigit(r.in[p], stop) {
			break
		}
		at[0], at[1], end = p, at[0], p+1
	}
	if len(rest) == 0 || rest[0].kind != segCheck || r.checkLetterAt(end, &rest[0]) {
		return end, n
	}
	if k := len(rest[0].shape); n > k {
		return at[k-1], n - k
	}
	return r.pos, 0
}

// counterDigit reports whether c is a digit of a counter: leniently, a
// look-alike too, unless it is stop, the letter that the literal after the
// counter starts with.
func (r *reading) counterDigit(c, stop byte) bool {
	_, ok := lookAlike(c)
	return isDigit(c) || r.lenient && ok && c|0x20 != stop
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
		p := r.next()
		if c := sg.shape[j]; c >= ' ' {
			if p < len(r.in) && (r.in[p] == c || r.lenient && isSeparator(r.in[p])) {
				r.pos = p + 1
			} else if !r.lenient {
				return r.fail(p, func() string { return fmt.Sprintf("expected '%c' in %s", c, describe(sg)) })
			}
			r.out = append(r.out, c)
			continue
		}
		if p == len(r.in) {
			return r.fail(p, func() string { return "too short: expected " + describe(sg) })
		}
		b, ok := sg.syms.read(r.in[p], r.lenient)
		if !ok {
			return r.fail(p, func() string {
				return fmt.Sprintf("expected a %s, got %s", sg.syms.name, quote(r.in[p:p+runeLen(r.in[p:])]))
			})
		}
		r.out = append(r.out, b)
		r.pos = p + 1
	}
	return true
}

// check applies the rule of token sg to the text its symbols read, which
// starts at byte at of the input.
func (r *reading) check(l *Layout, sg *segment, at int, text []byte) bool {
	switch sg.kind {
	case segDate:
		if !r.date.set(sg.shape, text) {
			return r.fail(at, func() string { return fmt.Sprintf("%s is not a date (%s)", text, dateNames(sg.shape)) })
		}
		if r.dateAt < 0 {
			r.dateAt = at
		}
	case segUUID:
		if i, why := uuidFault(text); why != "" {
			return r.fail(at+i, func() string { return why })
		}
	case segUnixMS:
		if text[0] == '0' {
			return r.fail(at, func() string { return fmt.Sprintf("%s is not a Unix time in milliseconds", text) })
		}
		r.ms = int64(atoi(text))
	case segSeq:
		r.seqAt, r.seq = len(r.out)-len(text), atoi(text)
	case segFY:
		if !r.fy.set(sg, text, at) {
			return r.fail(at, func() string { return fmt.Sprintf("the fiscal year %s disagrees with the one before", text) })
		}
	case segCheck:
		var buf [2]byte
		if want := appendCheck(buf[:0], l.check, r.sum); string(want) != string(text) {
			r.complete = true
			return r.fail(at, func() string { return checkNames[l.check] + " match: a character is wrong or two are swapped" })
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
// case (by Unicode's simple case folding), and a separator or a space of
// the layout may be typed as any separator or left out (Normalize took
// white space out of the input).
func (r *reading) literal(lit string) bool {
	if !r.lenient {
		if !strings.HasPrefix(r.in[r.pos:], lit) {
			return r.fail(r.pos, func() string { return "expected " + quote(lit) })
		}
		r.pos += len(lit)
		r.out = append(r.out, lit...)
		return true
	}
	for j := 0; j < len(lit); {
		c, size := utf8.DecodeRuneInString(lit[j:])
		switch {
		case unicode.IsSpace(c) || c < utf8.RuneSelf && isSeparator(byte(c)):
			// A separator typed for it is read, none is needed.
			if p := r.next(); p < len(r.in) && isSeparator(r.in[p]) {
				r.pos = p + 1
			}
		case !r.foldedRune(c):
			return r.fail(r.pos, func() string { return "expected " + quote(lit[j:]) })
		}
		j += size
	}
	r.out = append(r.out, lit...)
	return true
}

// foldedRune reads c, in any case, at r.pos.
func (r *reading) foldedRune(c rune) bool {
	p := r.next()
	if p == len(r.in) {
		return false
	}
	in, size := utf8.DecodeRuneInString(r.in[p:])
	for f := c; in != f; {
		if f = unicode.SimpleFold(f); f == c {
			return false
		}
	}
	r.pos = p + size
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
	keySymbols = symbols{"key letter or digit", "[A-Z0-9]", func(c byte, lenient bool) (byte, bool) {
		if lenient && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		return c, c >= 'A' && c <= 'Z' || isDigit(c)
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
		if c == '-' {
			continue
		}
		if fixed := uuidFixed(d); fixed != "" && strings.IndexByte(fixed, c) < 0 {
			if d == 12 {
				return i, "not a version 4 UUID"
			}
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

// agree checks that the fields of a number that read agree: a fiscal year
// holds the date beside it and the instant of its {unixms}; a date shown
// with {unixms} is its date; and a date and time exist. Without a
// Location (loc nil) an instant's date or fiscal year is that of some zone
// from UTC-14 to UTC+14.
func (r *reading) agree(loc *time.Location) bool {
	return r.agreeFY(loc) && r.agreeDate(loc)
}

// agreeFY checks that the fiscal year read holds the date and the instant
// read.
func (r *reading) agreeFY(loc *time.Location) bool {
	switch {
	case r.fy.month == 0:
	case !r.fy.holdsDate(&r.date):
		return r.fail(r.fy.at, func() string {
			return fmt.Sprintf("the date is not in the fiscal year that starts in %s %d", time.Month(r.fy.month), r.fy.start)
		})
	case r.ms >= 0 && !r.fy.holdsInstant(time.UnixMilli(r.ms), loc):
		return r.fail(r.fy.at, func() string {
			return fmt.Sprintf("the fiscal year that starts in %s %d does not hold its {unixms} (%s)",
				time.Month(r.fy.month), r.fy.start, time.UnixMilli(r.ms).UTC().Format(time.DateTime)+" UTC")
		})
	}
	return true
}

// agreeDate checks that a date shown with {unixms} is its date, in loc or,
// without one, in some zone from UTC-14 to UTC+14; and that a date and
// time read in loc exist there.
func (r *reading) agreeDate(loc *time.Location) bool {
	switch {
	case r.date.have == 0:
	case r.ms >= 0:
		t := time.UnixMilli(r.ms)
		if loc == nil && !r.date.near(t) {
			return r.fail(r.dateAt, func() string {
				return fmt.Sprintf("the date is not that of its {unixms} (%s) in any time zone", t.UTC().Format(time.DateTime)+" UTC")
			})
		}
		if loc != nil && !r.date.at(t.In(loc)) {
			return r.fail(r.dateAt, func() string {
				return fmt.Sprintf("the date is not that of its {unixms} (%s) in %s", t.In(loc).Format(time.DateTime), zone(t.In(loc)))
			})
		}
	case loc != nil && r.date.hasYear() && !r.date.at(r.date.time(loc)):
		// A wall time the zone skips, such as 02:30 when the clocks go
		// forward; without its year a date is in some year, as set says.
		return r.fail(r.dateAt, func() string { return fmt.Sprintf("no such date and time in %s", zone(r.date.time(loc))) })
	}
	return true
}

// zone names t's Location, or its offset from UTC when it has no name.
func zone(t time.Time) string {
	if name := t.Location().String(); name != "" {
		return name
	}
	return "UTC" + t.Format("-07:00")
}

// at reports whether the fields read are those of t, in t's Location.
func (d *dateReading) at(t time.Time) bool {
	form, err := fieldsForm(t, d.have)
	if err != nil {
		return false
	}
	for i := range form {
		if d.have&(1<<i) != 0 && form[i] != d.form[i] {
			return false
		}
	}
	return true
}

// near reports whether the fields read are those of t in some zone from
// UTC-14 to UTC+14, the zones there are: its wall clock, in UTC, between lo
// and hi.
func (d *dateReading) near(t time.Time) bool {
	lo, hi := t.UTC().Add(-14*time.Hour), t.UTC().Add(14*time.Hour)
	y, m, dd := lo.Date()
	for day := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC); !day.After(hi); day = day.AddDate(0, 0, 1) {
		dateOnly := dateReading{form: d.form, have: d.have &^ timeOfDayBits}
		if !dateOnly.at(day) {
			continue
		}
		from, span := d.clock(day)
		if !from.After(hi) && from.Add(span).After(lo) {
			return true
		}
	}
	return false
}

// clock returns the first instant of day that the time-of-day fields read
// allow, and the span of time they do: the whole day without an hour.
func (d *dateReading) clock(day time.Time) (time.Time, time.Duration) {
	h, okH := d.field(11, 2)
	m, okM := d.field(13, 2)
	s, okS := d.field(15, 2)
	switch {
	case !okH:
		return day, 24 * time.Hour
	case !okM:
		return day.Add(time.Duration(h) * time.Hour), time.Hour
	case !okS:
		return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute), time.Minute
	}
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second), time.Second
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

// hasYear reports whether the fields show the year, or its last two digits.
func (d *dateReading) hasYear() bool {
	_, ok := d.year()
	return ok
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

// time returns the earliest instant the fields allow in loc. Fields that
// are not there take the values time.Parse gives them: year 0, January,
// the first, midnight.
func (d *dateReading) time(loc *time.Location) time.Time {
	y, _ := d.year()
	return d.timeIn(y, 1, loc)
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
	if yd, ok := d.field(8, 3); ok && (!hasM || !hasD) {
		// The day of the year says the month and the day.
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

// isDigitRune reports whether r is an ASCII digit.
func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

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
