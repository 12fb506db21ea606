package casenumtest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

func draw(r *casenumtest.Random, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = r.Uint64()
	}
	return out
}

func TestRandomDeterministic(t *testing.T) {
	t.Parallel()
	a, b := draw(casenumtest.NewRandom(42), 100), draw(casenumtest.NewRandom(42), 100)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 42, value %d: %d and %d differ", i, a[i], b[i])
		}
	}
	c := draw(casenumtest.NewRandom(43), 100)
	same := 0
	for i := range a {
		if a[i] == c[i] {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seeds 42 and 43 agree on %d of 100 values", same)
	}
	seen := map[uint64]bool{}
	for _, v := range a {
		seen[v] = true
	}
	if len(seen) < 100 {
		t.Errorf("seed 42 repeated values: %d distinct of 100", len(seen))
	}
}

func TestRandomZeroValue(t *testing.T) {
	t.Parallel()
	var r casenumtest.Random
	if got := draw(&r, 3); got[0] != 0 || got[1] != 0 || got[2] != 0 {
		t.Errorf("zero Random yielded %v, want zeros", got)
	}
}

// next renders one number of g, failing the test on an error.
func next(t *testing.T, g *casenum.Generator) string {
	t.Helper()
	n, err := g.Next(context.Background())
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return n
}

func newGen(t *testing.T, layout string, r casenum.Random, opts ...casenum.Option) *casenum.Generator {
	t.Helper()
	g, err := casenum.New(append([]casenum.Option{
		casenum.WithLayout(layout), casenum.WithFallbackLayout(""), casenum.WithRandom(r),
	}, opts...)...)
	if err != nil {
		t.Fatalf("New(%q): %v", layout, err)
	}
	return g
}

// tokenKinds lists every random token with its alphabet and widths.
var tokenKinds = []struct {
	name, alphabet string
	maxN           int
}{
	{"rand", "0123456789", 18},
	{"alnum", "0123456789ABCDEFGHJKMNPQRSTVWXYZ", 26},
	{"hex", "0123456789abcdef", 32},
	{"uuid", "0123456789abcdef", 32},
}

// sampleTexts returns texts of n characters of alphabet: the lowest, the
// highest, and some drawn at random. The uuid texts carry its version and
// variant digits.
func sampleTexts(name, alphabet string, n int, rnd *rand.Rand) []string {
	texts := []string{strings.Repeat(alphabet[:1], n), strings.Repeat(alphabet[len(alphabet)-1:], n)}
	for range 20 {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rnd.IntN(len(alphabet))]
		}
		texts = append(texts, string(b))
	}
	if name == "uuid" {
		for i, s := range texts {
			b := []byte(s)
			if n > 12 {
				b[12] = '4'
			}
			if n > 16 {
				b[16] = "89ab"[i%4]
			}
			texts[i] = string(b)
		}
	}
	return texts
}

// TestTokensRenderTheirText checks, for every width of every random token,
// that the Generator renders the text given, and that the token takes
// exactly its own draws: the {rand:1} after it renders its own text too.
func TestTokensRenderTheirText(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, k := range tokenKinds {
		for n := 1; n <= k.maxN; n++ {
			layout := fmt.Sprintf("{%s:%d}-{rand:1}", k.name, n)
			for _, text := range sampleTexts(k.name, k.alphabet, n, rnd) {
				// Random texts may spell a word of the built-in blocklist.
				g := newGen(t, layout, casenumtest.Tokens(k.name+":"+text, "rand:7"), casenum.WithBlocklist())
				if got, want := next(t, g), text+"-7"; got != want {
					t.Fatalf("layout %s, Tokens(%q, \"rand:7\"): Next = %q, want %q", layout, k.name+":"+text, got, want)
				}
			}
		}
	}
}

func TestTokensFullUUID(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d",
		"00000000-0000-4000-8000-000000000000",
		"ffffffff-ffff-4fff-bfff-ffffffffffff",
	} {
		g := newGen(t, "{uuid}/{hex:2}", casenumtest.Tokens("uuid:"+text, "hex:e9"))
		if got, want := next(t, g), text+"/e9"; got != want {
			t.Errorf("Tokens(%q): Next = %q, want %q", "uuid:"+text, got, want)
		}
	}
}

func TestTokensSeveralPerCandidate(t *testing.T) {
	t.Parallel()
	g := newGen(t, "INC-{alnum:13}-{rand:18}-{hex:17}-{uuid:20}{check}", casenumtest.Tokens(
		"alnum:7KQ2M9ZZ00XY1", "rand:000000000000000042", "hex:0123456789abcdef0", "uuid:0a1b2c3d4e5f4a7b9c9d",
		"alnum:0000000000000", "rand:999999999999999999", "hex:fffffffffffffffff", "uuid:ffffffffffff4fffbfff",
	))
	for _, want := range []string{
		"INC-7KQ2M9ZZ00XY1-000000000000000042-0123456789abcdef0-0a1b2c3d4e5f4a7b9c9d",
		"INC-0000000000000-999999999999999999-fffffffffffffffff-ffffffffffff4fffbfff",
	} {
		got := next(t, g)
		if got[:len(got)-1] != want {
			t.Errorf("Next = %q, want %q and its check character", got, want)
		}
		if err := g.Validate(got); err != nil {
			t.Errorf("Validate(%q): %v", got, err)
		}
	}
}

