package casenum

import (
	"strings"
	"testing"
)

// Every word of the built-in list can be rendered, and is found in a run.
func TestDefaultBlockWords(t *testing.T) {
	t.Parallel()
	b := defaultBlocklist()
	fold := strings.NewReplacer("O", "0", "I", "1", "L", "1")
	for _, w := range strings.Fields(defaultBlockWords) {
		if strings.Contains(w, "U") {
			t.Errorf("%s has a U, which {alnum} never renders", w)
		}
		if _, hit := b.feed(0, []byte("7"+fold.Replace(w)+"7")); !hit {
			t.Errorf("%s is not found in a run", w)
		}
	}
	if _, hit := b.feed(0, []byte("7KQ2M9Z")); hit {
		t.Error("7KQ2M9Z is found")
	}
}
