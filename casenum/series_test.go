package casenum_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// invoiceTime is a day in 2026, for the invoice series.
var invoiceTime = time.Date(2026, 3, 12, 9, 30, 0, 0, time.UTC)

// invoiceGen returns a Generator of INV-{date:2006}-{seq:4} on seq.
func invoiceGen(t *testing.T, seq casenum.Sequence, opts ...casenum.Option) *casenum.Generator {
	t.Helper()
	base := []casenum.Option{
		casenum.WithLayout("INV-{date:2006}-{seq:4}"),
		casenum.WithClock(casenumtest.NewClock(invoiceTime)),
		casenum.WithSequence(seq),
	}
	g, err := casenum.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// A layout with {seq} has no fallback unless one is named; other layouts
// keep theirs.
func TestSeriesHasNoFallback(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	if f := invoiceGen(t, s).FallbackLayout(); f != nil {
		t.Errorf("FallbackLayout() = %v, want nil for a series", f)
	}
	named := invoiceGen(t, s, casenum.WithFallbackLayout(casenum.DefaultFallbackLayout))
	if f := named.FallbackLayout(); f == nil || f.String() != casenum.DefaultFallbackLayout {
		t.Errorf("FallbackLayout() = %v, want the one named", f)
	}
	g, err := casenum.New(casenum.WithLayout("T-{rand:3}"))
	if err != nil {
		t.Fatal(err)
	}
	if f := g.FallbackLayout(); f == nil || f.String() != casenum.DefaultFallbackLayout {
		t.Errorf("FallbackLayout() = %v, want the default for a layout without {seq}", f)
	}
}

// txCounter is a Sequence drawn inside each attempt's transaction, as
// store.CreateTx draws a gap-free counter: a value is kept only when its
// number is stored (commit), and a collision rolls it back, so the next
// attempt draws the same value again unless Advance, which commits on its
// own, moves the counter past it.
type txCounter struct {
	mu        sync.Mutex
	committed map[string]uint64
	advance   bool // has Advance
}

func (c *txCounter) Next(_ context.Context, scope string) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.committed[scope] + 1, nil
}

func (c *txCounter) commit(scope string, v uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.committed[scope] = max(c.committed[scope], v)
}

// insert stores number in table and commits its counter.
func (c *txCounter) insert(g *casenum.Generator, table *casenumtest.Store) func(context.Context, string) error {
	return func(ctx context.Context, number string) error {
		if err := table.Insert(ctx, number); err != nil {
			return err
		}
		p, err := g.Parse(number)
		if err != nil {
			return err
		}
		c.commit(p.Scope, p.Seq)
		return nil
	}
}

// advancingCounter is a txCounter with Advance.
type advancingCounter struct{ *txCounter }

func (c advancingCounter) Advance(_ context.Context, scope string, last uint64) error {
	c.commit(scope, last)
	return nil
}

// Numbers imported into the table are skipped: the series goes on with the
// values between and after them, never another layout's number.
func TestSeriesSkipsTakenNumbers(t *testing.T) {
	t.Parallel()
	imported := []string{"INV-2026-0001", "INV-2026-0003"}
	want := []string{"INV-2026-0002", "INV-2026-0004", "INV-2026-0005"}
	t.Run("Create", func(t *testing.T) {
		t.Parallel()
		table := casenumtest.NewStore()
		table.Add(imported...)
		g := invoiceGen(t, table)
		checkSkipsTaken(t, g, want, func() (string, error) { return g.Create(t.Context(), table.Insert) })
	})
	t.Run("Next with a Checker", func(t *testing.T) {
		t.Parallel()
		table := casenumtest.NewStore()
		table.Add(imported...)
		g := invoiceGen(t, table, casenum.WithChecker(table))
		checkSkipsTaken(t, g, want, func() (string, error) {
			n, err := g.Next(t.Context())
			if err == nil {
				err = table.Insert(t.Context(), n)
			}
			return n, err
		})
	})
	t.Run("counter in the attempt's transaction", func(t *testing.T) {
		t.Parallel()
		table := casenumtest.NewStore()
		table.Add(imported...)
		c := advancingCounter{&txCounter{committed: map[string]uint64{}}}
		g := invoiceGen(t, c)
		insert := c.insert(g, table)
		checkSkipsTaken(t, g, want, func() (string, error) { return g.Create(t.Context(), insert) })
	})
}

