package casenum

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the token widths: {rand} and {seq} fit an int64's 18 full
// decimal digits; {alnum:26} is 130 bits; {hex:32} and {uuid:32} are the
// 128 bits of a UUID. {unixms} has 13 digits from 2001-09-09 to 2286-11-20.
const (
	maxDigits    = 18
	maxKey       = 16
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
	segSeq             // {seq}, {seq:N}
	segCheck           // {check}, {check:mod97}
	segKey             // {key}
	segFY              // {fy:M}, {fy:M:end}, {fy:M:06}, {fy:M:end:06}
)

// checkMode says which check character a layout ends with.
type checkMode uint8

const (
	checkNone checkMode = iota
	checkDamm10
	checkDamm32
	checkMod97
)

// A segment is a literal or a token. A token renders the bytes its shape
// describes: one byte per output byte, a separator as itself and a symbol
// of syms as a byte below ' ' (for a date, the index of its digit in the
// fields form YYYYMMDDDDDhhmmss, see dateFields). Rendering and reading
// both walk the shape.
type segment struct {
	kind  segKind
	text  string   // the literal; the Go time layout of a date; the alphabet of {alnum} and {hex}; the argument of {check}
	shape string   // tokens only
	syms  *symbols // tokens only: what a symbol of the shape is
	pos   int      // 1-based position in the layout, for errors
	limit uint64   // 10^N for {rand} and {seq}: one more than the largest value; 0 for a bare {seq} until delimit
	vary  bool     // a {seq} that grows past its shape, which is then its padding
	perm  bool     // {seq:N:perm}: the counter under a keyed permutation, of N digits always
	month int      // {fy}: the month its years start in, 1 to 12
	run   bool     // {alnum}, or a {check} right after one: a blocklist reads it
}

// Layout is a compiled case-number layout, such as the default
// "CASE-{date}-{unixms}-{rand:3}". The layout language is described in the
// package documentation. A Layout is immutable and safe for concurrent use;
// rendering it does no parsing.
type Layout struct {
	src     string
	segs    []segment
	check   checkMode
	random  bool          // has a random token
	seq     bool          // has a {seq} token
	key     bool          // has a {key} token
	fyMonth int           // the month the years of its {fy} tokens start in; 0 without
	bucket  time.Duration // finest time resolution of its time tokens; 0 without
	lead    int           // leading literals and date tokens without a time of day, the same all day; 0 without such a date token
	fields  uint32        // a bit per digit of the fields form that the date tokens after the lead show
	size    int           // length of the longest numbers it renders
	varies  bool          // has a token whose width varies: a {seq} that grows, a {key}
	draw    int           // the first random token; len(segs) without
	block   *blocklist    // the words {alnum} must not spell; nil for none
	first   byteSet       // the bytes a number can start with as a person types it
}

// String returns the layout's source text.
func (l *Layout) String() string { return l.src }

// ParseLayout compiles a layout. An invalid layout returns an error wrapping
// ErrInvalidLayout that names the 1-based position of the fault: an unknown
// token, a width out of range, a lone '{' or '}', a date layout with
// anything but zero-padded numeric fields and separators, a {seq} after a
// random or time-of-day token or after another {seq}, a {seq} without a
// width that nothing after it delimits, a {key} that nothing delimits or a
// second {key}, a {check} that is not the last token or covers nothing,
// text that is not UTF-8, an empty layout, or one with no token but {key}.
func ParseLayout(s string) (*Layout, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty layout", ErrInvalidLayout)
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return nil, layoutError(s, i, "not valid UTF-8: its numbers could not be read back")
			}
		}
	}
	l := &Layout{src: s}
	if err := l.scan(); err != nil {
		return nil, err
	}
	if !l.random && !l.seq && l.bucket == 0 {
		return nil, fmt.Errorf("%w %q: no token: every number would be the same", ErrInvalidLayout, s)
	}
	if err := l.delimit(); err != nil {
		return nil, err
	}
	l.findLead()
	l.first = l.firstBytes()
	if !l.random {
		l.draw = len(l.segs)
	}
	l.setBlocklist(defaultBlocklist())
	return l, nil
}

// setBlocklist sets the words the layout's {alnum} tokens must not spell,
// nil for none or for a layout without {alnum}.
func (l *Layout) setBlocklist(b *blocklist) {
	l.block = nil
	for _, sg := range l.segs {
		if sg.run {
			l.block = b
		}
	}
}

