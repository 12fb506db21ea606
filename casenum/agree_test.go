package casenum_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
)

// A number whose date is not the date of its {unixms} is no number a
// Generator could have minted.
func TestValidateDateAgreesWithUnixMS(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	late := time.Date(2025, 9, 29, 23, 30, 0, 0, time.UTC).UnixMilli() // 01:30 on the 30th in Berlin
	utc := readGen(t)
	inBerlin := readGen(t, casenum.WithLocation(berlin))
	l := mustParse(t, casenum.DefaultLayout)
	for _, tt := range []struct {
		number             string
		utc, berlin, plain bool
	}{
		{"CASE-20250929-1759131413832-073", true, true, true},
		{"CASE-00000101-1759131413832-073", false, false, false},
		{"CASE-20250928-1759131413832-073", false, false, true}, // UTC-14
		{"CASE-20250930-1759131413832-073", false, false, false},
		{"CASE-20250929-" + strconv.FormatInt(late, 10) + "-073", true, false, true},
		{"CASE-20250930-" + strconv.FormatInt(late, 10) + "-073", false, true, true},
		{"CASE-20251001-" + strconv.FormatInt(late, 10) + "-073", false, false, false},
		{"CASE-20010909-1000000000000-442", true, true, true},
		{"CASE-20010908-1000000000000-442", false, false, true},
	} {
		for _, c := range []struct {
			name     string
			validate func(string) error
			ok       bool
		}{{"UTC", utc.Validate, tt.utc}, {"Berlin", inBerlin.Validate, tt.berlin}, {"Layout", l.Validate, tt.plain}} {
			err := c.validate(tt.number)
			if c.ok != (err == nil) || err != nil && !errors.Is(err, casenum.ErrInvalidNumber) {
				t.Errorf("%s: Validate(%q) = %v, want ok %v", c.name, tt.number, err, c.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "not that of its {unixms}") {
				t.Errorf("%s: Validate(%q) = %v, want it to say the date is not that of {unixms}", c.name, tt.number, err)
			}
		}
		if _, err := inBerlin.Parse(tt.number); (err == nil) != tt.berlin {
			t.Errorf("Berlin: Parse(%q) = %v, want ok %v", tt.number, err, tt.berlin)
		}
	}
	// The error points at the date.
	var ne *casenum.NumberError
	if err := utc.Validate("CASE-00000101-1759131413832-073"); !errors.As(err, &ne) || ne.Position != 6 {
		t.Errorf("Validate = %v, want a NumberError at position 6", err)
	}
}

// A time of day with {unixms} must agree to the minute in the Generator's
// Location; a Layout allows the offsets of every zone.
func TestValidateTimeOfDayAgreesWithUnixMS(t *testing.T) {
	t.Parallel()
	const layout = "{date:20060102}T{date:1504}-{unixms}"
	g := readGen(t, casenum.WithLayout(layout), casenum.WithFallbackLayout(""))
	l := mustParse(t, layout)
	const at = "-1759131413832" // 2025-09-29 07:36:53.832 UTC
	for _, tt := range []struct {
		number  string
		g, with bool
	}{
		{"20250929T0736" + at, true, true},
		{"20250929T0737" + at, false, true},
		{"20250929T2136" + at, false, true},  // UTC+14
		{"20250929T2137" + at, false, false}, // beyond UTC+14
		{"20250928T1736" + at, false, true},  // UTC-14
		{"20250928T1735" + at, false, false},
		{"20250929T0000" + at, false, true},
	} {
		if err := g.Validate(tt.number); (err == nil) != tt.g {
			t.Errorf("Generator: Validate(%q) = %v, want ok %v", tt.number, err, tt.g)
		}
		if err := l.Validate(tt.number); (err == nil) != tt.with {
			t.Errorf("Layout: Validate(%q) = %v, want ok %v", tt.number, err, tt.with)
		}
	}
}

// A wall time the Location skips is no time the Generator could have
// minted; Parse never returns one.
func TestValidateRefusesSkippedWallTimes(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	const layout = "{date:2006010215}-{rand:2}"
	g := readGen(t, casenum.WithLayout(layout), casenum.WithFallbackLayout(""), casenum.WithLocation(berlin))
	l := mustParse(t, layout)
	for _, tt := range []struct {
		number string
		ok     bool
	}{
		{"2025033001-12", true},
		{"2025033002-12", false}, // the clocks go from 02:00 to 03:00
		{"2025033003-12", true},
		{"2025102602-12", true}, // 02:00 to 03:00 happens twice
	} {
		err := g.Validate(tt.number)
		if (err == nil) != tt.ok {
			t.Errorf("Validate(%q) = %v, want ok %v", tt.number, err, tt.ok)
		}
		p, perr := g.Parse(tt.number)
		if (perr == nil) != tt.ok || perr == nil && p.Time.In(berlin).Format("2006010215") != tt.number[:10] {
			t.Errorf("Parse(%q) = %v, %v", tt.number, p.Time, perr)
		}
		if err := l.Validate(tt.number); err != nil {
			t.Errorf("Layout: Validate(%q) = %v; without a Location every wall time exists", tt.number, err)
		}
	}
	if err := g.Validate("2025033002-12"); err == nil || !strings.Contains(err.Error(), "no such date and time in Europe/Berlin") {
		t.Errorf("Validate = %v, want it to name the Location", err)
	}
	// Samoa skipped 30 December 2011 whole.
	if apia, err := time.LoadLocation("Pacific/Apia"); err == nil {
		g := readGen(t, casenum.WithLayout("{date}-{rand:2}"), casenum.WithFallbackLayout(""), casenum.WithLocation(apia))
		if err := g.Validate("20111230-12"); err == nil {
			t.Error("Validate(20111230-12) in Pacific/Apia: a day Samoa skipped")
		}
		if err := g.Validate("20111231-12"); err != nil {
			t.Errorf("Validate(20111231-12) in Pacific/Apia = %v", err)
		}
	}
}

// A day of the year says the month and the day when the layout shows one
// without the other.
func TestParseTakesTheDayOfTheYear(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ layout, number string }{
		{"{date:06.01.002}-{rand:1}", "25.09.272-1"},
		{"{date:06.02.002}-{rand:1}", "25.29.272-1"},
	} {
		g := readGen(t, casenum.WithLayout(tt.layout), casenum.WithFallbackLayout(""))
		p, err := g.Parse(tt.number)
		if want := time.Date(2025, 9, 29, 0, 0, 0, 0, time.UTC); err != nil || !p.Time.Equal(want) {
			t.Errorf("%s: Parse(%q) = %v, %v; want %v", tt.layout, tt.number, p.Time, err, want)
		}
	}
}