// checkSkipsTaken mints numbers with mint and checks that they are want,
// found after two collisions with numbers taken, in the series.
func checkSkipsTaken(t *testing.T, g *casenum.Generator, want []string, mint func() (string, error)) {
	t.Helper()
	var got []string
	for range want {
		n, err := mint()
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		got = append(got, n)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("numbers %q, want %q", got, want)
	}
	if st := g.Stats(); st.Fallbacks != 0 || st.Collisions != 2 || st.Minted != uint64(len(want)) {
		t.Errorf("Stats = %+v, want 2 collisions, %d minted, no fallback", st, len(want))
	}
}

// Without Advance, a counter that a collision rolls back draws the taken
// value again: the call is exhausted and says where the series stands and
// how to go on; then Parse and Advance continue it.
func TestSeriesExhaustedSaysHowToContinue(t *testing.T) {
	t.Parallel()
	table := casenumtest.NewStore()
	table.Add("INV-2026-0001")
	c := &txCounter{committed: map[string]uint64{}}
	g := invoiceGen(t, c, casenum.WithRetry(casenum.Retry{Attempts: 3}))
	_, err := g.Create(t.Context(), c.insert(g, table))
	if !errors.Is(err, casenum.ErrExhausted) || !errors.Is(err, casenum.ErrDuplicate) {
		t.Fatalf("Create = %v, want ErrExhausted wrapping the collision", err)
	}
	for _, want := range []string{`scope "INV-2026-"`, "was 1", "Advance(ctx, scope, last)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if casenum.Classify(err) == casenum.Aborted {
		t.Errorf("Classify(%v) = Aborted, but numbers were taken", err)
	}
	if st := g.Stats(); st.Fallbacks != 0 || st.Exhausted != 1 || st.Collisions != 3 {
		t.Errorf("Stats = %+v, want 3 collisions, exhausted, no fallback", st)
	}

	// Continue after the imported numbers.
	p, err := g.Parse("INV-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	advancingCounter{c}.Advance(t.Context(), p.Scope, p.Seq)
	if n, err := g.Create(t.Context(), c.insert(g, table)); n != "INV-2026-0002" || err != nil {
		t.Errorf("Create after Advance = %q, %v; want INV-2026-0002", n, err)
	}
}

// advanceFails is a Store whose Advance fails with err.
type advanceFails struct {
	*casenumtest.Store
	err   error
	calls int
}

func (a *advanceFails) Advance(context.Context, string, uint64) error {
	a.calls++
	return a.err
}

// An error of Advance is treated as an error of the Sequence: an abort is
// retried, anything else ends the call with the number it was about.
func TestSeriesAdvanceErrors(t *testing.T) {
	t.Parallel()
	t.Run("failed", func(t *testing.T) {
		t.Parallel()
		down := errors.New("connection refused")
		s := &advanceFails{Store: casenumtest.NewStore(), err: down}
		s.Add("INV-2026-0001")
		g := invoiceGen(t, s)
		_, err := g.Create(t.Context(), s.Insert)
		var ae *casenum.AttemptError
		if !errors.Is(err, down) || !errors.As(err, &ae) || ae.Number != "INV-2026-0001" || errors.Is(err, casenum.ErrExhausted) {
			t.Fatalf("Create = %v, want an AttemptError for INV-2026-0001 wrapping the Advance error", err)
		}
		if !strings.Contains(err.Error(), `scope "INV-2026-" past 1`) {
			t.Errorf("error %q does not name the scope and value", err)
		}
		if st := g.Stats(); st.Errors != 1 || st.Attempts != 1 {
			t.Errorf("Stats = %+v, want one attempt, one error", st)
		}
	})
	t.Run("aborted", func(t *testing.T) {
		t.Parallel()
		s := &advanceFails{Store: casenumtest.NewStore(), err: casenum.Mark(casenum.Aborted, errors.New("deadlock"))}
		s.Add("INV-2026-0001")
		g := invoiceGen(t, s, casenum.WithClock(layoutClock{invoiceTime}), casenum.WithRetry(casenum.Retry{MaxDelay: time.Nanosecond}))
		n, err := g.Create(t.Context(), s.Insert)
		if n != "INV-2026-0002" || err != nil || s.calls != 1 {
			t.Fatalf("Create = %q, %v after %d Advance calls; want INV-2026-0002 after one", n, err, s.calls)
		}
		if st := g.Stats(); st.Aborted != 1 || st.Minted != 1 {
			t.Errorf("Stats = %+v, want the attempt counted as aborted", st)
		}
	})
	t.Run("aborted after every collision", func(t *testing.T) {
		t.Parallel()
		s := &advanceFails{Store: casenumtest.NewStore(), err: casenum.Mark(casenum.Aborted, errors.New("deadlock"))}
		s.Add("INV-2026-0001", "INV-2026-0002", "INV-2026-0003")
		g := invoiceGen(t, s, casenum.WithClock(layoutClock{invoiceTime}), casenum.WithRetry(casenum.Retry{Attempts: 3, MaxDelay: time.Nanosecond}))
		_, err := g.Create(t.Context(), s.Insert)
		if !errors.Is(err, casenum.ErrExhausted) || casenum.Classify(err) == casenum.Aborted || !strings.Contains(err.Error(), "3 of 3 attempts found their number taken") {
			t.Errorf("Create = %v, want ErrExhausted saying the numbers were taken", err)
		}
	})
}

// mintN returns the next n numbers of g.
func mintN(t *testing.T, g *casenum.Generator, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		out[i] = mint(t, g)
	}
	return out
}

