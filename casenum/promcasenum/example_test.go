package promcasenum_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/casenum/promcasenum"
)

// Register the Collector on the registry that /metrics serves.
func ExampleNewCollector() {
	table := casenumtest.NewStore() // stands in for the database and its counters
	gen, err := casenum.New(casenum.WithLayout("T-{seq}"), casenum.WithSequence(table))
	if err != nil {
		panic(err)
	}
	reg := prometheus.NewRegistry()
	if err := reg.Register(promcasenum.NewCollector(gen, prometheus.Labels{"generator": "tickets"})); err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	for range 2 {
		if _, err := gen.Create(context.Background(), table.Insert); err != nil {
			panic(err)
		}
	}

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	fmt.Print(rec.Body)
	// Output:
	// # HELP casemint_aborted_total Attempts the database refused with nothing stored; retried.
	// # TYPE casemint_aborted_total counter
	// casemint_aborted_total{generator="tickets"} 0
	// # HELP casemint_attempts_total Candidates tried, the fallback layout's included.
	// # TYPE casemint_attempts_total counter
	// casemint_attempts_total{generator="tickets"} 2
	// # HELP casemint_collisions_total Candidates found taken, by the Checker or the insert.
	// # TYPE casemint_collisions_total counter
	// casemint_collisions_total{generator="tickets"} 0
	// # HELP casemint_errors_total Calls that ended with any other error, context errors included.
	// # TYPE casemint_errors_total counter
	// casemint_errors_total{generator="tickets"} 0
	// # HELP casemint_exhausted_total Calls that ended with every attempt used up.
	// # TYPE casemint_exhausted_total counter
	// casemint_exhausted_total{generator="tickets"} 0
	// # HELP casemint_fallbacks_total Calls that went on to the fallback layout.
	// # TYPE casemint_fallbacks_total counter
	// casemint_fallbacks_total{generator="tickets"} 0
	// # HELP casemint_minted_total Case numbers handed out by Next or stored by Create.
	// # TYPE casemint_minted_total counter
	// casemint_minted_total{generator="tickets"} 2
}
