package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strconv"
	"strings"
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
func (d Dialect) Placeholder(i int) string { return d.placeholder(i) }

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
			b.WriteString(d.placeholder(n))
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
	return d.quoteTable(name)
}

// placeholder returns the marker of the i-th parameter, counting from 1.
func (d Dialect) placeholder(i int) string {
	if d == Postgres {
		return "$" + strconv.Itoa(i)
	}
	return "?"
}

// quote returns a validated identifier in the dialect's quotes.
func (d Dialect) quote(ident string) string {
	if d == MySQL {
		return "`" + ident + "`"
	}
	return `"` + ident + `"`
}

// quoteColumn validates and quotes a column name: one identifier.
func (d Dialect) quoteColumn(name string) (string, error) {
	if !validIdentifier(name) {
		return "", fmt.Errorf("%w: column %q", ErrInvalidIdentifier, name)
	}
	return d.quote(name), nil
}

// quoteTable validates and quotes a table name: an identifier, or two
// joined by a dot (schema.table), each part quoted on its own.
func (d Dialect) quoteTable(name string) (string, error) {
	schema, table, qualified := strings.Cut(name, ".")
	if !qualified {
		table, schema = schema, ""
	}
	if (qualified && !validIdentifier(schema)) || !validIdentifier(table) {
		return "", fmt.Errorf("%w: table %q", ErrInvalidIdentifier, name)
	}
	if qualified {
		return d.quote(schema) + "." + d.quote(table), nil
	}
	return d.quote(table), nil
}

// maxIdentifier is PostgreSQL's limit (NAMEDATALEN-1); MySQL allows 64.
const maxIdentifier = 63

// validIdentifier reports whether s matches ^[A-Za-z_][A-Za-z0-9_]{0,62}$.
// Such a name needs no escaping inside either kind of quotes, and quoting
// it keeps reserved words (order, value, user) usable as names.
func validIdentifier(s string) bool {
	if len(s) == 0 || len(s) > maxIdentifier {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
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

// checkTarget checks what every statement needs, a Querier, a Dialect and a
// table, and returns the table quoted for the dialect.
func checkTarget(db Querier, d Dialect, table string) (string, error) {
	if err := checkQuerier(db); err != nil {
		return "", err
	}
	return d.QuoteIdentifier(table)
}

// checkQuerier refuses a nil Querier, the typed nils (*sql.DB)(nil) and the
// like included: calling a method on one would panic.
func checkQuerier(q Querier) error {
	if q == nil {
		return fmt.Errorf("%w: nil", ErrInvalidQuerier)
	}
	switch v := reflect.ValueOf(q); v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Func, reflect.Slice, reflect.Chan:
		if v.IsNil() {
			return fmt.Errorf("%w: nil %T", ErrInvalidQuerier, q)
		}
	}
	return nil
}
