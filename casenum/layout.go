package casenum

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Limits of the token widths, from DESIGN: {rand} and {seq} fit an int64's
// 18 full decimal digits; {alnum:26} is 130 bits; {hex:32} and {uuid:32} are
// the 128 bits of a UUID.
const (
	maxDigits = 18
	maxAlnum  = 26
	maxHex    = 32
)

type segKind uint8

const (
	segLiteral segKind = iota
	segDate            // {date}: YYYYMMDD
	segDateFmt         // {date:LAYOUT}
	segUnixMS          // {unixms}
	segRand            // {rand:N}
	segAlnum           // {alnum:N}
	segHex             // {hex:N}
	segUUID            // {uuid:N}, or the 36-character form when full
	segSeq             // {seq:N}
	segCheck           // {check}: Damm over digits or over GF(32)
	segMod97           // {check:mod97}
)

// checkMode says which check character a layout ends with.
type checkMode uint8

const (
	checkNone checkMode = iota
	checkDamm10
	checkDamm32
	checkMod97
)

type segment struct {
	kind  segKind
	n     int    // width of the token's output; 36 for a full {uuid}
	full  bool   // {uuid} without width: the hyphenated form
	text  string // the literal, or the Go time layout of {date:LAYOUT}
	pos   int    // 1-based position of the token in the layout, for errors
	limit uint64 // 10^n for {rand} and {seq}
	// for {date:LAYOUT}: the shortest and longest rendering, whether it
	// renders only digits and separators, and its time resolution.
	minLen, maxLen int
	digits         bool
	bucket         time.Duration
}

// Layout is a compiled case-number layout, such as the default
// "CASE-{date}-{unixms}-{rand:3}". The layout language is described in the
// package documentation. A Layout is immutable and safe for concurrent use;
// rendering it does no parsing.
type Layout struct {
	src    string
	segs   []segment
	check  checkMode
	random bool          // has a random token
	seq    bool          // has a {seq} token
	timed  bool          // has a time token
	bucket time.Duration // finest time resolution of its time tokens; 0 when untimed
	size   int           // typical rendered length, to size buffers
	maxLen int           // longest number the matcher can read, to bound its input
}

// String returns the layout's source text.
func (l *Layout) String() string { return l.src }

// MustParseLayout is like ParseLayout but panics if the layout is invalid.
// It is meant for package-level variables initialised from constants.
func MustParseLayout(s string) *Layout {
	l, err := ParseLayout(s)
	if err != nil {
		panic(err)
	}
	return l
}

