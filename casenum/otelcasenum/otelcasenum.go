// Package otelcasenum reports what a casenum.Generator does through the
// OpenTelemetry API: counters that follow its Stats, histograms of how
// long each call took and of how many attempts it made, and events on the
// caller's span for each collision, aborted attempt and fallback.
//
// Install the Observer that NewObserver returns with casenum.WithObserver.
// It uses the API only; the application chooses the SDK and the exporter.
//
// The instruments, of the instrumentation scope
// github.com/casemint/casemint/casenum/otelcasenum:
//
//	casemint.minted           counter    {number}     numbers handed out by Next or stored by Create
//	casemint.collisions       counter    {collision}  attempts that collided
//	casemint.aborted          counter    {attempt}    attempts the database refused, nothing stored
//	casemint.fallbacks        counter    {call}       calls that went on to the fallback layout
//	casemint.exhausted        counter    {call}       calls that ended with casenum.ErrExhausted
//	casemint.errors           counter    {call}       calls that ended with another error
//	casemint.create.duration  histogram  s            one per Create or Next call
//	casemint.create.attempts  histogram  {attempt}    one per Create or Next call
//
// The counters and histograms follow the casenum.Events: one for each
// attempt, the last of a call telling how it ended. The histograms carry
// the attribute outcome, one of minted, exhausted, error and uncertain (the
// error wraps casenum.ErrUncertain: the number may be stored). The duration
// is read on the Generator's Clock. Besides outcome, every measurement
// carries the attributes given to WithAttributes and nothing else: a case
// number never becomes an attribute, so the number of series stays fixed.
//
// The span events are casemint.collision and casemint.aborted, one per
// attempt, and casemint.fallback, once at the end of a call that went on to
// the fallback layout, with the attributes casemint.attempt (1-based; for
// casemint.fallback, the call's attempts) and casemint.fallback (whether the
// candidate came from the fallback layout). They carry neither the number
// nor the error's text, which often quotes the number: case numbers
// identify people's cases, and a trace backend keeps whatever it is sent.
// Put the number on your own span if you want it there.
package otelcasenum

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/casemint/casemint/casenum"
)

const scope = "github.com/casemint/casemint/casenum/otelcasenum"

// outcomeKey is the attribute of the histograms that tells how a call ended.
const outcomeKey = attribute.Key("outcome")

// The bounds of the histograms' buckets. The duration's are those that
// OpenTelemetry's conventions advise for a database client's operations:
// a call is one round trip or a few. Every number stored at the first
// attempt falls in the first bucket of the attempts' histogram.
var (
	durationBounds = []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}
	attemptsBounds = []float64{1, 2, 3, 5, 8, 13, 21}
)

// Option configures NewObserver.
type Option func(*config) error

type config struct {
	mp    metric.MeterProvider
	tp    trace.TracerProvider
	attrs []attribute.KeyValue
}

// WithMeterProvider sets the MeterProvider of the instruments. The default
// is otel.GetMeterProvider() at the time of NewObserver.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) error {
		if mp == nil {
			return invalid("nil MeterProvider")
		}
		c.mp = mp
		return nil
	}
}

// WithTracerProvider sets the TracerProvider that decides whether the
// Observer adds span events. The Observer starts no spans: it adds its
// events to the recording span in the caller's context, whichever provider
// started it. A no-op provider (go.opentelemetry.io/otel/trace/noop) turns
// the events off. The default is otel.GetTracerProvider() at the time of
// NewObserver.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) error {
		if tp == nil {
			return invalid("nil TracerProvider")
		}
		c.tp = tp
		return nil
	}
}

// WithAttributes adds attrs to every measurement, for instance the name of
// the Generator when a program has several. Keep their values few: each
// distinct set is a series of its own. An invalid attribute, or one named
// outcome, is refused.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return func(c *config) error {
		for _, kv := range attrs {
			switch {
			case !kv.Valid():
				return invalid(fmt.Sprintf("attribute %q is invalid", kv.Key))
			case kv.Key == outcomeKey:
				return invalid(fmt.Sprintf("attribute %q is set by the Observer", kv.Key))
			}
		}
		c.attrs = append(c.attrs, attrs...)
		return nil
	}
}

func invalid(what string) error {
	return errors.New("otelcasenum: " + what)
}

// How a call ended: the values of the outcome attribute.
const (
	outMinted = iota
	outExhausted
	outError
	outUncertain
	outcomes
)

var outcomeNames = [outcomes]string{"minted", "exhausted", "error", "uncertain"}

