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
	perm     *ff1      // the permutation of {seq:N:perm}; nil without a key
	reads    layoutSet // what Validate, Normalize, Parse and Find read with, and the {key} of a Generator made by ForKey
	stats    *stats    // shared with the Generators made by BindSequence and ForKey
	days     *dayCache // shared likewise
}

// config is what the options set.
type config struct {
	layoutSrc, fallbackSrc string
	fallbackSet            bool // WithFallbackLayout named the fallback
	clock                  Clock
	rnd                    Random
	checker                Checker
	seq                    Sequence
	loc                    *time.Location
	retry                  Retry
	conflict               func(error) bool // nil: as Classify says
	observer               Observer
	blockWords             []string // with blockSet: the words of WithBlocklist
	blockSet               bool
	formerSrc              []string
	permKey                []byte // WithPermutationKey
}

// Option configures a Generator in New.
type Option func(*config) error

// WithLayout sets the layout of the numbers. The default is DefaultLayout.
func WithLayout(layout string) Option {
	return func(c *config) error { c.layoutSrc = layout; return nil }
}

// WithFallbackLayout sets the layout used after the main layout's attempts
// all collided or were aborted. The default is DefaultFallbackLayout for a
// main layout without {seq}, and none for one with {seq}: a series never
// leaves its series unless this option names a fallback. "" turns the
// fallback off, so that the Generator gives up with ErrExhausted instead.
func WithFallbackLayout(layout string) Option {
	return func(c *config) error { c.fallbackSrc, c.fallbackSet = layout, true; return nil }
}

// WithFormerLayouts sets layouts the Generator minted with before: Validate,
// Normalize, Parse and Find read their numbers after those of the layout
// and the fallback layout, and Next and Create never render them.
// Parts.Layout tells which layout a number was read with. New refuses
// layouts that read a string as two numbers that differ in what Parse
// returns (a date, a time, a counter, a key), naming both.
func WithFormerLayouts(layouts ...string) Option {
	return func(c *config) error {
		c.formerSrc = append(c.formerSrc, layouts...)
		return nil
	}
}

// WithClock sets the Clock. The default is time.Now, which
// testing/synctest's fake time controls.
func WithClock(clock Clock) Option {
	return nonNil("Clock", clock == nil, func(c *config) { c.clock = clock })
}

// WithRandom sets the source of the random tokens and of the jitter. The
// default is the runtime's per-thread ChaCha8 generator behind math/rand/v2's
// functions: seeded from the operating system, unpredictable and lock-free.
// A source that is not safe for concurrent use, such as *rand.PCG, is fine:
// the Generator serialises its calls.
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

// WithConflict sets which insert errors are collisions: an error for which
// conflict returns true is retried with a new candidate. Use it when the
// table has another UNIQUE column, whose violations are no collision of the
// case number:
//
//	casenum.WithConflict(func(err error) bool { return store.UniqueViolationOn(err, "case_number") })
//
// Errors it rejects are classified as usual, except that a unique
// violation is then Failed; an error marked by Mark keeps its outcome. The
// default takes every unique violation, and ErrDuplicate, for a collision.
func WithConflict(conflict func(error) bool) Option {
	return nonNil("conflict test", conflict == nil, func(c *config) { c.conflict = conflict })
}

// WithObserver sets an Observer told of every attempt and of how every call
// ends. The default is none.
func WithObserver(o Observer) Option {
	return nonNil("Observer", o == nil, func(c *config) { c.observer = o })
}

// WithBlocklist sets the words that {alnum} tokens never spell, replacing
// the built-in list of common English offensive words that applies
// without this option; WithBlocklist() turns the list off. Words are
// ASCII letters and digits, matched in any case and with the look-alikes
// O and 0, I, L and 1 taken for each other, also where a {check} right
// after an {alnum} completes them. A draw that spells one is drawn again:
// it is no attempt and no collision, and Stats do not count it. New
// refuses a list that leaves a layout no number at all; a list that
// leaves it very few makes Next and Create fail once 100 draws in a row
// were refused.
func WithBlocklist(words ...string) Option {
	return func(c *config) error {
		c.blockWords, c.blockSet = words, true
		return nil
	}
}

