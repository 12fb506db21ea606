// Package sqlite3 reproduces the error type of github.com/mattn/go-sqlite3.
package sqlite3

import "syscall"

// ErrNo is a primary SQLite result code.
type ErrNo int

// ErrNoExtended is an extended SQLite result code.
type ErrNoExtended int

// Error has the fields of sqlite3.Error; the driver returns it by value.
type Error struct {
	Code         ErrNo
	ExtendedCode ErrNoExtended
	SystemErrno  syscall.Errno
	err          string
}

// New returns an error with the given extended result code, its primary
// code in the low byte as SQLite defines it.
func New(extended int, msg string) Error {
	return Error{Code: ErrNo(extended & 0xff), ExtendedCode: ErrNoExtended(extended), err: msg}
}

// Error implements error on the value, as sqlite3 does.
func (err Error) Error() string { return err.err }
