package casenum_test

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// With no options a Generator renders DefaultLayout. A fixed clock and a
// seeded Random make the output repeatable.
func Example() {
	g, err := casenum.New(
		casenum.WithClock(casenumtest.NewClock(time.UnixMilli(1759131413832))),
		casenum.WithRandom(casenumtest.NewRandom(7)),
	)
	if err != nil {
		panic(err)
	}
	n, err := g.Next(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(n)
	fmt.Println(g.Validate(n) == nil)
	// Output:
	// CASE-20250929-1759131413832-960
	// true
}

// Create is the recommended path: the insert decides, and a unique
// violation, here ErrDuplicate from an in-memory table, is retried with a
// fresh candidate.
func ExampleGenerator_Create() {
	table := casenumtest.NewStore()
	table.Add("T-1") // already taken
	g, err := casenum.New(
		casenum.WithLayout("T-{rand:1}"),
		casenum.WithRandom(casenumtest.Tokens("rand:1", "rand:7", "rand:1", "rand:1", "rand:2")),
	)
	if err != nil {
		panic(err)
	}
	for range 2 {
		n, err := g.Create(context.Background(), func(ctx context.Context, number string) error {
			// INSERT INTO calls (case_number, ...) VALUES ($1, ...)
			return table.Insert(ctx, number)
		})
		fmt.Println(n, err)
	}
	st := g.Stats()
	fmt.Printf("minted %d, attempts %d, collisions %d\n", st.Minted, st.Attempts, st.Collisions)
	// Output:
	// T-7 <nil>
	// T-2 <nil>
	// minted 2, attempts 5, collisions 3
}

// Next with a Checker asks before handing a number out. Keep the UNIQUE
// constraint: two callers can both hear "free".
func ExampleGenerator_Next() {
	table := casenumtest.NewStore()
	g, err := casenum.New(
		casenum.WithLayout("INC-{alnum:5}"),
		casenum.WithChecker(table),
		casenum.WithRandom(casenumtest.NewRandom(3)),
	)
	if err != nil {
		panic(err)
	}
	n, err := g.Next(context.Background())
	fmt.Println(n, err)
	// Output:
	// INC-SNDWV <nil>
}

// A per-day counter with a check digit: short enough to read over the phone.
func ExampleWithSequence() {
	clock := casenumtest.NewClock(time.Date(2025, 9, 29, 9, 30, 0, 0, time.UTC))
	counters := casenumtest.NewStore() // store.NewSequence in production
	g, err := casenum.New(
		casenum.WithLayout("CASE-{date}-{seq:6}{check}"),
		casenum.WithSequence(counters),
		casenum.WithClock(clock),
	)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	a, _ := g.Next(ctx)
	b, _ := g.Next(ctx)
	clock.Advance(24 * time.Hour)
	c, _ := g.Next(ctx)
	fmt.Println(a)
	fmt.Println(b)
	fmt.Println(c)
	// Output:
	// CASE-20250929-0000017
	// CASE-20250929-0000025
	// CASE-20250930-0000011
}

// Normalize reads back what a caller typed: case, spaces, missing hyphens
// and look-alike letters are forgiven; a wrong digit is caught by the check
// character.
func ExampleGenerator_Normalize() {
	g, err := casenum.New(casenum.WithLayout("CASE-{date}-{seq:6}{check}"), casenum.WithSequence(casenumtest.NewStore()))
	if err != nil {
		panic(err)
	}
	fmt.Println(g.Normalize(" case 2025O929 OOOO42 O "))
	_, err = g.Normalize("CASE-20250929-0000430") // a 2 misheard as a 3
	fmt.Println(errors.Is(err, casenum.ErrInvalidNumber))
	fmt.Println(err)
	// Output:
	// CASE-20250929-0000420 <nil>
	// true
	// casenum: invalid case number: "CASE-20250929-0000430": check digit does not match: a character is wrong or two are swapped at position 21
}

// Odds tells how often a layout's candidates collide at a given rate.
func ExampleLayout_Odds() {
	l, err := casenum.ParseLayout(casenum.DefaultLayout)
	if err != nil {
		panic(err)
	}
	for _, rate := range []float64{1, 10, 100, 1000} {
		o := l.Odds(rate)
		fmt.Printf("%g/s: collision %.1e, %.4f attempts, %.0f collisions a day\n", rate, o.Collision, o.ExpectedAttempts, o.PerDay)
	}
	// Output:
	// 1/s: collision 5.0e-07, 1.0000 attempts, 0 collisions a day
	// 10/s: collision 5.0e-06, 1.0000 attempts, 4 collisions a day
	// 100/s: collision 5.0e-05, 1.0001 attempts, 432 collisions a day
	// 1000/s: collision 5.0e-04, 1.0005 attempts, 43211 collisions a day
}

// A Retry policy with waits between attempts; every wait ends at once when
// the context does.
func ExampleWithRetry() {
	g, err := casenum.New(casenum.WithRetry(casenum.Retry{
		Attempts:   5,
		Delay:      2 * time.Millisecond,
		MaxDelay:   50 * time.Millisecond,
		Multiplier: 3,
	}))
	if err != nil {
		panic(err)
	}
	fmt.Println(g.Layout())
	// Output:
	// CASE-{date}-{unixms}-{rand:3}
}

// Parse answers "when was this case opened?" from the number alone: to the
// millisecond for the main layout, to the day for the fallback's, in the
// Generator's Location.
func ExampleGenerator_Parse() {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	g, err := casenum.New(casenum.WithLocation(berlin))
	if err != nil {
		panic(err)
	}
	for _, n := range []string{"CASE-20250929-1759131413832-073", "CASE-20250929-1f0c3a9e"} {
		p, err := g.Parse(n)
		if err != nil {
			panic(err)
		}
		fmt.Println(p.Time.Format(time.RFC3339Nano), "fallback:", p.Fallback)
	}
	_, err = g.Parse("CASE-20250929-1759131413832-07")
	fmt.Println(err)
	// Output:
	// 2025-09-29T09:36:53.832+02:00 fallback: false
	// 2025-09-29T00:00:00+02:00 fallback: true
	// casenum: invalid case number: "CASE-20250929-1759131413832-07": too short: expected 3 digits at position 31
}

// cryptoRandom draws every value from crypto/rand, for a policy that
// demands the operating system's generator for each draw. The default
// source is seeded from it and is several times faster.
type cryptoRandom struct{}

func (cryptoRandom) Uint64() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	return binary.LittleEndian.Uint64(b[:])
}

