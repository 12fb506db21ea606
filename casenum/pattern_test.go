package casenum_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
)

// anchored compiles a layout's pattern to match whole strings.
func anchored(t *testing.T, layout string) *regexp.Regexp {
	t.Helper()
	p := mustParse(t, layout).Pattern()
	re, err := regexp.Compile("^(?:" + p + ")$")
	if err != nil {
		t.Fatalf("%s: Pattern() = %q does not compile: %v", layout, p, err)
	}
	return re
}

func TestPatternMatchesEveryNumber(t *testing.T) {
	t.Parallel()
	for _, layout := range validLayouts {
		t.Run(layout, func(t *testing.T) {
			t.Parallel()
			re := anchored(t, layout)
			_, numbers := layoutNumbers(t, layout, time.FixedZone("", -(9*3600+30*60)), 300)
			for _, n := range numbers {
				if !re.MatchString(n) {
					t.Fatalf("Pattern %q does not match %q", re, n)
				}
			}
		})
	}
}

func TestPatternRefusesNearMisses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		layout string
		ok     []string
		misses []string
	}{
		{casenum.DefaultLayout, []string{"CASE-20250929-1759131413832-073"}, []string{
			"case-20250929-1759131413832-073", // literals keep their case
			"CASE-20250929-1759131413832-07",
			"CASE-20250929-1759131413832-0734",
			"CASE_20250929-1759131413832-073",
			"CASE-20251329-1759131413832-073", // month 13
			"CASE-20250932-1759131413832-073", // day 32
			"CASE-20250929-0759131413832-073", // {unixms} has no leading zero
			"CASE-2025092-91759131413832-073",
			"CASE-20250929 1759131413832-073",
		}},
		{casenum.DefaultFallbackLayout, []string{"CASE-20250929-1f0c3a9e"}, []string{
			"CASE-20250929-1F0C3A9E", // hex is lower case
			"CASE-20250929-1f0c3a9g",
			"CASE-20250929-1f0c3a9",
		}},
		{"INC-{alnum:6}{check}", []string{"INC-7KQ2M9Z", "INC-0000000"}, []string{
			"INC-7KQ2M9U", "INC-7KQ2M9I", "INC-7kq2m9z", "INC-7KQ2M9", "INC-7KQ2M9ZZ", "INC.7KQ2M9Z",
		}},
		{"{uuid}", []string{"1f0c3a9e-0000-4abc-8def-0123456789ab"}, []string{
			"1f0c3a9e-0000-3abc-8def-0123456789ab", // version 3
			"1f0c3a9e-0000-4abc-cdef-0123456789ab", // variant
			"1f0c3a9e00004abc8def0123456789ab",
		}},
		{"{uuid:17}", []string{"1f0c3a9e00004abc8"}, []string{"1f0c3a9e00005abc8", "1f0c3a9e00004abc0"}},
		{"T{date:060102.1504}-{rand:2}{check:mod97}", []string{"T250929.0736-1242"}, []string{
			"T250929.2436-1242", "T250929.0760-1242", "T250929-0736-1242", "T250929.0736-124",
		}},
		{"D-{date:2006-002}-{hex:2}", []string{"D-2025-366-0f", "D-2025-001-0f"}, []string{"D-2025-000-0f", "D-2025-367-0f"}},
		{"a.b+c(d)[e]{{{rand:1}}}|$^", []string{"a.b+c(d)[e]{7}|$^"}, []string{"aXb+c(d)[e]{7}|$^", "a.bbc(d)[e]{7}|$^"}},
		{"Nº {rand:2}", []string{"Nº 42"}, []string{"N 42", "nº 42"}},
		{"BILL-{seq}", []string{"BILL-0", "BILL-7", "BILL-12", "BILL-999999999999999999"}, []string{
			"BILL-", "BILL-07", "BILL-007", "BILL-1000000000000000000", "BILL-1a",
		}},
		{"INV-{seq:4}{check}", []string{"INV-00421", "INV-99993", "INV-100003", "INV-1000000000000000003"}, []string{
			"INV-0421", "INV-0010003", "INV-000421", "INV-10000000000000000003",
		}},
		{"{seq:2}{rand:3}", []string{"07123", "99123"}, []string{"7123", "100123"}},
		{"INV-{seq:18}", []string{"INV-000000000000000042"}, []string{"INV-42", "INV-1000000000000000042"}},
		{"INV-{seq:6:perm}", []string{"INV-004213", "INV-999999"}, []string{"INV-4213", "INV-1004213"}},
		{"{key}-{seq}", []string{"PROJ-123", "A-1", "A1B2C3D4E5F6G7H8-9"}, []string{
			"proj-123", "Proj-123", "1PROJ-123", "A1B2C3D4E5F6G7H8X-9", "-123", "PROJ_X-12", "PROJ-0123",
		}},
		{"INV/{fy:4}-{fy:4:end:06}/{seq}", []string{"INV/2026-27/1"}, []string{"INV/26-27/1", "INV/2026-2027/1", "INV/2026-27/01"}},
	} {
		re := anchored(t, tt.layout)
		for _, n := range tt.ok {
			if !re.MatchString(n) {
				t.Errorf("%s: Pattern %q does not match %q", tt.layout, re, n)
			}
		}
		for _, n := range tt.misses {
			if re.MatchString(n) {
				t.Errorf("%s: Pattern %q matches the near miss %q", tt.layout, re, n)
			}
		}
	}
}

// Unanchored, the pattern finds numbers in text; the check character is
// not its business.
func TestPatternIsUnanchoredShapeOnly(t *testing.T) {
	t.Parallel()
	l := mustParse(t, "CASE-{date}-{alnum:6}{check}")
	re := regexp.MustCompile(l.Pattern())
	text := "Re: case CASE-20250929-7KQ2M9Z and CASE-20250929-7KQ2M9W."
	got := re.FindAllString(text, -1)
	if strings.Join(got, " ") != "CASE-20250929-7KQ2M9Z CASE-20250929-7KQ2M9W" {
		t.Errorf("FindAllString = %q", got)
	}
	if l.Validate("CASE-20250929-7KQ2M9W") == nil {
		t.Error("Validate accepts a wrong check character")
	}
	// A counter that grows is matched whole.
	if got := regexp.MustCompile(mustParse(t, "PROJ-{seq}").Pattern()).FindAllString("PROJ-123 and PROJ-7.", -1); strings.Join(got, " ") != "PROJ-123 PROJ-7" {
		t.Errorf("FindAllString = %q", got)
	}
	if want := `CASE-[0-9]{4}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])-[0-9A-HJKMNP-TV-Z]{6}[0-9A-HJKMNP-TV-Z]`; l.Pattern() != want {
		t.Errorf("Pattern() = %s\nwant        %s", l.Pattern(), want)
	}
}
