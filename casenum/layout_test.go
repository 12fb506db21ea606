package casenum_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/casemint/casemint/casenum"
)

// layoutTime is the instant of the default layout's example number,
// CASE-20250929-1759131413832-073.
var layoutTime = time.Date(2025, 9, 29, 7, 36, 53, 832_000_000, time.UTC)

// layoutClock is a Clock stopped at one instant.
type layoutClock struct{ t time.Time }

func (c layoutClock) Now() time.Time { return c.t }

// stepClock is a Clock that moves by step on every reading, so that a run
// of numbers sees many dates and times of day.
type stepClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.t
	c.t = c.t.Add(c.step)
	return now
}

// constRandom returns the same value on every call.
type constRandom uint64

func (r constRandom) Uint64() uint64 { return uint64(r) }

// scopeSeq is an in-memory Sequence that records the scopes it is asked for.
type scopeSeq struct {
	mu     sync.Mutex
	next   map[string]uint64
	scopes []string
}

func newScopeSeq() *scopeSeq { return &scopeSeq{next: map[string]uint64{}} }

func (s *scopeSeq) Next(_ context.Context, scope string) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = append(s.scopes, scope)
	s.next[scope]++
	return s.next[scope], nil
}

func (s *scopeSeq) Scopes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.scopes...)
}

// startSeq is a Sequence that starts every scope at a given value.
type startSeq uint64

func (s startSeq) Next(context.Context, string) (uint64, error) { return uint64(s), nil }

// layoutGen returns a deterministic Generator: clock stopped at layoutTime,
// a seeded PCG, no fallback, and a Sequence; opts come last and win.
func layoutGen(t testing.TB, layout string, opts ...casenum.Option) *casenum.Generator {
	t.Helper()
	base := []casenum.Option{
		casenum.WithClock(layoutClock{layoutTime}),
		casenum.WithRandom(rand.NewPCG(1, 2)),
		casenum.WithSequence(newScopeSeq()),
		casenum.WithLayout(layout),
		casenum.WithFallbackLayout(""),
	}
	g, err := casenum.New(append(base, opts...)...)
	if err != nil {
		t.Fatalf("New(%q): %v", layout, err)
	}
	return g
}

func mint(t testing.TB, g *casenum.Generator) string {
	t.Helper()
	n, err := g.Next(context.Background())
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return n
}

const (
	reCrockford = `[0-9A-HJKMNP-TV-Z]`
	reUUID      = `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
)

func TestLayoutTokenShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		layout string
		want   string // regular expression of the whole number
		varies bool   // has 3 or more random symbols
	}{
		{"{date}", `20250929`, false},
		{"{date:060102}", `250929`, false},
		{"{date:2006-01-02}T{date:15:04:05}", `2025-09-29T07:36:53`, false},
		{"{date:06.002}", `25\.272`, false},
		{"{date:2006/01/02_15:04:05}", `2025/09/29_07:36:53`, false},
		{"{unixms}", `1759131413832`, false},
		{"N{rand:1}", `N[0-9]`, false},
		{"{rand:3}", `[0-9]{3}`, true},
		{"{rand:18}", `[0-9]{18}`, true},
		{"{alnum:1}", reCrockford, false},
		{"{alnum:26}", reCrockford + `{26}`, true},
		{"{hex:1}", `[0-9a-f]`, false},
		{"{hex:32}", `[0-9a-f]{32}`, true},
		{"{uuid:1}", `[0-9a-f]`, false},
		{"{uuid:8}", `[0-9a-f]{8}`, true},
		{"{uuid:13}", `[0-9a-f]{12}4`, true},
		{"{uuid:17}", `[0-9a-f]{12}4[0-9a-f]{3}[89ab]`, true},
		{"{uuid:32}", `[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}`, true},
		{"{uuid}", reUUID, true},
		{"{date}-{seq:4}", `20250929-0[0-2][0-9]{2}`, true},
		{"{rand:6}{check}", `[0-9]{7}`, true},
		{"{alnum:5}{check}", reCrockford + `{6}`, true},
		{"{hex:5}-{check}", `[0-9a-f]{5}-` + reCrockford, true},
		{"{rand:4}{check:mod97}", `[0-9]{6}`, true},
		{"{{{rand:2}}}", `\{[0-9]{2}\}`, false},
		{"a{{b}}c-{rand:1}", `a\{b\}c-[0-9]`, false},
		{"CASE-{date}-{unixms}-{rand:3}", `CASE-20250929-1759131413832-[0-9]{3}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.layout, func(t *testing.T) {
			t.Parallel()
			re := regexp.MustCompile(`^(?:` + tt.want + `)$`)
			g := layoutGen(t, tt.layout)
			seen := map[string]bool{}
			for range 200 {
				n := mint(t, g)
				if !re.MatchString(n) {
					t.Fatalf("rendered %q, want %s", n, re)
				}
				seen[n] = true
			}
			// 200 draws of 3 or more random symbols all but never repeat;
			// a layout that did would not be drawing at all.
			if tt.varies && len(seen) < 150 {
				t.Errorf("only %d distinct numbers in 200", len(seen))
			}
		})
	}
}

