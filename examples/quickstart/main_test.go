package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/casemint/casemint/casenum"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	// Three sequential numbers collide only if two share a millisecond and
	// their random digits: rare, and retried, so attempts may exceed 3.
	if len(lines) != 4 || !strings.HasPrefix(lines[3], "minted 3 in ") {
		t.Fatalf("output:\n%s\nwant three numbers and the count", out.String())
	}
	gen, err := casenum.New()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range lines[:3] {
		number, _, _ := strings.Cut(l, "  ")
		if err := gen.Validate(number); err != nil {
			t.Errorf("line %q: %v", l, err)
		}
		if seen[number] {
			t.Errorf("number %s printed twice", number)
		}
		seen[number] = true
	}
}
