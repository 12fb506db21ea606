package casenum

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxInput bounds what Validate and Normalize read: no layout renders
// anything near it, and it keeps matching cheap on hostile input.
const maxInput = 256

// Validate reports whether number is a case number of the Generator's
// layout or its fallback layout, exactly as the Generator renders it: the
// literals, each token's shape (a real calendar date for {date}, a version 4
// UUID's fixed digits for {uuid}) and the check character. It returns nil,
// or an error wrapping ErrInvalidNumber that says what is wrong and where.
// Validate never consults the Checker: a valid number may be unknown.
func (g *Generator) Validate(number string) error {
	_, err := g.match(number, strict)
	return err
}

// Normalize turns what a person typed into the canonical case number: it
// ignores surrounding and inner white space and letter case, lets separators
// between the layout's parts be left out, and reads the Crockford
// look-alikes I and L as 1 and O as 0 in the variable parts. The result is
// then checked as Validate does. A number that cannot be read returns an
// error wrapping ErrInvalidNumber with the reason.
//
// Read loosely, {unixms} must have its 13 digits (times from 2001 to 2286):
// otherwise a mistyped separator next to it would lengthen the time and
// slip past the check character. A number that validates comes back as it is, and a reading that finds a
// separator wherever the layout has one (typed as a space, a hyphen or
// another) is preferred to one that leaves some out: CASE 20250929 12345678
// is the fallback number CASE-20250929-12345678, not the main number
// CASE-20250929-12345-678.
func (g *Generator) Normalize(input string) (string, error) {
	if !utf8.ValidString(input) {
		return "", &NumberError{Reason: "not valid UTF-8"}
	}
	// A number that validates is canonical already. Read loosely it could
	// split another way: a fallback number whose hex digits are all decimal
	// also reads as a main number with a hyphen left out.
	if out, err := g.match(input, strict); err == nil {
		return out, nil
	}
	// Likewise separators typed where a layout has them tell which layout
	// was meant, so a reading that finds them all comes first.
	if out, err := g.match(collapseSpace(input), folded); err == nil {
		return out, nil
	}
	var b strings.Builder
	for _, r := range input {
		if !unicode.IsSpace(r) {
			b.WriteRune(r)
		}
	}
	return g.match(b.String(), loose)
}

// collapseSpace drops the white space at the ends of s and next to a
// separator, and turns every other run into one space, which reads as a
// separator: "case 20250929 - 1f0c3a9e " becomes "case 20250929-1f0c3a9e".
func collapseSpace(s string) string {
	var b strings.Builder
	space, sep := false, true // sep: the last rune written is a separator
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		isSep := r < utf8.RuneSelf && isSeparator(byte(r))
		if space && !sep && !isSep {
			b.WriteByte(' ')
		}
		space, sep = false, isSep
		b.WriteRune(r)
	}
	return b.String()
}

// leniency is how loosely the matcher reads.
type leniency uint8

const (
	strict leniency = iota // exactly as the Generator renders
	folded                 // any case, look-alikes, any separator for another
	loose                  // and separators left out
)

// match reads s against the main layout, then the fallback, and returns the
// canonical number or the reason of the layout that read furthest.
func (g *Generator) match(s string, mode leniency) (string, error) {
	if s == "" {
		return "", &NumberError{Reason: "empty"}
	}
	limit := max(maxInput, g.layout.maxLen)
	if g.fallback != nil {
		limit = max(limit, g.fallback.maxLen)
	}
	if len(s) > limit {
		return "", &NumberError{Reason: fmt.Sprintf("%d bytes is longer than any case number", len(s))}
	}
	if !utf8.ValidString(s) {
		return "", &NumberError{Reason: "not valid UTF-8"}
	}
	out, m := g.layout.match(s, mode, g.loc)
	if m.ok {
		return out, nil
	}
	if g.fallback != nil {
		fout, fm := g.fallback.match(s, mode, g.loc)
		if fm.ok {
			return fout, nil
		}
		// A wrong check character means the shape matched: that reason
		// beats one of a layout that merely read further.
		if fm.badCheck || !m.badCheck && fm.at > m.at {
			m = fm
		}
	}
	return "", m.err(s)
}

// NumberError is the error of Validate and Normalize: why an input is not a
// case number of the Generator's layouts. It wraps ErrInvalidNumber. Its
// Reason and Position are meant for people: an API can answer with them
// without the package's prefix.
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

