package casenum

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/casemint/casemint/internal/sqlerr"
)

// The seed's formats, reproduced byte for byte by a Generator with no options.
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
	stats    *stats    // shared with the Generators made by WithSequence
	days     *dayCache // shared likewise
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
	conflict               func(error) bool
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

// WithClock sets the Clock. The default is the system clock.
func WithClock(clock Clock) Option {
	return nonNil("Clock", clock == nil, func(c *config) { c.clock = clock })
}

// WithRandom sets the source of the random tokens and of the jitter. The
// default is NewFastRandom. A source that is not safe for concurrent use,
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

// WithConflict sets what counts as a collision in Create: an error from the
// insert for which conflict returns true is retried with a new candidate,
// any other is returned. The default is IsConflict.
func WithConflict(conflict func(error) bool) Option {
	return nonNil("conflict test", conflict == nil, func(c *config) { c.conflict = conflict })
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

// IsConflict reports whether err says that a number is taken: it wraps
// ErrDuplicate, or it is a unique-constraint violation from one of the
// common database/sql drivers (pgx, lib/pq, go-sql-driver/mysql,
// modernc.org/sqlite, mattn/go-sqlite3, go-mssqldb), recognised by its code
// without importing the driver. It is the default conflict test of Create.
//
// An ErrExhausted error is not a conflict, although it wraps the last
// collision: a caller (or an outer retry) must not take a saturated
// Generator for one taken number.
func IsConflict(err error) bool {
	if errors.Is(err, ErrExhausted) {
		return false
	}
	return errors.Is(err, ErrDuplicate) || sqlerr.IsUniqueViolation(err)
}

// New returns a Generator. With no options it reproduces the seed's numbers:
// DefaultLayout, then DefaultFallbackLayout, dates in UTC. Invalid layouts
// return an error wrapping ErrInvalidLayout; other unusable options one
// wrapping ErrInvalidOption.
func New(opts ...Option) (*Generator, error) {
	c := config{
		layoutSrc:   DefaultLayout,
		fallbackSrc: DefaultFallbackLayout,
		clock:       systemClock{},
		rnd:         NewFastRandom(),
		loc:         time.UTC,
		conflict:    IsConflict,
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil Option", ErrInvalidOption)
		}
		if err := opt(&c); err != nil {
			return nil, err
		}
	}
	g := &Generator{config: c, stats: new(stats), days: new(dayCache)}
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
	if g.retry.Delay == 0 && !g.layout.random && !g.layout.seq {
		// Only the time varies: a retry before the next tick renders the
		// same number, so wait a whole tick, without jitter shortening it.
		g.retry.Delay = min(g.layout.bucket, g.retry.MaxDelay)
		if c.retry.Jitter == 0 {
			g.retry.Jitter = 0
		}
	}
	return g, nil
}

