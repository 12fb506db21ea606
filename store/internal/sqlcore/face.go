// Package sqlcore is what package store (database/sql) and package
// store/pgxstore (pgx) share, written once: the statements and the quoting
// of identifiers, the counter upsert with its retries and blocks, the
// transaction of each CreateTx attempt with its COMMIT rule, savepoints,
// and what drivers' errors say that casenum.Classify does not.
//
// A face adapts its database handles to Handle and its transactions to
// Beginner, and gives its name and store's sentinels once, as a Face:
// this package cannot import store, whose errors it wraps.
package sqlcore

import (
	"context"
	"fmt"
	"reflect"
)

// Face is what a face tells the core once.
type Face struct {
	Pkg string // "store" or "pgxstore", in front of error messages

	// store's sentinels.
	InvalidIdentifier, InvalidQuerier, InvalidOption, ScopeTooLong, CounterRange error

	// The driver's errors: NoRows is what a query that found no row
	// returns; TxDone what COMMIT returns when the caller's function ended
	// the transaction itself; RolledBack what COMMIT returns when the
	// database rolled a failed transaction back instead (nil when the
	// driver does not say).
	NoRows, TxDone, RolledBack error
}

// Handle is a face's database handle (a pool, a connection, a
// transaction) as the core runs statements on it.
type Handle interface {
	// Exec runs a statement. Result is read only for MySQL's counter, so a
	// PostgreSQL-only face may return nil.
	Exec(ctx context.Context, query string, args ...any) (Result, error)
	// QueryInt runs a query and scans the first column of its first row
	// (an error wrapping the face's NoRows when no row came back).
	QueryInt(ctx context.Context, query string, args ...any) (int64, error)
	// Autocommit reports whether each statement commits on its own, so a
	// counter upsert the database refused may be run again.
	Autocommit() bool
}

// Result is what the core reads from the result of a statement.
type Result interface {
	LastInsertId() (int64, error)
}

// CheckHandle refuses a nil database handle, the typed nils ((*sql.DB)(nil)
// and the like) included: calling a method on one would panic.
func (f *Face) CheckHandle(h any) error {
	if h == nil {
		return fmt.Errorf("%w: nil", f.InvalidQuerier)
	}
	switch v := reflect.ValueOf(h); v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Func, reflect.Slice, reflect.Chan:
		if v.IsNil() {
			return fmt.Errorf("%w: nil %T", f.InvalidQuerier, h)
		}
	}
	return nil
}

// sameHandle reports whether x and y are one database handle. A value that
// == cannot compare (a struct holding a func) is never the same as
// anything, and asking does not panic.
func sameHandle(x, y any) bool {
	return x != nil && reflect.ValueOf(x).Comparable() && x == y
}
