package casenum

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Limits of the token widths: {rand} and {seq} fit an int64's 18 full
// decimal digits; {alnum:26} is 130 bits; {hex:32} and {uuid:32} are the
// 128 bits of a UUID. {unixms} has 13 digits from 2001 to 2286.
const (
	maxDigits    = 18
	maxAlnum     = 26
	maxHex       = 32
	unixmsDigits = 13
)

type segKind uint8

const (
	segLiteral segKind = iota
	segDate            // {date}, {date:LAYOUT}
	segUnixMS          // {unixms}
	segRand            // {rand:N}
	segAlnum           // {alnum:N}
	segHex             // {hex:N}
	segUUID            // {uuid:N}, {uuid}
	segSeq             // {seq:N}
	segCheck           // {check}, {check:mod97}
)

// checkMode says which check character a layout ends with.
type checkMode uint8

const (
	checkNone checkMode = iota
	checkDamm10
	checkDamm32
	checkMod97
)

// A segment is a literal or a token. Every token renders a fixed number of
// bytes ({unixms} from 2001 to 2286), described by its shape: one byte per
// output byte, a separator as itself and a symbol as a byte below ' ' (for
// a date, the index of its digit in the fields form YYYYMMDDDDDhhmmss, see
// dateFields). Rendering and reading both walk the shape.
type segment struct {
	kind  segKind
	text  string // the literal; the Go time layout of a date
	shape string // tokens only
	pos   int    // 1-based position in the layout, for errors
	limit uint64 // 10^N for {rand} and {seq}
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
	bucket time.Duration // finest time resolution of its time tokens; 0 without
	unixms int           // how many {unixms} tokens it has
	size   int           // length of the numbers it renders from 2001 to 2286
	lead   int           // leading time segments, with their literals, that a tickText holds
	digits bool          // {rand:N} follows them and ends the layout
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
// token, a width out of range, a lone '{' or '}', a date layout with
// anything but zero-padded numeric fields and separators, a {seq} after a
// random or time-of-day token or after another {seq}, a {check} that is not
// the last token or covers nothing, text that is not UTF-8, an empty layout,
// or one with no token at all.
func ParseLayout(s string) (*Layout, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty layout", ErrInvalidLayout)
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return nil, layoutError(s, i, "not valid UTF-8: its numbers could not be read back")
		}
		i += n
	}
	l := &Layout{src: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			l.segs = append(l.segs, segment{kind: segLiteral, text: lit.String()})
			l.size += lit.Len()
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{', c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte(c)
			i += 2
		case c == '}':
			return nil, layoutError(s, i, "lone '}' (write '}}' for a literal brace)")
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, layoutError(s, i, "unclosed '{' (write '{{' for a literal brace)")
			}
			sg, bucket, err := parseToken(s, i, s[i+1:i+end])
			if err != nil {
				return nil, err
			}
			flush()
			if err := l.add(sg, bucket); err != nil {
				return nil, err
			}
			i += end + 1
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if !l.random && !l.seq && l.bucket == 0 {
		return nil, fmt.Errorf("%w %q: no token: every number would be the same", ErrInvalidLayout, s)
	}
	timed := false
	for _, sg := range l.segs {
		if sg.kind != segLiteral && sg.kind != segDate && sg.kind != segUnixMS {
			break
		}
		l.lead++
		timed = timed || sg.kind != segLiteral
	}
	if !timed {
		l.lead = 0 // literals alone: nothing to cache
	}
	l.digits = l.lead > 0 && l.lead == len(l.segs)-1 && l.segs[l.lead].kind == segRand
	return l, nil
}

// add appends a token after checking the rules that depend on its place.
// bucket is the time resolution of a time token.
func (l *Layout) add(sg segment, bucket time.Duration) error {
	at := sg.pos - 1
	if l.check != checkNone {
		return layoutError(l.src, at, "a token after {check}: the check character must be the last token")
	}
	switch sg.kind {
	case segSeq:
		switch {
		case l.seq:
			return layoutError(l.src, at, "a second {seq}: its scope would change on every number")
		case l.random:
			return layoutError(l.src, at, "{seq} after a random token: its scope would change on every number")
		case l.bucket != 0 && l.bucket < 24*time.Hour:
			return layoutError(l.src, at, "{seq} after a time-of-day token: its scope would change on every number")
		}
		l.seq = true
	case segRand, segAlnum, segHex, segUUID:
		l.random = true
	case segDate, segUnixMS:
		if sg.kind == segUnixMS {
			l.unixms++
		}
		if l.bucket == 0 || bucket < l.bucket {
			l.bucket = bucket
		}
	case segCheck:
		digits, covered := true, false
		for _, p := range l.segs {
			covered = covered || p.kind != segLiteral
			digits = digits && p.kind != segAlnum && p.kind != segHex && p.kind != segUUID
		}
		switch {
		case !covered:
			return layoutError(l.src, at, "{check} has nothing before it to cover")
		case sg.text == "mod97":
			l.check = checkMod97
		case digits:
			l.check = checkDamm10
		default:
			l.check = checkDamm32
		}
	}
	l.segs = append(l.segs, sg)
	l.size += len(sg.shape)
	return nil
}

