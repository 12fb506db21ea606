package casenum_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
)

func TestLayoutReadsWithoutAGenerator(t *testing.T) {
	t.Parallel()
	// A {seq} layout needs a Sequence to render, none to read.
	l := mustParse(t, "CASE-{date}-{seq:6}{check}")
	_, numbers := layoutNumbers(t, l.String(), time.UTC, 20)
	for _, n := range numbers {
		if err := l.Validate(n); err != nil {
			t.Fatalf("Validate(%q) = %v", n, err)
		}
		for _, typed := range append(typedVariants(n), n) {
			if got, err := l.Normalize(typed); got != n || err != nil {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", typed, got, err, n)
			}
		}
	}
	var ne *casenum.NumberError
	if err := l.Validate("CASE-20250929-000042"); !errors.As(err, &ne) || !strings.Contains(ne.Reason, "too short") {
		t.Errorf("Validate without the check digit = %v", err)
	}
	// A Layout reads its own numbers only, not a Generator's fallback.
	if err := l.Validate(defaultFallback); !errors.Is(err, casenum.ErrInvalidNumber) {
		t.Errorf("Validate(%q) = %v, want ErrInvalidNumber", defaultFallback, err)
	}
	if got, err := l.Normalize("case 2025 O9 29 OOOO42"); err == nil {
		t.Errorf("Normalize without the check digit = %q, want an error", got)
	}
}

// TestNormalizeInsideDates reads dates typed the way people type the rest of
// a number.
func TestNormalizeInsideDates(t *testing.T) {
	t.Parallel()
	l := mustParse(t, "CASE-{date:2006-01-02}-{rand:4}")
	timed := mustParse(t, "T{date:060102}T{date:15:04}-{alnum:3}")
	for _, tt := range []struct {
		l      *casenum.Layout
		in     string
		want   string
		reason string // for input that is refused
	}{
		{l, "CASE 2025 09 29 8977", "CASE-2025-09-29-8977", ""},
		{l, "CASE202509298977", "CASE-2025-09-29-8977", ""},
		{l, "case-2025/09/29-8977", "CASE-2025-09-29-8977", ""},
		{l, "CASE-2O25-O9-29-8977", "CASE-2025-09-29-8977", ""},
		{l, "CASE-2025.09.29.8977", "CASE-2025-09-29-8977", ""},
		{l, " case 2025 - 09 - 29 / 8977 ", "CASE-2025-09-29-8977", ""},
		{l, "CASE-2024-02-29-0000", "CASE-2024-02-29-0000", ""},
		{l, "CASE-2025-02-29-8977", "", "2025-02-29 is not a date (YYYY-MM-DD) at position 6"},
		{l, "CASE-2025-13-01-8977", "", "not a date (YYYY-MM-DD)"},
		{l, "CASE-2025--09-29-8977", "", `expected a digit, got "-"`},
		{l, "CASE-2025-09-29", "", "too short: expected 4 digits"},
		{timed, "t250929t0736-abc", "T250929T07:36-ABC", ""},
		{timed, "T 250929 T 07 36 ABC", "T250929T07:36-ABC", ""},
		{timed, "T250929T2460-ABC", "", "24:60 is not a date (hh:mm)"},
		{timed, "T250929-0736-ABC", "", `expected "T"`},
	} {
		got, err := tt.l.Normalize(tt.in)
		if tt.reason == "" {
			if got != tt.want || err != nil {
				t.Errorf("%s: Normalize(%q) = %q, %v; want %q", tt.l, tt.in, got, err, tt.want)
			}
			continue
		}
		if !errors.Is(err, casenum.ErrInvalidNumber) || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("%s: Normalize(%q) = %q, %v; want an error saying %q", tt.l, tt.in, got, err, tt.reason)
		}
	}
}

