package sqlcore

import (
	"testing"
)

// A handle that cannot be compared with == (a struct holding a func, or an
// interface holding one) is never the attempt's, and asking does not panic.
func TestSameHandle(t *testing.T) {
	t.Parallel()
	type traced struct {
		db   *int
		hook func()
	}
	type wrapped struct{ h any }
	a, b := new(int), new(int)
	cases := []struct {
		x, y any
		want bool
	}{
		{a, a, true},
		{a, b, false},
		{wrapped{a}, wrapped{a}, true},
		{traced{a, func() {}}, traced{a, func() {}}, false},
		{wrapped{func() {}}, wrapped{func() {}}, false},
		{a, traced{a, nil}, false},
		{nil, a, false},
		{nil, nil, false},
	}
	for _, c := range cases {
		if got := sameHandle(c.x, c.y); got != c.want {
			t.Errorf("sameHandle(%T, %T) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
}
