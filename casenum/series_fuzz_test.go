package casenum_test

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
)

// literal escapes text for a layout.
func literal(text string) string {
	return strings.NewReplacer("{", "{{", "}", "}}").Replace(text)
}

// checkMinted checks what every number minted must satisfy: it validates
// with the Generator and with its Layout, normalizes to itself, typed the
// way people type it too (with no separators at all only where no counter
// or key runs into what follows it), matches its layout's Pattern, is
// found in a text, and parses. It returns what Parse
// read.
func checkMinted(t *testing.T, g *casenum.Generator, n string) casenum.Parts {
	t.Helper()
	layout := g.Layout().String()
	if err := g.Validate(n); err != nil {
		t.Fatalf("layout %q rendered %q, which does not validate: %v", layout, n, err)
	}
	if err := g.Layout().Validate(n); err != nil {
		t.Fatalf("layout %q rendered %q, which does not validate without a Generator: %v", layout, n, err)
	}
	if got, err := g.Normalize(n); got != n || err != nil {
		t.Fatalf("layout %q rendered %q, but Normalize gives %q, %v", layout, n, got, err)
	}
	if re, err := regexp.Compile("^(?:" + g.Layout().Pattern() + ")$"); err != nil || !re.MatchString(n) {
		t.Fatalf("layout %q rendered %q, which its Pattern %q does not match (%v)", layout, n, g.Layout().Pattern(), err)
	}
	if ms := g.Find("> " + n + " "); len(ms) != 1 || ms[0].Number != n {
		t.Fatalf("layout %q rendered %q, but Find in a text of it gives %+v", layout, n, ms)
	}
	for i, typed := range typedVariants(n) {
		got, err := g.Layout().Normalize(typed)
		if i == bareVariant && err != nil && varying(layout) {
			continue // the input does not say where a counter or key ends
		}
		if got != n || err != nil {
			t.Fatalf("layout %q rendered %q, but Normalize(%q) gives %q, %v", layout, n, typed, got, err)
		}
	}
	p, err := g.Parse(n)
	if err != nil {
		t.Fatalf("layout %q rendered %q, which does not parse: %v", layout, n, err)
	}
	return p
}

// seqTails are what may follow a counter in FuzzCounter's layouts: what
// delimits it, and what does not.
var seqTails = []string{"", "{check}", "{check:mod97}", "-{rand:2}", "X{alnum:3}{check}", "{rand:2}", "7{hex:2}", "{date}", "{check}0", "{check}/0"}

// FuzzCounter mints a number of a {seq} or {seq:N} layout from any value
// of the counter: it is the value, in the series, and reads back, or the
// call fails naming the scope; a layout is refused only for a bare {seq}
// that nothing delimits.
func FuzzCounter(f *testing.F) {
	f.Add("BILL-", uint8(0), uint8(0), uint64(7))
	f.Add("INV-", uint8(4), uint8(1), uint64(9999))
	f.Add("", uint8(2), uint8(5), uint64(99))
	f.Add("A", uint8(2), uint8(5), uint64(100))
	f.Add("n°", uint8(18), uint8(2), uint64(999999999999999999))
	f.Add("x{", uint8(3), uint8(4), uint64(1000))
	f.Add("OK", uint8(0), uint8(3), uint64(1e17))
	f.Fuzz(func(t *testing.T, prefix string, pad, tail uint8, v uint64) {
		token := "{seq}"
		if pad %= 19; pad > 0 {
			token = "{seq:" + strconv.Itoa(int(pad)) + "}"
		}
		layout := literal(prefix) + token + seqTails[int(tail)%len(seqTails)]
		g, err := casenum.New(casenum.WithLayout(layout), casenum.WithSequence(startSeq(v)),
			casenum.WithClock(layoutClock{layoutTime}), casenum.WithRandom(rand.NewPCG(v, 1)))
		if err != nil {
			if !errors.Is(err, casenum.ErrInvalidLayout) || pad > 0 && strings.Contains(err.Error(), "{seq} ends") {
				t.Fatalf("New(%q) = %v", layout, err)
			}
			return
		}
		n, err := g.Next(t.Context())
		if err != nil {
			if !errors.Is(err, casenum.ErrExhausted) || !strings.Contains(err.Error(), "the counter of scope") {
				t.Fatalf("layout %q, counter %d: Next = %v, want a number or an error naming the scope", layout, v, err)
			}
			return
		}
		p := checkMinted(t, g, n)
		digits := strconv.FormatUint(v, 10)
		if p.Seq != v || !strings.HasPrefix(n, p.Scope) || !strings.HasPrefix(n[len(p.Scope):], strings.Repeat("0", max(0, int(pad)-len(digits)))+digits) {
			t.Fatalf("layout %q, counter %d: %q parses as %+v", layout, v, n, p)
		}
	})
}

