package fail

import "testing"

func TestGood(t *testing.T) { t.Log("a passing test's log, not shown") }

func TestBad(t *testing.T) {
	t.Run("fine", func(t *testing.T) { t.Log("not shown either") })
	t.Run("broken", func(t *testing.T) { t.Error("got 3, want 2") })
}