// A fiscal year shown with {unixms} must hold its instant, in the
// Generator's Location, or for a Layout in some zone.
func TestValidateFiscalYearAgreesWithUnixMS(t *testing.T) {
	t.Parallel()
	const layout = "FY{fy:4}-{unixms}-{rand:2}"
	endOfMarch := time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC).UnixMilli() // 03:30 on April 1st in India
	india := readGen(t, casenum.WithLayout(layout), casenum.WithLocation(time.FixedZone("IST", 5*3600+30*60)))
	utc := readGen(t, casenum.WithLayout(layout))
	l := mustParse(t, layout)
	ms := strconv.FormatInt(endOfMarch, 10)
	for _, tt := range []struct {
		number             string
		india, utc, layout bool
	}{
		{"FY2026-" + ms + "-07", true, false, true},
		{"FY2025-" + ms + "-07", false, true, true},
		{"FY2024-" + ms + "-07", false, false, false},
		{"FY2027-" + ms + "-07", false, false, false},
	} {
		for _, c := range []struct {
			name     string
			validate func(string) error
			ok       bool
		}{{"India", india.Validate, tt.india}, {"UTC", utc.Validate, tt.utc}, {"Layout", l.Validate, tt.layout}} {
			err := c.validate(tt.number)
			if c.ok != (err == nil) || err != nil && !strings.Contains(err.Error(), "does not hold its {unixms}") {
				t.Errorf("%s: Validate(%q) = %v, want ok %v", c.name, tt.number, err, c.ok)
			}
		}
	}
}
