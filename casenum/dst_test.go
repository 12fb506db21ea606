package casenum_test

import (
	"context"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// TestDateAcrossDSTTransitions walks zones whose clocks jump at midnight (so
// some days start at 01:00) and ordinary ones, and compares every {date}
// with time.Format's.
func TestDateAcrossDSTTransitions(t *testing.T) {
	t.Parallel()
	for _, zone := range []string{"Asia/Beirut", "Africa/Cairo", "America/Santiago", "Europe/London", "America/New_York", "Australia/Lord_Howe"} {
		t.Run(zone, func(t *testing.T) {
			t.Parallel()
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Fatal(err)
			}
			clock := casenumtest.NewClock(time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
			g, err := casenum.New(casenum.WithClock(clock), casenum.WithLocation(loc), casenum.WithLayout("{date}-{rand:3}"))
			if err != nil {
				t.Fatal(err)
			}
			for range 2 * 365 * 24 * 4 { // two years in steps of 15 minutes
				clock.Advance(15 * time.Minute)
				n, err := g.Next(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if want := clock.Now().In(loc).Format("20060102"); n[:8] != want {
					t.Fatalf("at %v: Next = %q, want the date %s", clock.Now().In(loc), n, want)
				}
			}
		})
	}
}
