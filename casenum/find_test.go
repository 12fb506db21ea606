package casenum_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// issueLayout is the layout of the e-mail in the package's example.
const issueLayout = "CASE-{date}-{alnum:6}{check}"

// issueNumber is CASE-20250929-7KQ2M9 with its check character.
var issueNumber = casenumtest.Complete(issueLayout, "CASE-20250929-7KQ2M9")

// found renders matches as "number@start:end" for comparison.
func found(ms []casenum.Match) string {
	var b []string
	for _, m := range ms {
		b = append(b, fmt.Sprintf("%s@%d:%d", m.Number, m.Start, m.End))
	}
	return strings.Join(b, " ")
}

func TestLayoutFind(t *testing.T) {
	t.Parallel()
	l := mustParse(t, issueLayout)
	n := issueNumber // CASE-20250929-7KQ2M9Z
	for _, tt := range []struct {
		name, text, want string
	}{
		{"the issue's e-mail", "Re: my call case 20250929 7kq2m9z is still open.", n + "@12:33"},
		{"canonical", n, n + "@0:21"},
		{"in brackets", "[" + n + "]", n + "@1:22"},
		{"after a hash", "case #20250929-7KQ2M9Z!", n + "@0:22"},
		{"no separators", "see CASE202509297KQ2M9Z", n + "@4:23"},
		{"underscores", "case_20250929_7kq2m9z.", n + "@0:21"},
		{"spaced out", "Case 2025 0929 7KQ 2M9Z ok", n + "@0:23"},
		{"white space of all kinds", "case\t20250929\u00a07kq2m9z", n + "@0:22"},
		{"look-alikes", "case 2O25O929 7kq2m9z", n + "@0:21"},
		{"in a URL", "https://help.example.com/cases/" + n + "?x=1", n + "@31:52"},
		{"two, in order", n + " and case-20250929-7kq2m9z", n + "@0:21 " + n + "@26:47"},
		{"a false start before", "CASE-CASE-20250929-7KQ2M9Z", n + "@5:26"},
		{"runs on to the right", n + "Z", ""},
		{"runs on to the left", "X" + n, ""},
		{"runs on into a digit", n + "1", ""},
		{"runs on into a letter of another script", "é" + n, ""},
		{"wrong check character", "CASE-20250929-7KQ2M9W", ""},
		{"two swapped", "CASE-20250929-7KQ2MZ9", ""},
		{"no such date", "CASE-20251399-7KQ2M9Z", ""},
		{"too short", "CASE-20250929-7KQ2M9", ""},
		{"no literal", "20250929-7KQ2M9Z", ""},
		{"not a number at all", "The showcase 20250929 rollout, utf-8, 2022-02", ""},
		{"invalid UTF-8 around", "\xff" + n + "\xfe", n + "@1:22"},
		{"empty", "", ""},
	} {
		if got := found(l.Find(tt.text)); got != tt.want {
			t.Errorf("%s: Find(%q) = %s, want %s", tt.name, tt.text, got, tt.want)
		}
	}
}

// Every match is a number the Generator validates, read from text[Start:End]
// as Normalize reads it.
func TestFindAgreesWithNormalize(t *testing.T) {
	t.Parallel()
	g := newGen(t, casenum.WithLayout(issueLayout), casenum.WithFormerLayouts(casenum.DefaultLayout))
	text := "Re: case 20250929 7kq2m9z, and case 2025O929 I759I3I4I3832 O73 (old)."
	ms := g.Find(text)
	if len(ms) != 2 {
		t.Fatalf("Find = %s, want two numbers", found(ms))
	}
	for _, m := range ms {
		if err := g.Validate(m.Number); err != nil {
			t.Errorf("Find found %q, which does not validate: %v", m.Number, err)
		}
		if got, err := g.Normalize(text[m.Start:m.End]); got != m.Number || err != nil {
			t.Errorf("Normalize(%q) = %q, %v; Find says %q", text[m.Start:m.End], got, err, m.Number)
		}
	}
}

