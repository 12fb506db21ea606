package readme

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/casemint/casemint/casenum"
)

var (
	// layoutWord matches a layout written out, such as CASE-{date}-{rand:3}.
	layoutWord = regexp.MustCompile("CASE-[^\\s'\"`()]*\\{[^\\s'\"`()]*")
	// numberWord matches a case number.
	numberWord = regexp.MustCompile(`\bCASE-[0-9A-Z]+(?:-[0-9A-Z]+)*\b`)
	// typedSpan matches code that shows a number as a person typed it.
	typedSpan = regexp.MustCompile("`((?i:case)[ -][0-9][^`]*)`")
)

// Every case number the READMEs and the quickstart's doc comment show is
// one its layout can mint: a number on a line that writes a layout
// validates against it, any other against a layout its file writes; a
// number as a person typed it (`case 20250929 …`) normalizes. Every layout
// written parses. The numbers of curl lines are left to the tests that run
// them, which expect some to be refused.
func TestCaseNumbers(t *testing.T) {
	t.Parallel()
	for _, name := range append(slices.Clone(Files), "examples/quickstart/main.go") {
		lines, inCurl, inBlock := readLines(t, name)
		var layouts []*casenum.Layout
		for i, line := range lines {
			for _, w := range layoutWord.FindAllString(line, -1) {
				l, err := casenum.ParseLayout(strings.TrimRight(w, ".,:;"))
				if err != nil {
					t.Errorf("%s:%d: %v", name, i+1, err)
					continue
				}
				layouts = append(layouts, l)
			}
		}
		for i, line := range lines {
			if inCurl[i] {
				continue
			}
			of := layouts
			if onLine := layoutWord.FindAllString(line, -1); len(onLine) > 0 {
				of = nil
				for _, w := range onLine {
					if l, err := casenum.ParseLayout(strings.TrimRight(w, ".,:;")); err == nil {
						of = append(of, l)
					}
				}
			}
			for _, n := range numberWord.FindAllString(line, -1) {
				if err := validates(n, of, (*casenum.Layout).Validate); err != nil {
					t.Errorf("%s:%d: %v", name, i+1, err)
				}
			}
			for _, m := range typedSpan.FindAllStringSubmatch(line, -1) {
				if inBlock[i] {
					continue
				}
				norm := func(l *casenum.Layout, s string) error { _, err := l.Normalize(s); return err }
				if err := validates(m[1], of, norm); err != nil {
					t.Errorf("%s:%d: %v", name, i+1, err)
				}
			}
		}
	}
}

// validates returns nil when check accepts n with one of the layouts, and
// otherwise the error of the layout that read furthest.
func validates(n string, layouts []*casenum.Layout, check func(*casenum.Layout, string) error) error {
	if len(layouts) == 0 {
		return fmt.Errorf("%s: the file writes no layout", n)
	}
	var best error
	bestAt, bestPos := 0, -1
	for i, l := range layouts {
		err := check(l, n)
		if err == nil {
			return nil
		}
		var ne *casenum.NumberError
		if errors.As(err, &ne) && ne.Position > bestPos || best == nil {
			best, bestAt = err, i
			if ne != nil {
				bestPos = ne.Position
			}
		}
	}
	return fmt.Errorf("%s is not a number of %s: %w", n, layouts[bestAt], best)
}

// readLines returns the lines of the file name, and which of them are in a
// block that uses curl, or in any block.
func readLines(t *testing.T, name string) (lines []string, inCurl, inBlock []bool) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(string(src), "\n")
	inCurl, inBlock = make([]bool, len(lines)), make([]bool, len(lines))
	if !strings.HasSuffix(name, ".md") {
		return lines, inCurl, inBlock
	}
	blocks, err := Blocks(root, name)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		for i := b.Line - 1; i <= b.Line+strings.Count(b.Text, "\n"); i++ {
			inBlock[i] = true
			inCurl[i] = usesCurl.MatchString(b.Text)
		}
	}
	return lines, inCurl, inBlock
}
