// Package sqlerr classifies the errors of database/sql drivers without
// importing them: a unique violation, an attempt the database refused
// (nothing stored), or a request whose outcome is unknown.
//
// Drivers are recognised by the shape of their error values: a method they
// expose or, for drivers that expose none, the name and fields of their
// struct type. Codes are compared, not messages, which differ between
// server versions and locales; only UniqueViolationOn reads a message, where
// a driver reports the violated key nowhere else.
//
//	driver                          shape                              unique       aborted
//	jackc/pgx v5, lib/pq            SQLState() string                  23505        40001 40P01
//	modernc.org/sqlite              Code() int                         2067 1555    BUSY LOCKED
//	mattn/go-sqlite3                struct Error{Code, ExtendedCode}   2067 1555    BUSY LOCKED
//	go-sql-driver/mysql (MariaDB)   struct MySQLError{Number}          1062 1586    1213 1205 TiDB 8002 8022 9007
//	microsoft/go-mssqldb            SQLErrorNumber() int32             2627 2601    1205
//
// NOT NULL, CHECK and FOREIGN KEY violations are constraint errors too, but
// not collisions: another value would not help, so they are not reported.
package sqlerr

import (
	"errors"
	"io"
	"net"
	"reflect"
	"strings"
	"syscall"
)

// Class is what an error says about an attempt.
type Class uint8

const (
	Other     Class = iota // nothing known: the caller decides
	Unique                 // a unique violation: the value is taken
	Aborted                // refused by the database: nothing stored
	Uncertain              // the request may have been carried out
)

// The methods the drivers expose. Asserting them is cheaper than
// reflection, so they are tried first.
type (
	sqlStater      interface{ SQLState() string }      // pgx, lib/pq
	coder          interface{ Code() int }             // modernc.org/sqlite
	sqlErrorNumber interface{ SQLErrorNumber() int32 } // go-mssqldb
)

// Classify returns the class of the first error in err's tree, walked
// depth first as errors.Is walks it, that is recognised.
func Classify(err error) Class {
	if e := first(err, recognised); e != nil {
		return classifyOne(e)
	}
	return Other
}

func recognised(err error) bool { return classifyOne(err) != Other }

// first returns the first error in err's tree, depth first, for which ok
// is true, or nil.
func first(err error, ok func(error) bool) error {
	for err != nil {
		if ok(err) {
			return err
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if f := first(e, ok); f != nil {
					return f
				}
			}
			return nil
		default:
			return nil
		}
	}
	return nil
}

// IsUniqueViolation reports whether err's tree holds a unique violation
// before any other recognised error.
func IsUniqueViolation(err error) bool {
	e := first(err, recognised)
	return e != nil && classifyOne(e) == Unique
}

// classifyOne inspects err alone, not what it wraps.
func classifyOne(err error) Class {
	v := reflect.ValueOf(err)
	// Methods of a nil pointer may dereference it.
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return Other
	}
	switch e := err.(type) {
	case sqlStater:
		return sqlState(e.SQLState())
	case coder:
		return sqliteCode(e.Code())
	case sqlErrorNumber:
		switch e.SQLErrorNumber() {
		case 2627, 2601: // unique constraint, unique index
			return Unique
		case 1205: // deadlock victim
			return Aborted
		}
		return Other
	case *net.OpError:
		// Lost while reading or writing a request; a failed dial sent
		// nothing, and whatever wraps it says so.
		if e.Op == "read" || e.Op == "write" {
			return Uncertain
		}
	}
	if c := structClass(v); c != Other {
		return c
	}
	return network(err)
}

func sqlState(s string) Class {
	switch {
	case s == "23505": // unique_violation
		return Unique
	case s == "40001", s == "40P01": // serialization_failure, deadlock_detected
		return Aborted
	case s == "40003", // statement_completion_unknown (CockroachDB)
		strings.HasPrefix(s, "08"), // connection exceptions, 08007 transaction_resolution_unknown
		s == "57P01", s == "57P02": // admin and crash shutdown: the COMMIT may have gone through
		return Uncertain
	}
	return Other
}

// sqliteCode classifies an extended result code, whose low byte is the
// primary code.
func sqliteCode(c int) Class {
	switch {
	case c == 2067 || c == 1555: // CONSTRAINT_UNIQUE, CONSTRAINT_PRIMARYKEY
		return Unique
	case c&0xff == 5 || c&0xff == 6: // BUSY, LOCKED: the statement did not run
		return Aborted
	}
	return Other
}

// structClass classifies the errors of the drivers that have no methods to
// ask, by the code codeField finds.
func structClass(v reflect.Value) Class {
	switch driver, code := codeField(v); driver {
	case "mysql":
		switch code {
		case 1062, 1586: // ER_DUP_ENTRY, ER_DUP_ENTRY_WITH_KEY_NAME
			return Unique
		case 1213, // ER_LOCK_DEADLOCK, also a Galera certification failure
			1205,             // ER_LOCK_WAIT_TIMEOUT: the statement was rolled back
			8002, 8022, 9007: // TiDB write conflicts
			return Aborted
		case 1927: // ER_CONNECTION_KILLED: killed mid-statement, maybe after COMMIT
			return Uncertain
		}
	case "sqlite3":
		return sqliteCode(int(code))
	}
	return Other
}