// Of the Generator's layouts the longest reading wins; two different
// numbers of one length are no match unless one is typed exactly.
func TestGeneratorFindReadsEveryLayout(t *testing.T) {
	t.Parallel()
	g := newGen(t, casenum.WithLayout(issueLayout), casenum.WithFormerLayouts(casenum.DefaultLayout))
	text := "new " + issueNumber + ", fallback case-20250929-1F0C3A9E, former CASE-20250929-1759131413832-073."
	want := issueNumber + "@4:25 CASE-20250929-1f0c3a9e@36:58 CASE-20250929-1759131413832-073@67:98"
	if got := found(g.Find(text)); got != want {
		t.Errorf("Find = %s\nwant   %s", got, want)
	}
	// Upper-case hex reads as Crockford base32 too.
	amb := newGen(t, casenum.WithLayout("CASE-{date}-{alnum:8}"))
	for text, want := range map[string]string{
		"case-20250929-1f0c3a9e": "",
		"CASE-20250929-1f0c3a9e": "CASE-20250929-1f0c3a9e@0:22",
		"CASE-20250929-1F0C3A9E": "CASE-20250929-1F0C3A9E@0:22",
	} {
		if got := found(amb.Find(text)); got != want {
			t.Errorf("Find(%q) = %s, want %s", text, got, want)
		}
	}
}

// A date that is not the date of its {unixms} in the Generator's Location
// is no number of it.
func TestFindChecksTheDateInTheLocation(t *testing.T) {
	t.Parallel()
	tokyo := time.FixedZone("JST", 9*3600)
	const n = "CASE-20250929-1759188600000-073" // 23:30 UTC, 08:30 on the 30th in Tokyo
	utc := newGen(t)
	jst := newGen(t, casenum.WithLocation(tokyo))
	if got := found(utc.Find(n)); got != n+"@0:31" {
		t.Errorf("UTC: Find = %s", got)
	}
	if got := found(jst.Find(n)); got != "" {
		t.Errorf("Tokyo: Find = %s, want none", got)
	}
}

func TestFindUnicodeLiterals(t *testing.T) {
	t.Parallel()
	l := mustParse(t, "Ünï-{date}-{rand:3}")
	text := "Betreff: ünï 20250929 123 und ÜNÏ-20250930-124."
	want := "Ünï-20250929-123@9:27 Ünï-20250930-124@32:50"
	if got := found(l.Find(text)); got != want {
		t.Errorf("Find = %s, want %s", got, want)
	}
}

// Numbers of series: a counter that grows, a key, fiscal years. Where any
// key is taken, Find takes keys as they are written, in upper case; a
// Generator made by ForKey reads its key in any case, as a literal.
func TestFindSeries(t *testing.T) {
	t.Parallel()
	seq := casenum.WithSequence(casenumtest.NewStore())
	keys := newGen(t, casenum.WithLayout("{key}-{seq}"), seq)
	proj, err := keys.ForKey("PROJ")
	if err != nil {
		t.Fatal(err)
	}
	inv := newGen(t, casenum.WithLayout("INV/{fy:4}-{fy:4:end:06}/{seq}"), seq)
	padded := newGen(t, casenum.WithLayout("INV-{seq:6}{check}"), seq)
	ref := newGen(t, casenum.WithLayout("T/{key}-{seq}"), seq)
	for _, tt := range []struct {
		name string
		g    *casenum.Generator
		text string
		want string
	}{
		{"a key", keys, "PROJ-123", "PROJ-123@0:8"},
		{"keys in prose", keys, "The login bug is PROJ-123, and OPS-7 tracks the outage.", "PROJ-123@17:25 OPS-7@31:36"},
		{"a key in a branch name", keys, "Fixed on feature/PROJ-123-login.", "PROJ-123@17:25"},
		{"a key in brackets", keys, "Re: [PROJ-42] Crash on start", "PROJ-42@5:12"},
		{"any key in lower case", keys, "charset=utf-8, proj-12", ""},
		{"a key too long", keys, "A1B2C3D4E5F6G7H8X-9", ""},
		{"a key that starts with a digit", keys, "1PROJ-12", ""},
		{"a key in mixed case", keys, "Proj-12, No. 5", ""},
		{"a counter of look-alikes", keys, "A-OK, I-O, X-lo.", ""},
		{"the key of ForKey, in any case", proj, "proj 12 and Proj-13, not OPS-1 or PROJECT-14", "PROJ-12@0:7 PROJ-13@12:19"},
		{"another key", proj, "XPROJ-12 PROJ12 PROJ-12a", ""},
		{"space after the key", proj, "PROJ - 12", "PROJ-12@0:9"},
		{"space before the key", ref, "T/ PROJ-7 and t / OPS - 8", "T/PROJ-7@0:9 T/OPS-8@14:25"},
		{"an invoice", inv, "Re: INV/2026-27/1", "INV/2026-27/1@4:17"},
		{"invoices, typed", inv, "inv 2026 27 15 and INV/2026-27/ 16.", "INV/2026-27/15@0:14 INV/2026-27/16@19:34"},
		{"fiscal years that disagree", inv, "INV/2026-28/1, INV-2025-0042", ""},
		{"a counter ends at white space past its padding", inv, "INV/2026-27/12 3 attachments", "INV/2026-27/12@0:14"},
		{"white space in the padding", padded, "INV-000 042" + casenumtest.Complete("INV-{seq:6}{check}", "INV-000042")[10:], casenumtest.Complete("INV-{seq:6}{check}", "INV-000042") + "@0:12"},
		{"a counter past its padding", padded, casenumtest.Complete("INV-{seq:6}{check}", "INV-1000000"), casenumtest.Complete("INV-{seq:6}{check}", "INV-1000000") + "@0:12"},
	} {
		ms := tt.g.Find(tt.text)
		if got := found(ms); got != tt.want {
			t.Errorf("%s: Find(%q) = %s, want %s", tt.name, tt.text, got, tt.want)
		}
		// What Find reads, Normalize reads as the same number.
		for _, m := range ms {
			if n, err := tt.g.Normalize(tt.text[m.Start:m.End]); n != m.Number || err != nil {
				t.Errorf("%s: Normalize(%q) = %q, %v; Find says %s", tt.name, tt.text[m.Start:m.End], n, err, m.Number)
			}
		}
	}
}

