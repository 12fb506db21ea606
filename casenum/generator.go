package casenum

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The layouts of a Generator made with no options.
const (
	// DefaultLayout renders CASE-20250929-1759131413832-073: the date, the
	// Unix time in milliseconds and three random digits.
	DefaultLayout = "CASE-{date}-{unixms}-{rand:3}"

	// DefaultFallbackLayout renders CASE-20250929-1f0c3a9e: the date and the
	// first eight hex digits of a random UUID.
	DefaultFallbackLayout = "CASE-{date}-{uuid:8}"
)

// Generator mints case numbers from a layout. Create it with New. A
// Generator is immutable and safe for concurrent use; it makes the Random it
// is given safe too.
type Generator struct {
	config             // as resolved by New: rnd made safe, retry defaulted
	layout   *Layout   // compiled from config.layoutSrc
	fallback *Layout   // nil when turned off
	stats    *stats    // shared with the Generators made by BindSequence
	ticks    *tickText // shared likewise
}

// config is what the options set.
type config struct {
	layoutSrc, fallbackSrc string
	clock                  Clock
	rnd                    Random
	checker                Checker
	seq                    Sequence
	loc                    *time.Location
	retry                  Retry
	conflict               func(error) bool // nil: as classify says
	classify               func(error) Outcome
	observer               Observer
}

// Option configures a Generator in New.
type Option func(*config) error

// WithLayout sets the layout of the numbers. The default is DefaultLayout.
func WithLayout(layout string) Option {
	return func(c *config) error { c.layoutSrc = layout; return nil }
}

// WithFallbackLayout sets the layout used after the main layout's attempts
// all collided. The default is DefaultFallbackLayout; "" turns the fallback
// off, so that the Generator gives up with ErrExhausted instead.
func WithFallbackLayout(layout string) Option {
	return func(c *config) error { c.fallbackSrc = layout; return nil }
}

// WithClock sets the Clock. The default is time.Now, which
// testing/synctest's fake time controls. The Generator calls it once per
// millisecond and adds time.Since that reading for the calls in between
// (one read of the monotonic clock instead of two clock reads), so a step
// of the wall clock shows from the next millisecond on.
func WithClock(clock Clock) Option {
	return nonNil("Clock", clock == nil, func(c *config) { c.clock = clock })
}

// WithRandom sets the source of the random tokens and of the jitter. The
// default is the runtime's per-thread ChaCha8 generator behind math/rand/v2's
// functions: seeded from the operating system, unpredictable and lock-free.
// NewCryptoRandom reads crypto/rand instead. A source that is not safe for concurrent use,
// such as *rand.PCG, is fine: the Generator serialises its calls.
func WithRandom(r Random) Option {
	return nonNil("Random", r == nil, func(c *config) { c.rnd = r })
}

// WithChecker sets a Checker consulted for every candidate before Next hands
// it out or Create inserts it. By default there is none: Next returns its
// first candidate and Create relies on the insert alone.
func WithChecker(ch Checker) Option {
	return nonNil("Checker", ch == nil, func(c *config) { c.checker = ch })
}

// WithSequence sets the Sequence behind {seq} tokens. A layout with {seq}
// needs one; there is no default.
func WithSequence(s Sequence) Option {
	return nonNil("Sequence", s == nil, func(c *config) { c.seq = s })
}

// WithLocation sets the time zone of the date tokens. The default is UTC,
// so that every replica of a service prints the same date for the same
// instant; use time.Local for the machine's zone.
func WithLocation(loc *time.Location) Option {
	return nonNil("Location", loc == nil, func(c *config) { c.loc = loc })
}

// WithRetry sets the retry policy. Zero fields take their defaults.
func WithRetry(r Retry) Option {
	return func(c *config) error { c.retry = r; return nil }
}

// WithConflict sets what counts as a collision: an insert error for which
// conflict returns true is retried with a new candidate. Use it when the
// table has another UNIQUE column, whose violations must not be taken for
// a taken number:
//
//	casenum.WithConflict(func(err error) bool { return store.UniqueViolationOn(err, "case_number") })
//
// Errors it rejects are classified as usual, except that a unique
// violation is then Failed. The default takes every unique violation, and
// ErrDuplicate, for a collision.
func WithConflict(conflict func(error) bool) Option {
	return nonNil("conflict test", conflict == nil, func(c *config) { c.conflict = conflict })
}

// WithClassifier replaces Classify as the judge of what became of an
// attempt, for drivers or errors of your own that Classify does not know.
// Handle your cases and return Classify(err) for the rest. A conflict test
// set by WithConflict still decides collisions, and errors that package
// store marks (an attempt inside a caller's transaction, an unanswered
// COMMIT) keep their outcome.
func WithClassifier(classify func(error) Outcome) Option {
	return nonNil("classifier", classify == nil, func(c *config) { c.classify = classify })
}

