package pass

import "testing"

func TestOK(t *testing.T) { t.Log("a passing test's log, not shown") }

func TestNeedsServer(t *testing.T) { t.Skip("SAMPLE_DSN is not set (sample server)") }

func TestEachServer(t *testing.T) {
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			t.Log("connecting")
			t.Skip("SAMPLE_DSN is not set (sample server)")
		})
	}
}

func TestPlan9(t *testing.T) { t.Skip("runs on Plan 9 only\nand says so at length") }

func TestNoReason(t *testing.T) { t.SkipNow() }