// Text built to make a reader work hard is read in one pass: were Find
// quadratic, these would not end within the test's time.
func TestFindHostileText(t *testing.T) {
	t.Parallel()
	g := newGen(t, casenum.WithLayout(issueLayout), casenum.WithFormerLayouts(casenum.DefaultLayout, "{rand:6}{check}"))
	for _, text := range []string{
		strings.Repeat("case ", 1<<18),
		strings.Repeat("1 ", 1<<19),
		strings.Repeat("CASE-2025", 1<<17),
		"C" + strings.Repeat(" ", 1<<20) + "ASE",
		strings.Repeat("case 20250929 ", 1<<16),
		strings.Repeat("-", 1<<20),
	} {
		if ms := g.Find(text); len(ms) != 0 {
			t.Errorf("Find(%.20q...) = %d matches", text, len(ms))
		}
	}
	// Tokens whose width varies: a key and counters that grow.
	series := newGen(t, casenum.WithLayout("{key}-{seq}{check}"), casenum.WithFormerLayouts("INV/{fy:4}-{fy:4:end:06}/{seq}"),
		casenum.WithSequence(casenumtest.NewStore()))
	for _, text := range []string{
		strings.Repeat("A", 1<<20),
		strings.Repeat("PROJ-", 1<<18),
		"PROJ-" + strings.Repeat("1", 1<<20),
		strings.Repeat("A ", 1<<19),
		strings.Repeat("INV/2026-27/", 1<<16),
		"P" + strings.Repeat(" ", 1<<20) + "-1",
	} {
		if ms := series.Find(text); len(ms) != 0 {
			t.Errorf("Find(%.20q...) = %d matches", text, len(ms))
		}
	}
}

