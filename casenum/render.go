package casenum

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"sync/atomic"
	"time"
)

// renderer carries what one candidate is rendered from: a single clock
// reading, so that the date, the time fields and the {seq} scope agree.
type renderer struct {
	t    time.Time
	g    *Generator // its Location, day cache, Random, Sequence, {key} and permutation
	ctx  context.Context
	form [17]byte // t in the fields form, for the date tokens after the lead
	sum  uint64   // the check character's state over the tokens rendered so far
	word uint16   // the blocklist's state over the {alnum} run rendered so far
	hit  bool     // an {alnum} run spelled a word of the blocklist
	drew draw     // the {seq} value drawn
}

// draw is a {seq} value and the scope it was drawn from: the plain
// counter, also for {seq:N:perm}.
type draw struct {
	scope string
	v     uint64
	ok    bool
}

// errSeqFull marks a {seq} counter that outgrew its width: the layout has
// no number left in the scope.
var errSeqFull = errors.New("casenum: sequence full")

// appendTo renders one candidate of l onto dst.
func (l *Layout) appendTo(dst []byte, r *renderer) ([]byte, error) {
	if l.lead != 0 {
		d, err := r.g.days.get(l, r.t, r.g.loc)
		if err != nil {
			return dst, err
		}
		dst, r.sum = append(dst, d.text...), d.sum
	}
	if l.fields != 0 {
		var err error
		if r.form, err = fieldsForm(r.t.In(r.g.loc), l.fields); err != nil {
			return dst, err
		}
	}
	if l.block != nil {
		return l.appendRedrawn(dst, r)
	}
	return l.appendSegs(dst, l.segs[l.lead:], r)
}

// appendRedrawn renders the segments of l after its lead onto dst: when
// its {alnum} runs spell a word of the layout's blocklist, its random
// tokens are drawn again (and what follows them rendered again), up to
// maxRedraws times.
func (l *Layout) appendRedrawn(dst []byte, r *renderer) ([]byte, error) {
	dst, err := l.appendSegs(dst, l.segs[l.lead:l.draw], r)
	if err != nil {
		return dst, err
	}
	n, sum := len(dst), r.sum
	for range maxRedraws {
		r.sum = sum
		out, err := l.appendSegs(dst[:n], l.segs[l.draw:], r)
		if err != nil || !r.hit {
			return out, err
		}
		dst = out
	}
	return dst[:n], fmt.Errorf("casenum: the blocklist refused %d draws of %q in a row: it blocks (nearly) every number of the layout", maxRedraws, l.src)
}

// appendSegs renders segs of l onto dst. It feeds what their tokens render
// to the check character, and notes in r whether an {alnum} run among them
// spelled a word of the blocklist.
func (l *Layout) appendSegs(dst []byte, segs []segment, r *renderer) ([]byte, error) {
	r.word, r.hit = 0, false
	for i := range segs {
		sg := &segs[i]
		start := len(dst)
		if sg.kind == segLiteral {
			dst = append(dst, sg.text...)
		} else {
			var err error
			if dst, err = l.appendToken(dst, sg, r); err != nil {
				return dst, err
			}
			if l.check != checkNone {
				r.sum = l.check.feed(r.sum, dst[start:])
			}
		}
		if l.block != nil {
			r.scan(l.block, sg, dst[start:])
		}
	}
	return dst, nil
}

// appendToken renders token sg of l onto dst.
func (l *Layout) appendToken(dst []byte, sg *segment, r *renderer) ([]byte, error) {
	switch sg.kind {
	case segDate:
		return appendDate(dst, sg.shape, &r.form), nil
	case segUnixMS:
		return appendUnixMS(dst, r.t)
	case segRand:
		return appendPadded(dst, uniform(r.g.rnd, sg.limit), len(sg.shape)), nil
	case segAlnum, segHex:
		return appendSymbols(dst, r.g.rnd, len(sg.shape), sg.text), nil
	case segUUID:
		return appendUUID(dst, r.g.rnd, sg.shape), nil
	case segSeq:
		return appendSeq(dst, sg, r)
	case segKey:
		return append(dst, r.g.reads.key...), nil
	case segFY:
		return appendFY(dst, sg, &r.form)
	}
	return appendCheck(dst, l.check, r.sum), nil
}

// appendDate writes a date token's shape with the digits of form.
func appendDate(dst []byte, shape string, form *[17]byte) []byte {
	n := len(dst)
	dst = append(dst, shape...)
	for j, c := range dst[n:] {
		if c < ' ' {
			dst[n+j] = form[c]
		}
	}
	return dst
}

// dayCache remembers what a layout's lead (its literals and date tokens
// up to its first other token) rendered on the latest day in the
// Generator's Location. A busy Generator renders many numbers a day: it
// works out the date once a day, and from then on compares two integers.
type dayCache struct{ p atomic.Pointer[day] }

// day is what the lead of l renders at the instants in [from, to), Unix
// seconds: its text, and the check character's state after it.
type day struct {
	l        *Layout
	from, to int64
	text     string
	sum      uint64
}

// get returns the day of l at t in loc.
func (c *dayCache) get(l *Layout, t time.Time, loc *time.Location) (*day, error) {
	if d, s := c.p.Load(), t.Unix(); d != nil && d.l == l && s >= d.from && s < d.to {
		return d, nil
	}
	d, err := newDay(l, t.In(loc))
	if err != nil {
		return nil, err
	}
	c.p.Store(d)
	return d, nil
}

