//go:build cgo

package sqlcore_test

import (
	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/casemint/casemint/casenum"
)

// mattn returns mattn/go-sqlite3's error with the given result codes.
func mattn(code sqlite3.ErrNo, ext sqlite3.ErrNoExtended) error {
	return sqlite3.Error{Code: code, ExtendedCode: ext}
}

// mattn/go-sqlite3's errors: the package defines its types only when built
// with cgo.
func init() {
	cases = append(cases, []classifyCase{
		{"mattn unique", mattn(sqlite3.ErrConstraint, sqlite3.ErrConstraintUnique), casenum.Collided},
		{"mattn primary key", mattn(sqlite3.ErrConstraint, sqlite3.ErrConstraintPrimaryKey), casenum.Collided},
		{"mattn pointer", &sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintUnique}, casenum.Collided},
		{"mattn not null", mattn(sqlite3.ErrConstraint, sqlite3.ErrConstraintNotNull), casenum.Failed},
		{"mattn busy", mattn(sqlite3.ErrBusy, sqlite3.ErrBusySnapshot), casenum.Aborted},
		{"mattn locked", mattn(sqlite3.ErrLocked, sqlite3.ErrNoExtended(sqliteLocked)), casenum.Aborted},
		{"mattn nil pointer", (*sqlite3.Error)(nil), casenum.Failed},
	}...)
}
