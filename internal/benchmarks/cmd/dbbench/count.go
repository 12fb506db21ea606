package main

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync/atomic"
)

// countingConnector wraps a driver's connector and counts the requests its
// connections send to the database: every statement (prepared or not),
// BEGIN, COMMIT and ROLLBACK. Counting below database/sql sees what a
// store.Querier wrapper cannot: the transactions of store.CreateTx, and
// the statements of a store.Sequence drawing in them, which needs the very
// *sql.DB given to CreateTx. With one request per network round trip (pgx's
// statement cache, go-sql-driver/mysql with interpolateParams, SQLite in
// process) the count is the round trips.
type countingConnector struct {
	driver.Connector
	n *counts
}

// counts are the requests of a countingConnector's connections.
type counts struct {
	sent atomic.Int64 // all
	inTx atomic.Int64 // the statements sent inside a transaction
}

func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{conn: conn, n: c.n}, nil
}

// errUnsupported is returned for a capability the wrapped driver lacks; the
// three drivers dbbench opens have them all.
var errUnsupported = errors.New("dbbench: the driver lacks a context-aware method the counting wrapper needs")

// countingConn counts on behalf of countingConnector and passes the rest
// of database/sql's optional interfaces through. Like any driver.Conn it
// is used by one goroutine at a time.
type countingConn struct {
	conn driver.Conn
	n    *counts
	tx   bool // a transaction is open
}

// statement counts a statement.
func (c *countingConn) statement() {
	c.n.sent.Add(1)
	if c.tx {
		c.n.inTx.Add(1)
	}
}

var (
	_ driver.ConnBeginTx        = (*countingConn)(nil)
	_ driver.ConnPrepareContext = (*countingConn)(nil)
	_ driver.ExecerContext      = (*countingConn)(nil)
	_ driver.QueryerContext     = (*countingConn)(nil)
	_ driver.Pinger             = (*countingConn)(nil)
	_ driver.SessionResetter    = (*countingConn)(nil)
	_ driver.Validator          = (*countingConn)(nil)
	_ driver.NamedValueChecker  = (*countingConn)(nil)
)

func (c *countingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	p, ok := c.conn.(driver.ConnPrepareContext)
	if !ok {
		return nil, errUnsupported
	}
	c.statement()
	s, err := p.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: s, c: c}, nil
}

func (c *countingConn) Close() error { return c.conn.Close() }

func (c *countingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	b, ok := c.conn.(driver.ConnBeginTx)
	if !ok {
		return nil, errUnsupported
	}
	c.n.sent.Add(1)
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.tx = true
	return countingTx{tx: tx, c: c}, nil
}

// ExecContext and QueryContext count a statement only when the driver runs
// it: driver.ErrSkip sends database/sql to PrepareContext, which counts.
func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := e.ExecContext(ctx, query, args)
	if !errors.Is(err, driver.ErrSkip) {
		c.statement()
	}
	return r, err
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := q.QueryContext(ctx, query, args)
	if !errors.Is(err, driver.ErrSkip) {
		c.statement()
	}
	return r, err
}

func (c *countingConn) Ping(ctx context.Context) error {
	if p, ok := c.conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *countingConn) IsValid() bool {
	if v, ok := c.conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if v, ok := c.conn.(driver.NamedValueChecker); ok {
		return v.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// countingTx counts COMMIT and ROLLBACK.
type countingTx struct {
	tx driver.Tx
	c  *countingConn
}

func (t countingTx) Commit() error {
	t.c.n.sent.Add(1)
	t.c.tx = false
	return t.tx.Commit()
}

func (t countingTx) Rollback() error {
	t.c.n.sent.Add(1)
	t.c.tx = false
	return t.tx.Rollback()
}

// countingStmt counts each run of a prepared statement.
type countingStmt struct {
	driver.Stmt
	c *countingConn
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	e, ok := s.Stmt.(driver.StmtExecContext)
	if !ok {
		return nil, errUnsupported
	}
	s.c.statement()
	return e.ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := s.Stmt.(driver.StmtQueryContext)
	if !ok {
		return nil, errUnsupported
	}
	s.c.statement()
	return q.QueryContext(ctx, args)
}