// A counter renders unpadded ({seq}) or padded to at least N ({seq:N}),
// and grows past N wherever what follows delimits it: the numbers stay in
// their series and read back.
func TestCounterGrows(t *testing.T) {
	t.Parallel()
	t.Run("unpadded", func(t *testing.T) {
		t.Parallel()
		got := mintN(t, layoutGen(t, "BILL-{seq}", casenum.WithSequence(casenumtest.NewStore())), 12)
		if got[6] != "BILL-7" || got[11] != "BILL-12" {
			t.Errorf("numbers %q, want BILL-7 seventh and BILL-12 last", got)
		}
	})
	t.Run("past one digit", func(t *testing.T) {
		t.Parallel()
		g := layoutGen(t, "BILL-{seq:1}", casenum.WithSequence(casenumtest.NewStore()))
		got := mintN(t, g, 10)
		if got[8] != "BILL-9" || got[9] != "BILL-10" {
			t.Errorf("numbers %q, want BILL-9, BILL-10 at the end", got)
		}
		if p, err := g.Parse("BILL-10"); err != nil || p.Seq != 10 || p.Scope != "BILL-" {
			t.Errorf("Parse(BILL-10) = %+v, %v", p, err)
		}
	})
	t.Run("a day's 1,000th case", func(t *testing.T) {
		t.Parallel()
		s := casenumtest.NewStore()
		clock := casenumtest.NewClock(time.Date(2025, 9, 29, 8, 0, 0, 0, time.UTC))
		g := layoutGen(t, "CASE-{date}-{seq:3}", casenum.WithSequence(s), casenum.WithClock(clock))
		got := mintN(t, g, 1000)
		if got[0] != "CASE-20250929-001" || got[998] != "CASE-20250929-999" || got[999] != "CASE-20250929-1000" {
			t.Errorf("numbers %q ... %q, want 001 ... 999, 1000", got[0], got[998:])
		}
		for _, n := range got[998:] {
			if err := g.Validate(n); err != nil {
				t.Errorf("Validate(%q) = %v", n, err)
			}
		}
		clock.Advance(24 * time.Hour)
		if n := mint(t, g); n != "CASE-20250930-001" {
			t.Errorf("the next day starts at %q, want CASE-20250930-001", n)
		}
	})
	t.Run("before a check digit", func(t *testing.T) {
		t.Parallel()
		s := casenumtest.NewStore()
		if err := s.Advance(t.Context(), "INV-", 9999); err != nil {
			t.Fatal(err)
		}
		g := layoutGen(t, "INV-{seq:4}{check}", casenum.WithSequence(s))
		n := mint(t, g)
		if len(n) != len("INV-10000")+1 || n[:9] != "INV-10000" {
			t.Fatalf("after 9999: %q, want INV-10000 and a check digit", n)
		}
		if p, err := g.Parse(n); err != nil || p.Seq != 10000 {
			t.Errorf("Parse(%q) = %+v, %v", n, p, err)
		}
		if got, err := g.Normalize(strings.ToLower(n[:4]) + " " + n[4:]); got != n || err != nil {
			t.Errorf("Normalize = %q, %v; want %q", got, err, n)
		}
	})
}

