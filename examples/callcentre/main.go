// Command callcentre is a call-centre API that stores call records under
// UNIQUE case numbers minted by casemint: the service whose Date.now() case
// numbers collided under concurrent requests, done so that they cannot.
//
//	go run ./examples/callcentre                       # SQLite in the user's cache directory, on 127.0.0.1:8080
//	go run ./examples/callcentre -db 'postgres://user:pass@localhost:5432/calls'
//	go run ./examples/callcentre -selftest 2000 -concurrency 64
//
// Endpoints:
//
//	POST /api/call-centre/calls                 create a call; 201 {"success":true,"caseNumber":...,"call":{...}},
//	                                            or 504 {"error":"outcome unknown","caseNumber":...}: look it up first
//	GET  /api/call-centre/calls/{caseNumber}    one call, by the number as a person typed it
//	GET  /api/call-centre/calls?date=YYYY-MM-DD&limit=N&cursor=C   a day's calls, a page at a time
//	GET  /api/call-centre/stats                 the Generator's counters
//	GET  /metrics                               the same for Prometheus, with -metrics
//
// With -selftest N the command starts the service on a loopback port, sends
// it N create requests from -concurrency workers over real HTTP, reads every
// call back, counts the rows, prints a summary and exits non-zero on any
// failure. Run with -h for every flag.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/examples/callcentre/internal/calls"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "callcentre:", err)
		os.Exit(1)
	}
}

// errUsage marks a command-line mistake, already reported by the flag set.
var errUsage = errors.New("usage")

// config is the command line.
type config struct {
	addr             string
	dsn              string
	dbConns          int
	table            string
	tableGiven       bool // -table was on the command line
	layout           string
	fallback         string
	fallbackGiven    bool // -fallback-layout was on the command line
	logLevel         slog.Level
	requestTimeout   time.Duration
	shutdownTimeout  time.Duration
	selftest         int
	concurrency      int
	expectCollisions bool
	metrics          bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("callcentre", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen `address`")
	fs.StringVar(&c.dsn, "db", "", "database `DSN`: postgres://..., mysql://..., a go-sql-driver/mysql DSN, or an SQLite file path\n(default: SQLite file casemint/callcentre.db in your cache directory, or callcentre.db in the working directory\nif you have none: "+defaultSQLiteFile()+")")
	fs.IntVar(&c.dbConns, "db-conns", 8, "most `connections` to a PostgreSQL or MySQL server; more than a few per core only queue in the server (SQLite uses one)")
	fs.StringVar(&c.table, "table", calls.DefaultTable, "`table` of the call records; its counters for {seq} go in table_seq. The self-test uses a fresh table, dropped afterwards, unless -table is given")
	fs.StringVar(&c.layout, "layout", casenum.DefaultLayout, "case number `layout`")
	fs.StringVar(&c.fallback, "fallback-layout", casenum.DefaultFallbackLayout, "`layout` used after the main layout's attempts all collided; empty turns it off. Unless given, a {seq} layout has none")
	fs.TextVar(&c.logLevel, "log-level", slog.LevelInfo, "log `level`: debug (shows collisions), info, warn or error; the self-test logs errors only unless this is set")
	fs.DurationVar(&c.requestTimeout, "request-timeout", calls.DefaultRequestTimeout, "time limit of each request, its body and the database work included")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long a shutdown waits for requests in flight")
	fs.IntVar(&c.selftest, "selftest", 0, "run the self-test with `N` create requests instead of serving")
	fs.IntVar(&c.concurrency, "concurrency", 16, "self-test: concurrent `workers`")
	fs.BoolVar(&c.metrics, "metrics", false, "serve GET /metrics, the Generator's counters for Prometheus; the self-test prints a scrape of it")
	fs.BoolVar(&c.expectCollisions, "expect-collisions", false, "self-test: fail unless the layout collided at least once (proves that collisions are retried)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, errUsage
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	c.tableGiven = explicit["table"]
	c.fallbackGiven = explicit["fallback-layout"]
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "callcentre: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return c, errUsage
	}
	if c.selftest < 0 || c.concurrency < 1 || c.dbConns < 1 {
		fmt.Fprintln(stderr, "callcentre: -selftest must be 0 or more, -concurrency and -db-conns at least 1")
		return c, errUsage
	}
	if c.requestTimeout <= 0 {
		fmt.Fprintln(stderr, "callcentre: -request-timeout must be positive")
		return c, errUsage
	}
	if c.selftest > 0 && !explicit["log-level"] {
		c.logLevel = slog.LevelError
	}
	return c, nil
}

// run is the program: it serves until ctx ends, or runs the self-test.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))
	if cfg.selftest > 0 {
		return selftest(ctx, cfg, logger, stdout)
	}
	return serveDB(ctx, cfg, logger, net.Listen)
}

// newGenerator builds the Generator of the service, with the Store's
// counters behind {seq}. Its events go to the log (see logObserver):
// collisions at Debug, fallbacks at Warn, failures at Error. Without
// -fallback-layout the fallback is the library's default: none for a
// series.
func newGenerator(cfg config, st *calls.Store, logger *slog.Logger) (*casenum.Generator, error) {
	opts := []casenum.Option{
		casenum.WithLayout(cfg.layout),
		casenum.WithSequence(st.Sequence()),
		casenum.WithObserver(logObserver{logger}),
	}
	if cfg.fallbackGiven {
		opts = append(opts, casenum.WithFallbackLayout(cfg.fallback))
	}
	return casenum.New(opts...)
}

// serveDB opens the database, creates the tables and serves on the
// listener that listen opens on cfg.addr until ctx ends.
func serveDB(ctx context.Context, cfg config, logger *slog.Logger, listen func(network, addr string) (net.Listener, error)) error {
	dbInfo, err := parseDSN(cfg.dsn)
	if err != nil {
		return err
	}
	db, err := dbInfo.open(ctx, cfg.dbConns)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := calls.NewStore(db, dbInfo.dialect, cfg.table)
	if err != nil {
		return err
	}
	gen, err := newGenerator(cfg, st, logger)
	if err != nil {
		return err
	}
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	h, err := calls.NewHandler(calls.Config{Store: st, Generator: gen, Logger: logger, RequestTimeout: cfg.requestTimeout, Metrics: cfg.metrics})
	if err != nil {
		return err
	}
	ln, err := listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	logger.Info("serving", "addr", "http://"+ln.Addr().String(), "db", dbInfo.dialect.String()+" "+dbInfo.display,
		"table", cfg.table, "layout", cfg.layout)
	return serve(ctx, newHTTPServer(h, cfg, logger), ln, logger, cfg.shutdownTimeout)
}

// answerTime is how long the server has to write an answer once the
// request's time is up.
const answerTime = 5 * time.Second

// newHTTPServer sets the timeouts that keep a slow or stalled client from
// holding a connection: for the headers, the whole request, the answer and
// idle keep-alive connections. A request, its body included, must arrive
// within the request time limit, which also bounds the handler's work; the
// write deadline ends answerTime after both, so that the answer to a
// request cut short (a 408 for a stalled body, a 504) is never cut itself.
// The read deadline counts from the start of the request, the write
// deadline from the end of its headers, which only widens that margin.
func newHTTPServer(h http.Handler, cfg config, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       cfg.requestTimeout,
		WriteTimeout:      cfg.requestTimeout + answerTime,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// serve runs srv on ln until ctx ends, then shuts it down gracefully: it
// stops accepting connections and waits up to grace for the requests in
// flight to finish. The errors net/http answers itself are JSON too.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, logger *slog.Logger, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(calls.JSONListener(ln)) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}
