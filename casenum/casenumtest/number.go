package casenumtest

import (
	"fmt"
	"strings"

	"github.com/casemint/casemint/casenum"
)

// Complete returns number with the check character that layout gives it,
// so that a test can state the exact number it expects without running the
// code first:
//
//	want := casenumtest.Complete("CASE-{date}-{alnum:6}{check}", "CASE-20250929-7KQ2M9")
//	// want is "CASE-20250929-7KQ2M9Z"
//
// number is a canonical number of layout less its check character (its two
// digits for {check:mod97}): the literals, and each token's text as it
// renders, such as the texts given to Tokens.
//
// Like Tokens, Complete panics on a mistake in its arguments, which are
// written in the test: a layout that does not compile or has no check
// character, or a number that no check character completes.
func Complete(layout, number string) string {
	l, err := casenum.ParseLayout(layout)
	if err != nil {
		panic(fmt.Sprintf("casenumtest: Complete: %v", err))
	}
	if l.Validate(number) == nil {
		panic(fmt.Sprintf("casenumtest: Complete(%q, %q): the number is complete: the layout has no check character", layout, number))
	}
	var found []string
	for _, check := range checkCandidates(layout) {
		if l.Validate(number+check) == nil {
			found = append(found, number+check)
		}
	}
	if len(found) != 1 {
		panic(fmt.Sprintf("casenumtest: Complete(%q, %q): no check character completes it: %v", layout, number, l.Validate(number+"0")))
	}
	return found[0]
}

// checkCandidates returns every check character of layout: a Damm digit
// or a Crockford symbol, or two MOD 97-10 digits for {check:mod97}. Only
// those of its length are tried: where a counter that grows comes before
// the check character, a longer candidate would read as a longer counter.
func checkCandidates(layout string) []string {
	if !hasToken(layout, "check:mod97") {
		return strings.Split(crockford, "")
	}
	c := make([]string, 100)
	for i := range c {
		c[i] = fmt.Sprintf("%02d", i)
	}
	return c
}

// hasToken reports whether layout has the token {body}, not a literal one
// written with doubled braces.
func hasToken(layout, body string) bool {
	for i := 0; i < len(layout); i++ {
		switch {
		case strings.HasPrefix(layout[i:], "{{"), strings.HasPrefix(layout[i:], "}}"):
			i++
		case strings.HasPrefix(layout[i:], "{"+body+"}"):
			return true
		}
	}
	return false
}
