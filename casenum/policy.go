package casenum

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Retry is the policy of a Generator: how often to try and how long to wait
// between tries. Each field documents its zero value, which means its
// default.
//
// The waits grow exponentially: the wait before attempt k+1 is
// Delay*Multiplier^(k-1), capped at MaxDelay, of which a random fraction up
// to Jitter is taken off. After an attempt the database aborted, the wait is
// at least 1ms, growing by Multiplier with each abort in a row: the
// contention that refused it would refuse an immediate retry too. The
// attempts of the fallback layout continue the same schedule. Every wait
// ends at once when the context is done.
type Retry struct {
	// Attempts is the number of main-layout candidates tried. Zero means
	// 10: at a thousand numbers per second a candidate of the default
	// layout collides about once in 2,000 tries, so ten collisions in a row
	// do not happen by chance; they mean the space is saturated or the
	// Random broken. A negative value, or one above 1<<20, is refused by New.
	Attempts int

	// FallbackAttempts is the number of fallback-layout candidates tried
	// after those. Zero means 3; negative, or above 1<<20, is refused.
	// WithFallbackLayout("") turns the fallback off instead.
	FallbackAttempts int

	// Delay is the wait before the second attempt. Zero means none: a
	// collision of a layout with a random or {seq} token is resolved by the
	// next candidate's fresh value, and waiting only adds latency. A layout
	// whose only variable part is the time waits for its time resolution
	// (1ms for {unixms}) between its own attempts, capped at MaxDelay, since
	// an earlier candidate would be the same number. Negative is refused.
	Delay time.Duration

	// MaxDelay caps each wait. Zero means 100ms, or Delay when that is
	// longer; negative, or below a non-zero Delay, is refused.
	MaxDelay time.Duration

	// Multiplier is the factor between one wait and the next. Zero means 2;
	// values below 1 are refused.
	Multiplier float64

	// Jitter is the fraction, from 0 to 1, of each wait that is randomised,
	// so that callers who collided with each other do not retry in step: a
	// wait d becomes a value drawn from [d*(1-Jitter), d]. Zero means 0.5; a
	// negative value turns jitter off; above 1 is refused.
	Jitter float64
}

// The defaults of Retry's zero fields.
const (
	defaultAttempts         = 10
	defaultFallbackAttempts = 3
	defaultMaxDelay         = 100 * time.Millisecond
	defaultMultiplier       = 2.0
	defaultJitter           = 0.5
)

// maxAttempts bounds Attempts and FallbackAttempts, far above any use, so
// that their sum cannot overflow.
const maxAttempts = 1 << 20

// resolve checks r and fills its zero fields with their defaults.
func (r Retry) resolve() (Retry, error) {
	if field, v := r.invalid(); field != "" {
		return r, fmt.Errorf("casenum: invalid Retry.%s: %v", field, v)
	}
	if r.Attempts == 0 {
		r.Attempts = defaultAttempts
	}
	if r.FallbackAttempts == 0 {
		r.FallbackAttempts = defaultFallbackAttempts
	}
	if r.MaxDelay == 0 {
		// The default cap never undercuts a Delay asked for explicitly.
		r.MaxDelay = max(defaultMaxDelay, r.Delay)
	}
	if r.Multiplier == 0 {
		r.Multiplier = defaultMultiplier
	}
	switch {
	case r.Jitter == 0:
		r.Jitter = defaultJitter
	case r.Jitter < 0:
		r.Jitter = 0
	}
	return r, nil
}

// invalid returns the first field of r that New refuses, and its value.
func (r Retry) invalid() (field string, v any) {
	switch {
	case r.Attempts < 0 || r.Attempts > maxAttempts:
		return "Attempts", r.Attempts
	case r.FallbackAttempts < 0 || r.FallbackAttempts > maxAttempts:
		return "FallbackAttempts", r.FallbackAttempts
	case r.Delay < 0:
		return "Delay", r.Delay
	case r.MaxDelay < 0:
		return "MaxDelay", r.MaxDelay
	case r.MaxDelay != 0 && r.Delay > r.MaxDelay:
		return "Delay", fmt.Sprintf("%v above MaxDelay %v", r.Delay, r.MaxDelay)
	case r.Multiplier != 0 && (r.Multiplier < 1 || math.IsNaN(r.Multiplier) || math.IsInf(r.Multiplier, 0)):
		return "Multiplier", r.Multiplier
	case r.Jitter > 1 || math.IsNaN(r.Jitter):
		return "Jitter", r.Jitter
	}
	return "", nil
}

// abortDelay is the least wait after an aborted attempt: the contention
// that made the database refuse it (a deadlock, a hot row in a cluster)
// would refuse an immediate retry too.
const abortDelay = time.Millisecond

// wait returns the wait before attempt number next, before jitter, after
// aborts attempts aborted in a row: the backoff, and after an abort at
// least abortDelay, growing by Multiplier with each abort in a row.
func (r *Retry) wait(next, aborts int) time.Duration {
	d := r.backoff(next)
	if aborts > 0 {
		a := float64(abortDelay) * math.Pow(r.Multiplier, float64(aborts-1))
		d = max(d, time.Duration(min(a, float64(r.MaxDelay))))
	}
	return d
}

// backoff returns the wait before attempt number next (2 for the first
// retry), before jitter.
func (r *Retry) backoff(next int) time.Duration {
	if r.Delay <= 0 || next < 2 {
		return 0
	}
	d := float64(r.Delay) * math.Pow(r.Multiplier, float64(next-2))
	if d >= float64(r.MaxDelay) {
		return r.MaxDelay
	}
	return time.Duration(d)
}

// jittered takes a random fraction up to jitter off d.
func jittered(d time.Duration, jitter float64, rnd Random) time.Duration {
	if jitter <= 0 || d <= 0 {
		return d
	}
	u := float64(rnd.Uint64()>>11) / (1 << 53) // uniform in [0, 1)
	return d - time.Duration(float64(d)*jitter*u)
}

// sleep waits for d or until ctx is done, on the Clock's After when it has
// one, else on a real timer (which testing/synctest's fake time drives).
func sleep(ctx context.Context, clock Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if ac, ok := clock.(afterClock); ok {
		select {
		case <-ac.After(d):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
