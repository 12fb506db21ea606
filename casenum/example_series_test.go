package casenum_test

import (
	"context"
	"fmt"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// Continue after the numbers you imported: Parse the highest one and move
// the counter past it with the Sequence's Advance. A number of the series
// that is taken later on is skipped the same way, without a fallback.
func ExampleGenerator_Parse_continueAfterImport() {
	ctx := context.Background()
	// The invoices table and its counters: a table with a UNIQUE column
	// and store.NewSequence in production.
	table := casenumtest.NewStore()
	table.Add("INV-2026-0001", "INV-2026-0002", "INV-2026-0412", "INV-2026-0414") // imported
	g, err := casenum.New(
		casenum.WithLayout("INV-{fy:4}-{seq:4}"), // India's fiscal year: April to March
		casenum.WithSequence(table),
		casenum.WithClock(casenumtest.NewClock(time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC))),
	)
	if err != nil {
		panic(err)
	}
	p, err := g.Parse("INV-2026-0412") // the highest imported number
	if err != nil {
		panic(err)
	}
	if err := table.Advance(ctx, p.Scope, p.Seq); err != nil {
		panic(err)
	}
	for range 2 {
		fmt.Println(g.Create(ctx, table.Insert))
	}
	st := g.Stats()
	fmt.Printf("collisions %d, fallbacks %d\n", st.Collisions, st.Fallbacks)
	// Output:
	// INV-2026-0413 <nil>
	// INV-2026-0415 <nil>
	// collisions 1, fallbacks 0
}

// One Generator serves keys chosen at run time, as Jira numbers issues per
// project: each key counts on its own.
func ExampleGenerator_ForKey() {
	ctx := context.Background()
	g, err := casenum.New(casenum.WithLayout("{key}-{seq}"), casenum.WithSequence(casenumtest.NewStore()))
	if err != nil {
		panic(err)
	}
	for _, key := range []string{"PROJ", "PROJ", "OPS", "PROJ"} {
		k, err := g.ForKey(key) // cheap: one per request will do
		if err != nil {
			panic(err)
		}
		n, err := k.Next(ctx)
		fmt.Println(n, err)
	}
	p, err := g.Parse("OPS-1")
	fmt.Println(p.Key, p.Seq, err)
	fmt.Println(g.Normalize("proj 12"))
	// Output:
	// PROJ-1 <nil>
	// PROJ-2 <nil>
	// OPS-1 <nil>
	// PROJ-3 <nil>
	// OPS 1 <nil>
	// PROJ-12 <nil>
}

// A fiscal year token restarts the counter with each fiscal year: here
// India's, April to March, written as 2025-26.
func ExampleParseLayout_fiscalYear() {
	ist := time.FixedZone("IST", 5*3600+30*60)
	clock := casenumtest.NewClock(time.Date(2026, 3, 31, 18, 0, 0, 0, ist))
	g, err := casenum.New(
		casenum.WithLayout("INV/{fy:4}-{fy:4:end:06}/{seq}"),
		casenum.WithSequence(casenumtest.NewStore()),
		casenum.WithClock(clock),
		casenum.WithLocation(ist),
	)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	fmt.Println(g.Next(ctx))
	clock.Advance(6 * time.Hour) // past midnight: April the first
	fmt.Println(g.Next(ctx))
	p, _ := g.Parse("INV/2026-27/1")
	fmt.Println(p.Time)
	// Output:
	// INV/2025-26/1 <nil>
	// INV/2026-27/1 <nil>
	// 2026-04-01 00:00:00 +0530 IST
}
