package casenumtest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// brokenEnv names the faulty implementation TestBrokenImplementation runs
// the suites against, in a child process started by TestSuitesCatchFaults.
const brokenEnv = "CASENUMTEST_BROKEN"

type checkerFunc func(ctx context.Context, number string) (bool, error)

func (f checkerFunc) Exists(ctx context.Context, number string) (bool, error) { return f(ctx, number) }

// errDown is what an implementation that loses the context's end reports.
var errDown = errors.New("connection refused")

// honouring is a Checker that honours its context and is otherwise f.
func honouring(f func(number string) bool) casenum.Checker {
	return checkerFunc(func(ctx context.Context, number string) (bool, error) {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		return f(number), nil
	})
}

// Faulty Checkers, each built on a Store and wrong in one way a real
// implementation might be.
var brokenCheckers = map[string]func(s *casenumtest.Store) casenum.Checker{
	// Treats the number as a LIKE pattern, as WHERE col LIKE $1 would.
	"like": func(s *casenumtest.Store) casenum.Checker {
		return honouring(func(number string) bool {
			var re strings.Builder
			re.WriteString("^")
			for _, r := range number {
				switch r {
				case '%':
					re.WriteString(".*")
				case '_':
					re.WriteString(".")
				default:
					re.WriteString(regexp.QuoteMeta(string(r)))
				}
			}
			re.WriteString("$")
			pat := regexp.MustCompile(re.String())
			for _, n := range s.Numbers() {
				if pat.MatchString(n) {
					return true
				}
			}
			return false
		})
	},
	// "Sanitises" the number by dropping quotes and backslashes.
	"strip": func(s *casenumtest.Store) casenum.Checker {
		strip := strings.NewReplacer(`'`, "", `"`, "", `\`, "").Replace
		return honouring(func(number string) bool {
			for _, n := range s.Numbers() {
				if strip(n) == strip(number) {
					return true
				}
			}
			return false
		})
	},
	// Compares only the first 63 characters, as a column too short would.
	"short": func(s *casenumtest.Store) casenum.Checker {
		cut := func(n string) string { return n[:min(len(n), 63)] }
		return honouring(func(number string) bool {
			for _, n := range s.Numbers() {
				if cut(n) == cut(number) {
					return true
				}
			}
			return false
		})
	},
	// Ignores its context.
	"noctx": func(s *casenumtest.Store) casenum.Checker {
		return checkerFunc(func(ctx context.Context, number string) (bool, error) {
			return s.Exists(context.Background(), number)
		})
	},
	// Fails for a cancelled context, but with an error of its own.
	"wrongerr": func(s *casenumtest.Store) casenum.Checker {
		return checkerFunc(func(ctx context.Context, number string) (bool, error) {
			if ctx.Err() != nil {
				return false, errDown
			}
			return s.Exists(ctx, number)
		})
	},
}

type sequenceFunc func(ctx context.Context, scope string) (uint64, error)

func (f sequenceFunc) Next(ctx context.Context, scope string) (uint64, error) { return f(ctx, scope) }

// Faulty Sequences, each wrong in one way.
var brokenSequences = map[string]func(s *casenumtest.Store) casenum.Sequence{
	// One counter for every scope.
	"shared": func(s *casenumtest.Store) casenum.Sequence {
		return sequenceFunc(func(ctx context.Context, scope string) (uint64, error) { return s.Next(ctx, "") })
	},
	// Keys scopes by their first 14 bytes.
	"prefix": func(s *casenumtest.Store) casenum.Sequence {
		return sequenceFunc(func(ctx context.Context, scope string) (uint64, error) {
			return s.Next(ctx, scope[:min(len(scope), 14)])
		})
	},
	// Skips a value now and then.
	"gap": func(s *casenumtest.Store) casenum.Sequence {
		return sequenceFunc(func(ctx context.Context, scope string) (uint64, error) {
			v, err := s.Next(ctx, scope)
			if v == 300 {
				v, err = s.Next(ctx, scope)
			}
			return v, err
		})
	},
	// Hands out one value twice.
	"dup": func(s *casenumtest.Store) casenum.Sequence {
		return sequenceFunc(func(ctx context.Context, scope string) (uint64, error) {
			v, err := s.Next(ctx, scope)
			if v == 301 {
				v = 300
			}
			return v, err
		})
	},
	// Ignores its context.
	"noctx": func(s *casenumtest.Store) casenum.Sequence {
		return sequenceFunc(func(ctx context.Context, scope string) (uint64, error) {
			return s.Next(context.Background(), scope)
		})
	},
	// Fails for a cancelled context, but with an error of its own.
	"wrongerr": func(s *casenumtest.Store) casenum.Sequence {
		return sequenceFunc(func(ctx context.Context, scope string) (uint64, error) {
			if ctx.Err() != nil {
				return 0, fmt.Errorf("counter: %v", ctx.Err()) // %v: the cause is lost
			}
			return s.Next(ctx, scope)
		})
	},
	// Advance sets the counter, backwards too.
	"backwards": func(*casenumtest.Store) casenum.Sequence { return &mapSequence{v: map[string]uint64{}} },
	// Advance stops one short, so Next hands out last again.
	"short": func(s *casenumtest.Store) casenum.Sequence { return offByOne{s} },
}

// mapSequence is a Sequence over a map whose Advance sets the counter to
// last, backwards too.
type mapSequence struct {
	mu sync.Mutex
	v  map[string]uint64
}

func (m *mapSequence) Next(ctx context.Context, scope string) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.v[scope]++
	return m.v[scope], nil
}

func (m *mapSequence) Advance(ctx context.Context, scope string, last uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.v[scope] = last
	return nil
}

// offByOne is a Store whose Advance moves the counter to last-1.
type offByOne struct{ *casenumtest.Store }

func (o offByOne) Advance(ctx context.Context, scope string, last uint64) error {
	return o.Store.Advance(ctx, scope, last-1)
}

// TestBrokenImplementation is the child side of TestSuitesCatchFaults: it
// runs only when brokenEnv names a faulty implementation, and must fail.
func TestBrokenImplementation(t *testing.T) {
	kind, name, ok := strings.Cut(os.Getenv(brokenEnv), ":")
	if !ok {
		t.Skip("runs in a child process of TestSuitesCatchFaults")
	}
	switch kind {
	case "checker":
		casenumtest.TestChecker(t, func(t *testing.T) (casenum.Checker, func(context.Context, string) error) {
			s := casenumtest.NewStore()
			return brokenCheckers[name](s), s.Insert
		})
	case "sequence":
		casenumtest.TestSequence(t, func(t *testing.T) casenum.Sequence {
			return brokenSequences[name](casenumtest.NewStore())
		})
	}
}

// TestSuitesCatchFaults runs the suites against faulty implementations, each
// in a child process because a failing suite fails the test that runs it,
// and checks that the expected subtest fails and no other.
func TestSuitesCatchFaults(t *testing.T) {
	if os.Getenv(brokenEnv) != "" {
		t.Skip("parent side only")
	}
	t.Parallel()
	cases := []struct{ impl, fails string }{
		{"checker:like", "NearMissIsFree HostileNumbersMatchExactly PatternsAreLiteral"},
		{"checker:strip", "HostileNumbersMatchExactly PatternsAreLiteral"},
		{"checker:short", "HostileNumbersMatchExactly"},
		{"checker:noctx", "CancelledContext"},
		{"checker:wrongerr", "CancelledContext"},
		{"sequence:shared", "ScopesAreIndependent"},
		{"sequence:prefix", "ScopesAreIndependent"},
		{"sequence:gap", "ConcurrentNoGapNoDuplicate"},
		{"sequence:dup", "ConcurrentNoGapNoDuplicate"},
		{"sequence:noctx", "CancelledContext"},
		{"sequence:wrongerr", "CancelledContext"},
		{"sequence:backwards", "AdvanceIsForwardOnly"},
		{"sequence:short", "AdvanceIsForwardOnly"},
	}
	failed := regexp.MustCompile(`--- FAIL: TestBrokenImplementation/(\S+)`)
	for _, c := range cases {
		t.Run(c.impl, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenImplementation$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), brokenEnv+"="+c.impl)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("suite passed a faulty implementation:\n%s", out)
			}
			var got []string
			for _, m := range failed.FindAllStringSubmatch(string(out), -1) {
				got = append(got, m[1])
			}
			if strings.Join(got, " ") != c.fails {
				t.Errorf("failing subtests = %q, want %q; output:\n%s", got, c.fails, out)
			}
		})
	}
}
