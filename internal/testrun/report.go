package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// event is one line of go test -json: a TestEvent, or a BuildEvent when
// ImportPath is set.
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string
}

// report writes what the events say, a package at a time as each ends.
type report struct {
	w        io.Writer
	packages map[string]*pkg

	ok, failed, noTests, skipped int
}

// pkg is what is known of a package whose tests have not ended.
type pkg struct {
	lines   []line              // the output, in order
	running map[string][]string // the output of each test that has not ended
	ended   map[string]bool     // tests that passed or were skipped
	result  string              // go test's own line: ok, FAIL or ?
	skips   map[string]int      // tests skipped, by reason
	reasons []string            // the reasons, in the order first given
}

// line is a piece of output and the test that wrote it ("" for the
// package).
type line struct{ test, text string }

func newReport(w io.Writer) *report {
	return &report{w: w, packages: map[string]*pkg{}}
}

// read handles the events of r until it ends. A line that is no event is
// go test's own text, written as it is.
func (r *report) read(rd io.Reader) error {
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(r.w, sc.Text())
			continue
		}
		r.handle(e)
	}
	return sc.Err()
}

// handle takes one event.
func (r *report) handle(e event) {
	switch {
	case e.Action == "build-output":
		fmt.Fprint(r.w, e.Output) // compiler errors, as go test shows them
	case e.ImportPath != "":
	case e.Action == "output":
		r.pkg(e.Package).output(e.Test, e.Output)
	case e.Action != "pass" && e.Action != "fail" && e.Action != "skip":
	case e.Test != "":
		r.pkg(e.Package).end(e.Test, e.Action)
	default:
		r.finish(e.Package, e.Action)
	}
}

func (r *report) pkg(name string) *pkg {
	p := r.packages[name]
	if p == nil {
		p = &pkg{running: map[string][]string{}, ended: map[string]bool{}, skips: map[string]int{}}
		r.packages[name] = p
	}
	return p
}

// resultRE matches go test's line for a package: ok, FAIL or ? (no tests).
var resultRE = regexp.MustCompile(`^(ok  |FAIL|\?   )\t`)

func (p *pkg) output(test, text string) {
	if test == "" && resultRE.MatchString(text) {
		p.result = text
		return
	}
	p.lines = append(p.lines, line{test, text})
	if test != "" {
		p.running[test] = append(p.running[test], text)
	}
}

// end records how a test ended: pass, fail or skip.
func (p *pkg) end(test, action string) {
	if action == "skip" {
		reason := skipReason(p.running[test])
		if p.skips[reason] == 0 {
			p.reasons = append(p.reasons, reason)
		}
		p.skips[reason]++
	}
	p.ended[test] = action != "fail"
	delete(p.running, test)
}

// finish writes what is known of a package that ended with action: the
// output of a failing package but that of its passing and skipped tests,
// go test's line, and the tests skipped.
func (r *report) finish(name, action string) {
	p := r.pkg(name)
	delete(r.packages, name)
	if action == "fail" {
		for _, l := range p.lines {
			if !p.ended[l.test] && !strings.HasPrefix(l.text, "=== ") {
				fmt.Fprint(r.w, l.text)
			}
		}
	}
	result := p.result
	if result == "" {
		result = fmt.Sprintf("%-4s\t%s\n", map[string]string{"pass": "ok", "fail": "FAIL", "skip": "?"}[action], name)
	}
	fmt.Fprint(r.w, result)
	if s := skipLine(p.skips, p.reasons); s != "" {
		fmt.Fprintf(r.w, "    %s\n", s)
	}
	for _, n := range p.skips {
		r.skipped += n
	}
	switch action {
	case "pass":
		r.ok++
	case "fail":
		r.failed++
	default:
		r.noTests++
	}
}

// close writes the closing count, and the output of any package that
// never ended, as when go test was interrupted.
func (r *report) close() {
	for _, name := range slices.Sorted(maps.Keys(r.packages)) {
		r.finish(name, "fail")
	}
	if r.ok+r.failed+r.noTests == 0 {
		return
	}
	fmt.Fprintf(r.w, "packages: %d ok, %d failed, %d without tests; tests skipped: %d\n", r.ok, r.failed, r.noTests, r.skipped)
}

// messageRE matches the first line of a message of t.Log, t.Skip or
// t.Error: indented, after the file and line that wrote it.
var messageRE = regexp.MustCompile(`^\s*[^\s:]+\.go:\d+: (.*)$`)

// maxReason is the longest reason shown, in characters.
const maxReason = 120

// skipReason returns the first line of the last message a skipped test
// wrote, which is what t.Skip said.
func skipReason(output []string) string {
	reason := ""
	for _, l := range strings.Split(strings.Join(output, ""), "\n") {
		if m := messageRE.FindStringSubmatch(l); m != nil {
			reason = strings.TrimSpace(m[1])
		}
	}
	if reason == "" {
		return "no reason given"
	}
	if r := []rune(reason); len(r) > maxReason {
		reason = string(r[:maxReason-1]) + "…"
	}
	return reason
}

// skipLine says how many tests were skipped and why, the most common
// reason first: "12 skipped: A is not set" or
// "15 skipped: 12 × A is not set; 3 × B is not set"; "" when none were.
func skipLine(skips map[string]int, reasons []string) string {
	total := 0
	for _, n := range skips {
		total += n
	}
	switch len(reasons) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("%d skipped: %s", total, reasons[0])
	}
	sorted := slices.Clone(reasons)
	slices.SortStableFunc(sorted, func(a, b string) int { return cmp.Compare(skips[b], skips[a]) })
	parts := make([]string, len(sorted))
	for i, reason := range sorted {
		parts[i] = fmt.Sprintf("%d × %s", skips[reason], reason)
	}
	return fmt.Sprintf("%d skipped: %s", total, strings.Join(parts, "; "))
}
