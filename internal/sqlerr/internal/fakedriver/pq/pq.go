// Package pq reproduces the error type of github.com/lib/pq.
package pq

// Code stands for pqerror.Code, a SQLSTATE code.
type Code string

// Error has the fields of pq.Error, a PostgreSQL error report.
type Error struct {
	Severity         string
	Code             Code
	Message          string
	Detail           string
	Hint             string
	Position         string
	InternalPosition string
	InternalQuery    string
	Where            string
	Schema           string
	Table            string
	Column           string
	DataTypeName     string
	Constraint       string
	File             string
	Line             string
	Routine          string
	query            string
}

// Error implements error on the pointer, as pq does.
func (e *Error) Error() string { return "pq: " + e.Message + e.query }

// SQLState returns the SQLSTATE code.
func (e *Error) SQLState() string { return string(e.Code) }