// delimit lets each {seq} that what follows it delimits grow past its
// padding: the end of the layout or a literal that starts with something
// other than a digit, right after it or after the {check} that follows
// it. Where nothing delimits it, {seq:N} keeps a fixed width and a bare
// {seq} is refused; {seq:N:perm} always keeps its N digits. A {key} must
// be delimited by the end or a literal that holds no letter or digit: a
// key may be typed without the separator after it, and a letter or digit
// of the literal would then be taken for the key's.
func (l *Layout) delimit() error {
	for i := range l.segs {
		sg, next := &l.segs[i], l.segs[i+1:]
		switch {
		case sg.kind == segKey && len(next) > 0 && (next[0].kind != segLiteral || strings.IndexFunc(next[0].text, isAlnumRune) >= 0):
			return layoutError(l.src, sg.pos-1, "nothing tells where {key} ends: follow it with a literal "+
				"of no letter or digit, such as '-', or end the layout with it")
		case sg.kind == segKey:
			l.size += maxKey - len(sg.shape)
			l.varies = true
		case sg.kind != segSeq, sg.perm:
		case delimits(next) || next[0].kind == segCheck && delimits(next[1:]):
			sg.vary, sg.limit = true, pow10(maxDigits)
			l.size += maxDigits - len(sg.shape)
			l.varies = true
		case sg.limit == 0:
			return layoutError(l.src, sg.pos-1, "nothing tells where {seq} ends: end the layout with it, or follow it "+
				"(or the {check} after it) with a literal that does not start with a digit, or give it a fixed width {seq:N}")
		}
	}
	return nil
}

// delimits reports whether segs, what follows a counter, ends its digits:
// they are none, or start with a literal that does not start with a digit.
func delimits(segs []segment) bool {
	return len(segs) == 0 || segs[0].kind == segLiteral && !isDigit(segs[0].text[0])
}

// findLead sets the layout's lead and the date fields that the tokens
// after it show.
func (l *Layout) findLead() {
	dated := false
	for _, sg := range l.segs {
		if sg.kind != segLiteral && (sg.kind != segDate && sg.kind != segFY || dateFieldBits(sg)&timeOfDayBits != 0) {
			break
		}
		l.lead++
		dated = dated || sg.kind == segDate || sg.kind == segFY
	}
	if !dated {
		l.lead = 0
	}
	for _, sg := range l.segs[l.lead:] {
		l.fields |= dateFieldBits(sg)
	}
}

// scan compiles l.src into segments, left to right.
func (l *Layout) scan() error {
	s := l.src
	var lit []byte
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case (c == '{' || c == '}') && i+1 < len(s) && s[i+1] == c:
			lit = append(lit, c)
			i += 2
		case c == '}':
			return layoutError(s, i, "lone '}' (write '}}' for a literal brace)")
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return layoutError(s, i, "unclosed '{' (write '{{' for a literal brace)")
			}
			sg, bucket, err := parseToken(s, i, s[i+1:i+end])
			if err != nil {
				return err
			}
			l.addLiteral(lit)
			lit = lit[:0]
			if err := l.add(sg, bucket); err != nil {
				return err
			}
			i += end + 1
		default:
			lit = append(lit, c)
			i++
		}
	}
	l.addLiteral(lit)
	return nil
}

func (l *Layout) addLiteral(lit []byte) {
	if len(lit) > 0 {
		l.segs = append(l.segs, segment{kind: segLiteral, text: string(lit)})
		l.size += len(lit)
	}
}

// add appends a token after checking the rules that depend on its place.
// bucket is the time resolution of a time token.
func (l *Layout) add(sg segment, bucket time.Duration) error {
	if l.check != checkNone {
		return layoutError(l.src, sg.pos-1, "a token after {check}: the check character must be the last token")
	}
	var why string
	switch sg.kind {
	case segSeq:
		why = l.placeSeq()
	case segKey:
		why = l.placeKey()
	case segCheck:
		why = l.placeCheck(&sg)
	case segDate, segUnixMS, segFY:
		if sg.kind == segFY {
			why = l.placeFY(sg.month)
		}
		if l.bucket == 0 || bucket < l.bucket {
			l.bucket = bucket
		}
	default:
		if !l.random {
			l.draw = len(l.segs) // a draw the blocklist refuses is drawn again from here
		}
		l.random = true
	}
	if why != "" {
		return layoutError(l.src, sg.pos-1, why)
	}
	sg.run = sg.kind == segAlnum || sg.kind == segCheck && len(l.segs) > 0 && l.segs[len(l.segs)-1].run
	l.segs = append(l.segs, sg)
	l.size += len(sg.shape)
	return nil
}

// placeSeq says why a {seq} cannot come next, or records it.
func (l *Layout) placeSeq() string {
	switch {
	case l.seq:
		return "a second {seq}: its scope would change on every number"
	case l.random:
		return "{seq} after a random token: its scope would change on every number"
	case l.bucket != 0 && l.bucket < 24*time.Hour:
		return "{seq} after a time-of-day token: its scope would change on every number"
	}
	l.seq = true
	return ""
}