// A counter reads back as it renders: at least its padding, no zero beyond
// it, at most 18 digits. Normalize writes what a person typed that way.
func TestCounterReadsBack(t *testing.T) {
	t.Parallel()
	g := readGen(t, casenum.WithLayout("BILL-{seq:3}"))
	bare := readGen(t, casenum.WithLayout("BILL-{seq}-{date:2006}"), casenum.WithClock(layoutClock{invoiceTime}))
	checkValidate(t, []validateCase{
		{g, "BILL-001", ""},
		{g, "BILL-999", ""},
		{g, "BILL-1000", ""},
		{g, "BILL-123456789012345678", ""},
		{g, "BILL-0100", "zero beyond the padding"},
		{g, "BILL-01", "too short"},
		{g, "BILL-", "too short"},
		{g, "BILL-1234567890123456789", "longer than any counter"},
		{g, "BILL-12a", `expected a digit, got "a"`},
		{g, "BILL-123a", `unexpected "a"`},
		{bare, "BILL-7-2026", ""},
		{bare, "BILL-0-2026", ""},
		{bare, "BILL-07-2026", "zero beyond the padding"},
		{bare, "BILL--2026", `expected a digit, got "-"`},
	})
	checkNormalize(t, []normalizeCase{
		{g, "bill 0100", "BILL-100"},
		{g, "bill 7", "BILL-007"},
		{g, "BILL-1OOO", "BILL-1000"},
		{bare, "bill 007 2026", "BILL-7-2026"},
		{bare, "bill/12/2026", "BILL-12-2026"},
	})
	if p, err := g.Parse("BILL-1000"); err != nil || p.Seq != 1000 || p.Scope != "BILL-" {
		t.Errorf("Parse(BILL-1000) = %+v, %v", p, err)
	}
}

