package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// durationRE matches the durations in go test's lines.
var durationRE = regexp.MustCompile(`\d+\.\d+s`)

// TestRun runs go test on the module in testdata/sample: a package whose tests
// pass or are skipped for three reasons, one with a failing subtest, one
// without tests and one that does not compile.
func TestRun(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		args []string
		exit int
		want []string // parts of the output, each whole; packages end in any order
	}{
		{"all", []string{"-count=1", "./fail", "./pass", "./none"}, 1, []string{
			"    fail_test.go:9: got 3, want 2\n--- FAIL: TestBad/broken (Ns)\n--- FAIL: TestBad (Ns)\nFAIL\nFAIL\tsample/fail\tNs\n",
			"ok  \tsample/pass\tNs\n    5 skipped: 3 × SAMPLE_DSN is not set (sample server); 1 × runs on Plan 9 only; 1 × no reason given\n",
			"?   \tsample/none\t[no test files]\n",
			"\npackages: 1 ok, 1 failed, 1 without tests; tests skipped: 5\n",
		}},
		{"passing", []string{"-count=1", "-run", "TestOK|TestNeedsServer", "./pass"}, 0, []string{
			"ok  \tsample/pass\tNs\n    1 skipped: SAMPLE_DSN is not set (sample server)\npackages: 1 ok, 0 failed, 0 without tests; tests skipped: 1\n",
		}},
		{"no such package", []string{"./nowhere"}, 1, []string{"FAIL\t./nowhere [setup failed]\n"}},
		{"build failure", []string{"./broken"}, 1, []string{"# sample/broken [sample/broken.test]\nbroken/broken.go:4:", "FAIL\tsample/broken [build failed]\n"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			exit := run(tt.args, "testdata/sample", &stdout, &stderr)
			got := durationRE.ReplaceAllString(stdout.String(), "Ns")
			if exit != tt.exit {
				t.Errorf("exit %d, want %d", exit, tt.exit)
			}
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("output lacks\n%s\nin\n%s\nstderr:\n%s", want, got, stderr.String())
				}
			}
			lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "packages: ") {
				t.Errorf("the output ends with %q, not the closing count", last)
			}
			if !strings.HasPrefix(stderr.String(), "testrun: go test -json "+join(tt.args)+"\n") {
				t.Errorf("stderr does not begin with the command:\n%s", stderr.String())
			}
		})
	}
}

func TestJoin(t *testing.T) {
	t.Parallel()
	got := join([]string{"test", "-run", "A|B", "", "./..."})
	if want := `test -run "A|B" "" ./...`; got != want {
		t.Errorf("join = %s, want %s", got, want)
	}
}
