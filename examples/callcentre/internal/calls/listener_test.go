package calls_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/casemint/casemint/examples/callcentre/internal/calls"
)

// Requests that net/http cannot parse never reach a handler; on a
// JSONListener its answers to them are JSON all the same.
func TestJSONListener(t *testing.T) {
	t.Parallel()
	s := sqliteService(t, options{})
	srv := httptest.NewUnstartedServer(s.handler)
	srv.Listener = calls.JSONListener(srv.Listener)
	srv.Config.MaxHeaderBytes = 1 << 10
	srv.Start()
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	tests := []struct {
		name, req string
		status    int
		msg       string
		details   string
	}{
		{"bad percent-escape", "GET " + calls.CallsPath + "/%zz HTTP/1.1\r\nHost: calls\r\n\r\n", 400, "bad request", "escape"},
		{"no Host", "GET " + calls.CallsPath + " HTTP/1.1\r\n\r\n", 400, "bad request", "missing required Host header"},
		{"headers too large", "GET " + calls.CallsPath + " HTTP/1.1\r\nHost: calls\r\nX-Big: " + strings.Repeat("a", 8<<10) + "\r\n\r\n",
			431, "request header fields too large", "too large"},
		{"unknown transfer coding", "POST " + calls.CallsPath + " HTTP/1.1\r\nHost: calls\r\nTransfer-Encoding: zip\r\n\r\n",
			501, "not implemented", "unsupported transfer encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := raw(t, addr, tt.req, false)
			wantError(t, a, tt.status, tt.msg)
			if d, _ := a.body["details"].(string); !strings.Contains(d, tt.details) {
				t.Errorf("details %q do not say %q", d, tt.details)
			}
		})
	}

	// A body over the limit, still being sent when the answer comes.
	resp, err := srv.Client().Post(srv.URL+calls.CallsPath, "application/json", strings.NewReader(`{"notes":"`+strings.Repeat("a", 4<<20)+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantError(t, decode(t, resp.StatusCode, resp.Header, string(b)), http.StatusRequestEntityTooLarge, "request body too large")

	// On a kept-alive connection, after an answer of the service's own.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "GET /api/call-centre/stats HTTP/1.1\r\nHost: calls\r\n\r\nGET /%zz HTTP/1.1\r\nHost: calls\r\n\r\n")
	br := bufio.NewReader(conn)
	for _, want := range []int{http.StatusOK, http.StatusBadRequest} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		decode(t, resp.StatusCode, resp.Header, string(b))
		if resp.StatusCode != want {
			t.Errorf("status %d, want %d: %s", resp.StatusCode, want, b)
		}
	}
}
