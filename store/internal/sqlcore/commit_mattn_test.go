//go:build cgo

package sqlcore_test

import sqlite3 "github.com/mattn/go-sqlite3"

// mattn/go-sqlite3's errors at COMMIT: the package defines its types only
// when built with cgo.
func init() {
	commitAnswers = append(commitAnswers, []commitAnswer{
		{"mattn unique", mattn(sqlite3.ErrConstraint, sqlite3.ErrConstraintUnique), retried},
		{"mattn busy", mattn(sqlite3.ErrBusy, sqlite3.ErrNoExtended(sqliteBusy)), retried},
		{"mattn locked", mattn(sqlite3.ErrLocked, sqlite3.ErrNoExtended(sqliteLocked)), retried},
		{"mattn deferred foreign key", mattn(sqlite3.ErrConstraint, sqlite3.ErrConstraintForeignKey), failed},
		{"mattn check", mattn(sqlite3.ErrConstraint, sqlite3.ErrConstraintCheck), failed},
		{"mattn commit hook", mattn(sqlite3.ErrConstraint, sqlite3.ErrConstraintCommitHook), failed},
		{"mattn interrupt", mattn(sqlite3.ErrInterrupt, sqlite3.ErrNoExtended(sqlite3.ErrInterrupt)), uncertain},
		{"mattn i/o error", mattn(sqlite3.ErrIoErr, sqlite3.ErrIoErrWrite), uncertain},
		{"mattn full", mattn(sqlite3.ErrFull, sqlite3.ErrNoExtended(sqlite3.ErrFull)), uncertain},
	}...)
}