// matcher reads an input against a layout's segments, backtracking over the
// tokens of variable width ({unixms}, {date:LAYOUT}).
type matcher struct {
	l       *Layout
	in      string
	mode    leniency
	lenient bool // mode != strict
	loc     *time.Location
	out     []byte // the canonical number so far
	vars    []byte // what the tokens read, for the check character
	// dead is a bit set of the (segment, position, check state) triples
	// known to fail. The check state belongs in the key: two readings of
	// the same input can split it differently (a digit taken by a literal
	// or by a token) and so differ in what the check character covers.
	dead     []uint64
	states   int // distinct check states: 1 without a check character
	ok       bool
	at       int    // furthest position a failure was seen at
	why      string // and why
	badCheck bool   // the shape matched but the check character did not
}

// option is one way a segment can read the input: where it ends and the
// canonical text it stands for.
type option struct {
	end  int
	text string
}

func (m *matcher) err(input string) *NumberError {
	if m.why == "" {
		return &NumberError{Input: input, Reason: "does not match the layout"}
	}
	return &NumberError{Input: input, Position: m.at + 1, Reason: m.why}
}

// fail records why the match failed at position at, keeping the furthest,
// unless a check character failed: then the shape matched, which says more.
func (m *matcher) fail(at int, why string) []option {
	if !m.badCheck && (at >= m.at || m.why == "") {
		m.at, m.why = at, why
	}
	return nil
}

// failCheck records a check character that does not match, keeping the
// furthest: a shorter reading of a variable-width token that also reaches
// a check character is no better a guess at where the error is.
func (m *matcher) failCheck(at int, why string) []option {
	if !m.badCheck || at > m.at {
		m.badCheck = true
		m.at, m.why = at, why
	}
	return nil
}

func (l *Layout) match(s string, mode leniency, loc *time.Location) (string, *matcher) {
	states := 1
	switch l.check {
	case checkDamm10:
		states = 10
	case checkDamm32:
		states = 32
	case checkMod97:
		states = 97
	}
	m := &matcher{l: l, in: s, mode: mode, lenient: mode != strict, loc: loc,
		out:    make([]byte, 0, len(s)),
		states: states,
		dead:   make([]uint64, ((len(l.segs)+1)*(len(s)+1)*states+63)/64)}
	m.ok = m.seg(0, 0)
	return string(m.out), m
}

// checkState is all that the check character's verdict depends on of what
// the tokens read so far.
func (m *matcher) checkState() int {
	switch m.l.check {
	case checkDamm10:
		return int(damm10State(m.vars))
	case checkDamm32:
		return int(damm32State(m.vars))
	case checkMod97:
		return int(mod97State(m.vars))
	}
	return 0
}

// seg matches segments i.. against the input from pos.
func (m *matcher) seg(i, pos int) bool {
	if i == len(m.l.segs) {
		if pos != len(m.in) {
			m.fail(pos, "unexpected "+quote(m.in[pos:]))
			return false
		}
		return true
	}
	key := (i*(len(m.in)+1)+pos)*m.states + m.checkState()
	if m.dead[key/64]&(1<<(key%64)) != 0 {
		return false
	}
	outLen, varsLen := len(m.out), len(m.vars)
	sg := &m.l.segs[i]
	for _, o := range m.read(sg, pos) {
		m.out = append(m.out, o.text...)
		if sg.kind != segLiteral {
			m.vars = append(m.vars, o.text...)
		}
		if m.seg(i+1, o.end) {
			return true
		}
		m.out, m.vars = m.out[:outLen], m.vars[:varsLen]
	}
	m.dead[key/64] |= 1 << (key % 64)
	return false
}

// read returns the ways segment sg can read the input at pos, most likely
// first; none, with the reason recorded, when it cannot.
func (m *matcher) read(sg *segment, pos int) []option {
	switch sg.kind {
	case segLiteral:
		return m.literal(sg.text, pos)
	case segDate:
		return m.date(pos)
	case segDateFmt:
		return m.dateFmt(sg, pos)
	case segUnixMS:
		return m.unixms(pos)
	case segRand, segSeq:
		return m.symbols(pos, sg.n, m.digit, "digit")
	case segAlnum:
		return m.symbols(pos, sg.n, m.alnum, "Crockford base32 symbol")
	case segHex:
		return m.symbols(pos, sg.n, m.hex, "hex digit")
	case segUUID:
		return m.uuid(sg, pos)
	case segCheck, segMod97:
		return m.check(sg, pos)
	}
	return nil
}

