// Package mssql reproduces the error type of github.com/microsoft/go-mssqldb.
package mssql

// Error has the fields of mssql.Error; the driver returns it by value,
// describing the last error of the batch, with every error in All.
type Error struct {
	Number     int32
	State      uint8
	Class      uint8
	Message    string
	ServerName string
	ProcName   string
	LineNo     int32
	All        []Error
}

// Error implements error on the value, as mssql does.
func (e Error) Error() string { return "mssql: " + e.Message }

// SQLErrorNumber returns the SQL Server error number.
func (e Error) SQLErrorNumber() int32 { return e.Number }
