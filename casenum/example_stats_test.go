package casenum_test

import (
	"context"
	"encoding/json"
	"expvar"
	"fmt"

	"github.com/casemint/casemint/casenum"
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
