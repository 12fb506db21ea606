package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/casemint/casemint/store/internal/sqlcore"
)

// Dialect selects the SQL a Checker, a Sequence and Savepoint speak: the
// placeholders, the quoting of identifiers and the statements that differ
// between databases. Only the exported values are valid; the zero value is
// refused with ErrInvalidDialect.
type Dialect int

const (
	// Postgres is PostgreSQL (and servers speaking its dialect, such as
	// CockroachDB): $1 placeholders, "double-quoted" identifiers.
	Postgres Dialect = iota + 1
	// MySQL is MySQL and MariaDB: ? placeholders, `backquoted` identifiers.
	MySQL
	// SQLite is SQLite 3.35 or later (for RETURNING): ? placeholders,
	// "double-quoted" identifiers.
	SQLite
)

// String returns the dialect's name: "postgres", "mysql" or "sqlite".
func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgres"
	case MySQL:
		return "mysql"
	case SQLite:
		return "sqlite"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// valid reports an error wrapping ErrInvalidDialect for an unknown d.
func (d Dialect) valid() error {
	switch d {
	case Postgres, MySQL, SQLite:
		return nil
	}
	return fmt.Errorf("%w: %v", ErrInvalidDialect, d)
}

// core returns the dialect as the SQL core names it.
func (d Dialect) core() sqlcore.Dialect {
	switch d {
	case Postgres:
		return sqlcore.Postgres
	case MySQL:
		return sqlcore.MySQL
	case SQLite:
		return sqlcore.SQLite
	}
	return 0
}

// Querier is what a Checker, a Sequence and Savepoint need from the
// database: the methods *sql.DB, *sql.Tx and *sql.Conn share. Pass a *sql.DB
// to run each statement on its own, a *sql.Tx to run them inside the
// caller's transaction (they commit or roll back with it), or a wrapper of
// your own, for instance one that counts or traces statements.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkTarget checks what every statement needs, a Querier and a Dialect.
func checkTarget(db Querier, d Dialect) error {
	if err := face.CheckHandle(db); err != nil {
		return err
	}
	return d.valid()
}

// handle is a Querier as the SQL core runs statements on it.
type handle struct{ q Querier }

func (h handle) Exec(ctx context.Context, query string, args ...any) (sqlcore.Result, error) {
	return h.q.ExecContext(ctx, query, args...)
}

func (h handle) QueryInt(ctx context.Context, query string, args ...any) (int64, error) {
	var v int64
	err := h.q.QueryRowContext(ctx, query, args...).Scan(&v)
	return v, err
}

// Autocommit reports whether statements on h commit on their own: on a
// *sql.DB they do.
func (h handle) Autocommit() bool {
	_, ok := h.q.(*sql.DB)
	return ok
}
