package casenumtest

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/casemint/casemint/casenum"
)

var _ casenum.Random = (*Random)(nil)

// Random is a reproducible casenum.Random: a seeded stream (NewRandom), or
// the values that make a Generator render texts chosen by the test
// (Tokens). The zero value yields 0 on every call.
//
// A Random is not safe for concurrent use on its own, like the sources of
// math/rand/v2. A casenum.Generator serialises its calls to the Random it
// is given, so one Random may back a Generator used from many goroutines;
// a test that calls Uint64 itself from several goroutines needs a lock.
type Random struct {
	pcg    *rand.PCG
	values []uint64
	last   int // where the values of the last token start
	next   int
}

// NewRandom returns a Random that yields math/rand/v2's PCG stream for seed:
// the same seed gives the same values, and so the same numbers, run after
// run. To choose the numbers themselves, use Tokens.
func NewRandom(seed uint64) *Random {
	return &Random{pcg: rand.NewPCG(seed, seed)}
}

// Tokens returns a Random that makes a Generator render the given texts,
// one per random token, in the order the Generator draws them: token by
// token from left to right, candidate after candidate, fallback last. Each
// is written as the token's name, a colon and the text, whose length is the
// token's width:
//
//	"rand:073"      renders 073 for {rand:3}
//	"alnum:7KQ2M9"  renders 7KQ2M9 for {alnum:6}
//	"hex:0f3a"      renders 0f3a for {hex:4}
//	"uuid:0a1b2c3d" renders 0a1b2c3d for {uuid:8}; a full {uuid} is written
//	                in its 36-character form
//
// After the last text it renders the last text again, for ever, so
// Tokens("rand:073") renders 073 on every draw.
//
// Under the default Retry only the tokens draw, unless an attempt is
// aborted; with a Retry.Delay, or attempts that abort, set Retry.Jitter to
// -1, as the package documentation explains. An {alnum} text that
// spells a word of the Generator's blocklist is drawn again, so it takes
// the values meant for the next candidate: turn the list off with
// casenum.WithBlocklist() to render such a text. A text for
// another token or another width than the layout's renders something else.
//
// Like httptest.NewRequest, Tokens panics on a mistake in its arguments,
// which are written in the test: no text, an unknown token name, a length
// out of the token's range, or a character the token never renders (for
// {uuid}, a 13th digit other than 4 or a 17th other than 8, 9, a or b).
func Tokens(texts ...string) *Random {
	if len(texts) == 0 {
		panic("casenumtest: Tokens needs at least one text, such as \"rand:073\"")
	}
	r := &Random{}
	for _, t := range texts {
		vs, err := tokenValues(t)
		if err != nil {
			panic(fmt.Sprintf("casenumtest: Tokens(%q): %v", t, err))
		}
		r.last = len(r.values)
		r.values = append(r.values, vs...)
	}
	return r
}

// Uint64 returns the next value.
func (r *Random) Uint64() uint64 {
	if r.pcg != nil {
		return r.pcg.Uint64()
	}
	if len(r.values) == 0 {
		return 0
	}
	v := r.values[r.next]
	if r.next++; r.next == len(r.values) {
		r.next = r.last
	}
	return v
}

const (
	crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	hexDigits = "0123456789abcdef"
)

// tokenValues returns the draws that make one token render its text.
func tokenValues(token string) ([]uint64, error) {
	name, text, _ := strings.Cut(token, ":")
	switch name {
	case "rand":
		return randValues(text)
	case "alnum":
		return symbolValues("alnum", text, crockford, 5, 26)
	case "hex":
		return symbolValues("hex", text, hexDigits, 4, 32)
	case "uuid":
		return uuidValues(text)
	}
	return nil, fmt.Errorf(`want "rand:", "alnum:", "hex:" or "uuid:" and the text, such as "rand:073"`)
}

// randValues inverts the Generator's {rand:N}, Lemire's method: a draw v
// renders the high word of v*10^N. The draw in the middle of the range that
// renders the text leaves a low word near 2^63, far above the rejection
// threshold (below 10^N), so the Generator takes it in one draw.
func randValues(text string) ([]uint64, error) {
	if err := checkText("rand", text, "0123456789", 18); err != nil {
		return nil, err
	}
	t, _ := strconv.ParseUint(text, 10, 64)
	n := uint64(1)
	for range len(text) {
		n *= 10
	}
	v, _ := bits.Div64(2*t+1, 0, 2*n) // floor((t + 1/2) * 2^64 / n)
	return []uint64{v}, nil
}

// symbolValues inverts {alnum:N} and {hex:N}: each draw gives 64/width
// symbols, width bits each, from its low end.
func symbolValues(name, text, alphabet string, width, maxN int) ([]uint64, error) {
	if err := checkText(name, text, alphabet, maxN); err != nil {
		return nil, err
	}
	per := 64 / width
	vs := make([]uint64, (len(text)+per-1)/per)
	for i := range len(text) {
		vs[i/per] |= uint64(strings.IndexByte(alphabet, text[i])) << (width * (i % per))
	}
	return vs, nil
}

// uuidValues inverts {uuid:N} and {uuid}: two draws, a and b, give the
// UUID's bytes a>>0, a>>8, ... a>>56, b>>0, ... b>>56, each written high
// digit first; the Generator then sets the version and variant digits.
func uuidValues(text string) ([]uint64, error) {
	digits := text
	if len(text) == 36 {
		digits = ""
		for i, part := range strings.SplitN(text, "-", 5) {
			if len(part) != [...]int{8, 4, 4, 4, 12}[i] {
				return nil, fmt.Errorf("a 36-character {uuid} is written 8-4-4-4-12, as 0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d")
			}
			digits += part
		}
	}
	if err := checkText("uuid", digits, hexDigits, 32); err != nil {
		return nil, err
	}
	if len(digits) > 12 && digits[12] != '4' {
		return nil, fmt.Errorf("the 13th digit of a {uuid} is its version, always 4, not %q", digits[12])
	}
	if len(digits) > 16 && !strings.ContainsRune("89ab", rune(digits[16])) {
		return nil, fmt.Errorf("the 17th digit of a {uuid} is its variant, one of 8, 9, a and b, not %q", digits[16])
	}
	var ab [2]uint64
	for i := range len(digits) {
		shift := 8*(i/2%8) + 4*(1-i%2) // the high digit of each byte first
		ab[i/16] |= uint64(strings.IndexByte(hexDigits, digits[i])) << shift
	}
	return ab[:], nil
}

// checkText reports a text that the token named cannot render.
func checkText(name, text, alphabet string, maxN int) error {
	for i, c := range []rune(text) {
		if !strings.ContainsRune(alphabet, c) {
			return fmt.Errorf("character %d, %q, is never rendered by {%s}, whose characters are %s", i+1, c, name, alphabet)
		}
	}
	if len(text) < 1 || len(text) > maxN {
		return fmt.Errorf("%d characters, but {%s:N} renders 1 to %d", len(text), name, maxN)
	}
	return nil
}