func TestLayoutExtremeDraws(t *testing.T) {
	t.Parallel()
	// 1 and 2^64-1 are the lowest and highest draws Lemire's method accepts
	// for any bound; they render the lowest and highest values, zero-padded.
	tests := []struct {
		layout string
		rnd    uint64
		want   string
	}{
		{"{rand:5}", 1, "00000"},
		{"{rand:5}", 1<<64 - 1, "99999"},
		{"{rand:18}", 1, "000000000000000000"},
		{"{rand:18}", 1<<64 - 1, "999999999999999999"},
		{"{alnum:13}", 0, "0000000000000"},
		{"{alnum:13}", 1<<64 - 1, "ZZZZZZZZZZZZZ"},
		{"{hex:17}", 0, "00000000000000000"},
		{"{hex:17}", 1<<64 - 1, "fffffffffffffffff"},
		{"{uuid}", 0, "00000000-0000-4000-8000-000000000000"},
		{"{uuid}", 1<<64 - 1, "ffffffff-ffff-4fff-bfff-ffffffffffff"},
		{"{uuid:17}", 0, "00000000000040008"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%x", tt.layout, tt.rnd), func(t *testing.T) {
			t.Parallel()
			g := layoutGen(t, tt.layout, casenum.WithRandom(constRandom(tt.rnd)))
			if got := mint(t, g); got != tt.want {
				t.Errorf("rendered %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLayoutDateUsesLocation(t *testing.T) {
	t.Parallel()
	lateUTC := time.Date(2025, 9, 29, 23, 30, 0, 0, time.UTC)
	kiritimati := time.FixedZone("X", 14*3600)
	tests := []struct {
		name   string
		layout string
		loc    *time.Location
		want   string
	}{
		{"utc", "{date}", time.UTC, "20250929"},
		{"east of utc is the next day", "{date}", kiritimati, "20250930"},
		{"west of utc", "{date}", time.FixedZone("W", -10*3600), "20250929"},
		{"date layout", "{date:2006-01-02}T{date:15:04}", kiritimati, "2025-09-30T13:30"},
		{"unixms ignores the zone", "{date}-{unixms}", kiritimati, "20250930-1759188600000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := layoutGen(t, tt.layout, casenum.WithClock(layoutClock{lateUTC}), casenum.WithLocation(tt.loc))
			if got := mint(t, g); got != tt.want {
				t.Errorf("rendered %q, want %q", got, tt.want)
			}
		})
	}
}

// A clock reading that a layout cannot print so that the number reads
// back fails the call instead of minting a number Validate refuses.
func TestClockReadingsALayoutCannotPrint(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		layout string
		at     time.Time
	}{
		{"{date}-{rand:1}", time.Date(10000, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"{date}-{rand:1}", time.Date(-1, 1, 2, 3, 4, 5, 0, time.UTC)},
		{casenum.DefaultLayout, time.Time{}},
		{"T-{unixms}-{rand:1}", time.UnixMilli(-1)},
		{"T-{unixms}-{rand:1}", time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC)},
		// {unixms} prints 13 digits: from 2001-09-09T01:46:40Z to 2286-11-20T17:46:39.999Z.
		{"T-{unixms}-{rand:1}", time.UnixMilli(1e12 - 1)},
		{"T-{unixms}-{rand:1}", time.UnixMilli(1e13)},
		{casenum.DefaultLayout, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		g := layoutGen(t, tt.layout, casenum.WithClock(layoutClock{tt.at}))
		n, err := g.Next(context.Background())
		var ae *casenum.AttemptError
		if err == nil || !errors.As(err, &ae) || !strings.Contains(err.Error(), "the clock reads") {
			t.Errorf("%s at %v: Next = %q, %v; want an error about the clock", tt.layout, tt.at, n, err)
		}
	}
	// The edges still print and read back.
	for _, tt := range []struct {
		layout string
		at     time.Time
	}{
		{"{date}-{rand:1}", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"{date}-{rand:1}", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"T-{unixms}-{rand:1}", time.UnixMilli(1e12)},
		{"T-{unixms}-{rand:1}", time.UnixMilli(1e13 - 1)},
	} {
		g := layoutGen(t, tt.layout, casenum.WithClock(layoutClock{tt.at}))
		if n := mint(t, g); g.Validate(n) != nil {
			t.Errorf("%s at %v minted %q, which does not validate", tt.layout, tt.at, n)
		}
	}
}

func TestLayoutUUIDs(t *testing.T) {
	t.Parallel()
	full := layoutGen(t, "{uuid}")
	var prefixes []*casenum.Generator
	for n := 1; n <= 32; n++ {
		prefixes = append(prefixes, layoutGen(t, fmt.Sprintf("{uuid:%d}", n)))
	}
	for range 100 {
		s := mint(t, full)
		u, err := uuid.Parse(s)
		if err != nil {
			t.Fatalf("{uuid} rendered %q: %v", s, err)
		}
		if u.Version() != 4 || u.Variant() != uuid.RFC4122 {
			t.Fatalf("{uuid} rendered %q: version %d, variant %v", s, u.Version(), u.Variant())
		}
		if u.String() != s {
			t.Fatalf("{uuid} rendered %q, canonical form %q", s, u.String())
		}
		// The same draws give {uuid:N} the first N hex digits of that UUID.
		hex := strings.ReplaceAll(s, "-", "")
		for i, g := range prefixes {
			if got := mint(t, g); got != hex[:i+1] {
				t.Fatalf("{uuid:%d} rendered %q, want %q, the prefix of %s", i+1, got, hex[:i+1], s)
			}
		}
	}
}

func TestLayoutSeq(t *testing.T) {
	t.Parallel()
	seq := newScopeSeq()
	day1 := layoutGen(t, "CASE-{date}-{seq:4}", casenum.WithSequence(seq))
	day2 := layoutGen(t, "CASE-{date}-{seq:4}", casenum.WithSequence(seq),
		casenum.WithClock(layoutClock{layoutTime.Add(24 * time.Hour)}))
	monthly := layoutGen(t, "{date:2006-01}/{seq:2}", casenum.WithSequence(seq))
	var got []string
	for _, g := range []*casenum.Generator{day1, day1, day2, day1, monthly, day2} {
		got = append(got, mint(t, g))
	}
	want := []string{
		"CASE-20250929-0001", "CASE-20250929-0002", "CASE-20250930-0001",
		"CASE-20250929-0003", "2025-09/01", "CASE-20250930-0002",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("numbers %q, want %q", got, want)
	}
	wantScopes := []string{
		"CASE-20250929-", "CASE-20250929-", "CASE-20250930-",
		"CASE-20250929-", "2025-09/", "CASE-20250930-",
	}
	if fmt.Sprint(seq.Scopes()) != fmt.Sprint(wantScopes) {
		t.Errorf("scopes %q, want %q", seq.Scopes(), wantScopes)
	}

	t.Run("largest value fits", func(t *testing.T) {
		t.Parallel()
		g := layoutGen(t, "{seq:2}", casenum.WithSequence(startSeq(99)))
		if got := mint(t, g); got != "99" {
			t.Errorf("rendered %q, want 99", got)
		}
	})
	t.Run("overflow of a fixed width is exhaustion", func(t *testing.T) {
		t.Parallel()
		g := layoutGen(t, "{seq:2}{rand:1}", casenum.WithSequence(startSeq(100)))
		if n, err := g.Next(context.Background()); !errors.Is(err, casenum.ErrExhausted) {
			t.Errorf("Next() = %q, %v; want ErrExhausted", n, err)
		}
	})
	t.Run("a delimited counter grows", func(t *testing.T) {
		t.Parallel()
		g := layoutGen(t, "{seq:2}", casenum.WithSequence(startSeq(100)))
		if got := mint(t, g); got != "100" {
			t.Errorf("rendered %q, want 100", got)
		}
	})
}

// dammRef is the Damm check digit computed from the published table.
func dammRef(digits string) byte {
	table := [10]string{
		"0317598642", "7092154863", "4206871359", "1750983426", "6123045978",
		"3674209581", "5869720134", "8945362017", "9438617205", "2581436790",
	}
	state := byte('0')
	for i := 0; i < len(digits); i++ {
		if c := digits[i]; c >= '0' && c <= '9' {
			state = table[state-'0'][c-'0']
		}
	}
	return state
}

func TestLayoutCheckDigits(t *testing.T) {
	t.Parallel()
	t.Run("damm", func(t *testing.T) {
		t.Parallel()
		g := layoutGen(t, "C-{date}-{unixms}-{rand:4}{check}")
		for range 100 {
			n := mint(t, g)
			body := n[2 : len(n)-1]
			if want := dammRef(body); n[len(n)-1] != want {
				t.Fatalf("%q ends in %c, want Damm digit %c", n, n[len(n)-1], want)
			}
		}
	})
	t.Run("mod97", func(t *testing.T) {
		t.Parallel()
		g := layoutGen(t, "{rand:9}-{check:mod97}")
		for range 100 {
			n := mint(t, g)
			digits := strings.ReplaceAll(n, "-", "")
			var r uint64
			for _, c := range digits {
				r = (10*r + uint64(c-'0')) % 97
			}
			// ISO 7064 MOD 97-10: the number with its check digits appended is 1 mod 97.
			if r != 1 {
				t.Fatalf("%q is %d mod 97, want 1", n, r)
			}
		}
	})
}

func TestDefaultLayouts(t *testing.T) {
	t.Parallel()
	clock := casenum.WithClock(layoutClock{layoutTime})
	g, err := casenum.New(clock, casenum.WithRandom(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	main := regexp.MustCompile(`^CASE-20250929-1759131413832-[0-9]{3}$`)
	for range 20 {
		if n := mint(t, g); !main.MatchString(n) {
			t.Fatalf("Next() = %q, want %s", n, main)
		}
	}
	// A Checker that calls every main-layout number taken drives Next to
	// the fallback layout.
	takenMain := checkerFunc(func(_ context.Context, n string) (bool, error) {
		return main.MatchString(n), nil
	})
	g, err = casenum.New(clock, casenum.WithRandom(rand.NewPCG(1, 2)), casenum.WithChecker(takenMain))
	if err != nil {
		t.Fatal(err)
	}
	fallback := regexp.MustCompile(`^CASE-20250929-[0-9a-f]{8}$`)
	for range 20 {
		if n := mint(t, g); !fallback.MatchString(n) {
			t.Fatalf("Next() = %q, want the fallback %s", n, fallback)
		}
	}
	if got := mustParse(t, casenum.DefaultLayout).String(); got != "CASE-{date}-{unixms}-{rand:3}" {
		t.Errorf("DefaultLayout = %q", got)
	}
	if got := mustParse(t, casenum.DefaultFallbackLayout).String(); got != "CASE-{date}-{uuid:8}" {
		t.Errorf("DefaultFallbackLayout = %q", got)
	}
}

func TestParseLayoutInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		layout string
		pos    int    // 1-based position named in the error; 0 for none
		why    string // a piece of the message
	}{
		{"", 0, "empty"},
		{"CASE-", 0, "no token"},
		{"{{literal}}", 0, "no token"},
		{"A-{nope}", 3, "unknown token"},
		{"{rand}", 1, "width"},
		{"{rand:}", 1, "out of range"},
		{"{rand:0}", 1, "out of range"},
		{"{rand:19}", 1, "out of range"},
		{"{rand:+3}", 1, "out of range"},
		{"{rand:03}", 1, "out of range"},
		{"{seq: 3}", 1, "out of range"},
		{"{rand:x}", 1, "out of range"},
		{"{rand:-1}", 1, "out of range"},
		{"{rand:99999999999999999999}", 1, "out of range"},
		{"{seq:0}", 1, "out of range"},
		{"{seq:19}", 1, "out of range"},
		{"{alnum:0}", 1, "out of range"},
		{"{alnum:27}", 1, "out of range"},
		{"{hex:0}", 1, "out of range"},
		{"{hex:33}", 1, "out of range"},
		{"{uuid:0}", 1, "out of range"},
		{"{uuid:33}", 1, "out of range"},
		{"{uuid:}", 1, "out of range"},
		{"AB{rand:3", 3, "unclosed '{'"},
		{"{rand:3}{", 9, "unclosed '{'"},
		{"AB}{rand:3}", 3, "lone '}'"},
		{"{rand:3}}", 9, "lone '}'"},
		{"{rand:3}-{seq:3}", 10, "after a random token"},
		{"{alnum:3}{seq:3}", 10, "after a random token"},
		{"{hex:3}{seq:3}", 8, "after a random token"},
		{"{uuid}{seq:3}", 7, "after a random token"},
		{"{unixms}-{seq:3}", 10, "time-of-day"},
		{"{date:15}{seq:3}", 10, "time-of-day"},
		{"{date:2006010215}{seq:3}", 18, "time-of-day"},
		{"{date}{seq:3}{seq:3}", 14, "second {seq}"},
		{"{seq}{rand:3}", 1, "nothing tells where {seq} ends"},
		{"A-{seq}1{rand:3}", 3, "nothing tells where {seq} ends"},
		{"{seq}{date}", 1, "nothing tells where {seq} ends"},
		{"{seq}{check}0", 1, "nothing tells where {seq} ends"},
		{"{key}{seq}", 1, "nothing tells where {key} ends"},
		{"X{key}1-{seq}", 2, "nothing tells where {key} ends"},
		{"{key}a-{seq}", 1, "nothing tells where {key} ends"},
		{"0{key} 2!{seq}", 2, "nothing tells where {key} ends"},
		{"{key}-X{seq}", 1, "nothing tells where {key} ends"},
		{"{rand:2}-{key}{check}", 10, "nothing tells where {key} ends"},
		{"{key}-{seq}-{key}", 13, "second {key}"},
		{"{key}", 0, "no token"},
		{"{key:3}-{seq}", 1, "takes no argument"},
		{"{fy}-{seq}", 1, `month "" out of range`},
		{"{fy:0}-{seq}", 1, "out of range"},
		{"{fy:13}-{seq}", 1, "out of range"},
		{"{fy:04}-{seq}", 1, "out of range"},
		{"X{fy:4:start}-{seq}", 8, `unknown form "start"`},
		{"{fy:10:06:end}-{seq}", 8, `unknown form "06:end"`},
		{"{fy:4}-{fy:7:end}-{seq}", 8, "one month"},
		{"{rand:3}{check}{rand:1}", 16, "after {check}"},
		{"{rand:3}{check}{check}", 16, "after {check}"},
		{"{check}", 1, "nothing"},
		{"CASE-{check}{rand:3}", 6, "nothing"},
		// A date layout has zero-padded numeric fields and separators only.
		{"{date:Jan}{check}", 7, `"Jan" in the date layout`},
		{"{date:Mon-20060102}-{rand:2}{check:mod97}", 7, "{date:20060102}T{date:1504}"},
		{"{date:Monday}{rand:3}", 7, "zero-padded numeric fields"},
		{"X{date:Mon Jan 2}{rand:3}", 8, `"Mon Jan 2"`},
		{"{date:2006-01-02 MST}{rand:3}", 17, `" MST"`},
		{"{date:20060102 }{rand:3}", 15, `" "`},
		{"C-{date:2006-01-_2}-{rand:3}", 18, `"2" in the date layout`},
		{"{date:2006-01-02T15:04}", 17, `"T15:04"`},
		{"{date:15:04:05.000}", 16, `"000"`},
		{"{date:15:04:05,000}", 15, `",000"`},
		{"{date:3:04PM}", 7, `"3:04PM"`},
		{"{date:03:04}", 7, `"03:04"`},
		{"{date:1}", 7, `"1"`},
		{"{date:2}", 7, `"2"`},
		{"{date:2006-1-2}", 12, `"1-2"`},
		{"{date:15:4:5}", 10, `"4:5"`},
		{"{date:__2}", 7, `"__2"`},
		{"{date:__2006}", 7, `"__2006"`},
		{"{date:2006Z07:00}", 11, `"Z07:00"`},
		{"{date:2006-07}", 12, `"07"`},
		{"{date:2006+01}", 11, `"+01"`},
		{"{date:2006–01}", 11, `"–01"`},
		{"{date:-}", 1, "no date or time"},
		{"CASE-\xff{rand:3}", 6, "UTF-8"},
		{"{rand:3}{check:damm}", 9, "unknown check"},
		{"{date:}", 1, "no date or time"},
		{"{date:CASE}", 7, `"CASE"`},
		{"{unixms:3}", 1, "no argument"},
		{"CASE-{DATE}", 6, "unknown token"},
		{"{ rand:3}", 1, "unknown token"},
		{"{rand:3 }", 1, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.layout, func(t *testing.T) {
			t.Parallel()
			l, err := casenum.ParseLayout(tt.layout)
			if !errors.Is(err, casenum.ErrInvalidLayout) {
				t.Fatalf("ParseLayout(%q) = %v, %v; want ErrInvalidLayout", tt.layout, l, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.why) {
				t.Errorf("error %q does not say %q", msg, tt.why)
			}
			if tt.pos > 0 && !strings.Contains(msg, fmt.Sprintf("position %d", tt.pos)) {
				t.Errorf("error %q does not name position %d", msg, tt.pos)
			}
			if _, err := casenum.New(casenum.WithLayout(tt.layout)); !errors.Is(err, casenum.ErrInvalidLayout) {
				t.Errorf("New(WithLayout(%q)) = %v, want ErrInvalidLayout", tt.layout, err)
			}
			if tt.layout == "" {
				return // "" turns the fallback off
			}
			_, err = casenum.New(casenum.WithFallbackLayout(tt.layout))
			if !errors.Is(err, casenum.ErrInvalidLayout) || !strings.Contains(err.Error(), "fallback") {
				t.Errorf("New(WithFallbackLayout(%q)) = %v, want ErrInvalidLayout naming the fallback", tt.layout, err)
			}
		})
	}
}

func TestParseLayoutValid(t *testing.T) {
	t.Parallel()
	// Each is at the edge of a rule that the invalid cases break.
	for _, layout := range []string{
		"{rand:18}", "{seq:18}", "{alnum:26}", "{hex:32}", "{uuid:32}", "{uuid}",
		"{seq:1}", "{seq:3}{rand:3}", "{date}{seq:3}", "{date:2006-01}{seq:3}",
		"{date:02.01.2006}-{seq:3}", "{date:01}{seq:3}", "{date:002}{seq:3}", "{seq:3}{unixms}",
		"{date}{check}", "{seq:2}{check}", "{rand:3}{check}-X", "{date:20060102}{check:mod97}",
		"{date:15}", "{date:.05}", "{date:-2006-}", "{date:2006/01/02_15:04:05}", "{date:_2006}",
		"{date:06}{date:2006}", "{{{rand:3}}}", "}}{rand:3}{{",
		"{seq}", "BILL-{seq}", "{seq}-{rand:3}", "{seq}{check}", "{seq}X{rand:2}", "{seq:2}1{rand:3}", "{seq:2}{check}0", "{seq}{check}/0",
		"{key}-{seq}", "{seq}-{key}", "{key}/{date}-{rand:2}", "{key}·{seq}", "{key}-{seq}{check}",
		"{fy:4}", "{fy:4}{seq}", "{fy:12:end:06}{rand:2}", "{date:15}{fy:1:end}", "{fy:4}-{fy:4:end:06}/{seq}{check}",
	} {
		t.Run(layout, func(t *testing.T) {
			t.Parallel()
			l, err := casenum.ParseLayout(layout)
			if err != nil {
				t.Fatalf("ParseLayout(%q): %v", layout, err)
			}
			if l.String() != layout {
				t.Errorf("String() = %q, want %q", l.String(), layout)
			}
		})
	}
}

// chiSquare returns the statistic of counts against a uniform expectation.
func chiSquare(counts []int, total int) float64 {
	exp := float64(total) / float64(len(counts))
	var x float64
	for _, c := range counts {
		d := float64(c) - exp
		x += d * d / exp
	}
	return x
}

func TestRandIsUniform(t *testing.T) {
	t.Parallel()
	const draws = 100_000
	tests := []struct {
		layout string
		cells  int
		limit  float64 // far beyond the 99.99th percentile of chi-square
	}{
		{"{rand:1}", 10, 40},   // 9 degrees of freedom: 99.99% at 33.7
		{"{rand:2}", 100, 170}, // 99 degrees of freedom: 99.99% at 156
	}
	for _, tt := range tests {
		t.Run(tt.layout, func(t *testing.T) {
			t.Parallel()
			g := layoutGen(t, tt.layout)
			counts := make([]int, tt.cells)
			for range draws {
				n := mint(t, g)
				v := 0
				for _, c := range n {
					v = 10*v + int(c-'0')
				}
				counts[v]++
			}
			if x := chiSquare(counts, draws); x > tt.limit {
				t.Errorf("chi-square %.1f over %d cells exceeds %.0f: counts %v", x, tt.cells, tt.limit, counts)
			}
		})
	}
}
