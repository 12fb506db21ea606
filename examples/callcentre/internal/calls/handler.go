package calls

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/casemint/casemint/casenum"
)

// Defaults of Config.
const (
	DefaultRequestTimeout = 5 * time.Second
	DefaultMaxBodyBytes   = 64 << 10 // a call's fields at their limits, every character \u-escaped as a surrogate pair, fit in under 40 KiB
	DefaultPageSize       = 20
	MaxPageSize           = 100
)

// MaxCaseNumberInput is the longest case number, as typed, that a lookup
// reads; anything longer is refused before it is parsed.
const MaxCaseNumberInput = 128

// Config configures NewHandler.
type Config struct {
	// Store holds the records. Required.
	Store *Store
	// Generator mints the case numbers. Required. For {seq} layouts, give
	// it the Store's counters: casenum.WithSequence(store.Sequence()).
	Generator *casenum.Generator
	// Logger receives one line per request and the detail of every server
	// error. Nil discards the logs.
	Logger *slog.Logger
	// Now tells the time stored with a call, which also decides the day it
	// is listed under (in UTC). Nil means time.Now.
	Now func() time.Time
	// RequestTimeout bounds each request, the database work included.
	// Zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// MaxBodyBytes caps a request body; a larger one is answered with 413.
	// Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Metrics serves GET /metrics: the Generator's counters in Prometheus'
	// text format.
	Metrics bool
}

// The routes, in Go 1.22 ServeMux patterns.
const (
	routeCreate = "POST /api/call-centre/calls"
	routeList   = "GET /api/call-centre/calls"
	routeGet    = "GET /api/call-centre/calls/{caseNumber}"
	routeStats  = "GET /api/call-centre/stats"
)

// CallsPath is the path of the collection; a call's own path is CallsPath,
// a slash and its case number.
const CallsPath = "/api/call-centre/calls"

type server struct {
	store   *Store
	gen     *casenum.Generator
	log     *slog.Logger
	now     func() time.Time
	timeout time.Duration
	maxBody int64
}

// NewHandler returns the service's HTTP handler:
//
//	POST /api/call-centre/calls                create a call; 201 with its case number
//	GET  /api/call-centre/calls/{caseNumber}   one call, by the number as a person typed it
//	GET  /api/call-centre/calls?date=YYYY-MM-DD&limit=N&cursor=C   a day's calls, a page at a time
//	GET  /api/call-centre/stats                the Generator's counters
//	GET  /metrics                              the same for Prometheus, with Config.Metrics
//
// Every answer is JSON, errors included: {"success":false,"error":...,"details":...}.
// A create whose outcome is unknown is answered 504 "outcome unknown" with
// the caseNumber the call may be stored under: look it up before sending
// the call again. Serve it on a JSONListener, so that the requests net/http
// cannot parse are answered in JSON too.
func NewHandler(cfg Config) (http.Handler, error) {
	if cfg.Store == nil || cfg.Generator == nil {
		return nil, errors.New("calls: Config needs a Store and a Generator")
	}
	s := &server{
		store:   cfg.Store,
		gen:     cfg.Generator,
		log:     cfg.Logger,
		now:     cfg.Now,
		timeout: cfg.RequestTimeout,
		maxBody: cfg.MaxBodyBytes,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.timeout <= 0 {
		s.timeout = DefaultRequestTimeout
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	mux := http.NewServeMux()
	mux.HandleFunc(routeCreate, s.create)
	mux.HandleFunc(routeList, s.list)
	mux.HandleFunc(routeGet, s.get)
	mux.HandleFunc(routeStats, s.stats)
	if cfg.Metrics {
		mux.HandleFunc(routeMetrics, s.metrics)
	}
	return s.logRequests(s.withTimeout(checkQuery(jsonErrors(mux)))), nil
}

// created is the answer to a create request.
type created struct {
	Success    bool   `json:"success"`
	CaseNumber string `json:"caseNumber"`
	Call       Call   `json:"call"`
}

func (s *server) create(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported content type",
			"send the call as JSON with Content-Type: application/json")
		return
	}
	in, ok := s.readCall(w, r)
	if !ok {
		return
	}
	clean, problems := in.Clean()
	if problems != nil {
		writeError(w, http.StatusBadRequest, "invalid fields", problems)
		return
	}
	// The time is kept to the millisecond, what every supported database
	// stores, so the answer shows exactly what a later read returns.
	call, err := s.store.Create(r.Context(), s.gen, Call{
		CallerName: clean.CallerName,
		Phone:      clean.Phone,
		Subject:    clean.Subject,
		Notes:      clean.Notes,
		Priority:   clean.Priority,
		CreatedAt:  s.now().UTC().Truncate(time.Millisecond),
	})
	if err != nil {
		s.failCreate(w, r, err)
		return
	}
	w.Header().Set("Location", CallsPath+"/"+url.PathEscape(call.CaseNumber))
	writeJSON(w, http.StatusCreated, created{Success: true, CaseNumber: call.CaseNumber, Call: call})
}

