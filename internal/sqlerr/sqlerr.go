// Package sqlerr recognises unique-constraint violations in errors returned by database/sql drivers, without importing them.
//
// Drivers are recognised by the shape of their error values: a method they
// expose or, for drivers that expose none, the name and fields of their
// struct type. Only codes are compared, never message text, because messages
// differ between server versions and locales.
//
//	driver                          shape                              codes
//	jackc/pgx v5, lib/pq            SQLState() string                  "23505" (also CockroachDB)
//	modernc.org/sqlite              Code() int                         2067 UNIQUE, 1555 PRIMARY KEY
//	mattn/go-sqlite3                struct Error{Code, ExtendedCode}   ExtendedCode 2067, 1555
//	go-sql-driver/mysql (MariaDB)   struct MySQLError{Number}          1062, 1586
//	microsoft/go-mssqldb            SQLErrorNumber() int32             2627, 2601
//
// NOT NULL, CHECK and FOREIGN KEY violations are constraint errors too, but
// not collisions: retrying with another value would not help, so they are
// not reported.
package sqlerr

import "reflect"

// Bounds on the walk, so that a cyclic Unwrap chain, or a tree that joins
// itself, cannot loop forever. maxDepth cuts each path, which lets the walk
// back out of a cycle and go on to the next branch; maxVisits caps the whole
// walk, which depth alone cannot when every node joins itself more than
// once. Real chains are a handful of links deep.
const (
	maxDepth  = 100
	maxVisits = 10000
)

// Codes as the drivers report them.
const (
	pgUniqueViolation = "23505" // SQLSTATE unique_violation

	sqliteConstraintUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
	sqliteConstraintPrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY

	mysqlDupEntry            = 1062 // ER_DUP_ENTRY
	mysqlDupEntryWithKeyName = 1586 // ER_DUP_ENTRY_WITH_KEY_NAME

	mssqlUniqueConstraint = 2627 // violation of a PRIMARY KEY or UNIQUE constraint
	mssqlUniqueIndex      = 2601 // duplicate key row in a unique index
)

// The methods the drivers expose. Asserting them is cheaper than
// reflection, so they are tried first.
type (
	sqlStater      interface{ SQLState() string }      // pgx, lib/pq
	coder          interface{ Code() int }             // modernc.org/sqlite
	sqlErrorNumber interface{ SQLErrorNumber() int32 } // go-mssqldb
)

// IsUniqueViolation reports whether err, or any error it wraps, is a
// unique-constraint (or primary-key) violation reported by one of the
// drivers listed in the package documentation.
//
// The chain is walked depth first through both Unwrap() error and
// Unwrap() []error, as errors.Is does, but no deeper than 100 links, so
// that a cyclic chain ends. A nil error, a nil pointer in the chain and an
// unknown driver's error all give false. It is safe for concurrent use and
// does not allocate.
func IsUniqueViolation(err error) bool {
	found, _ := walk(err, 0, maxVisits)
	return found
}

// walk reports whether the tree under err, found depth links down the
// chain, holds a unique violation, inspecting at most budget errors, and
// returns the budget left.
func walk(err error, depth, budget int) (bool, int) {
	for ; err != nil && depth < maxDepth && budget > 0; depth++ {
		budget--
		v := reflect.ValueOf(err)
		// Methods of a nil pointer, Unwrap included, may dereference it.
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return false, budget
		}
		if isUnique(err, v) {
			return true, budget
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				var found bool
				if found, budget = walk(e, depth+1, budget); found {
					return true, budget
				}
			}
			return false, budget
		default:
			return false, budget
		}
	}
	return false, budget
}

// isUnique inspects err alone, not what it wraps; v is reflect.ValueOf(err).
func isUnique(err error, v reflect.Value) bool {
	switch e := err.(type) {
	case sqlStater:
		return e.SQLState() == pgUniqueViolation
	case coder:
		c := e.Code()
		return c == sqliteConstraintUnique || c == sqliteConstraintPrimaryKey
	case sqlErrorNumber:
		n := e.SQLErrorNumber()
		return n == mssqlUniqueConstraint || n == mssqlUniqueIndex
	}
	return isUniqueStruct(v)
}

// isUniqueStruct recognises the drivers whose errors have no methods to
// ask: it requires the type name and every field it reads, so that an
// unrelated struct is not misread.
func isUniqueStruct(v reflect.Value) bool {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return false
	}
	switch v.Type().Name() {
	case "MySQLError": // go-sql-driver/mysql, *MySQLError
		n, ok := intField(v, "Number")
		return ok && (n == mysqlDupEntry || n == mysqlDupEntryWithKeyName)
	case "Error": // mattn/go-sqlite3, Error by value
		if _, ok := intField(v, "Code"); !ok {
			return false
		}
		x, ok := intField(v, "ExtendedCode")
		return ok && (x == sqliteConstraintUnique || x == sqliteConstraintPrimaryKey)
	}
	return false
}

// intField returns the integer field name declared directly in struct v.
// Promoted fields are ignored: reaching one through a nil embedded pointer
// would panic.
func intField(v reflect.Value, name string) (int64, bool) {
	f, ok := v.Type().FieldByName(name)
	if !ok || len(f.Index) != 1 {
		return 0, false
	}
	fv := v.Field(f.Index[0])
	switch fv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := fv.Uint()
		if u > 1<<63-1 {
			return 0, false
		}
		return int64(u), true
	}
	return 0, false
}