// keyGen returns a Generator of {key}-{seq} on s.
func keyGen(t *testing.T, s *casenumtest.Store, opts ...casenum.Option) *casenum.Generator {
	t.Helper()
	g, err := casenum.New(append([]casenum.Option{casenum.WithLayout("{key}-{seq}"), casenum.WithSequence(s)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// One Generator serves 10,000 keys made at run time, from many goroutines
// at once: each key counts 1..n on its own, no number twice, and every
// view counts in the Generator's Stats.
func TestKeysCountOnTheirOwn(t *testing.T) {
	t.Parallel()
	const keys, perKey, workers = 10000, 3, 16
	s := casenumtest.NewStore()
	g := keyGen(t, s)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				k, err := g.ForKey(fmt.Sprintf("K%d", j%keys))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := k.Create(t.Context(), s.Insert); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	// Each key's calls are spread over the run, so views of one key run
	// at the same time on several goroutines.
	for round := range perKey {
		for i := range keys {
			jobs <- round*keys + (i*7919)%keys
		}
	}
	close(jobs)
	wg.Wait()
	if t.Failed() {
		return
	}
	counts := map[string][]uint64{}
	for _, n := range s.Numbers() {
		p, err := g.Parse(n)
		if err != nil {
			t.Fatal(err)
		}
		if p.Scope != p.Key+"-" {
			t.Fatalf("Parse(%q) = %+v: the scope is not the key's", n, p)
		}
		counts[p.Key] = append(counts[p.Key], p.Seq)
	}
	if len(counts) != keys || s.Len() != keys*perKey {
		t.Fatalf("%d keys, %d numbers; want %d keys of %d", len(counts), s.Len(), keys, perKey)
	}
	for k, seqs := range counts {
		slices.Sort(seqs)
		if fmt.Sprint(seqs) != "[1 2 3]" {
			t.Fatalf("key %s counted %v, want [1 2 3]", k, seqs)
		}
	}
	if st := g.Stats(); st.Minted != keys*perKey || st.Collisions != 0 {
		t.Errorf("Stats = %+v, want every view's numbers counted", st)
	}
}

// A {key} layout mints only through ForKey; a malformed key, or ForKey on
// a layout without {key}, is ErrInvalidKey.
func TestKeyMisuse(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	g := keyGen(t, s)
	if n, err := g.Next(t.Context()); !errors.Is(err, casenum.ErrInvalidKey) || n != "" {
		t.Errorf("Next without a key = %q, %v; want ErrInvalidKey", n, err)
	}
	if _, err := g.Create(t.Context(), s.Insert); !errors.Is(err, casenum.ErrInvalidKey) || s.Len() != 0 {
		t.Errorf("Create without a key = %v, want ErrInvalidKey and nothing stored", err)
	}
	if st := g.Stats(); st.Errors != 2 || st.Attempts != 0 {
		t.Errorf("Stats = %+v, want 2 errors and no attempt", st)
	}
	for _, key := range []string{"", "proj", "Proj", "1AB", "AB-1", "ÄB", "ABCDEFGHIJKLMNOPQ", "A B"} {
		if _, err := g.ForKey(key); !errors.Is(err, casenum.ErrInvalidKey) {
			t.Errorf("ForKey(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	for _, key := range []string{"A", "PROJ", "A1", "ABCDEFGHIJKLMNOP"} {
		if _, err := g.ForKey(key); err != nil {
			t.Errorf("ForKey(%q) = %v", key, err)
		}
	}
	plain, err := casenum.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.ForKey("PROJ"); !errors.Is(err, casenum.ErrInvalidKey) {
		t.Errorf("ForKey on a layout without {key} = %v, want ErrInvalidKey", err)
	}
}

// g.Validate takes any key, a view's only its own; Normalize writes the
// key in upper case; Parse gives it back.
func TestKeyReadsBack(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	g := keyGen(t, s)
	proj, err := g.ForKey("PROJ")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := proj.Create(t.Context(), s.Insert); n != "PROJ-1" || err != nil {
		t.Fatalf("Create = %q, %v; want PROJ-1", n, err)
	}
	checkValidate(t, []validateCase{
		{g, "PROJ-12", ""},
		{g, "OPS2-7", ""},
		{g, "ABCDEFGHIJKLMNOP-1", ""},
		{proj, "PROJ-12", ""},
		{proj, "OPS-12", "the key OPS, not PROJ"},
		{g, "proj-12", "expected a key"},
		{g, "2PROJ-12", "expected a key"},
		{g, "ABCDEFGHIJKLMNOPQ-1", "a key has 16 at most"},
		{g, "-12", "expected a key"},
	})
	checkNormalize(t, []normalizeCase{
		{g, "proj-12", "PROJ-12"},
		{g, "Ops 7", "OPS-7"},
		{proj, "proj 0012", "PROJ-12"},
	})
	if got, err := proj.Normalize("ops-1"); !errors.Is(err, casenum.ErrInvalidNumber) {
		t.Errorf("PROJ's Normalize(ops-1) = %q, %v; want ErrInvalidNumber", got, err)
	}
	if p, err := g.Parse("OPS-7"); err != nil || p.Key != "OPS" || p.Seq != 7 || p.Scope != "OPS-" {
		t.Errorf("Parse(OPS-7) = %+v, %v", p, err)
	}
}

// TestKeyCheckReadsCrockford pins what the package documentation says of a
// {check} over a {key}: the key's letters are read as Crockford symbols,
// so PR0J for PROJ keeps the check character, which a Generator that
// takes any key accepts and the Generator of ForKey("PROJ") refuses; a
// mistyped letter that is a symbol of its own is caught by both.
func TestKeyCheckReadsCrockford(t *testing.T) {
	t.Parallel()
	s := casenumtest.NewStore()
	g, err := casenum.New(casenum.WithLayout("{key}-{seq}{check}"), casenum.WithSequence(s))
	if err != nil {
		t.Fatal(err)
	}
	proj, err := g.ForKey("PROJ")
	if err != nil {
		t.Fatal(err)
	}
	n, err := proj.Next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	lookAlike := strings.Replace(n, "PROJ", "PR0J", 1)
	if err := g.Validate(lookAlike); err != nil {
		t.Errorf("any key: Validate(%q) = %v; the documentation says the check character reads O as 0", lookAlike, err)
	}
	if err := proj.Validate(lookAlike); !errors.Is(err, casenum.ErrInvalidNumber) {
		t.Errorf("PROJ's Validate(%q) = %v, want ErrInvalidNumber", lookAlike, err)
	}
	typo := strings.Replace(n, "PROJ", "PRQJ", 1)
	for _, gen := range []*casenum.Generator{g, proj} {
		if err := gen.Validate(typo); !errors.Is(err, casenum.ErrInvalidNumber) {
			t.Errorf("Validate(%q) = %v, want ErrInvalidNumber", typo, err)
		}
	}
}

// validateCase is a number and why Validate refuses it: "" for a valid one.
type validateCase struct {
	g           *casenum.Generator
	number, why string
}

func checkValidate(t *testing.T, cases []validateCase) {
	t.Helper()
	for _, tc := range cases {
		err := tc.g.Validate(tc.number)
		switch {
		case tc.why == "" && err != nil:
			t.Errorf("Validate(%q) = %v", tc.number, err)
		case tc.why != "" && (!errors.Is(err, casenum.ErrInvalidNumber) || !strings.Contains(err.Error(), tc.why)):
			t.Errorf("Validate(%q) = %v, want an error saying %q", tc.number, err, tc.why)
		}
	}
}

// normalizeCase is what a person typed and the number it stands for.
type normalizeCase struct {
	g           *casenum.Generator
	typed, want string
}

func checkNormalize(t *testing.T, cases []normalizeCase) {
	t.Helper()
	for _, tc := range cases {
		if got, err := tc.g.Normalize(tc.typed); got != tc.want || err != nil {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tc.typed, got, err, tc.want)
		}
	}
}

// ist is India's time zone, without the time zone database.
var ist = time.FixedZone("IST", 5*3600+30*60)

// A fiscal year token shows the year a fiscal year starts in ({fy:M}) or
// ends in ({fy:M:end}), and a counter after it restarts with the year.
func TestFiscalYear(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		layout string
		loc    *time.Location
		at     []time.Time
		want   []string
	}{
		{ // India: April to March, written 2025-26
			"INV/{fy:4}-{fy:4:end:06}/{seq}", ist,
			[]time.Time{time.Date(2026, 3, 31, 23, 59, 0, 0, ist), time.Date(2026, 3, 31, 23, 59, 0, 0, ist), time.Date(2026, 4, 1, 0, 0, 0, 0, ist)},
			[]string{"INV/2025-26/1", "INV/2025-26/2", "INV/2026-27/1"},
		},
		{ // Australia: July to June, named by the year it ends
			"INV-{fy:7:end}-{seq:4}", time.UTC,
			[]time.Time{time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)},
			[]string{"INV-2026-0001", "INV-2027-0001"},
		},
		{ // the United States' federal year: October to September
			"FY{fy:10:end:06}-{seq}", time.UTC,
			[]time.Time{time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)},
			[]string{"FY26-1", "FY27-1"},
		},
		{ // a year that starts in January is the calendar year, by either name
			"{fy:1}/{fy:1:end}-{seq}", time.UTC,
			[]time.Time{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)},
			[]string{"2026/2026-1", "2026/2026-2"},
		},
		{ // after a random token, outside the day's cached lead
			"{seq}-{rand:1}-{fy:4:06}", time.UTC,
			[]time.Time{time.Date(1999, 3, 1, 0, 0, 0, 0, time.UTC)},
			[]string{"1-9-98"},
		},
	} {
		clock := casenumtest.NewClock(tc.at[0])
		g, err := casenum.New(casenum.WithLayout(tc.layout), casenum.WithLocation(tc.loc), casenum.WithClock(clock),
			casenum.WithSequence(casenumtest.NewStore()), casenum.WithRandom(casenumtest.Tokens("rand:9")))
		if err != nil {
			t.Fatal(err)
		}
		for i, at := range tc.at {
			clock.Set(at)
			n, err := g.Next(t.Context())
			if n != tc.want[i] || err != nil {
				t.Errorf("%s at %v: %q, %v; want %q", tc.layout, at, n, err, tc.want[i])
				continue
			}
			if err := g.Validate(n); err != nil {
				t.Errorf("Validate(%q) = %v", n, err)
			}
		}
	}
}

// Parse gives a fiscal year's first instant in the Generator's Location,
// or the date's when the number has a finer one; Validate refuses a
// number whose fiscal year does not hold its date.
func TestFiscalYearReadsBack(t *testing.T) {
	t.Parallel()
	india := readGen(t, casenum.WithLayout("INV/{fy:4}-{fy:4:end:06}/{seq}"), casenum.WithLocation(ist))
	dated := readGen(t, casenum.WithLayout("{fy:4}-{date}-{seq}"))
	australia := readGen(t, casenum.WithLayout("{fy:7:end}/{date:01}/{seq}"))
	months := readGen(t, casenum.WithLayout("{fy:7:end}/{date:2006-01}/{seq}"))
	for _, tc := range []struct {
		g      *casenum.Generator
		number string
		want   casenum.Parts
	}{
		{india, "INV/2026-27/5", casenum.Parts{Time: time.Date(2026, 4, 1, 0, 0, 0, 0, ist), Scope: "INV/2026-27/", Seq: 5}},
		{dated, "2025-20260331-1", casenum.Parts{Time: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), Scope: "2025-20260331-", Seq: 1}},
		{australia, "2027/01/3", casenum.Parts{Time: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Scope: "2027/01/", Seq: 3}},
		{australia, "2027/07/3", casenum.Parts{Time: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Scope: "2027/07/", Seq: 3}},
	} {
		if p, err := tc.g.Parse(tc.number); err != nil || !p.Time.Equal(tc.want.Time) || p.Time.Location() != tc.want.Time.Location() ||
			p.Scope != tc.want.Scope || p.Seq != tc.want.Seq {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.number, p, err, tc.want)
		}
	}
	checkValidate(t, []validateCase{
		{india, "INV/2026-27/5", ""},
		{india, "INV/2026-28/5", "disagrees with the one before"},
		{india, "INV/1999-00/5", ""},
		{dated, "2026-20260401-1", ""},
		{dated, "2026-20260331-1", "not in the fiscal year that starts in April 2026"},
		{dated, "2026-20270331-1", ""},
		{dated, "2026-20270401-1", "not in the fiscal year"},
		{australia, "2027/06/1", ""},
		{australia, "2026/07/1", ""},
		{months, "2027/2027-06/1", ""},
		{months, "2027/2027-07/1", "not in the fiscal year that starts in July 2026"},
		{months, "2027/2026-06/1", "not in the fiscal year"},
	})
	checkNormalize(t, []normalizeCase{
		{india, "inv 2026 27 5", "INV/2026-27/5"},
	})
}

// A year a fiscal year token cannot print fails the call.
func TestFiscalYearOutOfRange(t *testing.T) {
	t.Parallel()
	g, err := casenum.New(casenum.WithLayout("{fy:4}-{seq}"), casenum.WithSequence(casenumtest.NewStore()),
		casenum.WithClock(casenumtest.NewClock(time.Date(0, 2, 1, 0, 0, 0, 0, time.UTC))))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := g.Next(t.Context()); err == nil || !strings.Contains(err.Error(), "fiscal year -1") {
		t.Errorf("Next in February of year 0 = %q, %v; want an error", n, err)
	}
}
