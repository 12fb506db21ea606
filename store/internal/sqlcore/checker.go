package sqlcore

import (
	"context"
	"errors"
	"fmt"
)

// Checker is the state behind a face's Checker: its query and the handle
// it runs on. A face's Checker is one of these under its own name. A nil
// or zero Checker, not made by NewChecker, fails every call with the
// face's InvalidQuerier.
type Checker struct {
	h     Handle
	query string
}

// NewChecker returns a Checker looking numbers up in column of table, on h.
func NewChecker(f *Face, h Handle, d Dialect, table, column string) (*Checker, error) {
	query, err := f.existsQuery(d, table, column)
	if err != nil {
		return nil, err
	}
	return &Checker{h: h, query: query}, nil
}

// Exists reports whether a row holds number. Database and context errors
// come back wrapped, never as "free".
func (c *Checker) Exists(ctx context.Context, f *Face, number string) (bool, error) {
	if c == nil || c.h == nil {
		return false, fmt.Errorf("%w: Checker not made by NewChecker", f.InvalidQuerier)
	}
	_, err := c.h.QueryInt(ctx, c.query, number)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, f.NoRows):
		return false, nil
	}
	return false, endedTx(c.h, fmt.Errorf("%s: checking %q: %w", f.Pkg, number, err))
}