// placeKey says why a {key} cannot come next, or records it.
func (l *Layout) placeKey() string {
	if l.key {
		return "a second {key}: a number has one key"
	}
	l.key = true
	return ""
}

// placeFY says why a {fy} of the given month cannot come next, or records
// the month.
func (l *Layout) placeFY(month int) string {
	if l.fyMonth != 0 && l.fyMonth != month {
		return fmt.Sprintf("{fy} tokens of one layout must start their years in one month, not %d and %d", l.fyMonth, month)
	}
	l.fyMonth = month
	return ""
}

// placeCheck says why a {check} cannot come next, or records its mode and
// the symbols it reads: a Damm digit over digits, a Crockford symbol over
// anything else, or two MOD 97-10 digits.
func (l *Layout) placeCheck(sg *segment) string {
	covered, digits := false, true
	for _, p := range l.segs {
		covered = covered || p.kind != segLiteral
		digits = digits && (p.kind == segLiteral || p.syms == &digitSymbols)
	}
	switch {
	case !covered:
		return "{check} has nothing before it to cover"
	case sg.text == "mod97":
		l.check = checkMod97
	case digits:
		l.check = checkDamm10
	default:
		l.check, sg.syms = checkDamm32, &crockfordSymbols
	}
	return ""
}

func layoutError(src string, i int, what string) error {
	return fmt.Errorf("%w %q at position %d: %s", ErrInvalidLayout, src, i+1, what)
}

// sym is a symbol in a shape; which symbols, the token says.
const sym = "\x00"

// A token is an entry of the table of tokens: what {name}, {name:N} or
// {name:ARG} compiles to.
type token struct {
	name   string
	kind   segKind
	syms   *symbols
	text   string        // the alphabet of a random token that draws symbols
	min    int           // the least N; for a token without N, its width
	max    int           // the largest N
	bucket time.Duration // the time resolution of a time token whose argument does not set it
	// arg compiles the token's argument, if any, into sg; it returns the
	// time resolution, or where in the argument it goes wrong (-1: the
	// whole token) and why.
	arg func(tk *token, sg *segment, arg string, hasArg bool) (bucket time.Duration, at int, why string)
}

// tokens is the layout language. A token renders N symbols, or its shape;
// a counter that grows renders more.
var tokens = [...]token{
	{name: "date", kind: segDate, syms: &digitSymbols, arg: dateArg},
	{name: "unixms", kind: segUnixMS, syms: &digitSymbols, min: unixmsDigits, bucket: time.Millisecond, arg: noArg},
	{name: "rand", kind: segRand, syms: &digitSymbols, min: 1, max: maxDigits, arg: widthArg},
	{name: "seq", kind: segSeq, syms: &digitSymbols, min: 1, max: maxDigits, arg: seqArg},
	{name: "alnum", kind: segAlnum, syms: &crockfordSymbols, text: crockford, min: 1, max: maxAlnum, arg: widthArg},
	{name: "hex", kind: segHex, syms: &hexSymbols, text: hexDigits, min: 1, max: maxHex, arg: widthArg},
	{name: "uuid", kind: segUUID, syms: &hexSymbols, min: 1, max: maxHex, arg: uuidArg},
	{name: "check", kind: segCheck, syms: &digitSymbols, arg: checkArg},
	{name: "key", kind: segKey, syms: &keySymbols, min: 1, arg: noArg},
	{name: "fy", kind: segFY, syms: &digitSymbols, bucket: 366 * 24 * time.Hour, arg: fyArg},
}

// parseToken compiles the body of one {token} found at byte i of src.
func parseToken(src string, i int, body string) (segment, time.Duration, error) {
	name, arg, hasArg := strings.Cut(body, ":")
	for k := range tokens {
		tk := &tokens[k]
		if tk.name != name {
			continue
		}
		sg := segment{kind: tk.kind, text: tk.text, syms: tk.syms, pos: i + 1}
		bucket, at, why := tk.arg(tk, &sg, arg, hasArg)
		if why == "" {
			return sg, max(bucket, tk.bucket), nil
		}
		if at >= 0 {
			i += len("{"+name+":") + at
		}
		return sg, 0, layoutError(src, i, why)
	}
	return segment{}, 0, layoutError(src, i, fmt.Sprintf("unknown token {%s}", body))
}