var keyRE = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,15}$`)

// FuzzKey mints a number of a {key} layout for any key: a key of the form
// [A-Z][A-Z0-9]{0,15} renders, reads back as itself and counts in its own
// scope; anything else is ErrInvalidKey.
func FuzzKey(f *testing.F) {
	f.Add("", "PROJ", "-", uint8(0), uint64(1))
	f.Add("T/", "A1", "#", uint8(1), uint64(42))
	f.Add("", "ABCDEFGHIJKLMNOP", "-", uint8(2), uint64(9))
	f.Add("", "proj", "-", uint8(0), uint64(1))
	f.Add("X", "OPS", "·", uint8(3), uint64(10))
	f.Fuzz(func(t *testing.T, prefix, key, sep string, form uint8, v uint64) {
		tails := []string{"{seq}", "{seq:4}{check}", "{date}-{seq:2}", "{rand:3}"}
		layout := literal(prefix) + "{key}" + literal(sep) + tails[int(form)%len(tails)]
		g, err := casenum.New(casenum.WithLayout(layout), casenum.WithSequence(startSeq(v%1e17)),
			casenum.WithClock(layoutClock{layoutTime}), casenum.WithRandom(rand.NewPCG(v, 2)))
		if err != nil {
			if !errors.Is(err, casenum.ErrInvalidLayout) {
				t.Fatalf("New(%q) = %v", layout, err)
			}
			return
		}
		k, err := g.ForKey(key)
		if ok := keyRE.MatchString(key); !ok || err != nil {
			if ok || !errors.Is(err, casenum.ErrInvalidKey) {
				t.Fatalf("ForKey(%q) = %v", key, err)
			}
			return
		}
		n, err := k.Next(t.Context())
		if err != nil {
			t.Fatalf("layout %q, key %q: Next = %v", layout, key, err)
		}
		p := checkMinted(t, k, n)
		if p.Key != key || (strings.Contains(layout, "{seq") && !strings.Contains(p.Scope, key)) {
			t.Fatalf("layout %q, key %q: %q parses as %+v", layout, key, n, p)
		}
		if err := g.Validate(n); err != nil {
			t.Fatalf("the Generator refuses its view's %q: %v", n, err)
		}
	})
}

// FuzzFiscalYear mints a number of a {fy} layout at any instant: it shows
// the fiscal year that holds the instant, reads back, and parses to a time
// no later than the instant and less than a year before it.
func FuzzFiscalYear(f *testing.F) {
	f.Add(uint8(4), uint8(1), int64(1774981800000), uint8(0), uint8(0))
	f.Add(uint8(7), uint8(2), int64(1782864000000), uint8(1), uint8(1))
	f.Add(uint8(10), uint8(3), int64(0), uint8(2), uint8(2))
	f.Add(uint8(1), uint8(0), int64(946684799999), uint8(3), uint8(3))
	locs := []*time.Location{time.UTC, time.FixedZone("IST", 5*3600+30*60), time.FixedZone("", -(9*3600 + 30*60)), time.FixedZone("X", 14*3600)}
	forms := []string{"", ":end", ":06", ":end:06"}
	f.Fuzz(func(t *testing.T, month, form uint8, ms int64, zone, shape uint8) {
		fy := "{fy:" + strconv.Itoa(int(month%12)+1) + forms[int(form)%len(forms)] + "}"
		layouts := []string{"INV/" + fy + "/{seq}", fy + "-{date:0102}-{seq:3}{check}", "{date:2006}" + fy + "{rand:2}", fy + "-{date}-{key}-{seq}"}
		layout := layouts[int(shape)%len(layouts)]
		// A year before fuzzMaxMS: the year a fiscal year ends in reads
		// back from two digits too.
		maxMS := fuzzMaxMS - 366*24*3600*1000
		at := time.UnixMilli((ms%maxMS + maxMS) % maxMS)
		loc := locs[int(zone)%len(locs)]
		g, err := casenum.New(casenum.WithLayout(layout), casenum.WithSequence(startSeq(uint64(ms)%1000+1)),
			casenum.WithClock(layoutClock{at}), casenum.WithLocation(loc), casenum.WithRandom(rand.NewPCG(uint64(ms), 3)))
		if err != nil {
			t.Fatalf("New(%q) = %v", layout, err)
		}
		if strings.Contains(layout, "{key}") {
			if g, err = g.ForKey("FY"); err != nil {
				t.Fatal(err)
			}
		}
		n, err := g.Next(t.Context())
		if err != nil {
			t.Fatalf("layout %q at %v: Next = %v", layout, at.In(loc), err)
		}
		p := checkMinted(t, g, n)
		if p.Time.After(at) || at.Sub(p.Time) > 366*24*time.Hour || p.Time.Location() != loc {
			t.Fatalf("layout %q minted %q at %v, which parses to %v", layout, n, at.In(loc), p.Time)
		}
	})
}
