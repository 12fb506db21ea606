package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"

	"github.com/casemint/casemint/store"
)

// defaultBatch is seqgroup's callers per batch unless -batch says.
const defaultBatch = 64

// target is the database of one run: one server, or the nodes of a Galera
// cluster, each with a pool of its own.
type target struct {
	nodes    []*node
	dialect  store.Dialect
	label    string // what the report calls it, with no password
	remove   func() // removes what open created besides the connections
	maxConns int    // cap on each node's pool; 0: one connection per worker
	layout   string // of the create and createtx modes; "" for casenum's default
	batch    int    // seqgroup's callers per batch
	// visibleWait bounds the wait for a new table to reach every node.
	visibleWait time.Duration
}

// node is one server of a target.
type node struct {
	db *sql.DB
	n  counts // requests sent through db
}

// open connects to the databases that -db names: "sqlite" for a new SQLite
// file in a temporary directory, a postgres:// or postgresql:// URL, a
// go-sql-driver/mysql DSN (user:pass@tcp(host:port)/db), or a
// comma-separated list of MySQL DSNs, the nodes of one Galera cluster.
func open(ctx context.Context, spec string) (*target, error) {
	t := &target{remove: func() {}, visibleWait: 30 * time.Second, batch: defaultBatch}
	specs := strings.Split(spec, ",")
	for i, s := range specs {
		c, err := t.connector(strings.TrimSpace(s), len(specs) > 1)
		if err != nil {
			t.close()
			if len(specs) > 1 {
				return nil, fmt.Errorf("-db: node %d: a list names the MySQL DSNs of a Galera cluster's nodes: %w", i+1, err)
			}
			return nil, fmt.Errorf("-db: not \"sqlite\", a postgres:// URL or a MySQL DSN: %w", err)
		}
		nd := &node{}
		nd.db = sql.OpenDB(countingConnector{Connector: c, n: &nd.n})
		t.nodes = append(t.nodes, nd)
	}
	if len(t.nodes) > 1 {
		t.label = fmt.Sprintf("MariaDB Galera cluster of %d nodes", len(t.nodes))
	}
	for i, nd := range t.nodes {
		if err := nd.db.PingContext(ctx); err != nil {
			t.close()
			return nil, fmt.Errorf("node %d: %w", i+1, err)
		}
	}
	return t, nil
}

// connector returns the driver connector of one database and sets t's
// dialect and label; in a cluster only MySQL DSNs are accepted.
func (t *target) connector(spec string, cluster bool) (driver.Connector, error) {
	switch {
	case spec == "sqlite" && !cluster:
		dir, err := os.MkdirTemp("", "dbbench-")
		if err != nil {
			return nil, err
		}
		t.remove = func() { os.RemoveAll(dir) }
		t.dialect, t.label = store.SQLite, "SQLite (temporary file)"
		// WAL and a busy timeout: concurrent writers wait for the file's
		// lock instead of failing with SQLITE_BUSY.
		return sqlite.NewConnector(filepath.Join(dir, "bench.db") +
			"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	case (strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://")) && !cluster:
		t.dialect, t.label = store.Postgres, "PostgreSQL"
		return stdlib.GetDefaultDriver().(driver.DriverContext).OpenConnector(spec)
	}
	cfg, err := mysql.ParseDSN(spec)
	if err != nil {
		return nil, err
	}
	// Without it go-sql-driver/mysql prepares every parameterised
	// statement on the server: three round trips instead of one.
	cfg.InterpolateParams = true
	t.dialect, t.label = store.MySQL, "MySQL/MariaDB"
	return mysql.NewConnector(cfg)
}

// close closes every node's pool and removes what open created.
func (t *target) close() {
	for _, nd := range t.nodes {
		nd.db.Close()
	}
	t.remove()
}

// first is the node that runs DDL and the checks after a run.
func (t *target) first() *sql.DB { return t.nodes[0].db }

// version returns the server's version string; for a cluster, node 1's
// and the Galera provider's.
func (t *target) version(ctx context.Context) string {
	q := "SELECT version()"
	switch {
	case t.dialect == store.SQLite:
		q = "SELECT 'SQLite ' || sqlite_version()"
	case len(t.nodes) > 1:
		q = `SELECT CONCAT(version(), ', Galera ', VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS
			WHERE VARIABLE_NAME = 'WSREP_PROVIDER_VERSION'`
	}
	var v string
	if err := t.first().QueryRowContext(ctx, q).Scan(&v); err != nil {
		return "unknown"
	}
	if i := strings.Index(v, " on "); i > 0 { // PostgreSQL's build details
		v = v[:i]
	}
	return v
}