// Any source of uniform 64-bit values can feed the random tokens.
func ExampleWithRandom() {
	g, err := casenum.New(casenum.WithLayout("INC-{alnum:8}{check}"), casenum.WithRandom(cryptoRandom{}))
	if err != nil {
		panic(err)
	}
	n, err := g.Next(context.Background())
	fmt.Println(len(n), err, g.Validate(n))
	// Output:
	// 13 <nil> <nil>
}

// Find threads an e-mail to its case: it reads the number as the customer
// typed it, and gives it back as the case's number.
func ExampleGenerator_Find() {
	g, err := casenum.New(
		casenum.WithLayout("CASE-{date}-{alnum:6}{check}"),
		casenum.WithFormerLayouts(casenum.DefaultLayout), // numbers minted before the switch
	)
	if err != nil {
		panic(err)
	}
	mail := "Re: my call case 20250929 7kq2m9z is still open.\n" +
		"It is about the old case-20250929-1759131413832-073, not CVE-2024-3094 or utf-8."
	for _, m := range g.Find(mail) {
		p, _ := g.Parse(m.Number)
		fmt.Printf("%s (typed %q, layout %s)\n", m.Number, mail[m.Start:m.End], p.Layout)
	}
	// Output:
	// CASE-20250929-7KQ2M9Z (typed "case 20250929 7kq2m9z", layout CASE-{date}-{alnum:6}{check})
	// CASE-20250929-1759131413832-073 (typed "case-20250929-1759131413832-073", layout CASE-{date}-{unixms}-{rand:3})
}

// Pattern gives a layout's shape to tools that take a regular expression:
// an OpenAPI schema, a database CHECK constraint, a log filter.
func ExampleLayout_Pattern() {
	l, err := casenum.ParseLayout("INC-{date:0601}-{seq:4}{check}")
	if err != nil {
		panic(err)
	}
	fmt.Println(l.Pattern())
	// Output:
	// INC-[0-9]{2}(?:0[1-9]|1[0-2])-(?:[1-9][0-9]{4,17}|[0-9]{4})[0-9]
}

// A permuted counter hides how many invoices a day holds and their order,
// and stays gap-free: the Sequence counts 1, 2, 3, and Parse reads the
// counter back.
func ExampleWithPermutationKey() {
	key := []byte("an AES key of 32 bytes, secret!!") // load it from your secrets store
	g, err := casenum.New(
		casenum.WithLayout("INV-{date}-{seq:6:perm}"),
		casenum.WithPermutationKey(key),
		casenum.WithSequence(casenumtest.NewStore()), // store.NewSequence in production
		casenum.WithClock(casenumtest.NewClock(time.Date(2025, 9, 29, 9, 30, 0, 0, time.UTC))),
	)
	if err != nil {
		panic(err)
	}
	for range 3 {
		n, _ := g.Next(context.Background())
		p, _ := g.Parse(n)
		fmt.Println(n, p.Seq)
	}
	// Output:
	// INV-20250929-250262 1
	// INV-20250929-495539 2
	// INV-20250929-999869 3
}
