// Package impostor holds errors whose type names match a driver's but whose
// fields do not, which must not be taken for that driver's errors.
package impostor

// Error is named like sqlite3.Error but has no ExtendedCode field.
type Error struct {
	Code int
}

// Error implements error.
func (e Error) Error() string { return "impostor Error" }

// Inner carries a Number field for MySQLError to embed.
type Inner struct {
	Number uint16
}

// MySQLError is named like mysql.MySQLError but declares no Number field
// of its own: Number is only promoted, possibly through a nil pointer.
type MySQLError struct {
	*Inner
}

// Error implements error.
func (e *MySQLError) Error() string { return "impostor MySQLError" }
