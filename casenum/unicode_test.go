package casenum_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/casemint/casemint/casenum"
)

// Letters of a literal fold by Unicode's rules, not only ASCII's.
func TestNormalizeFoldsUnicodeLiterals(t *testing.T) {
	t.Parallel()
	g := readGen(t, casenum.WithLayout("Ünï-{date}-{rand:3}"), casenum.WithFallbackLayout(""))
	greek := readGen(t, casenum.WithLayout("ΑΡ-{rand:4}"), casenum.WithFallbackLayout(""))
	for _, tt := range []struct {
		g        *casenum.Generator
		in, want string
	}{
		{g, "Ünï-20250929-123", "Ünï-20250929-123"},
		{g, "ünï-20250929-123", "Ünï-20250929-123"},
		{g, "ÜNÏ 20250929 123", "Ünï-20250929-123"},
		{g, " üNï_2025 0929_123 ", "Ünï-20250929-123"},
		{greek, "αρ 0042", "ΑΡ-0042"},
		{greek, "Αρ-OO42", "ΑΡ-0042"},
		// Unicode's folding takes the Kelvin sign for k, the long s for s.
		{readGen(t, casenum.WithLayout("KS-{rand:2}"), casenum.WithFallbackLayout("")), "\u212a\u017f-42", "KS-42"},
	} {
		if got, err := tt.g.Normalize(tt.in); got != tt.want || err != nil {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"Unï-20250929-123", "ünì-20250929-123", "ünï"} {
		if _, err := g.Normalize(in); err == nil {
			t.Errorf("Normalize(%q) accepted another word", in)
		}
	}
}

// An error quotes whole characters, however long the input.
func TestErrorsNeverSplitACharacter(t *testing.T) {
	t.Parallel()
	g := readGen(t, casenum.WithLayout("Ünï-{rand:3}"), casenum.WithFallbackLayout(""))
	inputs := []string{
		"Ünï-123x" + strings.Repeat("ü", 20),
		"Ünï-123" + strings.Repeat("ü", 20),
		"Ünï-12" + strings.Repeat("€", 20),
		"ünï-1€3",
		"Üxï-123",
		strings.Repeat("ï", 30),
	}
	for _, in := range inputs {
		for name, err := range map[string]error{"Validate": g.Validate(in), "Normalize": second(g.Normalize(in))} {
			if err == nil {
				t.Fatalf("%s(%q) = nil error", name, in)
			}
			if msg := err.Error(); !utf8.ValidString(msg) || strings.Contains(msg, `\x`) {
				t.Errorf("%s(%q) = %q: a character split", name, in, msg)
			}
		}
	}
}

func second[T any](_ T, err error) error { return err }