// nonNil returns an Option that applies set, or refuses a nil value.
func nonNil(what string, isNil bool, set func(*config)) Option {
	return func(c *config) error {
		if isNil {
			return fmt.Errorf("casenum: nil %s", what)
		}
		set(c)
		return nil
	}
}

// New returns a Generator. With no options it renders DefaultLayout, then
// DefaultFallbackLayout, with dates in UTC; a main layout with {seq} has no
// fallback unless WithFallbackLayout names one. An invalid layout returns
// an error wrapping ErrInvalidLayout; a nil option value, an invalid Retry,
// a {seq} layout without a Sequence, layouts that read one string as two
// numbers, or a blocklist that leaves a layout no number returns an error
// that says which.
func New(opts ...Option) (*Generator, error) {
	c := config{
		layoutSrc:   DefaultLayout,
		fallbackSrc: DefaultFallbackLayout,
		clock:       systemClock{},
		rnd:         fastRandom{},
		loc:         time.UTC,
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("casenum: nil Option")
		}
		if err := opt(&c); err != nil {
			return nil, err
		}
	}
	g := &Generator{config: c, stats: new(stats), days: new(dayCache)}
	g.rnd = safeRandom(c.rnd)
	if err := g.compile(); err != nil {
		return nil, err
	}
	if err := g.setBlocklist(); err != nil {
		return nil, err
	}
	if err := g.setPermutation(); err != nil {
		return nil, err
	}
	if g.seq == nil && (g.layout.seq || g.fallback != nil && g.fallback.seq) {
		return nil, errors.New("casenum: the layout has {seq} but no Sequence was given (WithSequence)")
	}
	var err error
	if g.retry, err = c.retry.resolve(); err != nil {
		return nil, err
	}
	return g, nil
}

// compile compiles g's layouts, fallback and former layouts, and refuses a
// set that reads a string as two numbers.
func (g *Generator) compile() error {
	var err error
	if g.layout, err = ParseLayout(g.layoutSrc); err != nil {
		return err
	}
	if g.fallbackSrc != "" && (g.fallbackSet || !g.layout.seq) {
		if g.fallback, err = ParseLayout(g.fallbackSrc); err != nil {
			return fmt.Errorf("fallback: %w", err)
		}
	}
	g.reads = layoutSet{loc: g.loc, layouts: []*Layout{g.layout, g.fallback}}
	for _, src := range g.formerSrc {
		l, err := ParseLayout(src)
		if err != nil {
			return fmt.Errorf("former layout: %w", err)
		}
		g.reads.layouts = append(g.reads.layouts, l)
	}
	return refuseOverlaps(g.reads.layouts)
}