// observer holds the instruments and, made once, the options that carry
// the attributes, so that a measurement allocates nothing.
type observer struct {
	minted, collisions, aborted, fallbacks, exhausted, errors metric.Int64Counter
	duration                                                  metric.Float64Histogram
	attempts                                                  metric.Int64Histogram

	add        []metric.AddOption
	record     [outcomes][]metric.RecordOption
	spanEvents bool
}

// NewObserver returns a casenum.Observer that records what a Generator
// does on the instruments and span events described in the package doc.
// A nil or invalid option returns an error that says which. The Observer
// is safe for concurrent use.
func NewObserver(opts ...Option) (casenum.Observer, error) {
	c := config{mp: otel.GetMeterProvider(), tp: otel.GetTracerProvider()}
	for _, opt := range opts {
		if opt == nil {
			return nil, invalid("nil Option")
		}
		if err := opt(&c); err != nil {
			return nil, err
		}
	}
	_, off := c.tp.(noop.TracerProvider)
	o := &observer{spanEvents: !off}

	base := attribute.NewSet(c.attrs...)
	o.add = []metric.AddOption{metric.WithAttributeSet(base)}
	for i, name := range outcomeNames {
		set := attribute.NewSet(append(base.ToSlice(), outcomeKey.String(name))...)
		o.record[i] = []metric.RecordOption{metric.WithAttributeSet(set)}
	}

	meter := c.mp.Meter(scope)
	counters := []struct {
		dst        *metric.Int64Counter
		name, unit string
		desc       string
	}{
		{&o.minted, "casemint.minted", "{number}", "Case numbers handed out by Next or stored by Create."},
		{&o.collisions, "casemint.collisions", "{collision}", "Attempts that collided: the Checker or the insert found the number stored."},
		{&o.aborted, "casemint.aborted", "{attempt}", "Attempts the database refused with nothing stored; retried."},
		{&o.fallbacks, "casemint.fallbacks", "{call}", "Calls that went on to the fallback layout."},
		{&o.exhausted, "casemint.exhausted", "{call}", "Calls that ended with every attempt used up."},
		{&o.errors, "casemint.errors", "{call}", "Calls that ended with any other error, context errors included."},
	}
	var err error
	for _, ct := range counters {
		*ct.dst, err = meter.Int64Counter(ct.name, metric.WithUnit(ct.unit), metric.WithDescription(ct.desc))
		if err != nil {
			return nil, fmt.Errorf("otelcasenum: %s: %w", ct.name, err)
		}
	}
	o.duration, err = meter.Float64Histogram("casemint.create.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of each Create or Next call, by outcome."),
		metric.WithExplicitBucketBoundaries(durationBounds...))
	if err != nil {
		return nil, fmt.Errorf("otelcasenum: casemint.create.duration: %w", err)
	}
	o.attempts, err = meter.Int64Histogram("casemint.create.attempts",
		metric.WithUnit("{attempt}"),
		metric.WithDescription("Attempts made by each Create or Next call, by outcome."),
		metric.WithExplicitBucketBoundaries(attemptsBounds...))
	if err != nil {
		return nil, fmt.Errorf("otelcasenum: casemint.create.attempts: %w", err)
	}
	return o, nil
}

// Observe records e.
func (o *observer) Observe(ctx context.Context, e casenum.Event) {
	switch e.Outcome {
	case casenum.Collided:
		o.collisions.Add(ctx, 1, o.add...)
		o.spanEvent(ctx, "casemint.collision", e)
		return
	case casenum.Aborted:
		o.aborted.Add(ctx, 1, o.add...)
		o.spanEvent(ctx, "casemint.aborted", e)
		return
	}
	// The last Event of a call.
	if e.Fallback {
		o.fallbacks.Add(ctx, 1, o.add...)
		o.spanEvent(ctx, "casemint.fallback", e)
	}
	out := outMinted
	switch {
	case e.Outcome == casenum.Stored:
		o.minted.Add(ctx, 1, o.add...)
	case errors.Is(e.Err, casenum.ErrExhausted):
		o.exhausted.Add(ctx, 1, o.add...)
		out = outExhausted
	case e.Outcome == casenum.Uncertain:
		o.errors.Add(ctx, 1, o.add...)
		out = outUncertain
	default:
		o.errors.Add(ctx, 1, o.add...)
		out = outError
	}
	o.duration.Record(ctx, e.Elapsed.Seconds(), o.record[out]...)
	o.attempts.Record(ctx, int64(e.Attempt), o.record[out]...)
}

func (o *observer) spanEvent(ctx context.Context, name string, e casenum.Event) {
	if !o.spanEvents {
		return
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.AddEvent(name, trace.WithAttributes(
		attribute.Int("casemint.attempt", e.Attempt),
		attribute.Bool("casemint.fallback", e.Fallback),
	))
}