// ParseLayout compiles a layout. An invalid layout returns an error wrapping
// ErrInvalidLayout that names the 1-based position of the fault: an unknown
// token, a width out of range, a lone '{' or '}', a {seq} after a random or
// time-of-day token or after another {seq}, a {check} that is not the last
// token or covers nothing, an empty layout, or one with no token at all; and,
// since every number must read back, text that is not UTF-8 or a date layout
// that Validate could not parse (a weekday without its date, a zone name).
func ParseLayout(s string) (*Layout, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty layout", ErrInvalidLayout)
	}
	// Validate refuses input that is not UTF-8, so such a layout's numbers
	// could never be read back.
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return nil, layoutError(s, i, "not valid UTF-8")
		}
		i += n
	}
	l := &Layout{src: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			l.segs = append(l.segs, segment{kind: segLiteral, text: lit.String(), n: lit.Len()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i += 2
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i += 2
		case c == '}':
			return nil, layoutError(s, i, "lone '}' (write '}}' for a literal brace)")
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, layoutError(s, i, "unclosed '{' (write '{{' for a literal brace)")
			}
			seg, err := parseToken(s, i, s[i+1:i+end])
			if err != nil {
				return nil, err
			}
			flush()
			if err := l.add(s, seg); err != nil {
				return nil, err
			}
			i += end + 1
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if !l.random && !l.seq && !l.timed {
		return nil, fmt.Errorf("%w %q: no token: every number would be the same", ErrInvalidLayout, s)
	}
	for _, sg := range l.segs {
		switch sg.kind {
		case segDateFmt:
			l.size += sg.maxLen
			l.maxLen += sg.maxLen
		case segUnixMS:
			l.size += 13
			l.maxLen += 19
		default:
			l.size += sg.n
			l.maxLen += sg.n
		}
	}
	return l, nil
}

// add appends a token after checking the rules that depend on its place.
func (l *Layout) add(src string, sg segment) error {
	if l.check != checkNone {
		return layoutError(src, sg.pos-1, "a token after {check}: the check character must be the last token")
	}
	switch sg.kind {
	case segSeq:
		switch {
		case l.seq:
			return layoutError(src, sg.pos-1, "a second {seq}: its scope would change on every number")
		case l.random:
			return layoutError(src, sg.pos-1, "{seq} after a random token: its scope would change on every number")
		case l.timed && l.bucket < 24*time.Hour:
			return layoutError(src, sg.pos-1, "{seq} after a time-of-day token: its scope would change on every number")
		}
		l.seq = true
	case segRand, segAlnum, segHex, segUUID:
		l.random = true
	case segDate, segDateFmt, segUnixMS:
		b := 24 * time.Hour
		if sg.kind == segUnixMS {
			b = time.Millisecond
		} else if sg.kind == segDateFmt {
			b = sg.bucket
		}
		if !l.timed || b < l.bucket {
			l.bucket = b
		}
		l.timed = true
	case segCheck, segMod97:
		mode, err := l.checkModeFor(src, sg)
		if err != nil {
			return err
		}
		l.check = mode
	}
	l.segs = append(l.segs, sg)
	return nil
}

// checkModeFor decides what the check character covers: Damm over digits
// when every token before it renders digits, else Damm over GF(32). Tokens
// that render names (a {date:Jan} month) cannot be covered.
func (l *Layout) checkModeFor(src string, sg segment) (checkMode, error) {
	digits, covered := true, false
	for _, p := range l.segs {
		switch p.kind {
		case segLiteral:
			continue
		case segDateFmt:
			if !p.digits {
				return 0, layoutError(src, sg.pos-1, "{check} cannot cover a date layout that renders letters")
			}
		case segAlnum, segHex, segUUID:
			digits = false
		}
		covered = true
	}
	if !covered {
		return 0, layoutError(src, sg.pos-1, "{check} has nothing before it to cover")
	}
	switch {
	case sg.kind == segMod97:
		return checkMod97, nil
	case digits:
		return checkDamm10, nil
	default:
		return checkDamm32, nil
	}
}

func layoutError(src string, i int, what string) error {
	return fmt.Errorf("%w %q: %s at position %d", ErrInvalidLayout, src, what, i+1)
}

// parseToken compiles the body of one {token} found at byte i of src.
func parseToken(src string, i int, body string) (segment, error) {
	name, arg, hasArg := strings.Cut(body, ":")
	sg := segment{pos: i + 1}
	width := func(lo, hi int) (int, error) {
		if !hasArg {
			return 0, layoutError(src, i, fmt.Sprintf("{%s} needs a width: {%s:N} with N from %d to %d", name, name, lo, hi))
		}
		n, err := strconv.Atoi(arg)
		// Only plain decimal widths: "+3" and "03" would parse, but a layout
		// should read the way it renders.
		if err != nil || n < lo || n > hi || arg[0] < '1' || arg[0] > '9' {
			return 0, layoutError(src, i, fmt.Sprintf("width %q of {%s} out of range %d to %d", arg, name, lo, hi))
		}
		return n, nil
	}
	noArg := func() error {
		if hasArg {
			return layoutError(src, i, fmt.Sprintf("{%s} takes no argument, got %q", name, arg))
		}
		return nil
	}
	var err error
	switch name {
	case "date":
		if !hasArg {
			sg.kind, sg.n = segDate, 8
			return sg, nil
		}
		sg.kind, sg.text = segDateFmt, arg
		if err := compileDateLayout(&sg); err != nil {
			return sg, layoutError(src, i, err.Error())
		}
	case "unixms":
		sg.kind = segUnixMS
		err = noArg()
	case "rand":
		sg.kind = segRand
		sg.n, err = width(1, maxDigits)
		sg.limit = pow10(sg.n)
	case "seq":
		sg.kind = segSeq
		sg.n, err = width(1, maxDigits)
		sg.limit = pow10(sg.n)
	case "alnum":
		sg.kind = segAlnum
		sg.n, err = width(1, maxAlnum)
	case "hex":
		sg.kind = segHex
		sg.n, err = width(1, maxHex)
	case "uuid":
		sg.kind = segUUID
		if !hasArg {
			sg.n, sg.full = 36, true
			return sg, nil
		}
		sg.n, err = width(1, maxHex)
	case "check":
		switch {
		case !hasArg:
			sg.kind, sg.n = segCheck, 1
		case arg == "mod97":
			sg.kind, sg.n = segMod97, 2
		default:
			err = layoutError(src, i, fmt.Sprintf("unknown check %q: use {check} or {check:mod97}", arg))
		}
	default:
		err = layoutError(src, i, fmt.Sprintf("unknown token {%s}", body))
	}
	return sg, err
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

// compileDateLayout works out, by rendering sample times, the lengths a Go
// time layout can render, whether it renders only digits and separators, and
// its resolution: the smallest step of time that changes its output.
//
// The Generator's Location is not known here, so the samples are rendered in
// zones whose offsets print differently ("Z" in UTC, "-09:30" or "+05:45"
// elsewhere), and each must parse back to itself, as Validate reads it. That
// refuses layouts whose numbers Validate could not check: a weekday without
// the date it belongs to, or a zone name, which parses only for some zones.
func compileDateLayout(sg *segment) error {
	sg.minLen, sg.maxLen, sg.digits = math.MaxInt, 0, true
	note := func(out string) {
		sg.minLen, sg.maxLen = min(sg.minLen, len(out)), max(sg.maxLen, len(out))
		for j := 0; j < len(out); j++ {
			if isAlpha(out[j]) {
				sg.digits = false
			}
		}
	}
	readBack := func(t time.Time) error {
		out := t.Format(sg.text)
		note(out)
		if strings.ContainsAny(out, " \t") {
			// Normalize drops the white space a person types, so a space
			// inside a number ("_2" pads a day with one) never reads back.
			return fmt.Errorf("date layout %q renders %q, whose white space a typed number loses: it does not read back", sg.text, out)
		}
		if back, err := time.ParseInLocation(sg.text, out, t.Location()); err != nil || back.Format(sg.text) != out {
			return fmt.Errorf("date layout %q renders %q, which does not read back", sg.text, out)
		}
		return nil
	}
	zones := [...]*time.Location{time.UTC, time.FixedZone("", -(9*3600 + 30*60)), time.FixedZone("", 5*3600+45*60)}
	// The lengths of the fields add up: render each at its longest (a
	// Wednesday in September, a two-digit day, hour, minute and second,
	// nine fractional digits, a zone offset) and at its shortest.
	if err := readBack(time.Date(2025, 9, 10, 12, 34, 56, 123456789, zones[1])); err != nil {
		return err
	}
	if err := readBack(time.Date(2026, 5, 1, 1, 2, 3, 0, time.UTC)); err != nil {
		return err
	}
	// Every mix of short and long fields, so that an unpadded field next
	// to a digit ("4" then "_2" renders "729", which reads back as minute
	// 72) is caught: the short values are high enough that a digit after
	// them is out of range. Also days of the year of one, two and three
	// digits; dates from Monday to Sunday, so that a weekday without its
	// date is caught; a fraction and none; a zone offset and "Z".
	for _, mo := range [...]time.Month{time.January, time.May, time.September, time.November} {
		for _, d := range [...]int{7, 22} {
			for _, h := range [...]int{7, 23} { // "3" prints 7 and 11
				for _, mi := range [...]int{8, 42} {
					for _, sec := range [...]int{9, 53} {
						for _, ns := range [...]int{0, 123456789} {
							for _, zone := range zones[:2] {
								if err := readBack(time.Date(2025, mo, d, h, mi, sec, ns, zone)); err != nil {
									return err
								}
							}
						}
					}
				}
			}
		}
	}
	base := time.Date(2001, 2, 3, 4, 5, 6, 7008009, time.UTC)
	first := base.Format(sg.text)
	steps := []time.Duration{}
	for d := time.Duration(1); d <= time.Second; d *= 10 {
		steps = append(steps, d)
	}
	steps = append(steps, time.Minute, time.Hour, 24*time.Hour)
	for _, d := range steps {
		if base.Add(d).Format(sg.text) != first {
			sg.bucket = d
			return nil
		}
	}
	if base.AddDate(0, 1, 0).Format(sg.text) != first {
		sg.bucket = 31 * 24 * time.Hour
		return nil
	}
	if base.AddDate(1, 0, 0).Format(sg.text) != first {
		sg.bucket = 366 * 24 * time.Hour
		return nil
	}
	return fmt.Errorf("date layout %q has no date or time element", sg.text)
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// renderer carries what one candidate is rendered from: a single clock
// reading, so that the date, the time fields and the {seq} scope agree.
type renderer struct {
	t    time.Time
	loc  *time.Location
	days *dayCache // may be nil
	rnd  Random
	seq  Sequence
	ctx  context.Context
}

// dayCache remembers the rendering of the current day in one Location, so
// that {date} costs a comparison instead of a calendar computation on all
// but the first number of each day, and likewise the current millisecond
// for {unixms}, which a busy Generator renders many times over.
type dayCache struct {
	p  atomic.Pointer[day]
	ms atomic.Pointer[milli]
}

type milli struct {
	ms   int64
	n    int
	text [20]byte
}

func (c *dayCache) appendUnixMS(dst []byte, ms int64) []byte {
	if m := c.ms.Load(); m != nil && m.ms == ms {
		return append(dst, m.text[:m.n]...)
	}
	m := &milli{ms: ms}
	m.n = len(strconv.AppendInt(m.text[:0], ms, 10))
	c.ms.Store(m)
	return append(dst, m.text[:m.n]...)
}

type day struct {
	loc        *time.Location
	start, end int64 // [start, end) in Unix milliseconds
	text       [8]byte
}

func (c *dayCache) appendDate(dst []byte, t time.Time, loc *time.Location) []byte {
	ms := t.UnixMilli()
	if d := c.p.Load(); d != nil && d.loc == loc && ms >= d.start && ms < d.end {
		return append(dst, d.text[:]...)
	}
	local := t.In(loc)
	y, m, dd := local.Date()
	var d0 [8]byte
	if y < 0 || y > 9999 {
		// More than eight bytes: they do not fit d.text.
		return appendYYYYMMDD(dst, local)
	}
	// Each bound on its own: where a day starts at 01:00 because midnight
	// does not exist (DST at midnight), start.AddDate(0, 0, 1) would run an
	// hour into the next day. Bounds that do not fall on the day and the
	// next are not cached at all.
	start := time.Date(y, m, dd, 0, 0, 0, 0, loc)
	end := time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
	appendYYYYMMDD(d0[:0], local)
	if !sameDay(start.In(loc), y, m, dd) || !sameDay(end.Add(-time.Millisecond).In(loc), y, m, dd) ||
		sameDay(end.In(loc), y, m, dd) {
		return append(dst, d0[:]...)
	}
	d := &day{loc: loc, start: start.UnixMilli(), end: end.UnixMilli(), text: d0}
	c.p.Store(d)
	return append(dst, d.text[:]...)
}

func sameDay(t time.Time, y int, m time.Month, d int) bool {
	ty, tm, td := t.Date()
	return ty == y && tm == m && td == d
}

func appendYYYYMMDD(dst []byte, t time.Time) []byte {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		// Outside four digits the date cannot be YYYYMMDD; render what
		// time.Format would rather than wrong digits.
		return t.AppendFormat(dst, "20060102")
	}
	dst = appendPadded(dst, uint64(y), 4)
	dst = appendPadded(dst, uint64(m), 2)
	return appendPadded(dst, uint64(d), 2)
}

// appendTo renders one candidate onto dst.
func (l *Layout) appendTo(dst []byte, r *renderer) ([]byte, error) {
	var vbuf [64]byte
	vars := vbuf[:0] // what the tokens rendered, for the check character
	var local time.Time
	haveLocal := false
	for i := range l.segs {
		sg := &l.segs[i]
		start := len(dst)
		switch sg.kind {
		case segLiteral:
			dst = append(dst, sg.text...)
			continue
		case segDate, segDateFmt:
			if sg.kind == segDate && r.days != nil {
				dst = r.days.appendDate(dst, r.t, r.loc)
				break
			}
			if !haveLocal {
				local, haveLocal = r.t.In(r.loc), true
			}
			if sg.kind == segDate {
				dst = appendYYYYMMDD(dst, local)
			} else {
				dst = local.AppendFormat(dst, sg.text)
			}
		case segUnixMS:
			if r.days != nil {
				dst = r.days.appendUnixMS(dst, r.t.UnixMilli())
			} else {
				dst = strconv.AppendInt(dst, r.t.UnixMilli(), 10)
			}
		case segRand:
			dst = appendPadded(dst, uniform(r.rnd, sg.limit), sg.n)
		case segAlnum:
			dst = appendSymbols(dst, r.rnd, sg.n, 5, crockford)
		case segHex:
			dst = appendSymbols(dst, r.rnd, sg.n, 4, hexDigits)
		case segUUID:
			dst = appendUUID(dst, r.rnd, sg.n, sg.full)
		case segSeq:
			v, err := r.seq.Next(r.ctx, string(dst))
			if err != nil {
				return dst, fmt.Errorf("casenum: sequence: %w", err)
			}
			if v >= sg.limit {
				return dst, fmt.Errorf("%w: value %d for scope %q does not fit {seq:%d}", errSeqFull, v, string(dst), sg.n)
			}
			dst = appendPadded(dst, v, sg.n)
		case segCheck:
			if l.check == checkDamm10 {
				dst = append(dst, damm10(vars))
			} else {
				dst = append(dst, damm32(vars))
			}
		case segMod97:
			c := mod97(vars)
			dst = append(dst, c[0], c[1])
		}
		if l.check != checkNone {
			vars = append(vars, dst[start:]...)
		}
	}
	return dst, nil
}

const hexDigits = "0123456789abcdef"

// errSeqFull marks a {seq} counter that outgrew its width: the main layout
// is used up, and the Generator goes on to the fallback or gives up with
// ErrExhausted.
var errSeqFull = errors.New("casenum: sequence full")

// appendPadded writes v as exactly n decimal digits, zero-padded. v must be
// below 10^n.
func appendPadded(dst []byte, v uint64, n int) []byte {
	dst = append(dst, make([]byte, n)...) // grows in place: no allocation
	for i := len(dst) - 1; i >= len(dst)-n; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
	return dst
}

// uniform returns a value uniform in [0, n) with Lemire's multiply-and-reject
// method: no modulo bias, and a division only on the rare rejection path.
func uniform(r Random, n uint64) uint64 {
	hi, lo := bits.Mul64(r.Uint64(), n)
	if lo < n {
		thresh := -n % n
		// A fair source is rejected with odds below n/2^64 per draw; the
		// cap only keeps a broken one (always 0, say) from looping forever.
		for range 64 {
			if lo >= thresh {
				break
			}
			hi, lo = bits.Mul64(r.Uint64(), n)
		}
	}
	return hi
}

// appendSymbols writes n symbols of an alphabet of 2^width letters, taking
// width bits of each 64-bit draw per symbol: uniform by construction.
func appendSymbols(dst []byte, r Random, n int, width uint, alphabet string) []byte {
	per := 64 / int(width)
	mask := uint64(1)<<width - 1
	for n > 0 {
		v := r.Uint64()
		for k := 0; k < per && n > 0; k++ {
			dst = append(dst, alphabet[v&mask])
			v >>= width
			n--
		}
	}
	return dst
}

// appendUUID writes the first n hex digits of a fresh version 4 UUID drawn
// from r, or its whole hyphenated form when full.
func appendUUID(dst []byte, r Random, n int, full bool) []byte {
	var u [16]byte
	a, b := r.Uint64(), r.Uint64()
	for i := range 8 {
		u[i], u[8+i] = byte(a>>(8*i)), byte(b>>(8*i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	if full {
		for i, c := range u {
			if i == 4 || i == 6 || i == 8 || i == 10 {
				dst = append(dst, '-')
			}
			dst = append(dst, hexDigits[c>>4], hexDigits[c&0x0f])
		}
		return dst
	}
	for i := 0; i < n; i++ {
		c := u[i/2]
		if i%2 == 0 {
			c >>= 4
		}
		dst = append(dst, hexDigits[c&0x0f])
	}
	return dst
}
