package txattempt

import "testing"

// A handle that cannot be compared with == (a struct holding a func) is
// never the attempt's, and asking does not panic.
func TestSameHandle(t *testing.T) {
	type traced struct {
		db   *int
		hook func()
	}
	a, b := new(int), new(int)
	cases := []struct {
		x, y any
		want bool
	}{
		{a, a, true},
		{a, b, false},
		{traced{a, func() {}}, traced{a, func() {}}, false},
		{a, traced{a, nil}, false},
		{nil, a, false},
	}
	for _, c := range cases {
		if got := same(c.x, c.y); got != c.want {
			t.Errorf("same(%T, %T) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
}