// WithObserver sets an Observer told of every mint, collision, fallback and
// failure. The default is none.
func WithObserver(o Observer) Option {
	return nonNil("Observer", o == nil, func(c *config) { c.observer = o })
}

// nonNil returns an Option that applies set, or refuses a nil value.
func nonNil(what string, isNil bool, set func(*config)) Option {
	return func(c *config) error {
		if isNil {
			return fmt.Errorf("%w: nil %s", ErrInvalidOption, what)
		}
		set(c)
		return nil
	}
}

// New returns a Generator. With no options it renders DefaultLayout, then
// DefaultFallbackLayout, with dates in UTC. Invalid layouts
// return an error wrapping ErrInvalidLayout; other unusable options one
// wrapping ErrInvalidOption.
func New(opts ...Option) (*Generator, error) {
	c := config{
		layoutSrc:   DefaultLayout,
		fallbackSrc: DefaultFallbackLayout,
		clock:       systemClock{},
		rnd:         fastRandom{},
		loc:         time.UTC,
		classify:    Classify,
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil Option", ErrInvalidOption)
		}
		if err := opt(&c); err != nil {
			return nil, err
		}
	}
	_, system := c.clock.(systemClock)
	g := &Generator{config: c, stats: new(stats), ticks: &tickText{system: system}}
	g.rnd = safeRandom(c.rnd)
	var err error
	if g.layout, err = ParseLayout(c.layoutSrc); err != nil {
		return nil, err
	}
	if c.fallbackSrc != "" {
		if g.fallback, err = ParseLayout(c.fallbackSrc); err != nil {
			return nil, fmt.Errorf("fallback: %w", err)
		}
	}
	if g.seq == nil && (g.layout.seq || g.fallback != nil && g.fallback.seq) {
		return nil, fmt.Errorf("%w: the layout has {seq} but no Sequence was given (WithSequence)", ErrInvalidOption)
	}
	if g.retry, err = c.retry.resolve(); err != nil {
		return nil, err
	}
	return g, nil
}

// BindSequence returns a Generator that shares g's layouts, policy,
// Random, Observer and Stats but draws {seq} values from s. It is cheap,
// made for a Sequence bound to one transaction, so that the counter and the
// record commit or roll back together (gap-free numbering):
//
//	tx, _ := db.BeginTx(ctx, nil)
//	n, err := gen.BindSequence(seq.WithTx(tx)).Create(ctx, store.Savepoint(tx, insert))
//
// A nil s returns g unchanged.
func (g *Generator) BindSequence(s Sequence) *Generator {
	if s == nil {
		return g
	}
	c := *g
	c.seq = s
	return &c
}

// Layout returns the Generator's main layout.
func (g *Generator) Layout() *Layout { return g.layout }

// FallbackLayout returns the Generator's fallback layout, or nil when the
// fallback is turned off.
func (g *Generator) FallbackLayout() *Layout { return g.fallback }

// Sequence returns the Sequence behind the Generator's {seq} tokens, or nil
// when it has none. Package store uses it to draw the counter in the
// transaction of each attempt.
func (g *Generator) Sequence() Sequence { return g.seq }

// Stats returns the Generator's counters since New.
func (g *Generator) Stats() Stats { return g.stats.snapshot() }

// Next returns a new case number. With a Checker it retries until the
// Checker calls a candidate free, waiting between attempts by the Retry
// policy; without one it returns its first candidate.
//
// A number from Next is not reserved: another caller can take it before you
// store it, so keep a UNIQUE constraint on the column, or use Create, which
// learns of collisions from the insert itself.
//
// Next returns ErrExhausted when every attempt collided; an *AttemptError
// wrapping the Checker's or the Sequence's error (a lookup the database
// aborted is retried first); and ctx.Err() when the context ends during a
// wait.
func (g *Generator) Next(ctx context.Context) (string, error) {
	if g.checker == nil && g.observer == nil && !g.layout.seq && ctx.Err() == nil {
		// Nothing can refuse the first candidate: skip the retry loop,
		// unless rendering fails, which the loop reports.
		if g.layout.digits {
			// Not render: the reading itself is not needed here, only
			// that the cached millisecond has not ended.
			if e, _ := g.ticks.now(g.layout, g.loc); e != nil {
				var buf [96]byte
				number := string(e.appendDigits(buf[:0], g.layout, g.rnd))
				g.stats.minted.add()
				return number, nil
			}
		}
		if g.layout.bucket == 0 {
			// No time token: the number needs no clock reading.
			var buf [96]byte
			r := renderer{loc: g.loc, rnd: g.rnd, ctx: ctx}
			if b, err := g.layout.appendTo(buf[:0], &r); err == nil {
				g.stats.minted.add()
				return string(b), nil
			}
		}
		if number, _, err := g.render(ctx, g.layout); err == nil {
			g.stats.minted.add()
			return number, nil
		}
	}
	return g.run(ctx, nil)
}

