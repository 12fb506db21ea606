package otelcasenum_test

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/casenum/otelcasenum"
)

// Install the Observer on a Generator. A service passes the MeterProvider
// it exports with; here a ManualReader shows what was recorded.
func ExampleNewObserver() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))

	obs, err := otelcasenum.NewObserver(
		otelcasenum.WithMeterProvider(mp),
		otelcasenum.WithAttributes(attribute.String("generator", "tickets")),
	)
	if err != nil {
		panic(err)
	}
	table := casenumtest.NewStore() // stands in for the database and its counters
	gen, err := casenum.New(casenum.WithLayout("T-{seq}"), casenum.WithSequence(table), casenum.WithObserver(obs))
	if err != nil {
		panic(err)
	}

	for range 3 {
		if _, err := gen.Create(context.Background(), table.Insert); err != nil {
			panic(err)
		}
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	// A counter shows once it has counted something.
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			p := d.DataPoints[0]
			fmt.Printf("%s %s %d\n", m.Name, p.Attributes.Encoded(attribute.DefaultEncoder()), p.Value)
		case metricdata.Histogram[int64]:
			p := d.DataPoints[0]
			fmt.Printf("%s %s count=%d sum=%d\n", m.Name, p.Attributes.Encoded(attribute.DefaultEncoder()), p.Count, p.Sum)
		}
	}
	// Output:
	// casemint.minted generator=tickets 3
	// casemint.create.attempts generator=tickets,outcome=minted count=3 sum=3
}
