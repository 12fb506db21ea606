package casenum_test

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// A draw that spells a listed word, in any case and with look-alikes, is
// drawn again: no attempt, no collision.
func TestBlocklistDrawsAgain(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		opts    []casenum.Option
		blocked string
	}{
		{"built-in list", nil, "alnum:SH1T00"},
		{"built-in list, look-alike O", nil, "alnum:XB00BX"},
		{"own list, any case", []casenum.Option{casenum.WithBlocklist("zebra")}, "alnum:0ZEBRA"},
		{"own list, L as 1", []casenum.Option{casenum.WithBlocklist("LOL")}, "alnum:X101YZ"},
		{"own list, I as 1", []casenum.Option{casenum.WithBlocklist("HI")}, "alnum:00H100"},
		{"own list, digits", []casenum.Option{casenum.WithBlocklist("007")}, "alnum:900700"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]casenum.Option{
				casenum.WithLayout("T-{alnum:6}"),
				casenum.WithRandom(casenumtest.Tokens(tt.blocked, "alnum:7KQ2M9")),
			}, tt.opts...)
			g := newGen(t, opts...)
			if n := mint(t, g); n != "T-7KQ2M9" {
				t.Errorf("Next = %q, want T-7KQ2M9 after the blocked draw %s", n, tt.blocked)
			}
			if st := g.Stats(); st.Attempts != 1 || st.Collisions != 0 || st.Minted != 1 {
				t.Errorf("Stats = %+v, want one attempt and no collision", st)
			}
		})
	}
}

func TestBlocklistOff(t *testing.T) {
	t.Parallel()
	g := newGen(t, casenum.WithLayout("T-{alnum:6}"), casenum.WithBlocklist(),
		casenum.WithRandom(casenumtest.Tokens("alnum:SH1T00")))
	if n := mint(t, g); n != "T-SH1T00" {
		t.Errorf("Next = %q, want T-SH1T00 with the blocklist off", n)
	}
	// Replacing the list drops the built-in words.
	g = newGen(t, casenum.WithLayout("T-{alnum:6}"), casenum.WithBlocklist("ZEBRA"),
		casenum.WithRandom(casenumtest.Tokens("alnum:SH1T00")))
	if n := mint(t, g); n != "T-SH1T00" {
		t.Errorf("Next = %q, want T-SH1T00 with a list of other words", n)
	}
}

// A check character right after {alnum} can complete a word; one after
// another token cannot, since it is no part of an {alnum} run.
func TestBlocklistCheckCompletesAWord(t *testing.T) {
	t.Parallel()
	const layout = "T-{alnum:3}{check}"
	plain := newGen(t, casenum.WithLayout(layout), casenum.WithBlocklist(), casenum.WithRandom(casenumtest.Tokens("alnum:ABC")))
	n := mint(t, plain) // T-ABC and its check character
	word := n[len(n)-3:]
	g := newGen(t, casenum.WithLayout(layout), casenum.WithBlocklist(word),
		casenum.WithRandom(casenumtest.Tokens("alnum:ABC", "alnum:7KQ")))
	if got := mint(t, g); !strings.HasPrefix(got, "T-7KQ") {
		t.Errorf("Next = %q, want T-7KQ and its check: %s ends in the listed %s", got, n, word)
	}
	const apart = "T-{alnum:3}-{rand:2}{check}"
	for _, alnum := range []string{"alnum:ABC", "alnum:DEF"} {
		n := mint(t, newGen(t, casenum.WithLayout(apart), casenum.WithBlocklist(), casenum.WithRandom(casenumtest.Tokens(alnum, "rand:00"))))
		check := n[len(n)-1:]
		if strings.Contains(n[:len(n)-1], check) {
			continue
		}
		g := newGen(t, casenum.WithLayout(apart), casenum.WithBlocklist(check),
			casenum.WithRandom(casenumtest.Tokens(alnum, "rand:00", "alnum:7KQ", "rand:00")))
		if got := mint(t, g); got != n {
			t.Errorf("Next = %q, want %q: its check character follows {rand}, not {alnum}", got, n)
		}
		return
	}
	t.Fatal("no draw whose check character is apart from its {alnum}")
}

