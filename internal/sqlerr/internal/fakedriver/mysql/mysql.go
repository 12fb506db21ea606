// Package mysql reproduces the error type of github.com/go-sql-driver/mysql.
package mysql

import "fmt"

// MySQLError has the fields of mysql.MySQLError, a server error packet.
type MySQLError struct {
	Number   uint16
	SQLState [5]byte
	Message  string
}

// Error implements error on the pointer, as mysql does.
func (me *MySQLError) Error() string {
	return fmt.Sprintf("Error %d (%s): %s", me.Number, me.SQLState, me.Message)
}

// Is matches another *MySQLError with the same number, as mysql does.
func (me *MySQLError) Is(err error) bool {
	merr, ok := err.(*MySQLError)
	return ok && merr.Number == me.Number
}
