package calls

import (
	"fmt"
	"net/http"
)

// routeMetrics serves the Generator's counters to a Prometheus scraper.
const routeMetrics = "GET /metrics"

// metrics writes the Generator's Stats in Prometheus' text format, under the
// names of casenum/promcasenum. A service that already uses client_golang
// registers promcasenum.NewCollector instead; this example keeps its module
// free of that dependency.
func (s *server) metrics(w http.ResponseWriter, _ *http.Request) {
	st := s.gen.Stats()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	for _, m := range []struct {
		name, help string
		value      uint64
	}{
		{"casemint_minted_total", "Case numbers handed out by Next or stored by Create.", st.Minted},
		{"casemint_attempts_total", "Candidates tried, the fallback layout's included.", st.Attempts},
		{"casemint_collisions_total", "Candidates found taken, by the Checker or the insert.", st.Collisions},
		{"casemint_aborted_total", "Attempts the database refused with nothing stored; retried.", st.Aborted},
		{"casemint_fallbacks_total", "Calls that went on to the fallback layout.", st.Fallbacks},
		{"casemint_exhausted_total", "Calls that ended with every attempt used up.", st.Exhausted},
		{"casemint_errors_total", "Calls that ended with any other error, context errors included.", st.Errors},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", m.name, m.help, m.name, m.name, m.value)
	}
}