// WithSequence returns a Generator that shares g's layouts, policy, Random,
// Observer and Stats but draws {seq} values from s. It is cheap, made for a
// Sequence bound to one transaction, so that the counter and the record
// commit or roll back together (gap-free numbering):
//
//	tx, _ := db.BeginTx(ctx, nil)
//	n, err := gen.WithSequence(seq.WithTx(tx)).Create(ctx, store.Savepoint(tx, insert))
//
// A nil s returns g unchanged.
func (g *Generator) WithSequence(s Sequence) *Generator {
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
// Next returns ErrExhausted (wrapping the last collision) when every attempt
// collided; the Checker's or the Sequence's error wrapped, at once and with
// no number; and ctx.Err() unchanged when the context ends first.
func (g *Generator) Next(ctx context.Context) (string, error) {
	return g.run(ctx, nil)
}

// Create mints a number and stores it with insert, the recommended path.
// insert is called with each candidate: nil means stored, and Create returns
// the number; an error that the conflict test (IsConflict by default:
// ErrDuplicate or a driver's unique violation) calls a collision makes
// Create wait by the Retry policy and try a new candidate; any other error
// is returned at once, wrapped, with no number. A Checker, if set, is
// consulted before each insert.
//
// Create never surfaces a collision to its caller unless every attempt,
// the fallback's included, collided: then it returns ErrExhausted wrapping
// the last collision. When the context ends it returns ctx.Err() unchanged.
//
// Inside a PostgreSQL transaction a failed INSERT aborts the transaction:
// run each attempt under a savepoint (see package store) or use INSERT ...
// ON CONFLICT DO NOTHING and return ErrDuplicate when no row was inserted.
func (g *Generator) Create(ctx context.Context, insert func(ctx context.Context, number string) error) (string, error) {
	if insert == nil {
		return "", fmt.Errorf("%w: Create needs an insert function", ErrInvalidOption)
	}
	return g.run(ctx, insert)
}

// run is the retry loop shared by Next and Create.
func (g *Generator) run(ctx context.Context, insert func(context.Context, string) error) (string, error) {
	var began time.Time
	if g.observer != nil {
		began = g.clock.Now()
	}
	if err := ctx.Err(); err != nil {
		return "", g.fail(ctx, 0, false, err, began)
	}
	total := g.retry.Attempts
	if g.fallback != nil {
		total += g.retry.FallbackAttempts
	}
	var last error
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
			wait := jittered(g.retry.backoff(attempt), g.retry.Jitter, g.rnd)
			if err := sleep(ctx, g.clock, wait); err != nil {
				return "", g.fail(ctx, attempt, fallback, err, began)
			}
		}
		number, reading, err := g.render(ctx, lay)
		if errors.Is(err, errSeqFull) {
			// The scope's counter is used up: the main layout cannot
			// produce another number, which is what the fallback is for.
			g.stats.failedAttempts.Add(1)
			last = err
			if !fallback && g.fallback != nil {
				attempt = g.retry.Attempts // the loop moves on to the fallback
				continue
			}
			break
		}
		if err != nil {
			g.stats.failedAttempts.Add(1)
			return "", g.fail(ctx, attempt, fallback, err, began)
		}
		actx := ctx
		if g.checker != nil || insert != nil {
			actx = context.WithValue(ctx, candidateKey{}, reading)
		}
		if g.checker != nil {
			taken, err := g.checker.Exists(actx, number)
			if err != nil {
				g.stats.failedAttempts.Add(1)
				return "", g.fail(ctx, attempt, fallback, fmt.Errorf("casenum: checking %s: %w", number, err), began)
			}
			if taken {
				last = fmt.Errorf("%w: %s is taken (checker)", ErrDuplicate, number)
				g.collided(ctx, number, attempt, fallback, last, began)
				continue
			}
		}
		if insert != nil {
			if err := insert(actx, number); err != nil {
				if !g.conflict(err) {
					g.stats.failedAttempts.Add(1)
					return "", g.fail(ctx, attempt, fallback, fmt.Errorf("casenum: inserting %s: %w", number, err), began)
				}
				last = err
				g.collided(ctx, number, attempt, fallback, err, began)
				continue
			}
		}
		g.stats.minted.addFor(number)
		if g.observer != nil {
			g.observe(ctx, Event{Kind: EventMinted, Number: number, Attempt: attempt, Fallback: fallback}, began)
		}
		return number, nil
	}
	g.stats.exhausted.Add(1)
	err := fmt.Errorf("%w: %w", ErrExhausted, last)
	g.observe(ctx, Event{Kind: EventExhausted, Attempt: total, Fallback: g.fallback != nil, Err: err}, began)
	return "", err
}

// render draws one candidate from one clock reading, which it returns too.
func (g *Generator) render(ctx context.Context, l *Layout) (string, time.Time, error) {
	var buf [96]byte
	r := renderer{t: g.clock.Now(), loc: g.loc, days: g.days, rnd: g.rnd, seq: g.seq, ctx: ctx}
	b, err := l.appendTo(buf[:0], &r)
	if err != nil {
		return "", r.t, err
	}
	return string(b), r.t, nil
}

type candidateKey struct{}

// CandidateTime returns the clock reading a candidate was rendered from. It
// is set in the context that Create passes to the insert function and that
// the Checker receives, so a record can store the very instant its number
// shows: a date column filled from a second reading can disagree with the
// number's {date} at midnight.
func CandidateTime(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(candidateKey{}).(time.Time)
	return t, ok
}

func (g *Generator) collided(ctx context.Context, number string, attempt int, fallback bool, err error, began time.Time) {
	g.stats.collisions.Add(1)
	g.observe(ctx, Event{Kind: EventCollision, Number: number, Attempt: attempt, Fallback: fallback, Err: err}, began)
}

func (g *Generator) fail(ctx context.Context, attempt int, fallback bool, err error, began time.Time) error {
	// The context's own error comes back as it is, whoever noticed it
	// first: the wait, the Checker, the Sequence or the insert.
	if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
		err = cerr
	}
	g.stats.errors.Add(1)
	g.observe(ctx, Event{Kind: EventError, Attempt: attempt, Fallback: fallback, Err: err}, began)
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
