package readme

import (
	"slices"
	"testing"
)

// root is the repository's root, from this package's directory.
const root = "../.."

// tested are the programs whose tests run the READMEs' curl lines: each
// has a TestREADMECurlLines.
var tested = []string{"./examples/quickstart", "./examples/callcentre"}

// Every block of curl lines in the READMEs can be run, and calls a program
// whose tests run it.
func TestEveryCurlBlockIsRun(t *testing.T) {
	t.Parallel()
	for _, name := range Files {
		scripts, err := Scripts(root, name)
		if err != nil {
			t.Error(err)
		}
		for _, s := range scripts {
			if !slices.Contains(tested, s.Program) {
				t.Errorf("%s: calls %s, whose tests do not run the READMEs' curl lines", s, s.Program)
			}
		}
	}
}