// Create mints a number and stores it with insert, the recommended path.
// insert is called with each candidate, and what it returns is classified
// (see Outcome and Classify):
//
//   - nil: Create returns the number.
//   - a collision (ErrDuplicate or a unique violation): the next attempt
//     tries a new candidate.
//   - aborted (a deadlock, a cluster's certification failure): likewise,
//     after the Retry policy's wait; counted in Stats.Aborted.
//   - uncertain (the connection lost after sending, the context ended
//     while insert ran): Create returns at once with an *AttemptError that
//     wraps ErrUncertain and the cause and carries the number, which may be
//     stored. Look it up before trying again.
//   - anything else: returned at once as an *AttemptError wrapping it.
//
// When every attempt, the fallback's included, collided or was aborted,
// Create returns ErrExhausted wrapping the last of them. When the context
// ends during a wait it returns ctx.Err(). A Checker, if set, is consulted
// before each insert.
//
// If the table has other UNIQUE columns, tell Create which violations are
// collisions with WithConflict. Inside a transaction of your own, wrap
// insert with store.Savepoint; to run a whole transaction per attempt (a
// record with child rows, uniqueness checked at COMMIT) use store.CreateTx.
func (g *Generator) Create(ctx context.Context, insert func(ctx context.Context, number string) error) (string, error) {
	if insert == nil {
		return "", fmt.Errorf("%w: Create needs an insert function", ErrInvalidOption)
	}
	return g.run(ctx, insert)
}

// run is the retry loop shared by Next and Create: it decides, from what
// each attempt returns, whether to stop, wait and try again, or move on to
// the fallback layout.
func (g *Generator) run(ctx context.Context, insert func(context.Context, string) error) (string, error) {
	var began time.Time
	if g.observer != nil {
		began = g.clock.Now()
	}
	if err := ctx.Err(); err != nil {
		return "", g.fail(ctx, Event{}, err, began)
	}
	total := g.retry.Attempts
	if g.fallback != nil {
		total += g.retry.FallbackAttempts
	}
	var last *AttemptError // the last collision or abort
	aborts := 0            // attempts aborted in a row
	for attempt := 1; attempt <= total; attempt++ {
		lay, fallback := g.layout, attempt > g.retry.Attempts
		if fallback {
			lay = g.fallback
		}
		if attempt > 1 {
			if fallback && attempt == g.retry.Attempts+1 {
				g.stats.fallbacks.Add(1)
				g.observe(ctx, Event{Kind: EventFallback, Attempt: attempt, Fallback: true, Err: last}, began)
			}
			wait := jittered(g.retry.wait(attempt, aborts), g.retry.Jitter, g.rnd)
			if !lay.random && !lay.seq && attempt != g.retry.Attempts+1 {
				// Only the time varies: a retry of the same layout before
				// the next tick renders the same number, so wait a whole
				// tick.
				wait = max(wait, min(lay.bucket, g.retry.MaxDelay))
			}
			if err := sleep(ctx, g.clock, wait); err != nil {
				return "", g.fail(ctx, Event{Attempt: attempt, Fallback: fallback}, err, began)
			}
		}
		number, out, err := g.attempt(ctx, lay, insert)
		e := Event{Number: number, Attempt: attempt, Fallback: fallback, Err: err}
		switch out {
		case Stored:
			g.stats.minted.add()
			if g.observer != nil {
				e.Kind = EventMinted
				g.observe(ctx, e, began)
			}
			return number, nil
		case Collided, Aborted:
			if out == Collided {
				g.stats.collisions.Add(1)
				e.Kind = EventCollision
				aborts = 0
			} else {
				g.stats.aborted.Add(1)
				e.Kind = EventAborted
				aborts++
			}
			g.observe(ctx, e, began)
			last = &AttemptError{Number: number, Attempt: attempt, Fallback: fallback, Err: err}
			continue
		case layoutFull:
			// The scope's counter is used up: the main layout cannot
			// produce another number, which is what the fallback is for.
			g.stats.failedAttempts.Add(1)
			last = &AttemptError{Attempt: attempt, Fallback: fallback, Err: err}
			if !fallback && g.fallback != nil {
				attempt = g.retry.Attempts // the loop moves on to the fallback
				continue
			}
			attempt = total
			continue
		case Uncertain:
			if !errors.Is(err, ErrUncertain) {
				err = fmt.Errorf("%w: %w", ErrUncertain, err)
			}
		}
		g.stats.failedAttempts.Add(1)
		return "", g.fail(ctx, e, &AttemptError{Number: number, Attempt: attempt, Fallback: fallback, Err: err}, began)
	}
	g.stats.exhausted.Add(1)
	err := fmt.Errorf("%w: %w", ErrExhausted, last)
	g.observe(ctx, Event{Kind: EventExhausted, Attempt: total, Fallback: g.fallback != nil, Err: err}, began)
	return "", err
}

