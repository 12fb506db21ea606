package casenum_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// After a switch of layout, the numbers of the former one still read, and
// no new one is minted in it.
func TestFormerLayoutsAreReadNeverMinted(t *testing.T) {
	t.Parallel()
	g := newGen(t, casenum.WithLayout(issueLayout), casenum.WithFallbackLayout(""),
		casenum.WithFormerLayouts(casenum.DefaultLayout, casenum.DefaultFallbackLayout))
	for _, tt := range []struct{ number, typed, layout string }{
		{issueNumber, strings.ToLower(issueNumber), issueLayout},
		{defaultNumber, "case 20250929 1759131413832 073", casenum.DefaultLayout},
		{defaultFallback, "CASE-20250929-1F0C3A9E", casenum.DefaultFallbackLayout},
	} {
		if err := g.Validate(tt.number); err != nil {
			t.Errorf("Validate(%q) = %v", tt.number, err)
		}
		if got, err := g.Normalize(tt.typed); got != tt.number || err != nil {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.typed, got, err, tt.number)
		}
		p, err := g.Parse(tt.number)
		if err != nil || p.Layout != tt.layout || p.Fallback {
			t.Errorf("Parse(%q) = %+v, %v; want Layout %s", tt.number, p, err, tt.layout)
		}
		if got := found(g.Find("re: " + tt.typed + ".")); got != tt.number+"@4:"+strconv.Itoa(4+len(tt.typed)) {
			t.Errorf("Find(%q) = %s", tt.typed, got)
		}
	}
	for range 200 {
		if n := mint(t, g); len(n) != len(issueNumber) || g.Layout().Validate(n) != nil {
			t.Fatalf("Next = %q, which is not of the layout %s", n, issueLayout)
		}
	}
	// The fallback's numbers say so; a former layout's do not.
	fb := newGen(t, casenum.WithFormerLayouts("OLD-{rand:4}"))
	if p, err := fb.Parse(defaultFallback); err != nil || !p.Fallback || p.Layout != casenum.DefaultFallbackLayout {
		t.Errorf("Parse(fallback number) = %+v, %v", p, err)
	}
	if p, err := fb.Parse("OLD-0042"); err != nil || p.Fallback || p.Layout != "OLD-{rand:4}" {
		t.Errorf("Parse(former number) = %+v, %v", p, err)
	}
	if _, err := casenum.New(casenum.WithFormerLayouts("OLD-{rand")); !errors.Is(err, casenum.ErrInvalidLayout) {
		t.Errorf("New with an invalid former layout = %v, want ErrInvalidLayout", err)
	}
}

