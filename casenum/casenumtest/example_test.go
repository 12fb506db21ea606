package casenumtest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

func ExampleClock() {
	clock := casenumtest.NewClock(time.Date(2025, 9, 29, 7, 30, 0, 0, time.UTC))
	wait := clock.After(time.Minute)

	clock.Advance(30 * time.Second)
	select {
	case <-wait:
		fmt.Println("fired early")
	default:
		fmt.Println("waiting at", clock.Now().Format(time.TimeOnly))
	}

	clock.Advance(30 * time.Second)
	fmt.Println("fired at", (<-wait).Format(time.TimeOnly))
	// Output:
	// waiting at 07:30:30
	// fired at 07:31:00
}

func ExampleClock_BlockUntil() {
	clock := casenumtest.NewClock(time.Date(2025, 9, 29, 7, 30, 0, 0, time.UTC))
	done := make(chan string)
	go func() {
		// Code under test waits between attempts.
		<-clock.After(200 * time.Millisecond)
		done <- "retried at " + clock.Now().Format("15:04:05.000")
	}()

	// Advance only once the wait has begun, or the wait would start later
	// and never end.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clock.BlockUntil(ctx, 1); err != nil {
		fmt.Println(err)
		return
	}
	clock.Advance(200 * time.Millisecond)
	fmt.Println(<-done)
	// Output:
	// retried at 07:30:00.200
}

func ExampleTokens() {
	// A test that wants one collision writes the number it stores, then
	// the same number again and the one it expects instead.
	table := casenumtest.NewStore()
	g, err := casenum.New(
		casenum.WithLayout("T-{rand:3}"),
		casenum.WithRandom(casenumtest.Tokens("rand:073", "rand:073", "rand:074")),
	)
	if err != nil {
		panic(err)
	}
	for range 2 {
		n, err := g.Create(context.Background(), table.Insert)
		fmt.Println(n, err)
	}
	fmt.Println("collisions:", g.Stats().Collisions)
	// Output:
	// T-073 <nil>
	// T-074 <nil>
	// collisions: 1
}

func ExampleTokens_fallback() {
	// When every candidate of the layout is taken, the fallback's texts
	// come next in the list. Each {uuid} text draws two values; Tokens
	// counts them.
	table := casenumtest.NewStore()
	table.Add("INC-7KQ2")
	g, err := casenum.New(
		casenum.WithLayout("INC-{alnum:4}"),
		casenum.WithFallbackLayout("INC-{uuid:8}"),
		casenum.WithRetry(casenum.Retry{Attempts: 2}),
		casenum.WithRandom(casenumtest.Tokens("alnum:7KQ2", "alnum:7KQ2", "uuid:0a1b2c3d")),
	)
	if err != nil {
		panic(err)
	}
	n, err := g.Create(context.Background(), table.Insert)
	fmt.Println(n, err)
	// Output:
	// INC-0a1b2c3d <nil>
}

func ExampleNewRandom() {
	// Two Generators with the same seed render the same numbers. To choose
	// the numbers, use Tokens.
	for range 2 {
		g, err := casenum.New(casenum.WithLayout("T-{rand:3}"), casenum.WithRandom(casenumtest.NewRandom(1)))
		if err != nil {
			panic(err)
		}
		a, _ := g.Next(context.Background())
		b, _ := g.Next(context.Background())
		fmt.Println(a, b)
	}
	// Output:
	// T-997 T-102
	// T-997 T-102
}

func ExampleStore() {
	ctx := context.Background()
	store := casenumtest.NewStore()
	var checker casenum.Checker = store // Exists
	insert := store.Insert              // an insert function for Generator.Create

	fmt.Println(insert(ctx, "CASE-20250929-1759131413832-073"))
	err := insert(ctx, "CASE-20250929-1759131413832-073")
	fmt.Println(errors.Is(err, casenum.ErrDuplicate))

	taken, _ := checker.Exists(ctx, "CASE-20250929-1759131413832-073")
	free, _ := checker.Exists(ctx, "CASE-20250929-1759131413832-074")
	fmt.Println(taken, free)
	fmt.Println(store.Numbers(), store.Inserts(), store.Checks())
	// Output:
	// <nil>
	// true
	// true false
	// [CASE-20250929-1759131413832-073] 2 2
}

func ExampleStore_Next() {
	ctx := context.Background()
	var seq casenum.Sequence = casenumtest.NewStore()
	for _, scope := range []string{"CASE-20250929-", "CASE-20250929-", "CASE-20250930-"} {
		n, _ := seq.Next(ctx, scope)
		fmt.Printf("%s%06d\n", scope, n)
	}
	// Output:
	// CASE-20250929-000001
	// CASE-20250929-000002
	// CASE-20250930-000001
}

func ExampleStore_FailWith() {
	ctx := context.Background()
	store := casenumtest.NewStore()
	errDown := errors.New("connection refused")

	store.FailWith(errDown)
	fmt.Println(store.Insert(ctx, "CASE-1"))
	store.FailWith(nil)
	fmt.Println(store.Insert(ctx, "CASE-1"), store.Len())
	// Output:
	// connection refused
	// <nil> 1
}

// A test states the number it expects, check character included: Tokens
// chooses the random text, a fixed Clock the date, and Complete adds the
// check character.
func ExampleComplete() {
	const layout = "CASE-{date}-{alnum:6}{check}"
	g, err := casenum.New(
		casenum.WithLayout(layout),
		casenum.WithClock(casenumtest.NewClock(time.Date(2025, 9, 29, 9, 30, 0, 0, time.UTC))),
		casenum.WithRandom(casenumtest.Tokens("alnum:7KQ2M9")),
	)
	if err != nil {
		panic(err)
	}
	n, err := g.Next(context.Background())
	if err != nil {
		panic(err)
	}
	want := casenumtest.Complete(layout, "CASE-20250929-7KQ2M9")
	fmt.Println(want, n == want)
	fmt.Println(casenumtest.Complete("INV-{seq:6}{check:mod97}", "INV-000042"))
	// Output:
	// CASE-20250929-7KQ2M9Z true
	// INV-00004269
}
