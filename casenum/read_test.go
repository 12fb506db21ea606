package casenum_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/casemint/casemint/casenum"
)

// defaultNumber and defaultFallback are numbers of the default layouts.
const (
	defaultNumber   = "CASE-20250929-1759131413832-073"
	defaultFallback = "CASE-20250929-1f0c3a9e"
)

// readGen returns a Generator of the default layouts with a deterministic
// clock and Random, for reading numbers back.
func readGen(t testing.TB, opts ...casenum.Option) *casenum.Generator {
	t.Helper()
	base := []casenum.Option{
		casenum.WithClock(layoutClock{layoutTime}),
		casenum.WithRandom(rand.NewPCG(1, 2)),
		casenum.WithSequence(newScopeSeq()),
	}
	g, err := casenum.New(append(base, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

// validLayouts covers every token, with and without a check character,
// next to literals and next to each other.
var validLayouts = []string{
	casenum.DefaultLayout,
	casenum.DefaultFallbackLayout,
	"CASE-{date}-{unixms}-{rand:3}{check}",
	"CASE-{date}-{unixms}-{rand:3}{check:mod97}",
	"{date:2006-01-02}/{seq:5}",
	"{date:2006-01-02}/{seq:5}{check}",
	"T-{date:060102.150405}-{alnum:4}",
	"T-{date:060102.150405}-{alnum:4}{check}",
	"{date:01-02-2006}-{rand:2}",
	"{date:2006-002}{hex:3}",
	"{date:01}/{date:02}/{date:06}-{seq:2}",
	"{alnum:8}{check}",
	"{alnum:26}-{check:mod97}",
	"{rand:6}{check}",
	"X{hex:6}{check:mod97}",
	"{uuid}",
	"{uuid}{check}",
	"{uuid:13}-{check}",
	"{unixms}{rand:3}",
	"{unixms}{unixms}{check}",
	"{seq:3}{unixms}{check}",
	// Counters that grow past their padding, and one that keeps its width.
	"BILL-{seq}",
	"INV-{seq:1}{check}",
	"{seq:2}{check:mod97}",
	"{seq}OK{rand:2}",
	"{seq}{check}OK",
	"{seq:2}-{alnum:2}",
	"{seq:3}{rand:2}",
	// Fiscal years, with and without a date beside them.
	"INV/{fy:4}-{fy:4:end:06}/{seq}",
	"{fy:7:end}-{date:0102}-{seq:3}{check}",
	"{date:2006}{fy:10:06}{rand:2}",
	"{{{rand:4}}}",
	"A.{date}.{seq:3}{check}",
	"{date:20060102}T{date:150405}Z-{hex:4}",
	"{date:2006-01-02}T{date:15:04:05}_{alnum:3}",
	"{date:2006/01/02_15:04:05}{rand:2}{check}",
	"case {date} {rand:4}",
	"Nº{rand:4}",
	"N\u00a0{rand:3}",
	// Runs of digits made of several tokens and digit literals: each token
	// reads its own width.
	"{unixms}5{unixms}{check}",
	"{rand:2}{unixms}7{unixms}{check:mod97}",
	"{unixms}1{alnum:1}{unixms}{check}",
	"{unixms}{hex:4}",
	"{hex:2}{unixms}{alnum:2}{unixms}{check:mod97}",
}

// layoutNumbers renders count numbers of layout from a clock that moves by
// an odd step, so that they see many dates and times.
func layoutNumbers(t testing.TB, layout string, loc *time.Location, count int) (*casenum.Generator, []string) {
	t.Helper()
	clock := &stepClock{t: time.Date(2001, 9, 9, 23, 0, 0, 0, time.UTC), step: 103*time.Hour + 17*time.Minute + 7*time.Second + 13*time.Millisecond}
	g := layoutGen(t, layout, casenum.WithClock(clock), casenum.WithLocation(loc))
	numbers := make([]string, count)
	for i := range numbers {
		numbers[i] = mint(t, g)
	}
	return g, numbers
}

func TestValidateRendered(t *testing.T) {
	t.Parallel()
	locs := []*time.Location{time.UTC, time.FixedZone("X", 14*3600), time.FixedZone("", -(9*3600 + 30*60))}
	for _, layout := range validLayouts {
		for _, loc := range locs {
			t.Run(layout+"/"+loc.String(), func(t *testing.T) {
				t.Parallel()
				g, numbers := layoutNumbers(t, layout, loc, 300)
				for _, n := range numbers {
					if err := g.Validate(n); err != nil {
						t.Fatalf("Validate(%q) = %v", n, err)
					}
					if got, err := g.Normalize(n); got != n || err != nil {
						t.Fatalf("Normalize(%q) = %q, %v; want it unchanged", n, got, err)
					}
				}
			})
		}
	}
}

func TestValidateFallbackNumbers(t *testing.T) {
	t.Parallel()
	main := checkerFunc(func(_ context.Context, n string) (bool, error) {
		return len(n) == len(defaultNumber), nil
	})
	g := readGen(t, casenum.WithChecker(main))
	for range 300 {
		n := mint(t, g)
		if len(n) != len(defaultFallback) {
			t.Fatalf("Next() = %q, want a fallback number", n)
		}
		if err := g.Validate(n); err != nil {
			t.Fatalf("Validate(%q) = %v", n, err)
		}
		if got, err := g.Normalize(n); got != n || err != nil {
			t.Fatalf("Normalize(%q) = %q, %v; want it unchanged", n, got, err)
		}
		upper := strings.ToUpper(n)
		if got, err := g.Normalize(upper); got != n || err != nil {
			t.Fatalf("Normalize(%q) = %q, %v; want %q", upper, got, err, n)
		}
	}
	noFallback := readGen(t, casenum.WithFallbackLayout(""))
	if err := noFallback.Validate(defaultFallback); !errors.Is(err, casenum.ErrInvalidNumber) {
		t.Errorf("without a fallback layout Validate(%q) = %v, want ErrInvalidNumber", defaultFallback, err)
	}
}

// checkedLayouts end in a check character, which must catch every
// single-character substitution and every adjacent transposition.
var checkedLayouts = []string{
	"CASE-{date}-{unixms}-{rand:3}{check}",
	"CASE-{date}-{unixms}-{rand:3}{check:mod97}",
	"{date:2006-01-02}/{seq:5}{check}",
	"T-{date:060102.150405}-{alnum:4}{check}",
	"{unixms}5{unixms}{check}",
	"{alnum:8}{check}",
	"{alnum:26}-{check:mod97}",
	"X{hex:6}{check:mod97}",
	"{uuid}{check}",
	"{uuid:13}-{check}",
	"{unixms}{unixms}{check}",
	"{seq:3}{unixms}{check}",
	"A.{date}.{seq:3}{check}",
	"INV-{seq:1}{check}",
	"{seq}{check}OK",
	"{seq:2}{check:mod97}",
	"{fy:4}-{seq:3}{check}",
}

// substitutes is every printable ASCII byte and a few others.
var substitutes = func() []byte {
	var b []byte
	for c := byte(' '); c <= '~'; c++ {
		b = append(b, c)
	}
	return append(b, 0, '\t', 0x80, 0xff)
}()

func TestValidateDetectsTypos(t *testing.T) {
	t.Parallel()
	for _, layout := range checkedLayouts {
		t.Run(layout, func(t *testing.T) {
			t.Parallel()
			g, numbers := layoutNumbers(t, layout, time.UTC, 6)
			for _, n := range numbers {
				for i := range len(n) {
					for _, c := range substitutes {
						if c == n[i] {
							continue
						}
						typo := n[:i] + string(c) + n[i+1:]
						if err := g.Validate(typo); !errors.Is(err, casenum.ErrInvalidNumber) {
							t.Fatalf("Validate(%q), %q with byte %d replaced, = %v", typo, n, i, err)
						}
					}
					if i+1 < len(n) && n[i] != n[i+1] {
						swap := n[:i] + string(n[i+1]) + string(n[i]) + n[i+2:]
						if err := g.Validate(swap); !errors.Is(err, casenum.ErrInvalidNumber) {
							t.Fatalf("Validate(%q), %q with bytes %d and %d swapped, = %v", swap, n, i, i+1, err)
						}
					}
				}
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	t.Parallel()
	g := readGen(t)
	checked := readGen(t, casenum.WithLayout("CASE-{date}-{unixms}-{rand:3}{check}"))
	uuidGen := readGen(t, casenum.WithLayout("U-{uuid}"))
	noFallback := readGen(t, casenum.WithFallbackLayout(""))
	tests := []struct {
		name, number string
		g            *casenum.Generator
		why          string // a piece of the message
	}{
		{"empty", "", g, "empty"},
		{"wrong literal", "CASX-20250929-1759131413832-073", g, `expected "CASE-"`},
		{"lower case", "case-20250929-1759131413832-073", g, `expected "CASE-"`},
		{"missing hyphen", "CASE-20250929-1759131413832073", g, `expected "-"`},
		{"rand too short", "CASE-20250929-1759131413832-07", g, "too short"},
		{"rand too long", "CASE-20250929-1759131413832-0733", g, `unexpected "3"`},
		{"month 13", "CASE-20251332-1759131413832-073", g, "20251332 is not a date"},
		{"30 February", "CASE-20250230-1759131413832-073", g, "not a date"},
		{"short date", "CASE-2025092-1759131413832-073", g, "position"},
		{"letter in rand", "CASE-20250929-1759131413832-07x", g, `got "x"`},
		{"look-alike in rand", "CASE-20250929-1759131413832-O73", g, `got "O"`},
		{"leading zero in unixms", "CASE-20250929-01759131413832-073", noFallback, "not a Unix time in milliseconds at position 15"},
		// {unixms} has 13 digits, never fewer or more.
		{"unixms of 1 digit", "CASE-19700101-0-000", noFallback, `expected a digit, got "-" at position 16`},
		{"unixms of 12 digits", "CASE-20000101-946684800000-442", noFallback, `expected a digit, got "-" at position 27`},
		{"unixms of 14 digits", "CASE-22861120-10000000000000-442", noFallback, `expected "-" at position 28`},
		{"trailing junk", defaultNumber + "x", g, `unexpected "x"`},
		{"trailing newline", defaultNumber + "\n", g, "unexpected"},
		{"leading space", " " + defaultNumber, g, `expected "CASE-"`},
		{"unicode digit", "CASE-20250929-1759131413832-07٣", g, "digit"},
		{"10 KB", strings.Repeat("CASE-", 2048), g, "longer than any case number"},
		{"invalid UTF-8", "CASE-20250929-1759131413832-07\xff", g, "UTF-8"},
		{"NUL", "CASE-20250929-1759131413832-07\x00", g, "position 31"},
		{"upper-case hex", "CASE-20250929-1F0C3A9E", g, "position 16"},
		{"hex too short", "CASE-20250929-1f0c3a9", g, "too short"},
		{"check digit wrong", "CASE-20250929-1759131413832-0730", checked, "check digit does not match"},
		{"check digit missing", defaultNumber, checked, "too short"},
		{"uuid version", "U-1f0c3a9e-0000-3000-8000-000000000000", uuidGen, "version 4"},
		{"uuid variant", "U-1f0c3a9e-0000-4000-c000-000000000000", uuidGen, "variant"},
		{"uuid hyphen", "U-1f0c3a9e00004000-8000-000000000000", uuidGen, "'-'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.g.Validate(tt.number)
			if !errors.Is(err, casenum.ErrInvalidNumber) {
				t.Fatalf("Validate(%q) = %v, want ErrInvalidNumber", tt.number, err)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.why) {
				t.Errorf("Validate(%q) = %q, want it to say %q", tt.number, msg, tt.why)
			}
			if len(err.Error()) > 300 {
				t.Errorf("error of %d bytes: %.80q...", len(err.Error()), err.Error())
			}
		})
	}
	for _, n := range []string{defaultNumber, defaultFallback, "CASE-22861120-9999999999999-000"} {
		if err := g.Validate(n); err != nil {
			t.Errorf("Validate(%q) = %v", n, err)
		}
	}
}

// withCheck returns body followed by the one Crockford symbol or digit
// that g validates; it fails the test unless exactly one does.
func withCheck(t *testing.T, g *casenum.Generator, body string) string {
	t.Helper()
	var found []string
	for _, c := range "0123456789ABCDEFGHJKMNPQRSTVWXYZ" {
		if n := body + string(c); g.Validate(n) == nil {
			found = append(found, n)
		}
	}
	if len(found) != 1 {
		t.Fatalf("check characters of %q that validate: %q, want exactly one", body, found)
	}
	return found[0]
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	g := readGen(t)
	alnum := readGen(t, casenum.WithLayout("T-{alnum:8}{check}"), casenum.WithFallbackLayout(""))
	aNum := withCheck(t, alnum, "T-01A0VE10") // 0 and 1, where people type O, I and L
	digits := readGen(t, casenum.WithLayout("CASE-{date}-{rand:6}{check}"), casenum.WithFallbackLayout(""))
	dNum := withCheck(t, digits, "CASE-20250929-101010")
	uuidGen := readGen(t, casenum.WithLayout("U-{uuid}"), casenum.WithFallbackLayout(""))
	const uNum = "U-1f0c3a9e-0000-4abc-8def-0123456789ab"
	dated := readGen(t, casenum.WithLayout("D-{date:2006.01.02}-{rand:3}"), casenum.WithFallbackLayout(""))
	nbsp := readGen(t, casenum.WithLayout("N\u00a0{rand:3}"), casenum.WithFallbackLayout(""))

	tests := []struct {
		name, in string
		g        *casenum.Generator
		want     string
	}{
		{"canonical", defaultNumber, g, defaultNumber},
		{"lower case", "case-20250929-1759131413832-073", g, defaultNumber},
		{"spaces around", " \t" + defaultNumber + "\n ", g, defaultNumber},
		{"spaces inside", "CASE - 2025 0929 - 1759 1314 13832 - 073", g, defaultNumber},
		{"spaces for hyphens", "case 20250929 1759131413832 073", g, defaultNumber},
		{"no hyphens", "CASE202509291759131413832073", g, defaultNumber},
		{"underscores", "CASE_20250929_1759131413832_073", g, defaultNumber},
		{"dots and slashes", "CASE.20250929/1759131413832:073", g, defaultNumber},
		{"look-alikes in digits", "CASE-2O25O929-I759I3l4I3832-O73", g, defaultNumber},
		{"unicode spaces", "CASE-20250929\u00a0-\u30001759131413832-073", g, defaultNumber},
		{"fallback", defaultFallback, g, defaultFallback},
		{"fallback upper case", "CASE-20250929-1F0C3A9E", g, defaultFallback},
		{"fallback look-alikes", "case-2025o929-IfOc3a9e", g, defaultFallback},
		{"fallback spaced", "case 20250929 1f0c 3a9e", g, defaultFallback},
		// Decimal hex digits read loosely as a main number too; the
		// separators the person typed say it is the fallback.
		{"decimal fallback lower case", "case-20250929-12345678", g, "CASE-20250929-12345678"},
		{"decimal fallback spaced", " case 20250929  12345678 ", g, "CASE-20250929-12345678"},
		{"decimal fallback underscores", "CASE_20250929_12345678", g, "CASE-20250929-12345678"},
		// Loosely {unixms} has 13 digits, so this reads as the fallback.
		{"main without hyphens", "CASE2025092912345678", g, "CASE-20250929-12345678"},
		{"main without hyphens, 13-digit time", "CASE202509291759131413832073", g, "CASE-20250929-1759131413832-073"},
		{"date layout look-alikes", "d-2O25.O9.29-I23", dated, "D-2025.09.29-123"},
		{"date layout other separators", "d 2025.09.29_123", dated, "D-2025.09.29-123"},
		{"no-break space literal", "n 123", nbsp, "N\u00a0123"},
		{"no-break space left out", "n123", nbsp, "N\u00a0123"},
		{"alnum canonical", aNum, alnum, aNum},
		{"alnum lower case", strings.ToLower(aNum), alnum, aNum},
		{"alnum look-alikes", "t-OIAOVEIo" + aNum[len(aNum)-1:], alnum, aNum},
		{"alnum lower-case check", "T-01A0VE10" + strings.ToLower(aNum[len(aNum)-1:]), alnum, aNum},
		{"alnum no hyphen", "t01a0ve10" + aNum[len(aNum)-1:], alnum, aNum},
		{"digits look-alikes", "case-2O25O929-IOIOIO" + dNum[len(dNum)-1:], digits, dNum},
		{"uuid upper case", strings.ToUpper(uNum), uuidGen, uNum},
		{"uuid without hyphens", "u" + strings.ReplaceAll(uNum[1:], "-", ""), uuidGen, uNum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.g.Normalize(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if err := tt.g.Validate(got); err != nil {
				t.Errorf("Validate(Normalize(%q)) = %v", tt.in, err)
			}
			if again, err := tt.g.Normalize(got); again != got || err != nil {
				t.Errorf("Normalize(%q) = %q, %v; not idempotent", got, again, err)
			}
		})
	}
}

func TestNormalizeRejects(t *testing.T) {
	t.Parallel()
	g := readGen(t)
	checked := readGen(t, casenum.WithLayout("CASE-{date}-{unixms}-{rand:3}{check}"), casenum.WithFallbackLayout(""))
	noFallback := readGen(t, casenum.WithFallbackLayout(""))
	alnum := readGen(t, casenum.WithLayout("T-{alnum:8}{check}"), casenum.WithFallbackLayout(""))
	_, numbers := layoutNumbers(t, "CASE-{date}-{unixms}-{rand:3}{check}", time.UTC, 1)
	n := numbers[0]
	tests := []struct {
		name, in string
		g        *casenum.Generator
		why      string
	}{
		{"empty", "", g, "empty"},
		{"only spaces", " \t\n", g, "empty"},
		{"wrong prefix", "CAZE-20250929-1759131413832-073", g, "expected"},
		{"bad date", "CASE-20251332-1759131413832-073", g, "not a date"},
		{"U is no symbol", "CASE-20250929-1759131413832-07U", g, "position 31"},
		{"U is no Crockford symbol", "t-01a0ue10", alnum, `got "u" at position 7`},
		{"U as check symbol", "T-01A0VE10U", alnum, `got "U" at position 11`},
		{"trailing junk", defaultNumber + "-x", g, "unexpected"},
		{"invalid UTF-8", "CASE-20250929-1759131413832-073\xff", g, "UTF-8"},
		{"10 KB", strings.Repeat("1", 10<<10), g, "longer than any case number"},
		{"leading zero in unixms", "case-20250929-01759131413832-073", noFallback, "Unix time"},
		{"typo", strings.ToLower(n[:len(n)-2]) + string('0'+(n[len(n)-2]-'0'+1)%10) + n[len(n)-1:], checked, "check digit does not match"},
		{"swap", n[:len(n)-3] + n[len(n)-2:len(n)-1] + n[len(n)-3:len(n)-2] + n[len(n)-1:], checked, "check digit"},
		// Loosely {unixms} could end earlier, but the check character the
		// person typed is the last one.
		{"wrong check digit", strings.ToLower(n[:len(n)-1]) + string('0'+(n[len(n)-1]-'0'+1)%10), checked, fmt.Sprintf("check digit does not match: a character is wrong or two are swapped at position %d", len(n))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.g.Normalize(tt.in)
			if !errors.Is(err, casenum.ErrInvalidNumber) || got != "" {
				t.Fatalf("Normalize(%.60q) = %q, %v; want ErrInvalidNumber", tt.in, got, err)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Errorf("Normalize(%.60q) = %v, want it to say %q", tt.in, err, tt.why)
			}
		})
	}
}

// TestNormalizeKeepsValidFallback reads fallback numbers whose hex digits
// happen to be decimal: leniently they would also read as a main number
// (CASE-20250929-12345-678), yet a number that validates is already
// canonical and must come back as it is.
func TestNormalizeKeepsValidFallback(t *testing.T) {
	t.Parallel()
	g := readGen(t)
	for _, n := range []string{"CASE-20250929-12345678", "CASE-20250929-10000000"} {
		if err := g.Validate(n); err != nil {
			t.Fatalf("Validate(%q) = %v", n, err)
		}
		if got, err := g.Normalize(n); got != n || err != nil {
			t.Errorf("Normalize(%q) = %q, %v; want it unchanged", n, got, err)
		}
		lower := strings.ToLower(n)
		if got, err := g.Normalize(lower); got != n || err != nil {
			t.Errorf("Normalize(%q) = %q, %v; want %q", lower, got, err, n)
		}
	}
}

// fuzzGens are the Generators the fuzz targets read with: the defaults and
// layouts with each kind of check character and runs of digit tokens.
func fuzzGens(t testing.TB) []*casenum.Generator {
	t.Helper()
	return []*casenum.Generator{
		readGen(t),
		readGen(t, casenum.WithLayout("CASE-{date}-{unixms}-{rand:3}{check}")),
		readGen(t, casenum.WithLayout("T-{date:060102.1504}-{alnum:6}{check}"), casenum.WithFallbackLayout("U-{uuid}{check:mod97}")),
		readGen(t, casenum.WithLayout("{date:01-2006}/{seq:4}"), casenum.WithFallbackLayout("{unixms}{unixms}{check}")),
	}
}

// fuzzMaxMS keeps fake clocks from 1970 into 2068, the years that a
// two-digit year ("06") reads back as.
var fuzzMaxMS = time.Date(2068, 12, 30, 0, 0, 0, 0, time.UTC).UnixMilli()

var fuzzSeeds = []string{
	"",
	defaultNumber,
	defaultFallback,
	"case 20250929 1759131413832 073",
	"CASE202509291759131413832073",
	"CASE-2O25O929-I759I3l4I3832-O73",
	"CASE-20250929-1F0C3A9E",
	"CASE-20250929-12345678",
	"CASE-20250929-01759131413832-073",
	"CASE-20251332-1759131413832-073",
	"T-250929.0736-0A1B2C7",
	"t 250929.0736 oaib2c 7",
	"U-1f0c3a9e-0000-4abc-8def-0123456789ab42",
	"09-2025/0001",
	"09 2025 0001",
	"175913141383217591314138320",
	"\xff\xfe",
	"CASE-20250929\u00a0-1759131413832-073",
}

func FuzzValidate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	gens := fuzzGens(f)
	f.Fuzz(func(t *testing.T, s string) {
		for i, g := range gens {
			err := g.Validate(s)
			if err != nil {
				if !errors.Is(err, casenum.ErrInvalidNumber) {
					t.Fatalf("gen %d: Validate(%q) = %v, want ErrInvalidNumber", i, s, err)
				}
				continue
			}
			if got, err := g.Normalize(s); got != s || err != nil {
				t.Fatalf("gen %d: %q validates, but Normalize gives %q, %v", i, s, got, err)
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	gens := fuzzGens(f)
	f.Fuzz(func(t *testing.T, s string) {
		for i, g := range gens {
			out, err := g.Normalize(s)
			if err != nil {
				if !errors.Is(err, casenum.ErrInvalidNumber) || out != "" {
					t.Fatalf("gen %d: Normalize(%q) = %q, %v; want ErrInvalidNumber", i, s, out, err)
				}
				continue
			}
			if err := g.Validate(out); err != nil {
				t.Fatalf("gen %d: Normalize(%q) = %q, which does not validate: %v", i, s, out, err)
			}
			if again, err := g.Normalize(out); again != out || err != nil {
				t.Fatalf("gen %d: Normalize(%q) = %q, but Normalize(%q) = %q, %v", i, s, out, out, again, err)
			}
		}
	})
}

func FuzzParseLayout(f *testing.F) {
	for _, l := range validLayouts {
		f.Add(l, int64(1759131413832), uint64(1), uint8(0))
	}
	f.Add("{date:2006-01-02 15:04:05.000 MST}{hex:2}", int64(-1), uint64(7), uint8(1))
	f.Add("{date:Z07:00}{rand:1}", int64(0), uint64(3), uint8(2))
	f.Add("}}{{{uuid:32}{{}}{check}", int64(253402300799999), uint64(9), uint8(3))
	f.Add("{seq:18}{check:mod97}", int64(1), uint64(1), uint8(4))
	f.Add("{rand:3}{check}{{", int64(86399999), uint64(5), uint8(0))
	f.Add("{key}-{fy:4}-{seq}{check}", int64(1774981800000), uint64(9), uint8(1))
	f.Add("{fy:7:end:06}{seq:2}X{alnum:2}", int64(1782864000000), uint64(99), uint8(2))
	locs := []*time.Location{time.UTC, time.FixedZone("X", 14*3600), time.FixedZone("", -(9*3600 + 30*60)), time.FixedZone("LONGNAME", 3600)}
	f.Fuzz(func(t *testing.T, layout string, ms int64, seed uint64, zone uint8) {
		l, err := casenum.ParseLayout(layout)
		if err != nil {
			if !errors.Is(err, casenum.ErrInvalidLayout) {
				t.Fatalf("ParseLayout(%q) = %v, want ErrInvalidLayout", layout, err)
			}
			return
		}
		if l.String() != layout {
			t.Fatalf("ParseLayout(%q).String() = %q", layout, l.String())
		}
		ms = (ms%fuzzMaxMS + fuzzMaxMS) % fuzzMaxMS
		g, err := casenum.New(
			casenum.WithLayout(layout),
			casenum.WithFallbackLayout(""),
			casenum.WithClock(layoutClock{time.UnixMilli(ms)}),
			casenum.WithRandom(rand.NewPCG(seed, seed>>1)),
			casenum.WithSequence(startSeq(seed%1000+1)),
			casenum.WithLocation(locs[int(zone)%len(locs)]),
			casenum.WithPermutationKey(make([]byte, 16)),
		)
		if err != nil {
			t.Fatalf("New(WithLayout(%q)) = %v, though ParseLayout accepted it", layout, err)
		}
		if k, err := g.ForKey("K7"); err == nil {
			g = k
		}
		n, err := g.Next(context.Background())
		switch {
		case err == nil:
		case errors.Is(err, casenum.ErrExhausted):
			return // a counter too large for a narrow {seq}
		case ms < 1e12 && strings.Contains(err.Error(), "{unixms} prints 13 digits"):
			return // before 2001-09-09
		case strings.Contains(err.Error(), "fiscal year -1"):
			return // before year 0's fiscal year
		default:
			t.Fatalf("layout %q: Next() = %v", layout, err)
		}
		checkMinted(t, g, n)
	})
}

// varying reports whether layout may have a token whose width varies.
func varying(layout string) bool {
	return strings.Contains(layout, "{seq") || strings.Contains(layout, "{key")
}

// typedVariants returns number as people type it: in lower case, with a
// space for every separator, with no separators (at bareVariant).
const bareVariant = 2

func typedVariants(number string) []string {
	lower := []byte(number)
	spaced := []byte(number)
	var bare []byte
	for i, c := range []byte(number) {
		if c >= 'A' && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
		if c > ' ' && c < 0x7f && !unicode.IsLetter(rune(c)) && !unicode.IsDigit(rune(c)) {
			spaced[i] = ' '
			continue
		}
		bare = append(bare, c)
	}
	return []string{string(lower), string(spaced), string(bare)}
}

// Example-style check that errors name the reason in words a support desk
// can relay.
func TestValidateErrorReadsWell(t *testing.T) {
	t.Parallel()
	err := readGen(t).Validate("CASE-20251332-1759131413832-073")
	want := fmt.Sprintf("%v: %q: 20251332 is not a date (YYYYMMDD) at position 6", casenum.ErrInvalidNumber, "CASE-20251332-1759131413832-073")
	if err == nil || err.Error() != want {
		t.Errorf("Validate error\n got %v\nwant %s", err, want)
	}
}

// TestDateLayouts builds random date layouts from numeric fields,
// separators and elements that are refused. A layout is accepted exactly
// when it has a field and nothing refused; it then renders what time.Format
// renders, in any zone, and reads back as it is and as a person types it:
// in lower case, with spaces or other separators, or with none.
func TestDateLayouts(t *testing.T) {
	t.Parallel()
	accepted := []string{"2006", "06", "01", "02", "002", "15", "04", "05", "-", ".", "/", "_", ":"}
	// Refused elements start with neither a digit nor a separator, so that
	// no neighbour can join them into a field; only "__2" can form.
	refused := []string{"Jan", "January", "Mon", "Monday", "PM", "pm", "MST", "Z07:00", "Z0700", " ", "T", "x", ",000", "+01", "é"}
	zones := []*time.Location{
		time.UTC, time.FixedZone("X", 14*3600), time.FixedZone("", -(9*3600 + 30*60)),
		time.FixedZone("LONGNAME", 3600), time.FixedZone("", 5*3600+45*60),
	}
	seps := strings.NewReplacer("-", " ", ".", " ", "/", " ", "_", " ", ":", " ")
	otherSeps := strings.NewReplacer("-", "/", ".", "-", "/", ":", "_", ".", ":", "_")
	noSeps := strings.NewReplacer("-", "", ".", "", "/", "", "_", "", ":", "")
	rng := rand.New(rand.NewPCG(7, 8))
	var valid int
	for range 2000 {
		var b strings.Builder
		bad := -1
		for range 1 + rng.IntN(5) {
			e := accepted[rng.IntN(len(accepted))]
			if rng.IntN(10) == 0 {
				e = refused[rng.IntN(len(refused))]
				if bad < 0 {
					bad = b.Len()
				}
			}
			b.WriteString(e)
		}
		date := b.String()
		if i := strings.Index(date, "__2"); i >= 0 && (bad < 0 || i < bad) {
			bad = i // Go's day of the year padded with spaces
		}
		layout := "D{date:" + date + "}{rand:1}"
		_, err := casenum.ParseLayout(layout)
		switch {
		case bad >= 0:
			if want := fmt.Sprintf("position %d", len("D{date:")+bad+1); !errors.Is(err, casenum.ErrInvalidLayout) || !strings.Contains(err.Error(), want) {
				t.Fatalf("ParseLayout(%q) = %v, want ErrInvalidLayout at %s", layout, err, want)
			}
			continue
		case !strings.ContainsAny(date, "0123456789"):
			if !errors.Is(err, casenum.ErrInvalidLayout) || !strings.Contains(err.Error(), "no date or time") {
				t.Fatalf("ParseLayout(%q) = %v, want ErrInvalidLayout for a layout without a field", layout, err)
			}
			continue
		case err != nil:
			t.Fatalf("ParseLayout(%q) = %v", layout, err)
		}
		valid++
		for range 5 {
			zone := zones[rng.IntN(len(zones))]
			at := time.UnixMilli(rng.Int64N(fuzzMaxMS)).Add(time.Duration(rng.IntN(1e6)))
			g := layoutGen(t, layout, casenum.WithClock(layoutClock{at}), casenum.WithLocation(zone))
			n := mint(t, g)
			if want := "D" + at.In(zone).Format(date); n[:len(n)-1] != want {
				t.Fatalf("layout %q at %v in %q rendered %q, want %s and a digit", layout, at, zone, n, want)
			}
			if err := g.Validate(n); err != nil {
				t.Fatalf("layout %q rendered %q, which does not validate: %v", layout, n, err)
			}
			for _, typed := range []string{strings.ToLower(n), seps.Replace(n), otherSeps.Replace(n), noSeps.Replace(n)} {
				if got, err := g.Normalize(typed); got != n || err != nil {
					t.Fatalf("layout %q: Normalize(%q) = %q, %v; want %q", layout, typed, got, err, n)
				}
			}
		}
	}
	if valid < 1000 {
		t.Errorf("only %d of 2000 layouts accepted: the test says little", valid)
	}
}
