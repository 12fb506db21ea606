package calls_test

import (
	"strings"
	"testing"

	"github.com/casemint/casemint/examples/callcentre/internal/calls"
)

func TestCleanAccepts(t *testing.T) {
	t.Parallel()
	base := calls.NewCall{CallerName: "Ada", Phone: "+44 20 7946 0018", Subject: "Billing"}
	tests := []struct {
		name string
		edit func(*calls.NewCall)
	}{
		{"as is", func(*calls.NewCall) {}},
		{"parentheses and hyphen", func(c *calls.NewCall) { c.Phone = "(555) 010-4477" }},
		{"dots", func(c *calls.NewCall) { c.Phone = "+1 555.010.4477" }},
		{"fewest digits", func(c *calls.NewCall) { c.Phone = "5550104" }},
		{"most digits", func(c *calls.NewCall) { c.Phone = "+123456789012345" }},
		{"longest name", func(c *calls.NewCall) { c.CallerName = strings.Repeat("李", calls.MaxCallerName) }},
		{"longest notes, multi-line", func(c *calls.NewCall) {
			c.Notes = strings.Repeat("ab\n\t", calls.MaxNotes/4)
		}},
		{"every priority", func(c *calls.NewCall) { c.Priority = " Urgent " }},
	}
	for _, tt := range tests {
		c := base
		tt.edit(&c)
		if _, problems := c.Clean(); problems != nil {
			t.Errorf("%s: %v", tt.name, problems)
		}
	}
	got, _ := calls.NewCall{CallerName: " Ada ", Phone: " 5550104 ", Subject: "\tx\n", Priority: ""}.Clean()
	want := calls.NewCall{CallerName: "Ada", Phone: "5550104", Subject: "x", Priority: calls.DefaultPriority}
	if got != want {
		t.Errorf("Clean = %+v, want %+v", got, want)
	}
}
