package main

import (
	"strings"
	"testing"
)

// A package that never ends (go test was interrupted) is reported as
// failed, with its output; text that is no event passes through.
func TestReportInterrupted(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	r := newReport(&out)
	err := r.read(strings.NewReader(`go: downloading example.com/m v1.0.0
{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestSlow"}
{"Action":"output","Package":"p","Test":"TestSlow","Output":"=== RUN   TestSlow\n"}
{"Action":"output","Package":"p","Test":"TestSlow","Output":"    slow_test.go:7: still waiting\n"}
`))
	r.close()
	want := `go: downloading example.com/m v1.0.0
    slow_test.go:7: still waiting
FAIL	p
packages: 0 ok, 1 failed, 0 without tests; tests skipped: 0
`
	if err != nil || out.String() != want {
		t.Errorf("read = %v; output:\n%s\nwant:\n%s", err, out.String(), want)
	}
}

func TestSkipReason(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		output []string
		want   string
	}{
		{[]string{"=== RUN   TestX\n", "    x_test.go:3: DSN is not set\n", "--- SKIP: TestX (0.00s)\n"}, "DSN is not set"},
		{[]string{"    x_test.go:3: connecting\n", "    x_test.go:4: first line\n", "        second line\n"}, "first line"},
		{[]string{"        x_test.go:3: a sub", "test's reason\n"}, "a subtest's reason"}, // output in pieces
		{[]string{"--- SKIP: TestX (0.00s)\n"}, "no reason given"},
		{[]string{"    x_test.go:3: " + strings.Repeat("é", 200) + "\n"}, strings.Repeat("é", maxReason-1) + "…"},
	} {
		if got := skipReason(tt.output); got != tt.want {
			t.Errorf("skipReason(%q) = %q, want %q", tt.output, got, tt.want)
		}
	}
}