// layoutFull is the outcome of an attempt whose {seq} counter no longer
// fits its width.
const layoutFull Outcome = 255

// attempt renders one candidate of lay, checks it with the Checker and
// stores it with insert, and says what became of it.
func (g *Generator) attempt(ctx context.Context, lay *Layout, insert func(context.Context, string) error) (string, Outcome, error) {
	number, reading, err := g.render(ctx, lay)
	if err != nil {
		if errors.Is(err, errSeqFull) {
			return "", layoutFull, err
		}
		return "", g.readOutcome(err), err
	}
	if g.checker == nil && insert == nil {
		return number, Stored, nil
	}
	actx := context.WithValue(ctx, candidateKey{}, reading)
	if g.checker != nil {
		taken, err := g.checker.Exists(actx, number)
		if err != nil {
			return number, g.readOutcome(err), fmt.Errorf("checking: %w", err)
		}
		if taken {
			return number, Collided, fmt.Errorf("%w: taken (Checker)", ErrDuplicate)
		}
	}
	if insert == nil {
		return number, Stored, nil
	}
	err = insert(actx, number)
	return number, g.outcome(ctx, err), err
}

// outcome classifies what insert returned.
func (g *Generator) outcome(ctx context.Context, err error) Outcome {
	if err == nil {
		return Stored
	}
	if o, ok := markOf(err); ok {
		return o // the insert's own verdict comes first
	}
	o := g.classify(err)
	if g.conflict != nil {
		switch {
		case g.conflict(err):
			o = Collided
		case o == Collided:
			o = Failed
		}
	}
	switch {
	case o == Stored || o > Uncertain: // not an outcome of an error
		o = Failed
	case o == Failed && ctx.Err() != nil:
		// The context ended while insert ran: it may have been stored
		// before the error, whatever the error says.
		o = Uncertain
	}
	return o
}

// readOutcome classifies an error of a Checker or a Sequence: they store
// no record, so an attempt the database refused is retried and anything
// else fails.
func (g *Generator) readOutcome(err error) Outcome {
	o, ok := markOf(err)
	if !ok {
		o = g.classify(err)
	}
	if o == Aborted {
		return Aborted
	}
	return Failed
}

// render draws one candidate from one instant, which it returns too.
func (g *Generator) render(ctx context.Context, l *Layout) (string, time.Time, error) {
	var buf [96]byte
	var t time.Time
	e, d := g.ticks.now(l, g.loc)
	if e != nil {
		t = e.at.Add(d)
	} else {
		t = g.clock.Now()
		e = g.ticks.entry(l, t, g.loc)
	}
	if e != nil && l.digits {
		return string(e.appendDigits(buf[:0], l, g.rnd)), t, nil
	}
	r := renderer{t: t, loc: g.loc, ticks: g.ticks, rnd: g.rnd, seq: g.seq, ctx: ctx}
	b, err := l.appendTo(buf[:0], &r)
	if err != nil {
		return "", r.t, err
	}
	return string(b), r.t, nil
}

type candidateKey struct{}

// CandidateTime returns the instant a candidate was rendered from. It
// is set in the context that Create passes to the insert function and that
// the Checker receives, so a record can store the very instant its number
// shows: a date column filled from a second reading can disagree with the
// number's {date} at midnight.
func CandidateTime(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(candidateKey{}).(time.Time)
	return t, ok
}

// fail counts and observes the error a call ends with.
func (g *Generator) fail(ctx context.Context, e Event, err error, began time.Time) error {
	g.stats.errors.Add(1)
	e.Kind, e.Err = EventError, err
	g.observe(ctx, e, began)
	return err
}

func (g *Generator) observe(ctx context.Context, e Event, began time.Time) {
	if g.observer == nil {
		return
	}
	if !began.IsZero() {
		e.Elapsed = g.clock.Now().Sub(began)
	}
	g.observer.Observe(ctx, e)
}