// fuzzFindGens mint the numbers FuzzFind plants: layouts with and without
// a check character, literals, look-alike symbols, former layouts, a key,
// fiscal years, counters that grow and a permuted one.
func fuzzFindGens(t testing.TB, seed uint64) []*casenum.Generator {
	t.Helper()
	gen := func(opts ...casenum.Option) *casenum.Generator {
		g, err := casenum.New(append([]casenum.Option{
			casenum.WithClock(&stepClock{t: time.Date(2025, 9, 29, 7, 36, 53, 0, time.UTC), step: 7*time.Hour + 13*time.Millisecond}),
			casenum.WithRandom(rand.NewPCG(seed, 7)),
			casenum.WithSequence(newScopeSeq()),
		}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	proj, err := gen(casenum.WithLayout("{key}-{seq}")).ForKey("PROJ")
	if err != nil {
		t.Fatal(err)
	}
	return []*casenum.Generator{
		gen(),
		gen(casenum.WithLayout(issueLayout), casenum.WithFormerLayouts(casenum.DefaultLayout)),
		gen(casenum.WithLayout("INC-{seq:5}{check:mod97}"), casenum.WithFallbackLayout("INC-{uuid}")),
		gen(casenum.WithLayout("T{date:060102.1504}-{hex:4}"), casenum.WithFallbackLayout("")),
		proj,
		gen(casenum.WithLayout("INV/{fy:4}-{fy:4:end:06}/{seq:3}{check}")),
		gen(casenum.WithLayout("INV-{seq:6:perm}{check}"), casenum.WithPermutationKey(permKey)),
	}
}

// typed returns number as a person may type it, by the bits of how.
func typed(number string, how uint8) string {
	s := number
	if how&1 != 0 {
		s = strings.ToLower(s)
	}
	if how&2 != 0 {
		s = strings.NewReplacer("-", " ", ".", " ").Replace(s)
	}
	if how&4 != 0 {
		s = strings.ReplaceAll(s, "0", "O")
	}
	return s
}

func FuzzFind(f *testing.F) {
	f.Add("Re: my call", "is still open.", uint64(1), uint8(0), uint8(3))
	f.Add("", "", uint64(2), uint8(7), uint8(1))
	f.Add("CASE-2025 utf-8 2022-02", "CVE-2024-3094 \xff", uint64(3), uint8(2), uint8(4))
	f.Fuzz(func(t *testing.T, before, after string, seed uint64, how, count uint8) {
		for _, g := range fuzzFindGens(t, seed) {
			// Any text: no panic, and every match validates and is what
			// Normalize reads from the text Find read it from.
			for _, m := range g.Find(before + after) {
				if err := g.Validate(m.Number); err != nil {
					t.Fatalf("Find(%q) found %q, which does not validate: %v", before+after, m.Number, err)
				}
				if n, err := g.Normalize((before + after)[m.Start:m.End]); n != m.Number || err != nil {
					t.Fatalf("Find(%q) found %q, but Normalize(%q) = %q, %v", before+after, m.Number, (before + after)[m.Start:m.End], n, err)
				}
			}
			// Numbers planted among the noise, typed as people type them,
			// apart from it by a space and a letter no layout holds: Find
			// finds exactly those, and in the noise only numbers.
			var text strings.Builder
			var want []casenum.Match
			noise := []string{before, after}
			for k := range int(count%4) + 1 {
				text.WriteString(noise[k%2] + " ä ")
				n := mint(t, g)
				s := typed(n, how>>k)
				want = append(want, casenum.Match{Number: n, Start: text.Len(), End: text.Len() + len(s)})
				text.WriteString(s + " ä ")
			}
			text.WriteString(noise[0])
			got := g.Find(text.String())
			k := 0
			for _, m := range got {
				if k < len(want) && m == want[k] {
					k++
					continue
				}
				if err := g.Validate(m.Number); err != nil || k < len(want) && m.End > want[k].Start || k > 0 && m.Start < want[k-1].End {
					t.Fatalf("Find(%q) = %+v: %+v is none of the numbers planted %+v", text.String(), got, m, want)
				}
			}
			if k != len(want) {
				t.Fatalf("Find(%q) = %+v, want the planted %+v", text.String(), got, want)
			}
		}
	})
}

// proseLines are the rest of an e-mail, around the lines that mention
// numbers.
var proseLines = []string{
	"From: Jane Doe <jane.doe@example.com>",
	"To: Support <support@example.com>",
	"Date: Mon, 29 Sep 2025 09:41:07 +0200",
	"Hello,",
	"thank you for getting back to me so quickly yesterday afternoon.",
	"Unfortunately the problem with the printer on the third floor is still there,",
	"and now the scanner next to it refuses to send anything by e-mail.",
	"I restarted both devices twice, as your colleague suggested on the phone.",
	"Could you please send a technician before Thursday? We have an audit on Friday.",
	"If it helps, the error on the display reads E-502 and the light blinks orange.",
	"Best regards,",
	"Jane",
	"--",
	"Jane Doe | Accounting | Example Corp. | +49 30 1234567",
	"This message may contain confidential information. If you are not the intended",
	"recipient, please notify the sender and delete it.",
}

// emailText returns about size bytes of e-mail: mostly prose, with a line
// that mentions a number, or a decoy, now and then.
func emailText(size int) string {
	rnd := rand.New(rand.NewPCG(1, 2))
	numbers := numberLines()
	var b strings.Builder
	for b.Len() < size {
		switch k := rnd.IntN(20); {
		case k == 0:
			b.WriteString(numbers[rnd.IntN(len(numbers))].text)
		case k == 1:
			b.WriteString(decoyLines[rnd.IntN(len(decoyLines))])
		default:
			b.WriteString(proseLines[rnd.IntN(len(proseLines))])
		}
		b.WriteString("\r\n")
	}
	return b.String()
}

// BenchmarkFind reads a MiB of e-mail with the Generator of the corpus:
// three layouts.
func BenchmarkFind(b *testing.B) {
	g := newGen(b, casenum.WithLayout(issueLayout), casenum.WithFormerLayouts(casenum.DefaultLayout))
	text := emailText(1 << 20)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	matches := 0
	for b.Loop() {
		matches = len(g.Find(text))
	}
	b.ReportMetric(float64(len(text))*float64(b.N)/b.Elapsed().Seconds()/(1<<20), "MiB/s")
	b.ReportMetric(float64(matches), "matches")
}
