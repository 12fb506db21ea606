package casenum

import (
	"errors"
	"io"
	"net"
	"reflect"
	"strings"
	"syscall"
)

// What the errors of the common database drivers say about an attempt,
// read from the codes they carry without importing the drivers. Codes are
// compared, never messages, which differ between server versions and
// locales.
//
//	driver                          shape                              Collided   Aborted
//	jackc/pgx v5, lib/pq            SQLState() string                  23505      40001 40P01
//	modernc.org/sqlite              Code() int                         2067 1555  BUSY LOCKED
//	mattn/go-sqlite3                struct Error{Code, ExtendedCode}   2067 1555  BUSY LOCKED
//	go-sql-driver/mysql (MariaDB)   struct MySQLError{Number}          1062 1586  1213 1205 TiDB 8002 8022 9007
//	microsoft/go-mssqldb            SQLErrorNumber() int32             2627 2601  1205
//
// NOT NULL, CHECK and FOREIGN KEY violations are not collisions: another
// number would not help, so they are Failed.

// The methods the drivers expose. Asserting them is cheaper than
// reflection, so they are tried first.
type (
	sqlStater      interface{ SQLState() string }      // pgx, lib/pq
	coder          interface{ Code() int }             // modernc.org/sqlite
	sqlErrorNumber interface{ SQLErrorNumber() int32 } // go-mssqldb
)

// driverOutcome returns the outcome of the first error in err's tree,
// walked depth first as errors.Is walks it, that a driver or the network
// reported in a way it recognises; Failed when none is.
func driverOutcome(err error) Outcome {
	for err != nil {
		if o, ok := outcomeOf(err); ok {
			return o
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if o := driverOutcome(e); o != Failed {
					return o
				}
			}
			return Failed
		default:
			return Failed
		}
	}
	return Failed
}

// outcomeOf inspects err alone, not what it wraps: ok is false when it is
// not an error the table above or network lists.
func outcomeOf(err error) (Outcome, bool) {
	v := reflect.ValueOf(err)
	// Methods of a nil pointer may dereference it.
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return Failed, false
	}
	switch e := err.(type) {
	case sqlStater:
		return sqlState(e.SQLState())
	case coder:
		return sqliteCode(int64(e.Code()))
	case sqlErrorNumber:
		switch e.SQLErrorNumber() {
		case 2627, 2601: // unique constraint, unique index
			return Collided, true
		case 1205: // deadlock victim
			return Aborted, true
		}
		return Failed, false
	case *net.OpError:
		// Lost while reading or writing a request; a failed dial sent
		// nothing, and whatever wraps it says so.
		if e.Op == "read" || e.Op == "write" {
			return Uncertain, true
		}
	}
	switch driver, code := driverCode(v); driver {
	case "mysql":
		return mysqlCode(code)
	case "sqlite3":
		return sqliteCode(code)
	}
	return network(err)
}

func sqlState(s string) (Outcome, bool) {
	switch {
	case s == "23505": // unique_violation
		return Collided, true
	case s == "40001", s == "40P01": // serialization_failure, deadlock_detected
		return Aborted, true
	case s == "40003", // statement_completion_unknown (CockroachDB)
		strings.HasPrefix(s, "08"), // connection exceptions, 08007 transaction_resolution_unknown
		s == "57P01", s == "57P02": // admin and crash shutdown: the COMMIT may have gone through
		return Uncertain, true
	}
	return Failed, false
}

// sqliteCode reads an extended result code, whose low byte is the primary
// code.
func sqliteCode(c int64) (Outcome, bool) {
	switch {
	case c == 2067 || c == 1555: // CONSTRAINT_UNIQUE, CONSTRAINT_PRIMARYKEY
		return Collided, true
	case c&0xff == 5 || c&0xff == 6: // BUSY, LOCKED: the statement did not run
		return Aborted, true
	}
	return Failed, false
}

func mysqlCode(c int64) (Outcome, bool) {
	switch c {
	case 1062, 1586: // ER_DUP_ENTRY, ER_DUP_ENTRY_WITH_KEY_NAME
		return Collided, true
	case 1213, // ER_LOCK_DEADLOCK, also a Galera certification failure
		1205,             // ER_LOCK_WAIT_TIMEOUT: the statement was rolled back
		8002, 8022, 9007: // TiDB write conflicts
		return Aborted, true
	case 1927: // ER_CONNECTION_KILLED: killed mid-statement, maybe after COMMIT
		return Uncertain, true
	}
	return Failed, false
}

// driverCode returns the code of an error of a driver whose errors have no
// methods to ask, and which driver it is: go-sql-driver/mysql's
// *MySQLError (its Number) or mattn/go-sqlite3's Error (its ExtendedCode);
// "" for anything else. It requires the type name and every field it
// reads, so that an unrelated struct is not misread.
func driverCode(v reflect.Value) (driver string, code int64) {
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
func network(err error) (Outcome, bool) {
	switch err {
	case io.ErrUnexpectedEOF, net.ErrClosed,
		syscall.ECONNRESET, syscall.EPIPE, syscall.ECONNABORTED:
		return Uncertain, true
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
			return Uncertain, true
		}
	}
	return Failed, false
}

var errorString = reflect.TypeOf(errors.New(""))