// readCall decodes the body of a create request, or answers the request
// and returns false. A body that cannot be read (too large, too slow, cut
// off) is told apart from one that is not valid JSON by the error the body
// itself returned; its text, which names sockets and addresses, never
// reaches the client.
func (s *server) readCall(w http.ResponseWriter, r *http.Request) (NewCall, bool) {
	var in NewCall
	body := &errReader{r: http.MaxBytesReader(w, r.Body, s.maxBody)}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(&in)
	if err == nil {
		// One object and nothing after it: a second value is a client bug
		// that would otherwise be ignored silently.
		if rest := dec.Decode(&struct{}{}); rest != io.EOF {
			err = errors.New("unexpected data after the JSON object")
		}
	}
	var (
		tooLarge *http.MaxBytesError
		netErr   net.Error
	)
	switch {
	case err == nil:
		return in, true
	case errors.As(body.err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "request body too large",
			fmt.Sprintf("the body must be at most %d bytes", tooLarge.Limit))
	case errors.As(body.err, &netErr) && netErr.Timeout():
		writeError(w, http.StatusRequestTimeout, "request timeout",
			"the request body did not arrive in time")
	case body.err != nil:
		s.log.InfoContext(r.Context(), "create call: reading the body", "error", body.err)
		writeError(w, http.StatusBadRequest, "unreadable body",
			"the request body could not be read to its end")
	default:
		writeError(w, http.StatusBadRequest, "invalid JSON", jsonProblem(err))
	}
	return in, false
}

// errReader keeps the error its reader returned, other than io.EOF.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// jsonProblem describes a decoding error for the client, without Go's
// type names.
func jsonProblem(err error) string {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return "the body is empty; send a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON object is cut short"
	case errors.As(err, &syntax):
		return fmt.Sprintf("malformed JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return "the body must be a JSON object"
		}
		return fmt.Sprintf("field %q must be a %s, not a %s", typ.Field, typ.Type.Kind(), typ.Value)
	}
	// Unknown fields and trailing data: the decoder's message is plain.
	return strings.TrimPrefix(err.Error(), "json: ")
}

// found is the answer to a lookup.
type found struct {
	Success bool `json:"success"`
	Call    Call `json:"call"`
}

func (s *server) get(w http.ResponseWriter, r *http.Request) {
	typed := r.PathValue("caseNumber")
	if len(typed) > MaxCaseNumberInput {
		writeError(w, http.StatusBadRequest, "malformed case number",
			fmt.Sprintf("a case number is at most %d characters", MaxCaseNumberInput))
		return
	}
	// What a person read over the phone: lower case, spaces, a missing
	// hyphen, O for 0. Normalize returns the number as it was stored, or
	// the reason it cannot be one of ours.
	number, err := s.gen.Normalize(typed)
	if err != nil {
		writeError(w, http.StatusBadRequest, "malformed case number", reason(err))
		return
	}
	call, err := s.store.Get(r.Context(), number)
	if errors.Is(err, ErrNotFound) {
		writeError(w, http.StatusNotFound, "call not found", "no call has case number "+number)
		return
	}
	if err != nil {
		s.fail(w, r, "get call", err, "try again")
		return
	}
	writeJSON(w, http.StatusOK, found{Success: true, Call: call})
}

// reason returns Normalize's explanation without the package's prefix,
// which says nothing to a caller.
func reason(err error) string {
	var ne *casenum.NumberError
	switch {
	case !errors.As(err, &ne):
		return "not a case number of this service"
	case ne.Position > 0:
		return fmt.Sprintf("%s at position %d", ne.Reason, ne.Position)
	}
	return ne.Reason
}

// page is the answer to a listing.
type page struct {
	Success    bool   `json:"success"`
	Date       string `json:"date"`
	Calls      []Call `json:"calls"`
	NextCursor string `json:"nextCursor,omitempty"`
}

