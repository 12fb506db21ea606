//go:build cgo

package store_test

import "github.com/mattn/go-sqlite3"

// mattn/go-sqlite3's error values: the package defines its types only when
// built with cgo.
func init() {
	uniqueValues = append(uniqueValues, []uniqueValue{
		{"mattn unique", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintUnique}, true},
		{"mattn primary key", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintPrimaryKey}, true},
		{"mattn not null", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintNotNull}, false},
	}...)
}