// TestTokensRepeatTheLast checks what comes after the list: the last text
// again and again, all of its draws, not only the last value.
func TestTokensRepeatTheLast(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		layout string
		texts  []string
		want   []string
	}{
		{"T-{rand:3}", []string{"rand:073"}, []string{"T-073", "T-073", "T-073"}},
		{"T-{rand:3}", []string{"rand:073", "rand:073", "rand:074"}, []string{"T-073", "T-073", "T-074", "T-074", "T-074"}},
		{"T-{uuid:8}", []string{"uuid:11111111", "uuid:0a1b2c3d"}, []string{"T-11111111", "T-0a1b2c3d", "T-0a1b2c3d", "T-0a1b2c3d"}},
		{"T-{alnum:26}", []string{"alnum:" + strings.Repeat("Z", 26), "alnum:" + strings.Repeat("7", 26)},
			[]string{"T-" + strings.Repeat("Z", 26), "T-" + strings.Repeat("7", 26), "T-" + strings.Repeat("7", 26)}},
	} {
		g := newGen(t, c.layout, casenumtest.Tokens(c.texts...))
		for i, want := range c.want {
			if got := next(t, g); got != want {
				t.Errorf("%s with Tokens(%q): number %d = %q, want %q", c.layout, c.texts, i+1, got, want)
			}
		}
	}
}

// TestTokensCollideOnceThenFallback follows the draws through a Create
// whose candidates collide, into the fallback layout, under the default
// Retry: only the tokens draw.
func TestTokensCollideOnceThenFallback(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	s.Add("T-073", "T-074")
	g, err := casenum.New(
		casenum.WithLayout("T-{rand:3}"),
		casenum.WithFallbackLayout("T-{uuid:8}"),
		casenum.WithRetry(casenum.Retry{Attempts: 2}),
		casenum.WithRandom(casenumtest.Tokens("rand:073", "rand:075", "rand:073", "rand:074", "uuid:0a1b2c3d")),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"T-075", "T-0a1b2c3d"} {
		n, err := g.Create(context.Background(), s.Insert)
		if err != nil || n != want {
			t.Errorf("Create = %q, %v; want %q", n, err, want)
		}
	}
	if st := g.Stats(); st.Collisions != 3 || st.Fallbacks != 1 {
		t.Errorf("Stats: %d collisions, %d fallbacks; want 3, 1", st.Collisions, st.Fallbacks)
	}
}

// TestTokensWithDelay checks the advice of the package documentation: with
// a Retry.Delay, jitter off keeps every value for the tokens.
func TestTokensWithDelay(t *testing.T) {
	t.Parallel()
	clock := casenumtest.NewClock(time.Date(2025, 9, 29, 7, 30, 0, 0, time.UTC))
	s := casenumtest.NewStore()
	s.Add("T-073")
	g := newGen(t, "T-{rand:3}", casenumtest.Tokens("rand:073", "rand:074"),
		casenum.WithClock(clock), casenum.WithRetry(casenum.Retry{Delay: time.Second, Jitter: -1}))
	done := make(chan string, 1)
	go func() {
		n, err := g.Create(context.Background(), s.Insert)
		done <- fmt.Sprint(n, " ", err)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	waiting := make(chan error, 1)
	go func() { waiting <- clock.BlockUntil(ctx, 1) }()
	select {
	case err := <-waiting:
		if err != nil {
			t.Fatal(err)
		}
	case got := <-done:
		t.Fatalf("Create = %s without waiting: T-073 did not collide", got)
	}
	clock.Advance(time.Second)
	if got := <-done; got != "T-074 <nil>" {
		t.Errorf("Create = %s, want T-074 <nil>", got)
	}
}

func TestTokensRefuseBadText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		texts []string
		want  string // in the panic message
	}{
		{nil, "needs at least one text"},
		{[]string{"073"}, `want "rand:", "alnum:", "hex:" or "uuid:"`},
		{[]string{"date:20250929"}, `want "rand:"`},
		{[]string{"rand:073", "RAND:074"}, `Tokens("RAND:074")`},
		{[]string{"rand:"}, "0 characters, but {rand:N} renders 1 to 18"},
		{[]string{"rand:" + strings.Repeat("1", 19)}, "19 characters, but {rand:N} renders 1 to 18"},
		{[]string{"rand:07x"}, "character 3, 'x', is never rendered by {rand}"},
		{[]string{"rand:-73"}, "character 1, '-', is never rendered by {rand}"},
		{[]string{"rand:０７３"}, "character 1, '０', is never rendered by {rand}"},
		{[]string{"alnum:7kq2"}, "character 2, 'k', is never rendered by {alnum}"},
		{[]string{"alnum:7IQ2"}, "character 2, 'I', is never rendered by {alnum}"},
		{[]string{"alnum:" + strings.Repeat("Z", 27)}, "27 characters, but {alnum:N} renders 1 to 26"},
		{[]string{"hex:0F"}, "character 2, 'F', is never rendered by {hex}"},
		{[]string{"hex:" + strings.Repeat("a", 33)}, "33 characters, but {hex:N} renders 1 to 32"},
		{[]string{"uuid:" + strings.Repeat("0", 33)}, "33 characters, but {uuid:N} renders 1 to 32"},
		{[]string{"uuid:0000000000005"}, "the 13th digit of a {uuid} is its version, always 4, not '5'"},
		{[]string{"uuid:0000000000004000c"}, "the 17th digit of a {uuid} is its variant, one of 8, 9, a and b, not 'c'"},
		{[]string{"uuid:0a1b2c3d4-e5f-4a7b-8c9d-0e1f2a3b4c5d"}, "written 8-4-4-4-12"},
		{[]string{"uuid:0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5dff"}, "character 9, '-', is never rendered by {uuid}"},
	} {
		got := func() (msg string) {
			defer func() { msg = fmt.Sprint(recover()) }()
			casenumtest.Tokens(c.texts...)
			return "no panic"
		}()
		if !strings.HasPrefix(got, "casenumtest: Tokens") || !strings.Contains(got, c.want) {
			t.Errorf("Tokens(%q) panicked with %q, want a message containing %q", c.texts, got, c.want)
		}
	}
}
