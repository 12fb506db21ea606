package casenum_test

import (
	"strings"
	"testing"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// The numbers of the corpus: the layout of the issue's e-mail, its former
// layout (the default) and the default fallback.
var (
	corpusA = issueNumber // CASE-20250929-7KQ2M9Z
	corpusB = casenumtest.Complete(issueLayout, "CASE-20251003-0RB1TX")
	corpusC = "CASE-20250929-1759131413832-073" // a former number
	corpusD = "CASE-20250929-1f0c3a9e"          // a fallback number
	corpusE = casenumtest.Complete(issueLayout, "CASE-20251117-H4W8NP")
)

// corpusLine is a line of e-mail and the numbers a person meant by it.
type corpusLine struct {
	text string
	want []string
}

// numberLines mention case numbers, typed the ways people type them.
func numberLines() []corpusLine {
	a, b, c, d, e := corpusA, corpusB, corpusC, corpusD, corpusE
	bTyped := "case 20251003 ORBITX" + b[len(b)-1:] // O for 0, I for 1
	return []corpusLine{
		{"Re: my call case 20250929 7kq2m9z is still open.", []string{a}},
		{"Subject: [" + a + "] Printer on fire", []string{a}},
		{"Hi, regarding case #20250929-7KQ2M9Z, any news?", []string{a}},
		{"RE: RE: CASE 20250929 7KQ2M9Z", []string{a}},
		{"Fwd: case-20250929-7kq2m9z (2nd reminder)", []string{a}},
		{"> On Monday you wrote about " + a + ":", []string{a}},
		{"Your reference CASE20250929-7KQ2M9Z does not work in the portal", []string{a}},
		{"case_20250929_7kq2m9z - please escalate", []string{a}},
		{"I was given Case 2025 0929 7KQ 2M9Z on the phone", []string{a}},
		{"case\t20250929\u00a07kq2m9z", []string{a}},
		{"Link: https://help.example.com/cases/" + a + "?tab=notes", []string{a}},
		{"Case-20250929-7KQ2M9Z: status?", []string{a}},
		{"(see case 20250929-7KQ2M9Z)", []string{a}},
		{"My numbers: " + a + " and " + b + ".", []string{a, b}},
		{"The agent read it out as " + bTyped + ", I think", []string{b}},
		{"case 2O251OO3 0rb1tx" + strings.ToLower(b[len(b)-1:]) + " is the one", []string{b}},
		{"Old case case-20250929-1759131413832-073 was closed too early", []string{c}},
		{"case 20250929 1759131413832 073", []string{c}},
		{"Ticket CASE-20250929-1759131413832-073.", []string{c}},
		{"The system gave me CASE-20250929-1F0C3A9E instead", []string{d}},
		{"case 20250929 1f0c 3a9e", []string{d}},
		{"Three open: " + a + ", " + c + ", " + d, []string{a, c, d}},
		{"Thanks for " + e + "!", []string{e}},
		{"*" + e + "*", []string{e}},
		{"\"" + strings.ToLower(e) + "\"", []string{e}},
		{"Merge " + a + " into " + e + " please", []string{a, e}},
		{"case:" + e, []string{e}},
		{"CASE - 20251117 - H4W8NP" + e[len(e)-1:], []string{e}},
		{"<" + e + ">", []string{e}},
	}
}

// decoyLines hold what help desks famously mistake for ticket numbers, and
// near misses of ours: no number.
var decoyLines = []string{
	"Content-Type: text/plain; charset=utf-8",
	"Content-Transfer-Encoding: quoted-printable",
	"Invoice for 2022-02 attached",
	"We patched CVE-2024-3094 and CVE-2021-44228 last week",
	"Call me at +1 (555) 123-4567 or 555.123.4567",
	"Mobile: +44 7700 900123",
	"Amazon order #112-3345567-8890123 never arrived",
	"PayPal transaction 9X7-44Z1-0098",
	"INV-2025-0042 is attached",
	"Tracking: 1Z999AA10123456784",
	"IBAN DE89 3704 0044 0532 0130 00",
	"commit 1f0c3a9e5b7d in the repo",
	"Request id 1f0c3a9e-0000-4abc-8def-0123456789ab",
	"ISO 8601: 2025-09-29T07:36:53Z",
	"Unix time 1759131413832 in the log",
	"Meeting on 20250929 at 07:30",
	"Version 2.4.1-rc1 broke the case view",
	"In case 2025 goes badly, call me",
	"The showcase 20250929 7KQ2M9Z rollout",
	"case 20250929",
	"CASE-20250929-7KQ2M9W", // a wrong check character
	"case 20250929 7kq2m9w is what I wrote down",
	"CASE-20250929-7KQ2M9ZZ",
	"CASE-20250929-7KQ2M9",
	"CASE-20251399-7KQ2M9Z",
	"CASE-20250928-1759131413832-073", // the date is not that of the time
	"case 20250929 1759131413832 07",
	"Ticket 7KQ2M9Z",
	"Order 2025-09-29-001",
}

// withoutLiteral lines mean a number but leave out its literal CASE, or
// put a word between it and the rest: Find needs the literal, as Normalize
// does, so it does not find these. Without the literal, CASE-{date}-{seq:4}
// would match any date and four digits.
var withoutLiteral = []string{
	"Case no: 20250929/7KQ2M9Z",
	"My number is 20250929-7KQ2M9Z",
}

// TestCorpus reads e-mail lines with a Generator of the issue's layout, its
// former layout and the default fallback: every number meant is found, and
// nothing else.
func TestCorpus(t *testing.T) {
	t.Parallel()
	g := newGen(t, casenum.WithLayout(issueLayout), casenum.WithFormerLayouts(casenum.DefaultLayout))
	numbers, hits, lines := 0, 0, numberLines()
	for _, line := range lines {
		var got []string
		for _, m := range g.Find(line.text) {
			got = append(got, m.Number)
		}
		numbers += len(line.want)
		if strings.Join(got, " ") != strings.Join(line.want, " ") {
			t.Errorf("Find(%q) = %q, want %q", line.text, got, line.want)
			continue
		}
		hits += len(got)
	}
	falseHits := 0
	for _, text := range decoyLines {
		if ms := g.Find(text); len(ms) > 0 {
			falseHits += len(ms)
			t.Errorf("Find(%q) = %s, want none", text, found(ms))
		}
	}
	for _, text := range withoutLiteral {
		if ms := g.Find(text); len(ms) > 0 {
			t.Errorf("Find(%q) = %s: a number without its literal", text, found(ms))
		}
	}
	if n := len(lines) + len(decoyLines) + len(withoutLiteral); n < 50 {
		t.Errorf("the corpus has %d lines, want at least 50", n)
	}
	t.Logf("%d lines with %d numbers: %d found; %d decoy lines: %d false matches; %d lines without the literal: not found",
		len(lines), numbers, hits, len(decoyLines), falseHits, len(withoutLiteral))
}

// seriesCorpus is e-mail about numbers of series: Jira-like keys of the
// project PROJ, and invoices numbered per fiscal year. Where any key is
// taken, every upper-case word followed by a number has a key's shape
// (COVID-19, CVE-2024): a desk that knows its keys reads with ForKey.
var seriesCorpus = []struct {
	layout, key string
	lines       []corpusLine
	decoys      []string
}{
	{"{key}-{seq}", "PROJ", []corpusLine{
		{"PROJ-123", []string{"PROJ-123"}},
		{"The login bug is PROJ-123; PROJ-7 tracks the outage.", []string{"PROJ-123", "PROJ-7"}},
		{"Subject: [PROJ-42] Crash on start", []string{"PROJ-42"}},
		{"Fixed on branch feature/PROJ-123-login", []string{"PROJ-123"}},
		{"Can someone look at proj 12 today?", []string{"PROJ-12"}},
		{"Duplicate of PROJ-9.", []string{"PROJ-9"}},
	}, []string{
		"The project 12 folder is full",
		"XPROJ-12 and PROJ12 are typos",
		"OPS-7 belongs to another team",
		"Content-Type: text/plain; charset=utf-8",
		"No. 5 on the list",
	}},
	{"INV/{fy:4}-{fy:4:end:06}/{seq}", "", []corpusLine{
		{"Re: INV/2026-27/1", []string{"INV/2026-27/1"}},
		{"Payment for INV/2026-27/15 and INV/2026-27/16 attached", []string{"INV/2026-27/15", "INV/2026-27/16"}},
		{"inv 2026 27 15 is paid", []string{"INV/2026-27/15"}},
	}, []string{
		"INV/2026-28/1 does not exist",
		"INV-2025-0042 is attached",
		"Invoice 2026-27 total",
	}},
}

// TestCorpusSeries reads the series corpus: every number meant is found,
// and nothing else.
func TestCorpusSeries(t *testing.T) {
	t.Parallel()
	for _, c := range seriesCorpus {
		g := newGen(t, casenum.WithLayout(c.layout), casenum.WithSequence(casenumtest.NewStore()))
		if c.key != "" {
			var err error
			if g, err = g.ForKey(c.key); err != nil {
				t.Fatal(err)
			}
		}
		for _, line := range c.lines {
			var got []string
			for _, m := range g.Find(line.text) {
				got = append(got, m.Number)
			}
			if strings.Join(got, " ") != strings.Join(line.want, " ") {
				t.Errorf("%s: Find(%q) = %q, want %q", c.layout, line.text, got, line.want)
			}
		}
		for _, text := range c.decoys {
			if ms := g.Find(text); len(ms) > 0 {
				t.Errorf("%s: Find(%q) = %s, want none", c.layout, text, found(ms))
			}
		}
	}
}
