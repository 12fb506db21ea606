package casenum_test

import (
	"context"
	"testing"

	"github.com/casemint/casemint/casenum"
)

// mustParse compiles a layout the test knows to be valid.
func mustParse(t testing.TB, layout string) *casenum.Layout {
	t.Helper()
	l, err := casenum.ParseLayout(layout)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// checkerFunc adapts a function to casenum.Checker.
type checkerFunc func(ctx context.Context, number string) (bool, error)

func (f checkerFunc) Exists(ctx context.Context, number string) (bool, error) { return f(ctx, number) }

// observerFunc adapts a function to casenum.Observer.
type observerFunc func(ctx context.Context, e casenum.Event)

func (f observerFunc) Observe(ctx context.Context, e casenum.Event) { f(ctx, e) }