// literal matches the layout's literal text. Leniently, letters match in any
// case and a separator may be typed as another; loosely it may be left out.
// White space in the literal is always optional: Normalize took it out of
// the input, or left a space for it.
func (m *matcher) literal(lit string, pos int) []option {
	if !m.lenient {
		if strings.HasPrefix(m.in[pos:], lit) {
			return []option{{pos + len(lit), lit}}
		}
		return m.fail(pos, "expected "+quote(lit))
	}
	for j := 0; j < len(lit); {
		c := lit[j]
		r, size := utf8.DecodeRuneInString(lit[j:])
		space := unicode.IsSpace(r)
		switch {
		case isSeparator(c) || space:
			if pos < len(m.in) && isSeparator(m.in[pos]) {
				pos++
			} else if m.mode != loose && !space {
				return m.fail(pos, "expected "+quote(lit[j:]))
			}
		case pos < len(m.in) && equalFold(m.in[pos], c):
			pos++
		default:
			return m.fail(pos, "expected "+quote(lit[j:]))
		}
		if !space {
			size = 1 // other bytes of a multi-byte literal match one by one
		}
		j += size
	}
	return []option{{pos, lit}}
}

// symbols reads exactly n symbols with read, which returns the canonical
// byte of each.
func (m *matcher) symbols(pos, n int, read func(byte) (byte, bool), what string) []option {
	buf := make([]byte, 0, n)
	for j := pos; j < pos+n; j++ {
		if j >= len(m.in) {
			return m.fail(j, fmt.Sprintf("too short: expected %d %ss", n, what))
		}
		c, ok := read(m.in[j])
		if !ok {
			return m.fail(j, fmt.Sprintf("expected a %s, got %s", what, quote(m.in[j:j+1])))
		}
		buf = append(buf, c)
	}
	return []option{{pos + n, string(buf)}}
}

// lookAlike reads what a person may type for a digit: O for 0, I and L for 1.
func lookAlike(c byte) (byte, bool) {
	switch c {
	case 'O', 'o':
		return '0', true
	case 'I', 'i', 'L', 'l':
		return '1', true
	}
	return c, isDigit(c)
}

// digitLookAlikes reads O as 0 and I and L as 1 in s, for a date layout
// that renders no letters.
func digitLookAlikes(s string) string {
	if !strings.ContainsAny(s, "OoIiLl") {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if isAlpha(c) {
			b[i], _ = lookAlike(c)
		}
	}
	return string(b)
}

func (m *matcher) digit(c byte) (byte, bool) {
	if m.lenient {
		return lookAlike(c)
	}
	return c, isDigit(c)
}

func (m *matcher) alnum(c byte) (byte, bool) {
	if !m.lenient {
		return c, strings.IndexByte(crockford, c) >= 0
	}
	v, ok := crockfordValue(c)
	if !ok {
		return c, false // v is out of the alphabet's range for U
	}
	return crockford[v], true
}

func (m *matcher) hex(c byte) (byte, bool) {
	if m.lenient {
		if d, ok := lookAlike(c); ok {
			return d, true
		}
		c |= 0x20 // lower case
	}
	return c, isDigit(c) || c >= 'a' && c <= 'f'
}

// date reads YYYYMMDD and requires a real calendar date.
func (m *matcher) date(pos int) []option {
	opts := m.symbols(pos, 8, m.digit, "digit")
	if opts == nil {
		return nil
	}
	if _, err := time.ParseInLocation("20060102", opts[0].text, m.loc); err != nil {
		return m.fail(pos, fmt.Sprintf("%s is not a date (YYYYMMDD)", opts[0].text))
	}
	return opts
}

// dateFmt reads a {date:LAYOUT}: every length the layout can render, longest
// first, that parses and renders back to the same text.
func (m *matcher) dateFmt(sg *segment, pos int) []option {
	var opts []option
	for n := min(sg.maxLen, len(m.in)-pos); n >= sg.minLen; n-- {
		text := m.in[pos : pos+n]
		if m.lenient && sg.digits {
			text = digitLookAlikes(text)
		}
		t, err := time.ParseInLocation(sg.text, text, m.loc)
		if err != nil {
			continue
		}
		canon := t.Format(sg.text)
		if canon == text || m.lenient && strings.EqualFold(canon, text) {
			opts = append(opts, option{pos + n, canon})
		}
	}
	if opts == nil {
		return m.fail(pos, fmt.Sprintf("expected a date in the layout %q", sg.text))
	}
	return opts
}