// Layouts that read one string as two numbers that mean different things
// are refused; layouts that overlap only where they mean the same are not.
func TestNewRefusesLayoutsThatReadANumberTwice(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		layout, former string
		why            string
	}{
		{"CASE-{date}-{rand:6}", "CASE-{date}-{seq:6}", "position 15, one reads no date, time or counter and the other the counter of {seq}"},
		{"T-{date:0102}-{rand:2}", "T-{date:0201}-{rand:2}", "position 3, one reads the month of a date and the other the day of a date"},
		{"CASE-{date}-{rand:13}-{rand:3}", casenum.DefaultLayout, "the time of {unixms}"},
		{"{date}{rand:4}", "{rand:4}{date}", "position 1"},
		{"T-{unixms}", "T-{rand:13}", "position 3, one reads the time of {unixms} and the other no date"},
		// Tokens whose width varies.
		{"PROJ-{seq}", "PROJ-{seq:3}{rand:2}", "position 9, one reads the counter of {seq} and the other no date"},
		{"A-{seq}", "A-{rand:4}", "position 3, one reads the counter of {seq} and the other no date"},
		{"{key}-{seq}", "PROJ-{seq}", "position 1, one reads the key of {key} and the other no date"},
		{"{key}-{seq}", "{key}-{seq:3}{check}", "position 6, one reads the counter of {seq} and the other no date"},
		{"INV/{fy:4}/{seq}", "INV/{fy:7}/{seq}", "position 5, one reads digit 1 of the year a fiscal year from April starts in and the other digit 1 of the year a fiscal year from July starts in"},
		{"INV/{fy:4}/{seq}", "INV/{fy:4:end}/{seq}", "from April ends in"},
		{"INV/{fy:4:06}{seq:2}/{rand:3}", "INV/{fy:4}/{rand:3}", "position 5, one reads digit 3 of the year"},
	} {
		_, err := casenum.New(casenum.WithLayout(tt.layout), casenum.WithFormerLayouts(tt.former), casenum.WithSequence(casenumtest.NewStore()))
		if err == nil || !strings.Contains(err.Error(), tt.layout) || !strings.Contains(err.Error(), tt.former) || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("New(%s, former %s) = %v, want an error naming both, with %q", tt.layout, tt.former, err, tt.why)
		}
	}
	for _, tt := range []struct{ layout, other string }{
		{issueLayout, casenum.DefaultLayout},
		{"CASE-{date}-{alnum:8}", casenum.DefaultFallbackLayout}, // decimal digits read as both, as the same number
		{"T-{rand:6}{check}", "T-{rand:7}"},
		{"T-{date}-{rand:3}", "T-{date}-{rand:3}"},
		{"T-{uuid:13}", "T-{rand:13}"}, // a UUID's 13th digit is a 4: both read nothing
		{"BILL-{seq}", "BILL-{seq:4}"}, // one counter, however padded
		{"PROJ-{seq}", "OPS-{seq}"},
		{"{key}-{seq}", "{key}.{seq}"},
		{"INV/{fy:4}-{fy:4:end:06}/{seq}", "INV/{fy:4}/{seq}"},
	} {
		if _, err := casenum.New(casenum.WithLayout(tt.layout), casenum.WithFormerLayouts(tt.other), casenum.WithSequence(casenumtest.NewStore())); err != nil {
			t.Errorf("New(%s, former %s) = %v", tt.layout, tt.other, err)
		}
	}
	// A former layout is checked against the fallback too.
	if _, err := casenum.New(casenum.WithFormerLayouts("CASE-{date}-{rand:8}")); err != nil {
		t.Errorf("New(former CASE-{date}-{rand:8}) = %v; its numbers mean what the fallback's do", err)
	}
	_, err := casenum.New(casenum.WithFormerLayouts("CASE-{seq:8}-{uuid:8}"), casenum.WithSequence(casenumtest.NewStore()))
	if err == nil || !strings.Contains(err.Error(), casenum.DefaultFallbackLayout) {
		t.Errorf("New(former CASE-{seq:8}-{uuid:8}) = %v, want the fallback layout named", err)
	}
}

// An error for a number of no layout comes from the layout whose shape it
// has, and names it when it is not the main one; a number of another shape
// is never told its check character is wrong.
func TestErrorNamesTheClosestLayout(t *testing.T) {
	t.Parallel()
	switched := newGen(t, casenum.WithLayout(issueLayout)) // the old numbers forgotten
	err := switched.Validate(defaultNumber)
	var ne *casenum.NumberError
	if !errors.As(err, &ne) || strings.Contains(ne.Reason, "check") || !strings.Contains(ne.Reason, "unexpected") {
		t.Errorf("Validate(an older number) = %v, want it to say the number goes on, not that a check character is wrong", err)
	}
	g := newGen(t, casenum.WithLayout(issueLayout), casenum.WithFormerLayouts(casenum.DefaultLayout))
	for _, tt := range []struct{ number, layout, why string }{
		{"CASE-20250929-1759131413832-07", casenum.DefaultLayout, "closest to the layout CASE-{date}-{unixms}-{rand:3}: too short"},
		{"CASE-20250929-1f0c3a9", casenum.DefaultFallbackLayout, "closest to the layout CASE-{date}-{uuid:8}: too short"},
		{"CASE-20250929-7KQ2M9W", issueLayout, "check character does not match"},
		{"CASE-20250928-1759131413832-073", casenum.DefaultLayout, "closest to the layout CASE-{date}-{unixms}-{rand:3}: the date is not that of its {unixms}"},
	} {
		err := g.Validate(tt.number)
		if !errors.As(err, &ne) || ne.Layout != tt.layout || !strings.Contains(ne.Reason, tt.why) {
			t.Errorf("Validate(%q) = %v (layout %q), want layout %s and %q", tt.number, err, ne.Layout, tt.layout, tt.why)
		}
	}
	if err := g.Validate("CASE-20250929-7KQ2M9W"); strings.Contains(err.Error(), "closest") {
		t.Errorf("Validate = %v: an error of the main layout needs no name", err)
	}
}
