package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/casemint/casemint/store"
)

// target is the database of one run.
type target struct {
	db       *sql.DB
	dialect  store.Dialect
	label    string       // what the report calls it, with no password
	close    func() error // closes db and removes what the run created
	maxConns int          // cap on the pool of a server database; 0: one per worker
}

// open connects to the database that -db names: "sqlite" for a new SQLite
// file in a temporary directory, a postgres:// or postgresql:// URL, or a
// go-sql-driver/mysql DSN (user:pass@tcp(host:port)/db).
func open(ctx context.Context, spec string) (*target, error) {
	switch {
	case spec == "sqlite":
		dir, err := os.MkdirTemp("", "dbbench-")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, "bench.db")
		// WAL and a busy timeout: concurrent writers wait for the file's
		// lock instead of failing with SQLITE_BUSY.
		db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		t := &target{db: db, dialect: store.SQLite, label: "SQLite (temporary file)", close: func() error {
			err := db.Close()
			os.RemoveAll(dir)
			return err
		}}
		return t, t.ping(ctx)
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		db, err := sql.Open("pgx", spec)
		if err != nil {
			return nil, err
		}
		t := &target{db: db, dialect: store.Postgres, label: "PostgreSQL", close: db.Close}
		return t, t.ping(ctx)
	default:
		cfg, err := mysql.ParseDSN(spec)
		if err != nil {
			return nil, fmt.Errorf("-db: not \"sqlite\", a postgres:// URL or a MySQL DSN: %w", err)
		}
		// Without it go-sql-driver/mysql prepares every parameterised
		// statement on the server: three round trips instead of one.
		cfg.InterpolateParams = true
		connector, err := mysql.NewConnector(cfg)
		if err != nil {
			return nil, err
		}
		db := sql.OpenDB(connector)
		t := &target{db: db, dialect: store.MySQL, label: "MySQL/MariaDB", close: db.Close}
		return t, t.ping(ctx)
	}
}

func (t *target) ping(ctx context.Context) error {
	if err := t.db.PingContext(ctx); err != nil {
		t.close()
		return err
	}
	return nil
}

// version returns the server's version string.
func (t *target) version(ctx context.Context) string {
	q := "SELECT version()"
	if t.dialect == store.SQLite {
		q = "SELECT 'SQLite ' || sqlite_version()"
	}
	var v string
	if err := t.db.QueryRowContext(ctx, q).Scan(&v); err != nil {
		return "unknown"
	}
	if i := strings.Index(v, " on "); i > 0 { // PostgreSQL's build details
		v = v[:i]
	}
	return v
}

// pool sizes the connection pool for workers and opens the connections
// before the clock starts, so that no configuration pays for connecting.
// SQLite gets one connection: its writers take turns on one file lock
// anyway, and database/sql's queue hands it over faster than SQLite's busy
// handler, which sleeps.
func (t *target) pool(ctx context.Context, workers int) error {
	n := workers
	if t.maxConns > 0 {
		n = min(n, t.maxConns)
	}
	if t.dialect == store.SQLite {
		n = 1
	}
	t.db.SetMaxOpenConns(n)
	t.db.SetMaxIdleConns(n)
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := t.db.Conn(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
	}
	return nil
}

// tables is a fresh pair of tables for one configuration: the records, with
// a UNIQUE case number as the seed's call records had, and the counters of
// a store.Sequence.
type tables struct {
	records, counters string
}

// newTables creates a records table under a name no other run uses.
func (t *target) newTables(ctx context.Context) (tables, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return tables{}, err
	}
	base := "dbbench_" + hex.EncodeToString(b[:])
	tb := tables{records: base + "_records", counters: base + "_counters"}
	var ddl string
	switch t.dialect {
	case store.Postgres:
		ddl = `CREATE TABLE %s (id BIGSERIAL PRIMARY KEY, case_number VARCHAR(64) NOT NULL UNIQUE,
			caller VARCHAR(64) NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`
	case store.MySQL:
		ddl = `CREATE TABLE %s (id BIGINT AUTO_INCREMENT PRIMARY KEY, case_number VARCHAR(64) NOT NULL UNIQUE,
			caller VARCHAR(64) NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB`
	default:
		ddl = `CREATE TABLE %s (id INTEGER PRIMARY KEY, case_number VARCHAR(64) NOT NULL UNIQUE,
			caller VARCHAR(64) NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`
	}
	if _, err := t.db.ExecContext(ctx, fmt.Sprintf(ddl, tb.records)); err != nil {
		return tables{}, fmt.Errorf("creating %s: %w", tb.records, err)
	}
	return tb, nil
}

// drop removes a configuration's tables.
func (t *target) drop(ctx context.Context, tb tables) error {
	for _, name := range []string{tb.records, tb.counters} {
		if _, err := t.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+name); err != nil {
			return fmt.Errorf("dropping %s: %w", name, err)
		}
	}
	return nil
}

// count returns the rows stored in the records table.
func (t *target) count(ctx context.Context, tb tables) (int, error) {
	var n int
	err := t.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+tb.records).Scan(&n)
	return n, err
}

// insertSQL is the INSERT of one record.
func (t *target) insertSQL(tb tables) string {
	if t.dialect == store.Postgres {
		return "INSERT INTO " + tb.records + " (case_number, caller) VALUES ($1, $2)"
	}
	return "INSERT INTO " + tb.records + " (case_number, caller) VALUES (?, ?)"
}

// counting is a store.Querier over a *sql.DB that counts the statements it
// runs: with one statement per network round trip (pgx's statement cache,
// go-sql-driver/mysql with interpolateParams, SQLite in process) that is
// the round trips.
type counting struct {
	db *sql.DB
	n  atomic.Int64
}

var _ store.Querier = (*counting)(nil)

func (c *counting) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.n.Add(1)
	return c.db.ExecContext(ctx, query, args...)
}

func (c *counting) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.db.QueryContext(ctx, query, args...)
}

func (c *counting) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c.n.Add(1)
	return c.db.QueryRowContext(ctx, query, args...)
}
