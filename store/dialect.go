package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/casemint/casemint/internal/sqlstmt"
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

// Placeholder returns the marker of the i-th parameter of a statement,
// counting from 1: "$1" on PostgreSQL, "?" on MySQL and SQLite.
func (d Dialect) Placeholder(i int) string { return d.stmt().Placeholder(i) }

// Rebind rewrites the ? placeholders of query for the dialect: $1, $2, ...
// on PostgreSQL, unchanged elsewhere. It does not parse SQL, so query must
// hold no ? inside string literals, quoted identifiers or comments.
func (d Dialect) Rebind(query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString(d.Placeholder(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// QuoteIdentifier validates a table or column name and quotes it for the
// dialect: "name" on PostgreSQL and SQLite, `name` on MySQL. A schema.table
// name has each part quoted. Anything but ^[A-Za-z_][A-Za-z0-9_]{0,62}$ (per
// part) is refused with ErrInvalidIdentifier, so the result is always safe
// to put into a statement.
func (d Dialect) QuoteIdentifier(name string) (string, error) {
	if err := d.valid(); err != nil {
		return "", err
	}
	return d.stmt().Table(name)
}

// stmt returns the dialect's statement writer.
func (d Dialect) stmt() sqlstmt.Dialect {
	switch d {
	case Postgres:
		return sqlstmt.Postgres
	case MySQL:
		return sqlstmt.MySQL
	case SQLite:
		return sqlstmt.SQLite
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
	if err := sqlstmt.CheckQuerier(db); err != nil {
		return err
	}
	return d.valid()
}