func (s *server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query() // checkQuery has refused a query string it cannot decode
	problems := FieldErrors{}
	for _, name := range []string{"date", "limit", "cursor"} {
		if len(q[name]) > 1 {
			problems[name] = "must be given once"
		}
	}
	day := q.Get("date")
	if day == "" {
		day = s.now().UTC().Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, day); err != nil {
		problems["date"] = "must be a date as YYYY-MM-DD"
	}
	limit := DefaultPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			problems["limit"] = fmt.Sprintf("must be a whole number from 1 to %d", MaxPageSize)
		}
		limit = n
	}
	// The cursor is the id of the last record of the previous page, opaque
	// to clients: they pass back nextCursor as it came.
	var after int64
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			problems["cursor"] = "must be the nextCursor of the previous page"
		}
		after = n
	}
	if len(problems) > 0 {
		writeError(w, http.StatusBadRequest, "invalid query", problems)
		return
	}
	calls, next, err := s.store.List(r.Context(), day, after, limit)
	if err != nil {
		s.fail(w, r, "list calls", err, "try again")
		return
	}
	p := page{Success: true, Date: day, Calls: calls}
	if next != 0 {
		p.NextCursor = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, p)
}

// StatsAnswer is the answer of the stats route.
type StatsAnswer struct {
	Success        bool          `json:"success"`
	Layout         string        `json:"layout"`
	FallbackLayout string        `json:"fallbackLayout,omitempty"`
	Stats          casenum.Stats `json:"stats"`
}

func (s *server) stats(w http.ResponseWriter, r *http.Request) {
	a := StatsAnswer{Success: true, Layout: s.gen.Layout().String(), Stats: s.gen.Stats()}
	if f := s.gen.FallbackLayout(); f != nil {
		a.FallbackLayout = f.String()
	}
	writeJSON(w, http.StatusOK, a)
}

// failCreate answers a create request that failed. When the outcome is
// unknown (the connection to the database was lost after the COMMIT was
// sent, or the time ran out while it ran) the call may have been stored: the answer is 504 "outcome unknown" with the caseNumber,
// and the client must look that number up before sending the call again,
// or it may store the call twice. It is never a 2xx, so that a client
// that checks only the status does not show the caller a number that may
// not exist, and never carries Retry-After, which would invite a blind
// retry.
func (s *server) failCreate(w http.ResponseWriter, r *http.Request, err error) {
	var ae *casenum.AttemptError
	if errors.Is(err, casenum.ErrUncertain) && errors.As(err, &ae) && ae.Number != "" {
		s.log.WarnContext(r.Context(), "create call: outcome unknown", "caseNumber", ae.Number, "error", err)
		writeJSON(w, http.StatusGatewayTimeout, errorBody{
			Error: "outcome unknown",
			Details: fmt.Sprintf("the call may have been stored as %s: look it up with GET %s/%s before sending it again",
				ae.Number, CallsPath, url.PathEscape(ae.Number)),
			CaseNumber: ae.Number,
		})
		return
	}
	s.fail(w, r, "create call", err, "the call was not stored; send it again")
}

// fail answers a request whose work failed. Only what the client can act
// on is said: no SQL, no driver message. The detail goes to the log.
// timedOut is the advice when the request's time ran out.
func (s *server) fail(w http.ResponseWriter, r *http.Request, what string, err error, timedOut string) {
	ctx := r.Context()
	switch {
	case errors.Is(err, casenum.ErrExhausted) && casenum.Classify(err) == casenum.Aborted:
		// The database refused every attempt (busy or locked): no number
		// was taken. Retrying later can succeed, so this is 503.
		s.log.WarnContext(ctx, what+": database busy", "error", err)
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "database busy",
			"the database was too busy to store the call; try again shortly")
	case errors.Is(err, casenum.ErrExhausted):
		// Every candidate was taken: the layout's space is full for now.
		// Retrying later can succeed, so this is 503, not 500 or 409.
		s.log.WarnContext(ctx, what+": case numbers exhausted", "error", err)
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "no case number available",
			"every candidate case number was taken; try again shortly")
	case ctx.Err() != nil:
		// The request ran out of time or the client left; the driver may
		// report that in its own words, so the context is what decides.
		s.log.WarnContext(ctx, what+": request ended early", "error", err, "cause", ctx.Err())
		writeError(w, http.StatusGatewayTimeout, "request timed out",
			"the server could not finish in time; "+timedOut)
	default:
		s.log.ErrorContext(ctx, what, "error", err)
		writeError(w, http.StatusInternalServerError, "internal server error",
			"the request could not be completed; try again later")
	}
}