func layoutError(src string, i int, what string) error {
	return fmt.Errorf("%w %q at position %d: %s", ErrInvalidLayout, src, i+1, what)
}

// sym is a symbol in a shape; which symbols, the token says.
const sym = "\x00"

// parseToken compiles the body of one {token} found at byte i of src.
func parseToken(src string, i int, body string) (segment, time.Duration, error) {
	name, arg, hasArg := strings.Cut(body, ":")
	sg := segment{pos: i + 1}
	width := func(lo, hi int) error {
		if !hasArg {
			return layoutError(src, i, fmt.Sprintf("{%s} needs a width: {%s:N} with N from %d to %d", name, name, lo, hi))
		}
		n, err := strconv.Atoi(arg)
		// Only plain decimal widths: "+3" and "03" would parse, but a layout
		// should read the way it renders.
		if err != nil || n < lo || n > hi || arg[0] < '1' || arg[0] > '9' {
			return layoutError(src, i, fmt.Sprintf("width %q of {%s} out of range %d to %d", arg, name, lo, hi))
		}
		sg.shape = strings.Repeat(sym, n)
		sg.limit = pow10(n)
		return nil
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
		sg.kind, sg.text = segDate, "20060102"
		if hasArg {
			sg.text = arg
		}
		shape, bucket, at, why := compileDate(sg.text)
		if why != "" {
			if at >= 0 {
				i += len("{date:") + at
			}
			return sg, 0, layoutError(src, i, why)
		}
		sg.shape = shape
		return sg, bucket, nil
	case "unixms":
		sg.kind, sg.shape = segUnixMS, strings.Repeat(sym, unixmsDigits)
		return sg, time.Millisecond, noArg()
	case "rand":
		sg.kind = segRand
		err = width(1, maxDigits)
	case "seq":
		sg.kind = segSeq
		err = width(1, maxDigits)
	case "alnum":
		sg.kind = segAlnum
		err = width(1, maxAlnum)
	case "hex":
		sg.kind = segHex
		err = width(1, maxHex)
	case "uuid":
		sg.kind = segUUID
		if !hasArg {
			sg.shape = strings.ReplaceAll("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "x", sym)
			return sg, 0, nil
		}
		err = width(1, maxHex)
	case "check":
		sg.kind, sg.text, sg.shape = segCheck, arg, sym
		switch {
		case arg == "mod97":
			sg.shape = sym + sym
		case hasArg:
			err = layoutError(src, i, fmt.Sprintf("unknown check %q: use {check} or {check:mod97}", arg))
		}
	default:
		err = layoutError(src, i, fmt.Sprintf("unknown token {%s}", body))
	}
	return sg, 0, err
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

// dateFields is where each numeric field of a date layout keeps its digits
// in the fields form YYYYMMDDDDDhhmmss: year, month, day, day of the year,
// hour, minute, second. A two-digit year is the last two digits of the
// year. Listed longest first, as Go's time package reads a layout.
var dateFields = [...]struct {
	layout string
	at     byte
	bucket time.Duration
}{
	{"2006", 0, 366 * 24 * time.Hour},
	{"002", 8, 24 * time.Hour},
	{"06", 2, 366 * 24 * time.Hour},
	{"01", 4, 31 * 24 * time.Hour},
	{"02", 6, 24 * time.Hour},
	{"15", 11, time.Hour},
	{"04", 13, time.Minute},
	{"05", 15, time.Second},
}

// fieldNames names each digit of the fields form, to show a date layout.
const fieldNames = "YYYYMMDDDDDhhmmss"

const dateSeparators = "-./_:"

// compileDate returns the shape of a Go time layout and its resolution, the
// smallest step of time that changes its output; or where it goes wrong and
// why (at -1: the whole token).
func compileDate(layout string) (shape string, bucket time.Duration, at int, why string) {
	var b []byte
next:
	for i := 0; i < len(layout); {
		// "__2" is Go's day of the year padded with spaces, even before "006".
		if strings.IndexByte(dateSeparators, layout[i]) >= 0 && !strings.HasPrefix(layout[i:], "__2") {
			b = append(b, layout[i])
			i++
			continue
		}
		for _, f := range dateFields {
			if strings.HasPrefix(layout[i:], f.layout) {
				for k := range len(f.layout) {
					b = append(b, f.at+byte(k))
				}
				if bucket == 0 || f.bucket < bucket {
					bucket = f.bucket
				}
				i += len(f.layout)
				continue next
			}
		}
		return "", 0, i, fmt.Sprintf("%s in the date layout %q: use only the zero-padded numeric fields "+
			"2006 06 01 02 002 15 04 05 and the separators - . / _ :, and put other text outside the token, "+
			"as in {date:20060102}T{date:1504}", quote(layout[i:]), layout)
	}
	if bucket == 0 {
		return "", 0, -1, fmt.Sprintf("the date layout %q has no date or time field", layout)
	}
	return string(b), bucket, 0, ""
}

// renderer carries what one candidate is rendered from: a single clock
// reading, so that the date, the time fields and the {seq} scope agree.
type renderer struct {
	t     time.Time
	loc   *time.Location
	ticks *tickText // may be nil
	rnd   Random
	seq   Sequence
	ctx   context.Context
}

// tickText remembers what the leading time segments of a layout (its
// literals and time tokens up to the first other token) rendered in the
// latest millisecond of the clock, within which no date field changes
// (zones change their offsets on whole seconds). A busy Generator copies
// that text instead of working out a calendar date and printing a time for
// every number.
//
// With the system clock an entry tells the time too: until its millisecond
// ends, the time is the entry's reading plus time.Since that reading, one
// read of the monotonic clock where time.Now reads two clocks. A step of
// the wall clock shows from the next millisecond on.
type tickText struct {
	p      atomic.Pointer[tickEntry]
	system bool // the Generator's Clock is the system clock
}

type tickEntry struct {
	l     *Layout
	loc   *time.Location
	ms    int64         // the millisecond of at, since 1970
	at    time.Time     // the reading the text was rendered from
	life  time.Duration // how long after at its millisecond lasts; 0 unless the clock is the system's
	n, nv int           // the text is buf[:n]; what its tokens rendered, buf[n:n+nv]
	buf   [96]byte
}

// now returns the cache's entry for l and loc and the time elapsed since
// its reading when the clock is the system's and the entry's millisecond
// has not ended, else nil.
func (c *tickText) now(l *Layout, loc *time.Location) (*tickEntry, time.Duration) {
	e := c.p.Load()
	if e == nil || e.life == 0 || e.l != l || e.loc != loc {
		return nil, 0
	}
	// d < 0: time.Since reads another clock than the entry was read from,
	// as when a testing/synctest bubble was entered or left since.
	if d := time.Since(e.at); d >= 0 && d < e.life {
		return e, d
	}
	return nil, 0
}

// entry returns the cache's entry for l and loc in t's millisecond, or nil.
func (c *tickText) entry(l *Layout, t time.Time, loc *time.Location) *tickEntry {
	if e := c.p.Load(); e != nil && e.l == l && e.loc == loc && e.ms == t.UnixMilli() {
		return e
	}
	return nil
}

// appendDigits renders a layout of leading time segments and random
// digits (l.digits), as the default layout is, from e: the hot path of a
// busy Generator, which skips the general loop.
func (e *tickEntry) appendDigits(dst []byte, l *Layout, rnd Random) []byte {
	sg := &l.segs[l.lead]
	return appendPadded(append(dst, e.buf[:e.n]...), uniform(rnd, sg.limit), len(sg.shape))
}

// appendLead renders the layout's leading time segments onto dst and what
// their tokens rendered onto vars, from the cache when it holds them for
// r's millisecond.
func (c *tickText) appendLead(dst, vars []byte, l *Layout, r *renderer) ([]byte, []byte, error) {
	if e := c.entry(l, r.t, r.loc); e != nil {
		return append(dst, e.buf[:e.n]...), append(vars, e.buf[e.n:e.n+e.nv]...), nil
	}
	start, vstart := len(dst), len(vars)
	dst, vars, err := l.appendSegs(dst, vars, r, l.segs[:l.lead])
	if err != nil {
		return dst, vars, err
	}
	if n, nv := len(dst)-start, len(vars)-vstart; n+nv <= len(tickEntry{}.buf) {
		e := &tickEntry{l: l, loc: r.loc, ms: r.t.UnixMilli(), at: r.t, n: n, nv: nv}
		if c.system {
			e.life = time.Millisecond - time.Duration(r.t.Nanosecond()%1e6)
		}
		copy(e.buf[copy(e.buf[:], dst[start:]):], vars[vstart:])
		c.p.Store(e)
	}
	return dst, vars, nil
}

// appendTo renders one candidate onto dst.
func (l *Layout) appendTo(dst []byte, r *renderer) ([]byte, error) {
	var vbuf [64]byte
	vars := vbuf[:0] // what the tokens rendered, for the check character
	segs := l.segs
	if l.lead > 0 && r.ticks != nil {
		var err error
		if dst, vars, err = r.ticks.appendLead(dst, vars, l, r); err != nil {
			return dst, err
		}
		segs = segs[l.lead:]
	}
	dst, _, err := l.appendSegs(dst, vars, r, segs)
	return dst, err
}

// appendSegs renders segs, all of l's or those after its leading time
// segments, onto dst, and what the tokens render onto vars when the layout
// has a check character.
func (l *Layout) appendSegs(dst, vars []byte, r *renderer, segs []segment) (_, _ []byte, err error) {
	var form [17]byte
	local, ok := false, false // form holds r.t in the fields form; its year has four digits
	for i := range segs {
		sg := &segs[i]
		start := len(dst)
		switch sg.kind {
		case segLiteral:
			dst = append(dst, sg.text...)
			continue
		case segDate:
			if !local {
				form, ok = fieldsForm(r.t.In(r.loc))
				local = true
			}
			if !ok {
				return dst, vars, unprintable(r.t, "a date token prints the years 0 to 9999")
			}
			for j := 0; j < len(sg.shape); j++ {
				if c := sg.shape[j]; c < ' ' {
					dst = append(dst, form[c])
				} else {
					dst = append(dst, c)
				}
			}
		case segUnixMS:
			switch ms := r.t.UnixMilli(); {
			case ms >= 1e12 && ms < 1e13:
				dst = appendPadded(dst, uint64(ms), unixmsDigits)
			case ms < 0 || r.t.Year() > 9999:
				return dst, vars, unprintable(r.t, "{unixms} prints the times from 1970 to 9999")
			default:
				dst = strconv.AppendInt(dst, ms, 10)
			}
		case segRand:
			dst = appendPadded(dst, uniform(r.rnd, sg.limit), len(sg.shape))
		case segAlnum:
			dst = appendSymbols(dst, r.rnd, len(sg.shape), 5, crockford)
		case segHex:
			dst = appendSymbols(dst, r.rnd, len(sg.shape), 4, hexDigits)
		case segUUID:
			dst = appendUUID(dst, r.rnd, sg.shape)
		case segSeq:
			v, err := r.seq.Next(r.ctx, string(dst))
			if err != nil {
				return dst, vars, fmt.Errorf("casenum: sequence: %w", err)
			}
			if v >= sg.limit {
				return dst, vars, fmt.Errorf("%w: value %d for scope %q does not fit {seq:%d}", errSeqFull, v, string(dst), len(sg.shape))
			}
			dst = appendPadded(dst, v, len(sg.shape))
		case segCheck:
			dst = appendCheck(dst, l.check, vars)
		}
		if l.check != checkNone {
			vars = append(vars, dst[start:]...)
		}
	}
	return dst, vars, nil
}

// unprintable is the error of a clock reading that a layout cannot render
// so that the number reads back: minting it would hand out a number that
// Validate refuses.
func unprintable(t time.Time, why string) error {
	return fmt.Errorf("casenum: the clock reads %v, and %s", t, why)
}

// fieldsForm returns t in the fields form; ok is false when its year has
// more than four digits or is negative.
func fieldsForm(t time.Time) (form [17]byte, ok bool) {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return form, false
	}
	h, mi, s := t.Clock()
	f := form[:0]
	for _, v := range [...]struct{ v, n int }{{y, 4}, {int(m), 2}, {d, 2}, {t.YearDay(), 3}, {h, 2}, {mi, 2}, {s, 2}} {
		f = appendPadded(f, uint64(v.v), v.n)
	}
	return form, true
}

// appendCheck writes the check character of mode over vars.
func appendCheck(dst []byte, mode checkMode, vars []byte) []byte {
	switch mode {
	case checkDamm10:
		return append(dst, damm10(vars))
	case checkDamm32:
		return append(dst, damm32(vars))
	}
	c := mod97(vars)
	return append(dst, c[0], c[1])
}

const hexDigits = "0123456789abcdef"

// errSeqFull marks a {seq} counter that outgrew its width: the main layout
// is used up, and the Generator goes on to the fallback or gives up with
// ErrExhausted.
var errSeqFull = errors.New("casenum: sequence full")

// appendPadded writes v as exactly n decimal digits, zero-padded. v must be
// below 10^n.
func appendPadded(dst []byte, v uint64, n int) []byte {
	dst = slices.Grow(dst, n)[:len(dst)+n]
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

// appendUUID writes a fresh version 4 UUID drawn from r in the given shape:
// its hex digits, with hyphens where the shape has them.
func appendUUID(dst []byte, r Random, shape string) []byte {
	var u [16]byte
	a, b := r.Uint64(), r.Uint64()
	for i := range 8 {
		u[i], u[8+i] = byte(a>>(8*i)), byte(b>>(8*i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	d := 0
	for j := 0; j < len(shape); j++ {
		if shape[j] == '-' {
			dst = append(dst, '-')
			continue
		}
		dst = append(dst, hexDigits[u[d/2]>>(4*(1-d%2))&0x0f])
		d++
	}
	return dst
}