// noArg compiles a token that takes no argument.
func noArg(tk *token, sg *segment, arg string, hasArg bool) (time.Duration, int, string) {
	if hasArg {
		return 0, -1, fmt.Sprintf("{%s} takes no argument, got %q", tk.name, arg)
	}
	sg.shape = strings.Repeat(sym, tk.min)
	return 0, 0, ""
}

// widthArg compiles {name:N}, N in the token's range.
func widthArg(tk *token, sg *segment, arg string, hasArg bool) (time.Duration, int, string) {
	if !hasArg {
		return 0, -1, fmt.Sprintf("{%s} needs a width: {%s:N} with N from %d to %d", tk.name, tk.name, tk.min, tk.max)
	}
	n, err := strconv.Atoi(arg)
	// Only plain decimal widths: "+3" and "03" would parse, but a layout
	// should read the way it renders.
	if err != nil || n < tk.min || n > tk.max || arg[0] < '1' || arg[0] > '9' {
		return 0, -1, fmt.Sprintf("width %q of {%s} out of range %d to %d", arg, tk.name, tk.min, tk.max)
	}
	sg.shape = strings.Repeat(sym, n)
	sg.limit = pow10(n)
	return 0, 0, ""
}

// seqArg compiles {seq:N}; {seq}, a counter without padding, whose
// width delimit decides; or {seq:N:perm}, the counter under a keyed
// permutation of the N-digit range, which FF1 allows from a million values
// on.
func seqArg(tk *token, sg *segment, arg string, hasArg bool) (time.Duration, int, string) {
	if !hasArg {
		sg.shape = sym
		return 0, 0, ""
	}
	width, perm := strings.CutSuffix(arg, ":perm")
	if n, err := strconv.Atoi(width); perm && err == nil && n < minPermDigits {
		return 0, -1, fmt.Sprintf("{seq:%d:perm} permutes too few values: a permuted counter has %d digits or more", n, minPermDigits)
	}
	sg.perm = perm
	return widthArg(tk, sg, width, hasArg)
}

// uuidArg compiles {uuid:N}, or {uuid}: the whole 36-character form.
func uuidArg(tk *token, sg *segment, arg string, hasArg bool) (time.Duration, int, string) {
	if !hasArg {
		sg.shape = strings.ReplaceAll("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "x", sym)
		return 0, 0, ""
	}
	return widthArg(tk, sg, arg, hasArg)
}

// checkArg compiles {check}, one check character, or {check:mod97}, two
// check digits.
func checkArg(_ *token, sg *segment, arg string, hasArg bool) (time.Duration, int, string) {
	switch {
	case arg == "mod97":
		sg.text, sg.shape = arg, sym+sym
	case hasArg:
		return 0, -1, fmt.Sprintf("unknown check %q: use {check} or {check:mod97}", arg)
	default:
		sg.shape = sym
	}
	return 0, 0, ""
}

// dateArg compiles {date:LAYOUT}, or {date}: {date:20060102}.
func dateArg(_ *token, sg *segment, arg string, hasArg bool) (time.Duration, int, string) {
	sg.text = "20060102"
	if hasArg {
		sg.text = arg
	}
	shape, bucket, at, why := compileDate(sg.text)
	sg.shape = shape
	return bucket, at, why
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
	layout  string
	at      byte
	bucket  time.Duration
	pattern string // the digits it shows, as a regular expression
}{
	{"2006", 0, 366 * 24 * time.Hour, "[0-9]{4}"},
	{"002", 8, 24 * time.Hour, "(?:00[1-9]|0[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-6])"},
	{"06", 2, 366 * 24 * time.Hour, "[0-9]{2}"},
	{"01", 4, 31 * 24 * time.Hour, "(?:0[1-9]|1[0-2])"},
	{"02", 6, 24 * time.Hour, "(?:0[1-9]|[12][0-9]|3[01])"},
	{"15", 11, time.Hour, "(?:[01][0-9]|2[0-3])"},
	{"04", 13, time.Minute, "[0-5][0-9]"},
	{"05", 15, time.Second, "[0-5][0-9]"},
}

// fieldNames names each digit of the fields form, to show a date layout.
const fieldNames = "YYYYMMDDDDDhhmmss"

// The digits of the fields form that hold the day of the year and the time
// of day, a bit each.
const (
	yearDayBits   = 7 << 8
	timeOfDayBits = 0x3f << 11
)

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

// dateFieldBits returns a bit for every digit of the fields form that sg
// shows.
func dateFieldBits(sg segment) uint32 {
	var bits uint32
	if sg.kind == segFY {
		return fyFieldBits
	}
	if sg.kind == segDate {
		for j := 0; j < len(sg.shape); j++ {
			if c := sg.shape[j]; c < ' ' {
				bits |= 1 << c
			}
		}
	}
	return bits
}
