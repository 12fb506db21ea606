package casenumtest_test

import (
	"testing"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

func TestComplete(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ layout, number, want string }{
		{"CASE-{date}-{alnum:6}{check}", "CASE-20250929-7KQ2M9", "CASE-20250929-7KQ2M9Z"},
		// Damm's digit, worked by hand from its table: 5, 7, 2 -> 4.
		{"{rand:3}{check}", "572", "5724"},
		// MOD 97-10: 98 - 4200 mod 97 = 69.
		{"INV-{seq:6}{check:mod97}", "INV-000042", "INV-00004269"},
		{"CASE-{date}-{unixms}-{rand:3}{check}", "CASE-20250929-1759131413832-073", ""},
		// A counter that grows: a longer candidate would read as a longer counter.
		{"INV-{seq}{check}", "INV-1000000", ""},
		{"INV-{seq:4}{check}", "INV-0042", ""},
		{"{seq}{check:mod97}", "12", ""},
		{"{{check:mod97}}{rand:2}{check}", "{check:mod97}12", ""},
	} {
		got := casenumtest.Complete(tt.layout, tt.number)
		if tt.want != "" && got != tt.want {
			t.Errorf("Complete(%q, %q) = %q, want %q", tt.layout, tt.number, got, tt.want)
		}
		if err := mustLayout(t, tt.layout).Validate(got); err != nil {
			t.Errorf("Complete(%q, %q) = %q, which does not validate: %v", tt.layout, tt.number, got, err)
		}
	}
}

func TestCompletePanicsOnMistakes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ layout, number string }{
		{"CASE-{date", "CASE-20250929"},
		{"T-{rand:3}", "T-123"},           // no check character
		{"T-{rand:3}{check}", "T-12"},     // too short
		{"T-{rand:3}{check}", "T-1234"},   // complete already, or too long
		{"T-{alnum:3}{check}", "T-7kq"},   // not canonical
		{"T-{rand:3}{check}", "T-1234-5"}, // another shape
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Complete(%q, %q) did not panic", tt.layout, tt.number)
				}
			}()
			casenumtest.Complete(tt.layout, tt.number)
		}()
	}
}

func mustLayout(t *testing.T, layout string) *casenum.Layout {
	t.Helper()
	l, err := casenum.ParseLayout(layout)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