// Only the random tokens are drawn again: a {seq} before them keeps its
// value, and the Sequence is asked once.
func TestBlocklistKeepsTheCounter(t *testing.T) {
	t.Parallel()
	seq := casenumtest.NewStore()
	g := newGen(t, casenum.WithLayout("{seq:3}-{alnum:4}"), casenum.WithSequence(seq),
		casenum.WithRandom(casenumtest.Tokens("alnum:SH1T", "alnum:7KQ2", "alnum:8HJ3")))
	if a, b := mint(t, g), mint(t, g); a != "001-7KQ2" || b != "002-8HJ3" {
		t.Errorf("Next, Next = %q, %q; want 001-7KQ2, 002-8HJ3", a, b)
	}
}

// A list that blocks every draw is refused by New; one that blocks the
// draws a broken Random makes fails the call instead of looping.
func TestBlocklistThatBlocksEverything(t *testing.T) {
	t.Parallel()
	all := strings.Split("0123456789ABCDEFGHJKMNPQRSTVWXYZ", "")
	_, err := casenum.New(casenum.WithLayout("T-{alnum:4}"), casenum.WithBlocklist(all...))
	if err == nil || !strings.Contains(err.Error(), "T-{alnum:4}") {
		t.Errorf("New with every symbol blocked = %v, want an error naming the layout", err)
	}
	g := newGen(t, casenum.WithLayout("T-{alnum:6}"), casenum.WithFallbackLayout(""),
		casenum.WithRandom(casenumtest.Tokens("alnum:SH1T00")))
	_, err = g.Next(context.Background())
	if err == nil || !strings.Contains(err.Error(), "blocklist refused 100 draws") {
		t.Errorf("Next with a Random that only spells a listed word = %v, want the blocklist's error", err)
	}
	for _, bad := range []string{"", "f-ck", "ünï", "U-x", "x-U"} {
		if _, err := casenum.New(casenum.WithBlocklist(bad)); err == nil {
			t.Errorf("New(WithBlocklist(%q)) = nil error", bad)
		}
	}
	if _, err := casenum.New(casenum.WithLayout("T-{alnum:1}"), casenum.WithBlocklist("U", "FUBAR")); err != nil {
		t.Errorf("New with words {alnum} never renders = %v", err)
	}
}

func TestBlocklistOdds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		layout string
		words  []string
		space  float64
	}{
		{"T-{alnum:1}", []string{"A"}, 31},
		{"T-{alnum:2}", []string{"AB"}, 1023},
		{"T-{alnum:3}", []string{"AB"}, 32768 - 64},
		{"T-{alnum:3}", []string{"AB", "ZAB"}, 32768 - 64},
		{"T-{alnum:3}", []string{"I", "L"}, 31 * 31 * 31},
		{"T-{alnum:2}{alnum:1}", []string{"AB"}, 32768 - 64},
		{"T-{alnum:2}-{alnum:1}", []string{"AB"}, 1023 * 32},
		{"T-{alnum:2}-{rand:2}", []string{"AB"}, 1023 * 100},
		{"T-{alnum:2}", nil, 1024},
	} {
		g := newGen(t, casenum.WithLayout(tt.layout), casenum.WithBlocklist(tt.words...))
		if got := g.Layout().Odds(1).Space; got != tt.space {
			t.Errorf("%s with %q: Odds.Space = %v, want %v", tt.layout, tt.words, got, tt.space)
		}
	}
	// The built-in list makes a short {alnum} a little smaller.
	l := mustParse(t, "T-{alnum:3}")
	if s := l.Odds(1).Space; s >= 32768 || s < 32768-40 {
		t.Errorf("T-{alnum:3}: Odds.Space = %v with the built-in list, want a little below 32768", s)
	}
	if s := mustParse(t, "T-{alnum:26}").Odds(1).Space; math.Abs(s/math.Pow(32, 26)-1) > 1e-2 {
		t.Errorf("T-{alnum:26}: Odds.Space = %v, want about 32^26", s)
	}
}

// No number of a seeded run spells a word of the built-in list.
func TestBlocklistBuiltInNeverRendered(t *testing.T) {
	t.Parallel()
	words := strings.Fields("ASS SEX TIT FAG SH1T D1CK C0CK P1SS B00B")
	g := newGen(t, casenum.WithLayout("{alnum:5}{check}"), casenum.WithRandom(rand.NewPCG(3, 4)), casenum.WithFallbackLayout(""))
	fold := strings.NewReplacer("O", "0", "I", "1", "L", "1")
	for range 200_000 {
		n := fold.Replace(mint(t, g))
		for _, w := range words {
			if strings.Contains(n, w) {
				t.Fatalf("Next = %q spells %s", n, w)
			}
		}
	}
}
