package calls

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// jsonErrors answers the requests that match no route (404) or match one
// with another method (405, with its Allow header) in JSON, like every
// other answer, instead of ServeMux's plain text.
func jsonErrors(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// No pattern: the mux would answer 404 or 405. Learn which, and
		// the Allow header, from its own handler, then answer in JSON.
		h, _ := mux.Handler(r)
		probe := &headerProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if allow := probe.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		if probe.status == http.StatusMethodNotAllowed {
			writeError(w, http.StatusMethodNotAllowed, "method not allowed",
				fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, probe.header.Get("Allow")))
			return
		}
		writeError(w, http.StatusNotFound, "not found", "no such endpoint: "+r.URL.Path)
	})
}

// headerProbe is a ResponseWriter that keeps the status and headers and
// drops the body.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(status int)      { p.status = status }

// checkQuery answers 400 "invalid query" to a request whose query string
// cannot be decoded, on every route: r.URL.Query drops such a parameter
// without a word, and a listing would answer as if it had not been sent.
func checkQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if problems := queryProblems(r.URL.RawQuery); len(problems) > 0 {
			writeError(w, http.StatusBadRequest, "invalid query", problems)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// queryProblems names each parameter of the query string raw that
// url.ParseQuery cannot decode: a % that starts no escape, or a semicolon,
// which it does not take as a separator. A name that cannot be decoded
// stands as it was sent.
func queryProblems(raw string) FieldErrors {
	problems := FieldErrors{}
	for part := range strings.SplitSeq(raw, "&") {
		k, v, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if _, verr := url.QueryUnescape(v); err != nil || verr != nil || strings.Contains(part, ";") {
			problems[name] = "cannot be decoded: every % must start an escape such as %20, and a ; must be written %3B"
		}
	}
	return problems
}

// withTimeout bounds each request: the database calls under it end with
// the context when the time is up.
func (s *server) withTimeout(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// logRequests logs one line per request (method, path, status, duration)
// and turns a panic in a handler into a logged 500 in JSON.
// http.ErrAbortHandler, the server's own way to abort, passes on.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(v), "method", r.Method, "path", r.URL.Path)
				if sw.status == 0 {
					writeError(sw, http.StatusInternalServerError, "internal server error",
						"the request could not be completed; try again later")
				}
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK // nothing written: the server sends 200
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelWarn
			}
			s.log.LogAttrs(r.Context(), level, "request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", status), slog.Duration("duration", time.Since(start)))
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
