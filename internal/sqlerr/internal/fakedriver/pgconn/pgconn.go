// Package pgconn reproduces the error type of github.com/jackc/pgx/v5/pgconn.
package pgconn

// PgError has the fields of pgconn.PgError, a PostgreSQL error report.
type PgError struct {
	Severity            string
	SeverityUnlocalized string
	Code                string
	Message             string
	Detail              string
	Hint                string
	Position            int32
	InternalPosition    int32
	InternalQuery       string
	Where               string
	SchemaName          string
	TableName           string
	ColumnName          string
	DataTypeName        string
	ConstraintName      string
	File                string
	Line                int32
	Routine             string
}

// Error implements error on the pointer, as pgconn does.
func (pe *PgError) Error() string {
	return pe.Severity + ": " + pe.Message + " (SQLSTATE " + pe.Code + ")"
}

// SQLState returns the SQLSTATE code.
func (pe *PgError) SQLState() string { return pe.Code }
