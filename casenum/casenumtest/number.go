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
	for _, check := range checkCandidates() {
		if l.Validate(number+check) == nil {
			found = append(found, number+check)
		}
	}
	if len(found) != 1 {
		panic(fmt.Sprintf("casenumtest: Complete(%q, %q): no check character completes it: %v", layout, number, l.Validate(number+"0")))
	}
	return found[0]
}

// checkCandidates returns every check character: a Damm digit, a Crockford
// symbol, or two MOD 97-10 digits.
func checkCandidates() []string {
	c := strings.Split(crockford, "")
	for i := range 100 {
		c = append(c, fmt.Sprintf("%02d", i))
	}
	return c
}
