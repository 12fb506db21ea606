// Package expvarstats publishes a casenum.Generator's Stats through the
// standard library's expvar package, so they appear at /debug/vars next to
// the runtime's memory statistics:
//
//	"casenum": {"minted": 1042, "attempts": 1045, "collisions": 3, "fallbacks": 0, "exhausted": 0, "errors": 0}
//
// It is a package of its own because importing expvar registers the
// /debug/vars handler on http.DefaultServeMux: programs that want no such
// handler simply do not import this package, and casenum never does.
package expvarstats

import (
	"errors"
	"expvar"
	"fmt"

	"github.com/casemint/casemint/casenum"
)

// Errors returned by Publish. Test with errors.Is.
var (
	// ErrNameTaken is returned by Publish when an expvar variable of that
	// name exists already. expvar.Publish would panic instead.
	ErrNameTaken = errors.New("expvarstats: name already published")

	// ErrInvalidArgument is returned by Publish for an empty name and by
	// Publish and Var for a nil Generator.
	ErrInvalidArgument = errors.New("expvarstats: invalid argument")
)

// Var returns an expvar.Var that reads g's Stats each time it is shown, for
// callers who put it in an expvar.Map of their own. It returns an error
// wrapping ErrInvalidArgument for a nil g.
func Var(g *casenum.Generator) (expvar.Var, error) {
	if g == nil {
		return nil, fmt.Errorf("%w: nil Generator", ErrInvalidArgument)
	}
	return expvar.Func(func() any { return g.Stats() }), nil
}

// Publish publishes g's Stats as the expvar variable name. Reading the
// variable takes no lock on the Generator. It returns an error wrapping
// ErrNameTaken when the name is in use (expvar names live as long as the
// process and cannot be removed, so publish once, at start-up), and one
// wrapping ErrInvalidArgument for an empty name or a nil g.
func Publish(name string, g *casenum.Generator) (err error) {
	if name == "" {
		return fmt.Errorf("%w: empty name", ErrInvalidArgument)
	}
	v, err := Var(g)
	if err != nil {
		return err
	}
	if expvar.Get(name) != nil {
		return fmt.Errorf("%w: %q", ErrNameTaken, name)
	}
	// Another goroutine may publish the same name between Get and Publish;
	// expvar then panics, which is turned into the same error.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %q", ErrNameTaken, name)
		}
	}()
	expvar.Publish(name, v)
	return nil
}