// codeField returns the code of an error of a driver whose errors have no
// methods to ask, and which driver it is: go-sql-driver/mysql's
// *MySQLError (its Number) or mattn/go-sqlite3's Error (its ExtendedCode);
// "" for anything else. It requires the type name and every field it
// reads, so that an unrelated struct is not misread.
func codeField(v reflect.Value) (driver string, code int64) {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return "", 0
	}
	switch v.Type().Name() {
	case "MySQLError":
		if n, ok := intField(v, "Number"); ok {
			return "mysql", n
		}
	case "Error":
		_, ok := intField(v, "Code")
		if x, ext := intField(v, "ExtendedCode"); ok && ext {
			return "sqlite3", x
		}
	}
	return "", 0
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
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return int64(fv.Uint()), true
	}
	return 0, false
}

// network recognises a connection lost while a request was in flight: the
// server may have carried it out.
func network(err error) Class {
	switch err {
	case io.ErrUnexpectedEOF, net.ErrClosed,
		syscall.ECONNRESET, syscall.EPIPE, syscall.ECONNABORTED:
		return Uncertain
	}
	// go-sql-driver/mysql reports a connection lost after sending with
	// sentinels of its own (ErrInvalidConn and the packet errors), and pgx
	// with pgconn.ErrConnClosed, even where it also says SafeToRetry. They
	// are plain errors.New values, so only their text tells them apart.
	if reflect.TypeOf(err) == errorString {
		switch err.Error() {
		case "invalid connection", "malformed packet", "conn closed",
			"commands out of sync. You can't run this command now",
			"commands out of sync. Did you run multiple statements at once?":
			return Uncertain
		}
	}
	return Other
}

var errorString = reflect.TypeOf(errors.New(""))

// UniqueViolationOn reports whether the first recognised error in err's
// tree is a unique violation of column alone, as the driver names it:
//
//   - pgx and lib/pq: the key in the detail, "Key (column)=(...)", or the
//     constraint's name;
//   - MySQL and MariaDB: the key's name in the message, "for key 'column'"
//     or "for key 'table.column'" (a UNIQUE column's index is named after
//     it; a primary key is "PRIMARY");
//   - SQLite: the columns in the message, "UNIQUE constraint failed:
//     table.column";
//   - SQL Server: the constraint's or the index's name only.
func UniqueViolationOn(err error, column string) bool {
	e := first(err, recognised)
	return column != "" && e != nil && classifyOne(e) == Unique && keyIs(e, column)
}

// keyIs reports whether the unique violation err names column as its key.
func keyIs(err error, column string) bool {
	v := reflect.ValueOf(err)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	str := func(name string) string {
		if v.Kind() != reflect.Struct {
			return ""
		}
		f := v.FieldByName(name)
		if !f.IsValid() || f.Kind() != reflect.String {
			return ""
		}
		return f.String()
	}
	switch err.(type) {
	case sqlStater: // pgx: ConstraintName, Detail; lib/pq: Constraint, Detail
		if str("ConstraintName") == column || str("Constraint") == column {
			return true
		}
		cols, ok := between(str("Detail"), "Key (", ")=(", false)
		return ok && cols == column
	case sqlErrorNumber: // go-mssqldb: the name in the message
		msg := err.Error()
		k, ok := between(msg, "constraint '", "'", false)
		if !ok {
			k, ok = between(msg, "unique index '", "'", false)
		}
		return ok && k == column
	}
	msg := err.Error()
	if key, ok := between(msg, "for key '", "'", true); ok && v.Type().Name() == "MySQLError" {
		_, name, dotted := strings.Cut(key, ".")
		if !dotted {
			name = key
		}
		return name == column
	}
	// SQLite: "UNIQUE constraint failed: t.a" or, for several columns,
	// "t.a, t.b"; modernc appends " (2067)".
	list, ok := between(msg+" (", "constraint failed: ", " (", true)
	if !ok {
		return false
	}
	if strings.Contains(list, ",") {
		return false
	}
	_, name, _ := strings.Cut(list, ".")
	return name == column
}

// between returns the text of s after the first (or last) start and before
// the next end. Messages that quote the duplicate value before the key are
// read from the last start, since the value may hold start itself; those
// that quote it after, from the first.
func between(s, start, end string, last bool) (string, bool) {
	i := strings.Index(s, start)
	if last {
		i = strings.LastIndex(s, start)
	}
	if i < 0 {
		return "", false
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		return "", false
	}
	return s[:j], true
}

// Answered reports whether err's tree holds an error that a database (or,
// for SQLite, the library) reported with a code: the request was received
// and refused, so it was not carried out, unless the code says otherwise.
func Answered(err error) bool { return first(err, fromDriver) != nil }

// fromDriver reports whether err is a driver's error value with a code.
func fromDriver(err error) bool {
	v := reflect.ValueOf(err)
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return false
	}
	switch err.(type) {
	case sqlStater, coder, sqlErrorNumber:
		return true
	}
	driver, _ := codeField(v)
	return driver != ""
}
