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

func ExampleNewValues() {
	// Two equal draws make a Generator render the same candidate twice.
	r := casenumtest.NewValues(73, 73, 74)
	fmt.Println(r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64())
	// Output:
	// 73 73 74 73
}

func ExampleNewRandom() {
	// The same seed gives the same stream on every run, so the random
	// digits of a rendered number can be written into a test.
	r := casenumtest.NewRandom(1)
	fmt.Println(r.Uint64()%1000, r.Uint64()%1000, r.Uint64()%1000)
	// Output:
	// 440 259 476
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