// pool sizes each node's connection pool for the workers writing through
// it and opens the connections before the clock starts, so that no
// configuration pays for connecting. SQLite gets one connection: its
// writers take turns on one file lock anyway, and database/sql's queue
// hands it over faster than SQLite's busy handler, which sleeps.
func (t *target) pool(ctx context.Context, workers int) error {
	for i, nd := range t.nodes {
		n := max(1, workersOn(i, len(t.nodes), workers))
		if t.maxConns > 0 {
			n = min(n, t.maxConns)
		}
		if t.dialect == store.SQLite {
			n = 1
		}
		if err := warm(ctx, nd.db, n); err != nil {
			return fmt.Errorf("node %d: %w", i+1, err)
		}
	}
	return nil
}

// workersOn returns how many of workers write through node i of nodes:
// worker w writes through node w % nodes.
func workersOn(i, nodes, workers int) int {
	if i >= workers {
		return 0
	}
	return (workers - i + nodes - 1) / nodes
}

// warm caps db's pool at n connections and opens them.
func warm(ctx context.Context, db *sql.DB, n int) error {
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
	}
	return nil
}

// sent returns the requests sent through all nodes, and of them the
// statements sent inside transactions.
func (t *target) sent() (all, inTx int64) {
	for _, nd := range t.nodes {
		all += nd.n.sent.Load()
		inTx += nd.n.inTx.Load()
	}
	return all, inTx
}

// resetSent starts the count of requests afresh.
func (t *target) resetSent() {
	for _, nd := range t.nodes {
		nd.n.sent.Store(0)
		nd.n.inTx.Store(0)
	}
}

// tables is a fresh pair of tables for one configuration: the records, with
// a UNIQUE case number as a call centre's records have, and the counters of
// a store.Sequence.
type tables struct {
	records, counters string
}

// newTables creates a records table under a name no other run uses, through
// node 1, and waits until every node can read it.
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
	if _, err := t.first().ExecContext(ctx, fmt.Sprintf(ddl, tb.records)); err != nil {
		return tables{}, fmt.Errorf("creating %s: %w", tb.records, err)
	}
	return tb, t.visible(ctx, tb.records)
}

// visible waits until table can be read through every node: a table
// created through one node of a Galera cluster reaches the others a moment
// later.
func (t *target) visible(ctx context.Context, table string) error {
	ctx, cancel := context.WithTimeout(ctx, t.visibleWait)
	defer cancel()
	for i, nd := range t.nodes {
		var last error
		for {
			err := nd.db.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE 1 = 0").Scan(new(int))
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			if ctx.Err() == nil || last == nil {
				last = err
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("table %s not readable through node %d after %v (are the DSNs the nodes of one cluster?): %w",
					table, i+1, t.visibleWait, last)
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	return nil
}

// drop removes a configuration's tables.
func (t *target) drop(ctx context.Context, tb tables) error {
	for _, name := range []string{tb.records, tb.counters} {
		if _, err := t.first().ExecContext(ctx, "DROP TABLE IF EXISTS "+name); err != nil {
			return fmt.Errorf("dropping %s: %w", name, err)
		}
	}
	return nil
}

// numbers returns the case numbers stored in the records table, read
// through node 1 once it has applied every write the cluster committed.
func (t *target) numbers(ctx context.Context, tb tables) ([]string, error) {
	c, err := t.first().Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if len(t.nodes) > 1 {
		if _, err := c.ExecContext(ctx, "SET SESSION wsrep_sync_wait = 1"); err != nil {
			return nil, err
		}
		defer c.ExecContext(ctx, "SET SESSION wsrep_sync_wait = 0")
	}
	rows, err := c.QueryContext(ctx, "SELECT case_number FROM "+tb.records)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		all = append(all, n)
	}
	return all, rows.Err()
}

// insertSQL is the INSERT of one record.
func (t *target) insertSQL(tb tables) string {
	if t.dialect == store.Postgres {
		return "INSERT INTO " + tb.records + " (case_number, caller) VALUES ($1, $2)"
	}
	return "INSERT INTO " + tb.records + " (case_number, caller) VALUES (?, ?)"
}
