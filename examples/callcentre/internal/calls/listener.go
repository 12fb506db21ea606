package calls

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// JSONListener wraps ln so that the answers net/http writes itself, to a
// request it cannot parse, are JSON like every other answer. Such a request
// (a bad percent-escape such as /calls/%zz, a malformed header, headers
// over the limit) never reaches a handler: the server writes a plain-text
// error straight to the connection, in one Write with the headers below,
// and closes it. The connections of the returned listener recognise that
// Write and send the same status as {"success":false,"error":...} instead.
// Serve plain HTTP on it; under TLS the server writes ciphertext, which
// passes through untouched.
func JSONListener(ln net.Listener) net.Listener { return jsonListener{ln} }

// cannedHeaders follow the status line of every answer net/http writes
// itself; the service's own answers are never text/plain.
const cannedHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

type jsonListener struct{ net.Listener }

func (l jsonListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return jsonConn{c}, nil
}

type jsonConn struct{ net.Conn }

func (c jsonConn) Write(p []byte) (int, error) {
	status, reason, ok := cannedError(p)
	if !ok {
		return c.Conn.Write(p)
	}
	body, _ := json.Marshal(errorBody{Error: strings.ToLower(http.StatusText(status)), Details: reason})
	resp := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\n"+
		"X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n",
		status, http.StatusText(status), len(body)+1, body)
	if _, err := c.Conn.Write([]byte(resp)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// CloseWrite lets the server half-close the connection before closing it,
// as it does on a *net.TCPConn, so that a client still sending a body gets
// the answer rather than a reset.
func (c jsonConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// cannedError reads the status of an answer net/http wrote itself: the
// status line, cannedHeaders and a body that repeats the status line, with
// a reason after a colon ("400 Bad Request: malformed Host header"), or
// gives the reason alone ("Unsupported transfer encoding"). The reasons are
// fixed phrases of net/http, never the request's text.
func cannedError(p []byte) (status int, reason string, ok bool) {
	line, rest, found := bytes.Cut(p, []byte("\r\n"))
	if !found || !bytes.HasPrefix(rest, []byte(cannedHeaders[2:])) {
		return 0, "", false
	}
	line = bytes.TrimPrefix(line, []byte("HTTP/1.1 "))
	status, err := strconv.Atoi(string(line[:min(3, len(line))]))
	if err != nil || status < 400 || status > 599 {
		return 0, "", false
	}
	body := string(rest[len(cannedHeaders)-2:])
	_, after, found := strings.Cut(body, ": ")
	switch {
	case found:
		reason = after
	case !strings.HasPrefix(body, string(line)):
		reason = strings.ToLower(body)
	case status == http.StatusBadRequest:
		reason = "malformed request line or header; every % in the path must start an escape such as %20"
	default:
		reason = strings.ToLower(http.StatusText(status))
	}
	return status, "the request could not be read: " + reason, true
}
