package casenum_test

import (
	"context"
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"io"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// Stats carry JSON names, so publishing them on /debug/vars takes one line
// of expvar; casenum/promcasenum and casenum/otelcasenum export them to
// Prometheus and OpenTelemetry.
func ExampleGenerator_Stats() {
	g, err := casenum.New()
	if err != nil {
		panic(err)
	}
	expvar.Publish("casenum_example", expvar.Func(func() any { return g.Stats() }))

	if _, err := g.Next(context.Background()); err != nil {
		panic(err)
	}
	var st casenum.Stats
	if err := json.Unmarshal([]byte(expvar.Get("casenum_example").String()), &st); err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", st)
	// Output:
	// {Minted:1 Attempts:1 Collisions:0 Aborted:0 Fallbacks:0 Exhausted:0 Errors:0}
}

// A connection lost after the INSERT was sent leaves its outcome unknown:
// Create returns at once, and the AttemptError names the number the record
// may be stored under, to look up before trying again.
func ExampleAttemptError() {
	g, err := casenum.New(casenum.WithLayout("T-{rand:3}"), casenum.WithRandom(casenumtest.Tokens("rand:073")))
	if err != nil {
		panic(err)
	}
	_, err = g.Create(context.Background(), func(ctx context.Context, number string) error {
		return fmt.Errorf("insert %s: %w", number, io.ErrUnexpectedEOF) // as a driver reports a lost reply
	})
	var attempt *casenum.AttemptError
	if errors.Is(err, casenum.ErrUncertain) && errors.As(err, &attempt) {
		fmt.Println("may be stored:", attempt.Number)
	}
	// Output:
	// may be stored: T-073
}
