package expvarstats_test

import (
	"context"
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/casenum/expvarstats"
)

// newGenerator returns a Generator with a one-digit layout, so that a test
// can make it collide, and a seeded Random, so that it does so repeatably.
func newGenerator(t *testing.T) *casenum.Generator {
	t.Helper()
	g, err := casenum.New(casenum.WithLayout("T-{rand:1}"), casenum.WithRandom(casenumtest.NewRandom(1)))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func readVar(t *testing.T, name string) casenum.Stats {
	t.Helper()
	v := expvar.Get(name)
	if v == nil {
		t.Fatalf("expvar.Get(%q) = nil", name)
	}
	var s casenum.Stats
	if err := json.Unmarshal([]byte(v.String()), &s); err != nil {
		t.Fatalf("variable %q is not JSON: %v: %s", name, err, v.String())
	}
	return s
}

func TestPublishShowsLiveStats(t *testing.T) {
	t.Parallel()
	g := newGenerator(t)
	if err := expvarstats.Publish("test_live", g); err != nil {
		t.Fatal(err)
	}
	if got := readVar(t, "test_live"); got != (casenum.Stats{}) {
		t.Errorf("before any call: %+v, want zeros", got)
	}

	table := casenumtest.NewStore()
	table.Add("T-9") // the first candidate collides
	for range 3 {
		if _, err := g.Create(context.Background(), table.Insert); err != nil {
			t.Fatal(err)
		}
	}
	want := g.Stats()
	if want.Minted != 3 || want.Collisions == 0 {
		t.Fatalf("Stats = %+v, want 3 minted and a collision", want)
	}
	if got := readVar(t, "test_live"); got != want {
		t.Errorf("published %+v, want %+v", got, want)
	}
}

func TestPublishRefusesTakenName(t *testing.T) {
	t.Parallel()
	g := newGenerator(t)
	if err := expvarstats.Publish("test_taken", g); err != nil {
		t.Fatal(err)
	}
	err := expvarstats.Publish("test_taken", g)
	if !errors.Is(err, expvarstats.ErrNameTaken) {
		t.Errorf("second Publish = %v, want ErrNameTaken", err)
	}
	expvar.NewInt("test_taken_by_other") // a name taken by someone else
	if err := expvarstats.Publish("test_taken_by_other", g); !errors.Is(err, expvarstats.ErrNameTaken) {
		t.Errorf("Publish over expvar.NewInt = %v, want ErrNameTaken", err)
	}
}

// Concurrent publishers of one name race between Get and Publish; exactly
// one wins and no call panics.
func TestPublishConcurrentOneWins(t *testing.T) {
	t.Parallel()
	g := newGenerator(t)
	const callers = 16
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() { errs <- expvarstats.Publish("test_race", g) })
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, expvarstats.ErrNameTaken):
			t.Errorf("Publish = %v, want nil or ErrNameTaken", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d Publish calls succeeded, want 1", ok, callers)
	}
}

func TestInvalidArguments(t *testing.T) {
	t.Parallel()
	g := newGenerator(t)
	if err := expvarstats.Publish("", g); !errors.Is(err, expvarstats.ErrInvalidArgument) {
		t.Errorf(`Publish("", g) = %v, want ErrInvalidArgument`, err)
	}
	if err := expvarstats.Publish("test_nil", nil); !errors.Is(err, expvarstats.ErrInvalidArgument) {
		t.Errorf("Publish(name, nil) = %v, want ErrInvalidArgument", err)
	}
	if expvar.Get("test_nil") != nil {
		t.Error("a failed Publish left the name taken")
	}
	if _, err := expvarstats.Var(nil); !errors.Is(err, expvarstats.ErrInvalidArgument) {
		t.Errorf("Var(nil) = %v, want ErrInvalidArgument", err)
	}
}

// The variable is served by expvar.Handler, which a program mounts on its
// own mux.
func TestServedByExpvarHandler(t *testing.T) {
	t.Parallel()
	g := newGenerator(t)
	if err := expvarstats.Publish("test_served", g); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	expvar.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/vars", nil))
	var all map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &all); err != nil {
		t.Fatalf("/debug/vars is not JSON: %v", err)
	}
	var s casenum.Stats
	if err := json.Unmarshal(all["test_served"], &s); err != nil {
		t.Fatalf("test_served = %s: %v", all["test_served"], err)
	}
	if s.Minted != 1 || s.Attempts != 1 {
		t.Errorf("served %+v, want 1 minted in 1 attempt", s)
	}
}

// Publish once at start-up; /debug/vars then shows the counters.
func ExamplePublish() {
	g, err := casenum.New()
	if err != nil {
		panic(err)
	}
	if err := expvarstats.Publish("casenum", g); err != nil {
		panic(err)
	}
	if _, err := g.Next(context.Background()); err != nil {
		panic(err)
	}
	fmt.Println(expvar.Get("casenum"))

	// A second Publish of the name is an error, not expvar's panic.
	err = expvarstats.Publish("casenum", g)
	fmt.Println(errors.Is(err, expvarstats.ErrNameTaken), err)
	// Output:
	// {"minted":1,"attempts":1,"collisions":0,"aborted":0,"fallbacks":0,"exhausted":0,"errors":0}
	// true expvarstats: name already published: "casenum"
}

// Var suits a program that groups its variables in an expvar.Map.
func ExampleVar() {
	g, err := casenum.New()
	if err != nil {
		panic(err)
	}
	v, err := expvarstats.Var(g)
	if err != nil {
		panic(err)
	}
	m := new(expvar.Map)
	m.Set("tickets", v)
	fmt.Println(m)
	// Output:
	// {"tickets": {"minted":0,"attempts":0,"collisions":0,"aborted":0,"fallbacks":0,"exhausted":0,"errors":0}}
}
