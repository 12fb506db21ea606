// Package promcasenum exports a casenum.Generator's Stats to Prometheus
// through a Collector that the application registers itself:
//
//	reg.MustRegister(promcasenum.NewCollector(gen, prometheus.Labels{"generator": "tickets"}))
//
// The counters, read from Stats at each scrape:
//
//	casemint_minted_total      numbers handed out by Next or stored by Create
//	casemint_attempts_total    candidates tried, the fallback's included
//	casemint_collisions_total  candidates found taken
//	casemint_aborted_total     attempts the database refused, nothing stored
//	casemint_fallbacks_total   calls that went on to the fallback layout
//	casemint_exhausted_total   calls that ended with casenum.ErrExhausted
//	casemint_errors_total      calls that ended with another error
//
// A program with several Generators registers a Collector for each, told
// apart by a constant label. Nothing is registered globally.
package promcasenum

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/casemint/casemint/casenum"
)

// collector reads a Generator's Stats when it is collected.
type collector struct {
	gen *casenum.Generator
	err error // the Generator was nil

	minted, collisions, aborted, fallbacks, exhausted, errors *prometheus.Desc
	attempts                                                  *prometheus.Desc
}

// NewCollector returns a prometheus.Collector of g's Stats, each metric
// with the constant labels constLabels (nil for none). The Collector takes
// one snapshot of the Stats per collection, without locking the Generator.
//
// NewCollector cannot return an error, so it reports a mistake where the
// registry looks: for a nil g, or constLabels that are not valid label
// names, registering the Collector fails with an error that says why.
func NewCollector(g *casenum.Generator, constLabels prometheus.Labels) prometheus.Collector {
	c := &collector{gen: g}
	if g == nil {
		c.err = errors.New("promcasenum: nil Generator")
		return c
	}
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, nil, constLabels)
	}
	c.minted = desc("casemint_minted_total", "Case numbers handed out by Next or stored by Create.")
	c.attempts = desc("casemint_attempts_total", "Candidates tried, the fallback layout's included.")
	c.collisions = desc("casemint_collisions_total", "Candidates found taken, by the Checker or the insert.")
	c.aborted = desc("casemint_aborted_total", "Attempts the database refused with nothing stored; retried.")
	c.fallbacks = desc("casemint_fallbacks_total", "Calls that went on to the fallback layout.")
	c.exhausted = desc("casemint_exhausted_total", "Calls that ended with every attempt used up.")
	c.errors = desc("casemint_errors_total", "Calls that ended with any other error, context errors included.")
	return c
}

// Describe sends the descriptors of the seven counters, or an invalid one
// for a nil Generator.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	if c.err != nil {
		ch <- prometheus.NewInvalidDesc(c.err)
		return
	}
	for _, d := range []*prometheus.Desc{c.minted, c.attempts, c.collisions, c.aborted, c.fallbacks, c.exhausted, c.errors} {
		ch <- d
	}
}

// Collect sends the counters from one snapshot of the Stats.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	if c.err != nil {
		ch <- prometheus.NewInvalidMetric(prometheus.NewInvalidDesc(c.err), c.err)
		return
	}
	st := c.gen.Stats()
	for _, m := range []struct {
		desc *prometheus.Desc
		v    uint64
	}{
		{c.minted, st.Minted},
		{c.attempts, st.Attempts},
		{c.collisions, st.Collisions},
		{c.aborted, st.Aborted},
		{c.fallbacks, st.Fallbacks},
		{c.exhausted, st.Exhausted},
		{c.errors, st.Errors},
	} {
		metric, err := prometheus.NewConstMetric(m.desc, prometheus.CounterValue, float64(m.v))
		if err != nil {
			metric = prometheus.NewInvalidMetric(m.desc, err)
		}
		ch <- metric
	}
}
