package casenum

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Fiscal years: {fy:M} renders the year in which the fiscal year that
// holds the clock reading starts, for fiscal years that start on the
// first of month M; {fy:M:end} the year in which it ends; :06 keeps the
// last two digits of either.

// fyFieldBits are the digits of the fields form a {fy} is worked out
// from: the year and the month.
const fyFieldBits = 0x3f

// fyUsage says how to write a {fy}.
const fyUsage = "{fy:M} takes the month M, 1 to 12, that its years start in: {fy:4} is the year an April-to-March year " +
	"starts in, {fy:7:end} the year a July-to-June year ends in, {fy:4:06} and {fy:7:end:06} their last two digits"

// fyArg compiles {fy:M}, {fy:M:end}, {fy:M:06} and {fy:M:end:06}.
func fyArg(_ *token, sg *segment, arg string, _ bool) (time.Duration, int, string) {
	m, form, _ := strings.Cut(arg, ":")
	month, err := strconv.Atoi(m)
	if err != nil || month < 1 || month > 12 || strconv.Itoa(month) != m {
		return 0, -1, fmt.Sprintf("month %q out of range: %s", m, fyUsage)
	}
	sg.month, sg.shape = month, sym+sym+sym+sym
	switch form {
	case "":
	case "end":
		sg.text = form
	case "06":
		sg.shape = sym + sym
	case "end:06":
		sg.text, sg.shape = "end", sym+sym
	default:
		return 0, len(m) + 1, fmt.Sprintf("unknown form %q: %s", form, fyUsage)
	}
	return 0, 0, ""
}

// fiscalYear returns the year a {fy} token shows for a fiscal year that
// starts in the given year.
func fiscalYear(sg *segment, start int) int {
	if sg.text == "end" && sg.month > 1 {
		return start + 1
	}
	return start
}

// appendFY writes what {fy} sg shows for the date in form.
func appendFY(dst []byte, sg *segment, form *[17]byte) ([]byte, error) {
	y, m := int(atoi(form[0:4])), int(atoi(form[4:6]))
	if m < sg.month {
		y--
	}
	fy := fiscalYear(sg, y)
	if fy < 0 || fy > 9999 {
		return dst, fmt.Errorf("casenum: the clock reads a date of fiscal year %d, and {fy} prints the years 0 to 9999", fy)
	}
	if len(sg.shape) == 2 {
		fy %= 100
	}
	return appendPadded(dst, uint64(fy), len(sg.shape)), nil
}

// fyReading is what the {fy} tokens of a number read: the year in which
// its fiscal year starts.
type fyReading struct {
	month int  // the month it starts in; 0 when no {fy} was read
	start int  // the year it starts in
	full  bool // start was read in four digits; else only its last two count
	at    int  // where the first {fy} is in the input, for errors
}

// set adds what a {fy} token read at byte at of the input; it reports
// whether it agrees with the {fy} tokens read before.
func (f *fyReading) set(sg *segment, text []byte, at int) bool {
	shown, full := int(atoi(text)), len(text) == 4
	if !full {
		shown = fullYear(shown)
	}
	start := shown - fiscalYear(sg, 0) // what fiscalYear adds to the start year
	switch {
	case f.month == 0:
		*f = fyReading{month: sg.month, start: start, full: full, at: at}
	case full && f.full:
		return start == f.start
	case (start-f.start)%100 != 0:
		return false
	case full:
		f.start, f.full = start, true
	}
	return true
}

// first returns the first month of the fiscal year read that the date
// fields d read allow, and whether there is one.
func (f *fyReading) first(d *dateReading) (y, m int, ok bool) {
	for k := range 12 {
		if m := f.month - 1 + k; d.allows(f.start+m/12, m%12+1, f.full) {
			return f.start + m/12, m%12 + 1, true
		}
	}
	return 0, 0, false
}

// allows reports whether the date fields d read can show month m of year
// y; of y only the last two digits count unless full.
func (d *dateReading) allows(y, m int, full bool) bool {
	if yy, ok := d.field(0, 4); ok && yy%100 != y%100 || ok && full && yy != y {
		return false
	}
	if yy, ok := d.field(2, 2); ok && yy != y%100 {
		return false
	}
	if mm, ok := d.field(4, 2); ok && mm != m {
		return false
	}
	if day, ok := d.field(6, 2); ok && !validDay(y, m, true, day) {
		return false
	}
	yd, ok := d.field(8, 3)
	t := time.Date(y, 1, yd, 0, 0, 0, 0, time.UTC)
	return !ok || t.Year() == y && int(t.Month()) == m
}

// holdsDate reports whether the fiscal year read holds a date that the
// date fields d read allow.
func (f *fyReading) holdsDate(d *dateReading) bool {
	_, _, ok := f.first(d)
	return ok
}

// holdsInstant reports whether the fiscal year read holds t, in loc or,
// without one, in some zone from UTC-14 to UTC+14: a fiscal year changes
// at most once between the wall clocks of the two, so one of them has it.
func (f *fyReading) holdsInstant(t time.Time, loc *time.Location) bool {
	if loc != nil {
		return f.holds(t.In(loc))
	}
	return f.holds(t.UTC().Add(-14*time.Hour)) || f.holds(t.UTC().Add(14*time.Hour))
}

// holds reports whether the fiscal year read holds the date of t's wall
// clock.
func (f *fyReading) holds(t time.Time) bool {
	y := t.Year()
	if int(t.Month()) < f.month {
		y--
	}
	if f.full {
		return y == f.start
	}
	return (y-f.start)%100 == 0
}
