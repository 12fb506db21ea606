// Package sqlite reproduces the error type of modernc.org/sqlite.
package sqlite

// Error has the unexported fields of sqlite.Error.
type Error struct {
	msg  string
	code int
}

// New returns an error with the given extended result code, as the driver
// builds it.
func New(code int, msg string) *Error { return &Error{msg: msg, code: code} }

// Error implements error on the pointer, as sqlite does.
func (e *Error) Error() string { return e.msg }

// Code returns the SQLite extended result code.
func (e *Error) Code() int { return e.code }