// newDay renders the lead of l at t, in t's Location.
func newDay(l *Layout, t time.Time) (*day, error) {
	form, err := fieldsForm(t, yearDayBits)
	if err != nil {
		return nil, err
	}
	r := renderer{form: form}
	text, err := l.appendSegs(nil, l.segs[:l.lead], &r)
	if err != nil {
		return nil, err
	}
	// Between changes of the zone's offset, the date changes every 86,400
	// seconds of wall time.
	_, offset := t.Zone()
	wall := t.Unix() + int64(offset)
	from := wall - (wall%86400+86400)%86400 - int64(offset)
	d := &day{l: l, from: from, to: from + 86400, text: string(text), sum: r.sum}
	start, end := t.ZoneBounds() // zero when the offset never changes
	if !start.IsZero() {
		d.from = max(d.from, start.Unix())
	}
	if !end.IsZero() {
		d.to = min(d.to, end.Unix())
	}
	return d, nil
}

// appendUnixMS writes t's Unix time in milliseconds, 13 digits, or says
// that t is outside the times they can show.
func appendUnixMS(dst []byte, t time.Time) ([]byte, error) {
	ms := t.UnixMilli()
	if ms < 1e12 || ms >= 1e13 {
		return dst, unprintable(t, "{unixms} prints 13 digits, the times from 2001-09-09T01:46:40Z to 2286-11-20T17:46:39.999Z")
	}
	return appendPadded(dst, uint64(ms), unixmsDigits), nil
}

// appendSeq writes the next counter of the scope, everything rendered
// before it: padded to its shape, and longer when it has grown past it.
func appendSeq(dst []byte, sg *segment, r *renderer) ([]byte, error) {
	scope := string(dst)
	v, err := r.g.seq.Next(r.ctx, scope)
	if err != nil {
		return dst, fmt.Errorf("casenum: sequence: %w", err)
	}
	r.drew = draw{scope, v, true}
	switch {
	case v < sg.limit && sg.perm:
		return appendPadded(dst, r.g.perm.encrypt(v, len(sg.shape), dst), len(sg.shape)), nil
	case v < sg.limit:
		return appendPadded(dst, v, max(len(sg.shape), digits(v))), nil
	case sg.vary:
		return dst, fmt.Errorf("%w: the counter of scope %q reached %d, more than the %d digits a counter can have", errSeqFull, scope, v, maxDigits)
	}
	if sg.perm {
		return dst, fmt.Errorf("%w: the counter of scope %q reached %d, more than {seq:%d:perm} can show: "+
			"a permuted counter keeps its %d digits", errSeqFull, scope, v, len(sg.shape), len(sg.shape))
	}
	return dst, fmt.Errorf("%w: the counter of scope %q reached %d, more than {seq:%d} can show: "+
		"nothing after it in the layout tells where a longer counter would end", errSeqFull, scope, v, len(sg.shape))
}

// digits returns the number of decimal digits of v, at least 1.
func digits(v uint64) int {
	n := 1
	for ; v >= 10; v /= 10 {
		n++
	}
	return n
}

// unprintable is the error of a clock reading that a layout cannot render
// so that the number reads back: minting it would hand out a number that
// Validate refuses.
func unprintable(t time.Time, why string) error {
	return fmt.Errorf("casenum: the clock reads %v, and %s", t, why)
}

// fieldsForm returns t in the fields form, with the fields that need, a bit
// per digit, asks for; or an error when its year is not one of 0 to 9999.
func fieldsForm(t time.Time, need uint32) (form [17]byte, err error) {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return form, unprintable(t, "a date token prints the years 0 to 9999")
	}
	f := appendPadded(appendPadded(appendPadded(form[:0], uint64(y), 4), uint64(m), 2), uint64(d), 2)
	if need&yearDayBits != 0 {
		appendPadded(f, uint64(t.YearDay()), 3)
	}
	if need&timeOfDayBits != 0 {
		h, mi, s := t.Clock()
		appendPadded(appendPadded(appendPadded(form[:11], uint64(h), 2), uint64(mi), 2), uint64(s), 2)
	}
	return form, nil
}

const hexDigits = "0123456789abcdef"

// appendPadded writes v as exactly n decimal digits, zero-padded. v must be
// below 10^n. It writes the digits in place, two a step: half the
// divisions, each of which waits for the one before.
func appendPadded(dst []byte, v uint64, n int) []byte {
	dst = append(dst, zeros[:n]...)
	b := dst[len(dst)-n:]
	i := n
	for ; i >= 2; i -= 2 {
		d := v % 100 * 2
		v /= 100
		b[i-2], b[i-1] = digitPairs[d], digitPairs[d+1]
	}
	if i == 1 {
		b[0] = byte('0' + v)
	}
	return dst
}

// zeros makes room for the widest number appendPadded writes.
const zeros = "000000000000000000"

// digitPairs holds the two digits of 0 to 99, to write digits in pairs.
const digitPairs = "" +
	"00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

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

// appendSymbols writes n symbols of an alphabet of 16 or 32 letters,
// taking 4 or 5 bits of each 64-bit draw per symbol: uniform by
// construction.
func appendSymbols(dst []byte, r Random, n int, alphabet string) []byte {
	width := bits.Len(uint(len(alphabet))) - 1
	per := 64 / width
	mask := uint64(len(alphabet) - 1)
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

// uuidFixed returns the hex digits that hex digit d (from 0) of a version 4
// UUID can be: "4" for the version, "89ab" for the RFC 9562 variant, and
// "" for any.
func uuidFixed(d int) string {
	switch d {
	case 12:
		return "4"
	case 16:
		return "89ab"
	}
	return ""
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