// setBlocklist gives g's layouts the blocklist of WithBlocklist, and
// refuses one that leaves a layout no number.
func (g *Generator) setBlocklist() error {
	if !g.blockSet {
		return nil
	}
	b, err := newBlocklist(g.blockWords)
	if err != nil {
		return err
	}
	for _, l := range []*Layout{g.layout, g.fallback} {
		if l == nil {
			continue
		}
		l.setBlocklist(b)
		if l.alnumSpace() == 0 {
			return fmt.Errorf("casenum: the blocklist leaves the layout %q no number: every draw of its {alnum} spells a listed word", l.src)
		}
	}
	return nil
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

// ForKey returns a Generator that renders key for {key}: a cheap copy of
// g, made as often as needed (one per request, say), that shares g's
// layouts, policy, Clock, Random, Sequence, Observer and Stats. Each key
// counts on its own, since the key is part of the scope of a {seq} after
// it: {key}-{seq} numbers PROJ-1, PROJ-2 and OPS-1, OPS-2. Its Validate,
// Normalize, Parse and Find take numbers of key only, where g's take any
// key.
//
// A key is an upper-case letter and up to 15 more upper-case letters and
// digits (PROJ, A1). Another key, or a g whose layouts have no {key},
// returns an error wrapping ErrInvalidKey.
func (g *Generator) ForKey(key string) (*Generator, error) {
	if !g.layout.key && (g.fallback == nil || !g.fallback.key) {
		return nil, fmt.Errorf("%w: the layout %q has no {key}", ErrInvalidKey, g.layout.src)
	}
	if why := keyFault(key); why != "" {
		return nil, fmt.Errorf("%w %q: %s", ErrInvalidKey, key, why)
	}
	c := *g
	c.reads.key = key
	return &c, nil
}

// keyFault says what is wrong with a key, or "".
func keyFault(key string) string {
	switch {
	case key == "":
		return "empty"
	case len(key) > maxKey:
		return fmt.Sprintf("%d characters, more than %d", len(key), maxKey)
	case key[0] < 'A' || key[0] > 'Z':
		return "a key starts with an upper-case letter A to Z"
	}
	for i := 1; i < len(key); i++ {
		if c := key[i]; !isDigit(c) && (c < 'A' || c > 'Z') {
			return fmt.Sprintf("%q at position %d: a key holds upper-case letters A to Z and digits", c, i+1)
		}
	}
	return ""
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
// Checker finds a candidate free, waiting between attempts by the Retry
// policy; without one it returns its first candidate.
//
// A number from Next is not reserved: another caller can take it before you
// store it, so keep a UNIQUE constraint on the column, or use Create, which
// learns of collisions from the insert itself.
//
// Next returns ErrExhausted when every attempt collided or was aborted, or
// the {seq} counter no longer fits the layout and no fallback layout takes
// over; an *AttemptError
// wrapping the Checker's or the Sequence's error (a lookup the database
// aborted is retried first); and ctx.Err() when the context ends during a
// wait.
func (g *Generator) Next(ctx context.Context) (string, error) {
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
// insert can state the outcome itself with Mark. When every attempt, the
// fallback's included, collided or was aborted, Create returns ErrExhausted
// wrapping the last of them (see ErrExhausted for what it says). When the
// context ends during a wait it returns ctx.Err(). A Checker, if set, is
// consulted before each insert.
//
// When a candidate with a {seq} value collides, the counter is moved past
// that value with the Sequence's Advance, if it has one, before the next
// attempt: a series skips the numbers already stored and stays gap-free.
//
// If the table has other UNIQUE columns, tell Create which violations are
// collisions with WithConflict. Inside a transaction of your own, wrap
// insert with store.Savepoint; to run a whole transaction per attempt (a
// record with child rows, uniqueness checked at COMMIT) use store.CreateTx.
// The instant a number shows is Parse(number).Time.
func (g *Generator) Create(ctx context.Context, insert func(ctx context.Context, number string) error) (string, error) {
	if insert == nil {
		return "", errors.New("casenum: Create needs an insert function")
	}
	return g.run(ctx, insert)
}

// run is the call shared by Next and Create: the main layout's attempts,
// then the fallback's, then ErrExhausted. A {key} layout needs a key.
func (g *Generator) run(ctx context.Context, insert func(context.Context, string) error) (string, error) {
	c := call{g: g, ctx: ctx, insert: insert}
	if g.observer != nil {
		c.began = g.clock.Now()
	}
	if err := ctx.Err(); err != nil {
		return "", c.fail(Failed, "", err)
	}
	if g.reads.key == "" && (g.layout.key || g.fallback != nil && g.fallback.key) {
		return "", c.fail(Failed, "", fmt.Errorf("%w: the layout %q has {key}: mint with the Generator of ForKey(key)", ErrInvalidKey, g.layout.src))
	}
	if number, done, err := c.phase(g.layout, g.retry.Attempts); done {
		return number, err
	}
	if g.fallback != nil {
		c.fallback = true
		g.stats.fallbacks.Add(1)
		if number, done, err := c.phase(g.fallback, g.retry.FallbackAttempts); done {
			return number, err
		}
	}
	g.stats.exhausted.Add(1)
	err := c.exhausted()
	c.observe(Failed, "", err)
	return "", err
}

// exhausted returns the error of a call whose attempts are used up: it
// says what used them up and wraps the last of them. It is marked Aborted
// when the database refused every attempt and none found its number taken,
// else Failed, whatever the attempts' errors were marked with.
func (c *call) exhausted() error {
	switch {
	case errors.Is(c.last, errSeqFull):
		return &marked{Failed, fmt.Errorf("%w: %w", ErrExhausted, c.last)}
	case c.aborted == c.attempts && c.found == 0:
		return &marked{Aborted, fmt.Errorf("%w: the database refused all %d attempts (busy or locked), none found its number taken: %w",
			ErrExhausted, c.attempts, c.last)}
	case c.taken.ok:
		return &marked{Failed, fmt.Errorf("%w: %d of %d attempts found their number taken; the last value tried in scope %q was %d: "+
			"if the series holds higher numbers already, move the counter past the highest with the Sequence's "+
			"Advance(ctx, scope, last), which Generator.Parse gives: %w",
			ErrExhausted, c.found, c.attempts, c.taken.scope, c.taken.v, c.last)}
	}
	return &marked{Failed, fmt.Errorf("%w: %d of %d attempts found their number taken: %w", ErrExhausted, c.found, c.attempts, c.last)}
}

// call is one Next or Create: what its attempts share.
type call struct {
	g        *Generator
	ctx      context.Context
	insert   func(context.Context, string) error // nil for Next
	began    time.Time                           // read only for an Observer
	attempts int                                 // attempts made
	aborts   int                                 // attempts aborted in a row
	found    int                                 // attempts that found their number taken
	aborted  int                                 // attempts aborted
	fallback bool                                // the call went on to the fallback layout
	last     *AttemptError                       // the last collision or abort
	taken    draw                                // the {seq} value of the last candidate that collided
}

// phase makes up to n attempts of lay. When the call ends with them it
// returns true, with the number or the error the call ends with; false
// when every attempt collided or was aborted, or lay has no number left.
func (c *call) phase(lay *Layout, n int) (string, bool, error) {
	for i := range n {
		if c.attempts > 0 {
			if err := c.wait(lay, i > 0); err != nil {
				return "", true, c.fail(Failed, "", err)
			}
		}
		c.attempts++
		number, out, err := c.attempt(lay)
		switch {
		case out == Stored:
			c.g.stats.minted.Add(1)
			c.observe(Stored, number, nil)
			return number, true, nil
		case errors.Is(err, errSeqFull):
			// The scope's counter outgrew its width: lay has no number
			// left, which is what the fallback is for.
			c.g.stats.failed.Add(1)
			c.last = &AttemptError{Attempt: c.attempts, Fallback: c.fallback, Err: err}
			return "", false, nil
		case out == Collided, out == Aborted:
			c.retry(number, out, err)
		default:
			if out == Uncertain && !errors.Is(err, ErrUncertain) {
				err = fmt.Errorf("%w: %w", ErrUncertain, err)
			}
			c.g.stats.failed.Add(1)
			return "", true, c.fail(out, number, &AttemptError{Number: number, Attempt: c.attempts, Fallback: c.fallback, Err: err})
		}
	}
	return "", false, nil
}

// wait waits before the next attempt, of lay: the Retry policy's wait and,
// after an attempt of the same layout whose only variable part is the
// time, at least that time's resolution, since an earlier candidate would
// be the same number.
func (c *call) wait(lay *Layout, sameLayout bool) error {
	r := &c.g.retry
	d := jittered(r.wait(c.attempts+1, c.aborts), r.Jitter, c.g.rnd)
	if sameLayout && !lay.random && !lay.seq {
		d = max(d, min(lay.bucket, r.MaxDelay))
	}
	return sleep(c.ctx, c.g.clock, d)
}

// retry counts and observes an attempt that collided or was aborted; the
// next attempt tries another number.
func (c *call) retry(number string, out Outcome, err error) {
	if out == Collided {
		c.g.stats.collisions.Add(1)
		c.aborts = 0
	} else {
		c.g.stats.aborted.Add(1)
		c.aborted++
		c.aborts++
	}
	c.last = &AttemptError{Number: number, Attempt: c.attempts, Fallback: c.fallback, Err: err}
	c.observe(out, number, err)
}

// fail counts and observes the error a call ends with, other than
// ErrExhausted, and returns it.
func (c *call) fail(out Outcome, number string, err error) error {
	c.g.stats.errors.Add(1)
	c.observe(out, number, err)
	return err
}

// observe tells the Observer, if any, of an Event.
func (c *call) observe(out Outcome, number string, err error) {
	if c.g.observer != nil {
		c.emit(out, number, err)
	}
}

// emit tells the Observer of an Event.
func (c *call) emit(out Outcome, number string, err error) {
	c.g.observer.Observe(c.ctx, Event{
		Outcome:  out,
		Number:   number,
		Attempt:  c.attempts,
		Fallback: c.fallback,
		Elapsed:  c.g.clock.Now().Sub(c.began),
		Err:      err,
	})
}

// attempt renders one candidate of lay, has the Checker look for it and
// insert store it, and says what became of it. A candidate whose {seq}
// value is taken moves the counter past it.
func (c *call) attempt(lay *Layout) (string, Outcome, error) {
	number, d, err := c.g.render(c.ctx, lay)
	if err != nil {
		if errors.Is(err, errSeqFull) {
			c.g.release(c.ctx, d) // the fallback stores no value of it
		}
		return "", readOutcome(err), err
	}
	out, err := c.g.store(c.ctx, number, c.insert)
	switch {
	case out == Collided:
		c.found++
		if d.ok {
			c.taken = d
			if err := c.g.advance(c.ctx, d); err != nil {
				return number, readOutcome(err), err
			}
		}
	case out == Aborted:
		c.g.release(c.ctx, d)
	}
	return number, out, err
}

// release tells the Sequence, when it can be told, that d's value was
// drawn and not stored, so that a Sequence that drew it in a transaction
// the next attempt's insert would reuse can undo the draw.
func (g *Generator) release(ctx context.Context, d draw) {
	if r, ok := g.seq.(releaser); ok && d.ok {
		r.Release(ctx, d.scope, d.v)
	}
}

// advance moves the counter of d's scope past d's value, when the
// Sequence can.
func (g *Generator) advance(ctx context.Context, d draw) error {
	a, ok := g.seq.(advancer)
	if !ok {
		return nil
	}
	if err := a.Advance(ctx, d.scope, d.v); err != nil {
		return fmt.Errorf("casenum: sequence: the number was taken, and moving the counter of scope %q past %d failed: %w", d.scope, d.v, err)
	}
	return nil
}

// store has the Checker look for number and insert store it, and says
// what became of it.
func (g *Generator) store(ctx context.Context, number string, insert func(context.Context, string) error) (Outcome, error) {
	if g.checker != nil {
		found, err := g.checker.Exists(ctx, number)
		switch {
		case err != nil:
			return readOutcome(err), fmt.Errorf("checking: %w", err)
		case found:
			return Collided, fmt.Errorf("%w: the Checker found it stored", ErrDuplicate)
		}
	}
	if insert == nil {
		return Stored, nil
	}
	if err := insert(ctx, number); err != nil {
		return classify(err, g.conflict, ctx.Err() != nil), err
	}
	return Stored, nil
}

// readOutcome classifies an error of a Checker or a Sequence: they store
// no record, so an attempt the database refused is retried and anything
// else fails.
func readOutcome(err error) Outcome {
	if Classify(err) == Aborted {
		return Aborted
	}
	return Failed
}

// render draws one candidate of l from one clock reading, taken only when
// l has a time token, and tells the {seq} value it drew.
func (g *Generator) render(ctx context.Context, l *Layout) (string, draw, error) {
	r := renderer{g: g, ctx: ctx}
	if l.bucket != 0 {
		r.t = g.clock.Now()
	}
	var buf [96]byte
	b, err := l.appendTo(buf[:0], &r)
	if err != nil {
		return "", r.drew, err
	}
	return string(b), r.drew, nil
}