// unixms reads 1 to 19 digits, longest first. The Generator never renders a
// leading zero, so only "0" itself may start with one: a number read with it
// would not validate.
func (m *matcher) unixms(pos int) []option {
	var buf [19]byte
	n := 0
	for pos+n < len(m.in) && n < len(buf) {
		c, ok := m.digit(m.in[pos+n])
		if !ok {
			break
		}
		buf[n] = c
		n++
	}
	if n == 0 {
		return m.fail(pos, "expected the Unix time in milliseconds")
	}
	if buf[0] == '0' && n > 1 {
		m.fail(pos, "leading zero in the Unix time")
		n = 1
	}
	lo, hi := 1, n
	if m.mode != strict {
		// Read loosely, a separator may be missing, so a mistyped one
		// would simply lengthen the time and slip past the check
		// character. Typed numbers carry times of 2001 to 2286: 13 digits.
		if n < unixmsDigits {
			return m.fail(pos+n, fmt.Sprintf("expected %d digits of Unix time in milliseconds", unixmsDigits))
		}
		lo, hi = unixmsDigits, unixmsDigits
	}
	opts := make([]option, 0, hi-lo+1)
	for k := hi; k >= lo; k-- {
		opts = append(opts, option{pos + k, string(buf[:k])})
	}
	return opts
}

// unixmsDigits is the width of {unixms} from September 2001 to 2286.
const unixmsDigits = 13

// uuid reads the first n hex digits of a version 4 UUID, or the whole
// hyphenated form, whose version and variant digits are fixed.
func (m *matcher) uuid(sg *segment, pos int) []option {
	var buf [32]byte
	digits, j := 0, pos
	want := min(sg.n, 32)
	for digits < want {
		if sg.full && (digits == 8 || digits == 12 || digits == 16 || digits == 20) {
			// Leniently a hyphen may be typed as another separator,
			// loosely left out.
			if j < len(m.in) && (m.in[j] == '-' || m.lenient && isSeparator(m.in[j])) {
				j++
			} else if m.mode != loose {
				return m.fail(j, "expected '-' in the UUID")
			}
		}
		if j >= len(m.in) {
			return m.fail(j, fmt.Sprintf("too short: expected %d hex digits of a UUID", want))
		}
		c, ok := m.hex(m.in[j])
		if !ok {
			return m.fail(j, fmt.Sprintf("expected a hex digit, got %s", quote(m.in[j:j+1])))
		}
		if digits == 12 && c != '4' {
			return m.fail(j, "not a version 4 UUID")
		}
		if digits == 16 && !strings.ContainsRune("89ab", rune(c)) {
			return m.fail(j, "not an RFC 9562 UUID variant")
		}
		buf[digits] = c
		digits++
		j++
	}
	if !sg.full {
		return []option{{j, string(buf[:digits])}}
	}
	h := buf[:]
	text := string(h[0:8]) + "-" + string(h[8:12]) + "-" + string(h[12:16]) + "-" + string(h[16:20]) + "-" + string(h[20:32])
	return []option{{j, text}}
}

// check reads the check character and verifies it against what the tokens
// before it read.
func (m *matcher) check(sg *segment, pos int) []option {
	switch m.l.check {
	case checkMod97:
		opts := m.symbols(pos, 2, m.digit, "digit")
		if opts == nil {
			return nil
		}
		if !validMod97(m.vars, [2]byte{opts[0].text[0], opts[0].text[1]}) {
			return m.failCheck(pos, "check digits do not match: a character is wrong or two are swapped")
		}
		return opts
	case checkDamm10:
		opts := m.symbols(pos, 1, m.digit, "digit")
		if opts == nil {
			return nil
		}
		if !validDamm10(m.vars, opts[0].text[0]) {
			return m.failCheck(pos, "check digit does not match: a character is wrong or two are swapped")
		}
		return opts
	default:
		opts := m.symbols(pos, 1, m.alnum, "Crockford base32 symbol")
		if opts == nil {
			return nil
		}
		if !validDamm32(m.vars, opts[0].text[0]) {
			return m.failCheck(pos, "check character does not match: a character is wrong or two are swapped")
		}
		return opts
	}
}

func isSeparator(c byte) bool {
	return c < 0x80 && !isDigit(c) && !isAlpha(c)
}

func equalFold(a, b byte) bool {
	if isAlpha(a) && isAlpha(b) {
		return a|0x20 == b|0x20
	}
	return a == b
}

// quote shows a piece of the input in an error, shortened.
func quote(s string) string {
	if len(s) > 24 {
		return fmt.Sprintf("%q...", s[:24])
	}
	return fmt.Sprintf("%q", s)
}
