package sqlcore

import (
	"reflect"
	"strings"

	"github.com/casemint/casemint/casenum"
)

// What the core reads from drivers' errors beyond casenum.Classify: that
// the database answered with a code, whether that code is a unique or
// another constraint violation, and which key a unique violation names.
// Drivers are recognised by the shape of their error values, without
// importing them:
//
//	driver                          shape                              unique
//	jackc/pgx v5, lib/pq            SQLState() string                  23505
//	modernc.org/sqlite              Code() int                         2067 1555
//	mattn/go-sqlite3                struct Error{Code, ExtendedCode}   2067 1555
//	go-sql-driver/mysql (MariaDB)   struct MySQLError{Number}          1062 1586
//	microsoft/go-mssqldb            SQLErrorNumber() int32             2627 2601

type (
	sqlStater      interface{ SQLState() string }      // pgx, lib/pq
	coder          interface{ Code() int }             // modernc.org/sqlite
	sqlErrorNumber interface{ SQLErrorNumber() int32 } // go-mssqldb
)

// coded returns the first error in err's tree, walked depth first as
// errors.Is walks it, that a driver reported with a code; nil when none is.
func coded(err error) error {
	for err != nil {
		if hasCode(err) {
			return err
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if c := coded(e); c != nil {
					return c
				}
			}
			return nil
		default:
			return nil
		}
	}
	return nil
}

// hasCode reports whether err itself is a driver's error value with a code.
func hasCode(err error) bool {
	v := reflect.ValueOf(err)
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return false // its methods may dereference it
	}
	switch err.(type) {
	case sqlStater, coder, sqlErrorNumber:
		return true
	}
	_, ok := structCode(v)
	return ok
}

// isConstraint reports whether e, an error for which hasCode holds, is a
// constraint violation: the database refused what it was asked to store
// (at COMMIT, a deferred constraint), so none of it took effect.
//
//	PostgreSQL   SQLSTATE class 23 (integrity_constraint_violation)
//	SQLite       SQLITE_CONSTRAINT and its extended codes (low byte 19)
//	MySQL        1048 1062 1216 1217 1451 1452 1557 1586 1761 1762 3819 4025
//	SQL Server   515 547 2601 2627
func isConstraint(e error) bool {
	switch e := e.(type) {
	case sqlStater:
		return strings.HasPrefix(e.SQLState(), "23")
	case coder:
		return e.Code()&0xff == 19
	case sqlErrorNumber:
		switch e.SQLErrorNumber() {
		case 515, 547, 2601, 2627: // NULL, FOREIGN KEY or CHECK, unique index, unique constraint
			return true
		}
		return false
	}
	c, _ := structCode(reflect.ValueOf(e))
	if !c.mysql {
		return c.code&0xff == 19
	}
	switch c.code {
	case 1048, // ER_BAD_NULL_ERROR
		1062, 1586, // ER_DUP_ENTRY, ER_DUP_ENTRY_WITH_KEY_NAME
		1216, 1217, 1451, 1452, // foreign keys: ER_NO_REFERENCED_ROW(_2), ER_ROW_IS_REFERENCED(_2)
		1557, 1761, 1762, // ER_FOREIGN_DUPLICATE_KEY and its two successors
		3819, 4025: // ER_CHECK_CONSTRAINT_VIOLATED (MySQL), ER_CONSTRAINT_FAILED (MariaDB)
		return true
	}
	return false
}

// fieldCode is the code of an error of a driver whose errors have no
// methods to ask: go-sql-driver/mysql's *MySQLError (its Number) or
// mattn/go-sqlite3's Error (its ExtendedCode).
type fieldCode struct {
	mysql bool
	code  int64
}

// structCode reads v's code; ok is false for any other value. It requires
// the type name and every field it reads, so that an unrelated struct is
// not misread.
func structCode(v reflect.Value) (c fieldCode, ok bool) {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return c, false
	}
	switch v.Type().Name() {
	case "MySQLError":
		c.code, ok = intField(v, "Number")
		c.mysql = true
	case "Error":
		if _, ok = intField(v, "Code"); ok {
			c.code, ok = intField(v, "ExtendedCode")
		}
	}
	return c, ok
}

// intField returns the integer field name declared directly in struct v.
// Promoted fields are ignored: reaching one through a nil embedded pointer
// would panic.
func intField(v reflect.Value, name string) (int64, bool) {
	f, ok := v.Type().FieldByName(name)
	if !ok || len(f.Index) != 1 {
		return 0, false
	}
	switch fv := v.Field(f.Index[0]); fv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return int64(fv.Uint()), true
	}
	return 0, false
}

// uniqueViolation returns the unique violation err reports: the first
// error in err's tree with a driver's code, when that is one, unless
// casenum.Classify says err's outcome is unknown (a lost connection
// reported beside it); nil otherwise.
func uniqueViolation(err error) error {
	e := coded(err)
	// casenum.Classify of the coded error alone says Collided for exactly
	// the unique and primary-key violations of the drivers above.
	if e == nil || casenum.Classify(e) != casenum.Collided || casenum.Classify(err) == casenum.Uncertain {
		return nil
	}
	return e
}

// IsUniqueViolation reports whether err is a unique or primary-key
// violation reported by one of the drivers above.
func IsUniqueViolation(err error) bool { return uniqueViolation(err) != nil }

// UniqueViolationOn reports whether err is a unique violation of column
// alone, as the driver names the key:
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
	e := uniqueViolation(err)
	if column == "" || e == nil {
		return false
	}
	if _, ok := e.(sqlStater); ok {
		return postgresKeyIs(e, column)
	}
	return keyOf(e) == column
}

// postgresKeyIs reports whether the unique violation e of pgx
// (ConstraintName, Detail) or lib/pq (Constraint, Detail) names column:
// as the key's one column in the detail, or as the constraint's name.
func postgresKeyIs(e error, column string) bool {
	v := reflect.ValueOf(e)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	str := func(name string) string {
		if v.Kind() != reflect.Struct {
			return ""
		}
		// A field declared directly in the struct: reaching a promoted
		// one through a nil embedded pointer would panic.
		if f, ok := v.Type().FieldByName(name); ok && len(f.Index) == 1 && f.Type.Kind() == reflect.String {
			return v.Field(f.Index[0]).String()
		}
		return ""
	}
	cols, _ := between(str("Detail"), "Key (", ")=(", false)
	return cols == column || str("ConstraintName") == column || str("Constraint") == column
}

// keyOf returns the key that the unique violation e of a driver other than
// PostgreSQL's names: a column, or the name of a constraint or an index;
// "" when it names several columns, or none that can be read.
func keyOf(e error) string {
	msg := e.Error()
	if _, ok := e.(sqlErrorNumber); ok {
		if k, ok := between(msg, "constraint '", "'", false); ok {
			return k
		}
		k, _ := between(msg, "unique index '", "'", false)
		return k
	}
	if c, _ := structCode(reflect.ValueOf(e)); c.mysql {
		key, _ := between(msg, "for key '", "'", true)
		if _, name, dotted := strings.Cut(key, "."); dotted {
			return name // MySQL 8 puts the table first
		}
		return key
	}
	// SQLite: "UNIQUE constraint failed: t.a" or, for several columns,
	// "t.a, t.b"; modernc appends " (2067)".
	list, _ := between(msg+" (", "constraint failed: ", " (", true)
	if strings.Contains(list, ",") {
		return ""
	}
	_, name, _ := strings.Cut(list, ".")
	return name
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
