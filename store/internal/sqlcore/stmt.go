package sqlcore

import (
	"fmt"
	"strconv"
	"strings"
)

// Dialect is a family of SQL. The zero value is none of them; the faces
// refuse it before it gets here.
type Dialect uint8

const (
	Postgres Dialect = iota + 1 // $1 placeholders, "double-quoted" identifiers
	MySQL                       // ? placeholders, `backquoted` identifiers; MariaDB too
	SQLite                      // ? placeholders, "double-quoted" identifiers
)

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

// column validates and quotes a column name: one identifier.
func (f *Face) column(d Dialect, name string) (string, error) {
	if !validIdentifier(name) {
		return "", fmt.Errorf("%w: column %q", f.InvalidIdentifier, name)
	}
	return d.quote(name), nil
}

// table validates and quotes a table name: an identifier, or two joined by
// a dot (schema.table), each part quoted on its own.
func (f *Face) table(d Dialect, name string) (string, error) {
	schema, table, qualified := strings.Cut(name, ".")
	if !qualified {
		table, schema = schema, ""
	}
	if (qualified && !validIdentifier(schema)) || !validIdentifier(table) {
		return "", fmt.Errorf("%w: table %q", f.InvalidIdentifier, name)
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

// existsQuery returns a Checker's query, which selects a row when column of
// table holds the number given as the first parameter.
func (f *Face) existsQuery(d Dialect, table, column string) (string, error) {
	qt, err := f.table(d, table)
	if err != nil {
		return "", err
	}
	qc, err := f.column(d, column)
	if err != nil {
		return "", err
	}
	return "SELECT 1 FROM " + qt + " WHERE " + qc + " = " + d.placeholder(1) + " LIMIT 1", nil
}

// MaxScopeLength is the longest scope, in characters, that a counter table
// holds.
const MaxScopeLength = 255

// counterStmts are the statements of a counter table.
type counterStmts struct {
	d       Dialect
	schema  string // CREATE TABLE IF NOT EXISTS
	one     string // raises a scope's counter by 1
	block   string // raises it by the block size; "" for a block of 1
	advance string // raises it to at least the second parameter
}

// counterStatements returns the statements of the counter table, with
// blocks of block values. Each raises the counter of the scope given as
// the first parameter and returns the new value: as a row, or on MySQL as
// the result's LastInsertId.
func (f *Face) counterStatements(d Dialect, table string, block int) (counterStmts, error) {
	qt, err := f.table(d, table)
	if err != nil {
		return counterStmts{}, err
	}
	scope := "VARCHAR(" + strconv.Itoa(MaxScopeLength) + ")"
	if d == SQLite {
		scope = "TEXT"
	}
	c := counterStmts{
		d:       d,
		schema:  "CREATE TABLE IF NOT EXISTS " + qt + " (scope " + scope + " NOT NULL PRIMARY KEY, value BIGINT NOT NULL)",
		one:     d.add(qt, 1),
		advance: d.atLeast(qt),
	}
	if block > 1 {
		c.block = d.add(qt, block)
	}
	return c, nil
}

// add returns the statement that raises a scope's counter by n. n is a
// validated int written as a literal, never input; the scope travels as a
// parameter.
func (d Dialect) add(table string, n int) string {
	ns := strconv.Itoa(n)
	if d == MySQL {
		return "INSERT INTO " + table + " (scope, value) VALUES (?, LAST_INSERT_ID(" + ns + ")) " +
			"ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + " + ns + ")"
	}
	return "INSERT INTO " + table + " (scope, value) VALUES (" + d.placeholder(1) + ", " + ns + ") " +
		"ON CONFLICT (scope) DO UPDATE SET value = " + table + ".value + " + ns + " RETURNING value"
}

// atLeast returns the statement that raises a scope's counter to the value
// given as the second parameter, and leaves a counter already there as it
// is, in one statement.
func (d Dialect) atLeast(table string) string {
	insert := "INSERT INTO " + table + " (scope, value) VALUES (" + d.placeholder(1) + ", " + d.placeholder(2) + ") "
	switch d {
	case MySQL:
		return insert + "ON DUPLICATE KEY UPDATE value = GREATEST(value, VALUES(value))"
	case SQLite:
		return insert + "ON CONFLICT (scope) DO UPDATE SET value = MAX(" + table + ".value, excluded.value)"
	}
	return insert + "ON CONFLICT (scope) DO UPDATE SET value = GREATEST(" + table + ".value, EXCLUDED.value)"
}