// TestDateFieldsMakeADate checks the fields of all date tokens together.
func TestDateFieldsMakeADate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		layout, number string
		ok             bool
	}{
		{"{date:2006}-{date:06}{rand:1}", "2025-251", true},
		{"{date:2006}-{date:06}{rand:1}", "2025-241", false}, // two years
		{"{date:01-02}.{date:002}{rand:1}", "09-29.2721", true},
		{"{date:01-02}.{date:002}{rand:1}", "09-29.2711", false},
		{"{date:01-02}.{date:002}{rand:1}", "03-01.0601", true}, // not a leap year
		{"{date:01-02}.{date:002}{rand:1}", "03-01.0611", true}, // a leap year
		{"{date:01-02}.{date:002}{rand:1}", "03-01.0591", false},
		{"{date:01-02}{rand:1}", "02-291", true},
		{"{date:01-02}{rand:1}", "02-301", false},
		{"{date:01-02}{rand:1}", "00-011", false},
		{"{date:01-02}{rand:1}", "01-001", false},
		{"{date:2006.002}{rand:1}", "2024.3661", true},
		{"{date:2006.002}{rand:1}", "2025.3661", false},
		{"{date:2006.002}{rand:1}", "2025.0001", false},
		{"{date:15:04:05}{rand:1}", "23:59:591", true},
		{"{date:15:04:05}{rand:1}", "24:00:001", false},
		{"{date:15:04:05}{rand:1}", "23:60:001", false},
		{"{date:15:04:05}{rand:1}", "23:59:601", false},
		{"{date:06}-{seq:1}", "99-1", true},
	} {
		err := mustParse(t, tt.layout).Validate(tt.number)
		if tt.ok && err != nil || !tt.ok && !errors.Is(err, casenum.ErrInvalidNumber) {
			t.Errorf("%s: Validate(%q) = %v, want ok %v", tt.layout, tt.number, err, tt.ok)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	tokyo := time.FixedZone("JST", 9*3600)
	seq := readGen(t, casenum.WithLayout("CASE-{date}-{seq:6}{check}"), casenum.WithLocation(tokyo))
	for _, tt := range []struct {
		g      *casenum.Generator
		number string
		want   casenum.Parts
	}{
		{readGen(t), defaultNumber, casenum.Parts{Time: time.UnixMilli(1759131413832).UTC()}},
		{readGen(t), defaultFallback, casenum.Parts{Fallback: true, Time: time.Date(2025, 9, 29, 0, 0, 0, 0, time.UTC)}},
		{readGen(t), "CASE-20010909-1000000000000-442", casenum.Parts{Time: time.UnixMilli(1e12).UTC()}},
		{readGen(t), "CASE-22861120-9999999999999-000", casenum.Parts{Time: time.UnixMilli(1e13 - 1).UTC()}},
		{seq, "CASE-20250929-0000420", casenum.Parts{Time: time.Date(2025, 9, 29, 0, 0, 0, 0, tokyo), Scope: "CASE-20250929-", Seq: 42}},
		{readGen(t, casenum.WithLayout("{date:20060102}T{date:1504}-{rand:2}"), casenum.WithLocation(tokyo)),
			"20250929T0736-12", casenum.Parts{Time: time.Date(2025, 9, 29, 7, 36, 0, 0, tokyo)}},
		{readGen(t, casenum.WithLayout("{date:06.002}-{rand:2}")), "25.272-12", casenum.Parts{Time: time.Date(2025, 9, 29, 0, 0, 0, 0, time.UTC)}},
		{readGen(t, casenum.WithLayout("{date:06.002}-{rand:2}")), "69.001-12", casenum.Parts{Time: time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{readGen(t, casenum.WithLayout("{date:2006-01}-{seq:3}")), "2025-09-007", casenum.Parts{Time: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), Scope: "2025-09-", Seq: 7}},
		// Without a year, as time.Parse: year 0.
		{readGen(t, casenum.WithLayout("{date:01-02}-{rand:2}")), "09-29-12", casenum.Parts{Time: time.Date(0, 9, 29, 0, 0, 0, 0, time.UTC)}},
		{readGen(t, casenum.WithLayout("T-{rand:4}")), "T-0042", casenum.Parts{}},
	} {
		got, err := tt.g.Parse(tt.number)
		if err != nil || got.Fallback != tt.want.Fallback || !got.Time.Equal(tt.want.Time) ||
			got.Time.Location() != tt.want.Time.Location() || got.Scope != tt.want.Scope || got.Seq != tt.want.Seq {
			t.Errorf("%s: Parse(%q) = %+v, %v; want %+v", tt.g.Layout(), tt.number, got, err, tt.want)
		}
	}
	for _, n := range []string{"case-20250929-1759131413832-073", "CASE-20250929-1F0C3A9E", "", "CASE-20251399-1759131413832-073",
		"CASE-20000101-946684800000-442", "CASE-19700101-0-000"} {
		var ne *casenum.NumberError
		if p, err := readGen(t).Parse(n); !errors.As(err, &ne) || !errors.Is(err, casenum.ErrInvalidNumber) || p != (casenum.Parts{}) {
			t.Errorf("Parse(%q) = %+v, %v; want a *NumberError", n, p, err)
		}
	}
}

// TestParseTellsWhenANumberWasMinted parses the numbers of every layout:
// their time is the clock reading they were rendered from, to the layout's
// resolution.
func TestParseTellsWhenANumberWasMinted(t *testing.T) {
	t.Parallel()
	for _, layout := range validLayouts {
		l := mustParse(t, layout)
		bucket := l.Odds(1).Bucket
		for _, loc := range []*time.Location{time.UTC, time.FixedZone("", -(9*3600 + 30*60))} {
			clock := &stepClock{t: time.Date(2001, 9, 9, 23, 0, 0, 0, time.UTC), step: 103*time.Hour + 17*time.Minute + 7*time.Second + 13*time.Millisecond}
			g := layoutGen(t, layout, casenum.WithClock(clock), casenum.WithLocation(loc))
			for range 50 {
				at := clock.t
				n := mint(t, g)
				p, err := g.Parse(n)
				if err != nil {
					t.Fatalf("%s: Parse(%q) = %v", layout, n, err)
				}
				if bucket == 0 {
					if !p.Time.IsZero() {
						t.Fatalf("%s: Parse(%q).Time = %v, want zero", layout, n, p.Time)
					}
					continue
				}
				if p.Time.Location() != loc || p.Time.After(at) || at.Sub(p.Time) >= bucket {
					t.Fatalf("%s: Parse(%q).Time = %v, minted at %v (resolution %v)", layout, n, p.Time, at.In(loc), bucket)
				}
				if strings.Contains(layout, "{seq") != (p.Seq > 0) || !strings.HasPrefix(n, p.Scope) {
					t.Fatalf("%s: Parse(%q) = %+v", layout, n, p)
				}
			}
		}
	}
}
