package calls_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
)

// A call's date is the date its number shows: when midnight passes
// between the request and the number, the call takes the number's day.
func TestCreatedAtFollowsTheNumber(t *testing.T) {
	t.Parallel()
	midnight := time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name            string
		request, number time.Time // the handler's and the Generator's clock
		want            string    // createdAt
	}{
		{"the same day", midnight.Add(time.Hour), midnight.Add(2 * time.Hour), "2025-09-30T01:00:00Z"},
		{"midnight between", midnight.Add(-time.Millisecond), midnight, "2025-09-30T00:00:00Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := sqliteService(t, options{now: func() time.Time { return tt.request }, gen: []casenum.Option{
				casenum.WithClock(casenumtest.NewClock(tt.number)), casenum.WithLayout("CASE-{date}-{rand:4}"),
			}})
			a := s.post(validCall)
			if a.status != http.StatusCreated {
				t.Fatalf("status %d: %s", a.status, a.raw)
			}
			call := a.body["call"].(map[string]any)
			if call["createdAt"] != tt.want || !strings.HasPrefix(call["caseNumber"].(string), "CASE-20250930-") {
				t.Errorf("call %v, want createdAt %s on a number of 2025-09-30", call, tt.want)
			}
		})
	}
}
