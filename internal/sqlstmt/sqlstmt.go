// Package sqlstmt writes the statements of casemint's Checkers, Sequences
// and savepoints for each SQL dialect, with table and column names
// validated and quoted: identifiers cannot travel as parameters, so only
// names that need no escaping are let into a statement.
package sqlstmt

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Errors of store and store/pgxstore; store exports them under the same
// names.
var (
	ErrInvalidIdentifier = errors.New("store: invalid identifier")
	ErrInvalidQuerier    = errors.New("store: invalid querier")
)

// Dialect is a family of SQL. The zero value is none of them.
type Dialect uint8

const (
	Postgres Dialect = iota + 1 // $1 placeholders, "double-quoted" identifiers
	MySQL                       // ? placeholders, `backquoted` identifiers; MariaDB too
	SQLite                      // ? placeholders, "double-quoted" identifiers
)

// Placeholder returns the marker of the i-th parameter, counting from 1.
func (d Dialect) Placeholder(i int) string {
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

// Column validates and quotes a column name: one identifier.
func (d Dialect) Column(name string) (string, error) {
	if !validIdentifier(name) {
		return "", fmt.Errorf("%w: column %q", ErrInvalidIdentifier, name)
	}
	return d.quote(name), nil
}

// Table validates and quotes a table name: an identifier, or two joined by
// a dot (schema.table), each part quoted on its own.
func (d Dialect) Table(name string) (string, error) {
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

// Exists returns the Checker's query, which selects a row when column of
// table holds the number given as the first parameter.
func (d Dialect) Exists(table, column string) (string, error) {
	qt, err := d.Table(table)
	if err != nil {
		return "", err
	}
	qc, err := d.Column(column)
	if err != nil {
		return "", err
	}
	return "SELECT 1 FROM " + qt + " WHERE " + qc + " = " + d.Placeholder(1) + " LIMIT 1", nil
}

// MaxScopeLength is the longest scope, in characters, that a counter table
// holds.
const MaxScopeLength = 255

// Counter holds the statements of a counter table.
type Counter struct {
	Schema string // CREATE TABLE IF NOT EXISTS
	One    string // raises a scope's counter by 1
	Block  string // raises it by the block size; "" for a block of 1
}

// Counter returns the statements of the counter table, with blocks of
// block values. Each raises the counter of the scope given as the first
// parameter and returns the new value: as a row, or on MySQL as the
// result's LastInsertId.
func (d Dialect) Counter(table string, block int) (Counter, error) {
	qt, err := d.Table(table)
	if err != nil {
		return Counter{}, err
	}
	scope := "VARCHAR(" + strconv.Itoa(MaxScopeLength) + ")"
	if d == SQLite {
		scope = "TEXT"
	}
	c := Counter{
		Schema: "CREATE TABLE IF NOT EXISTS " + qt + " (scope " + scope + " NOT NULL PRIMARY KEY, value BIGINT NOT NULL)",
		One:    d.bump(qt, 1),
	}
	if block > 1 {
		c.Block = d.bump(qt, block)
	}
	return c, nil
}

// bump returns the statement that raises a scope's counter by n. n is a
// validated int written as a literal, never input; the scope travels as a
// parameter.
func (d Dialect) bump(table string, n int) string {
	ns := strconv.Itoa(n)
	if d == MySQL {
		return "INSERT INTO " + table + " (scope, value) VALUES (?, LAST_INSERT_ID(" + ns + ")) " +
			"ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + " + ns + ")"
	}
	return "INSERT INTO " + table + " (scope, value) VALUES (" + d.Placeholder(1) + ", " + ns + ") " +
		"ON CONFLICT (scope) DO UPDATE SET value = " + table + ".value + " + ns + " RETURNING value"
}

// CheckQuerier refuses a nil database handle, the typed nils ((*sql.DB)(nil)
// and the like) included: calling a method on one would panic.
func CheckQuerier(q any) error {
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
