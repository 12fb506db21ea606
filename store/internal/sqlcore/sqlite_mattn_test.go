//go:build cgo

package sqlcore_test

import (
	"errors"

	realsqlite3 "github.com/mattn/go-sqlite3"
)

// mattn/go-sqlite3's driver: without cgo, the one it registers only refuses
// to open.
func init() {
	sqliteDrivers = append(sqliteDrivers, sqliteDriver{"sqlite3", func(err error) (int, bool) {
		var e realsqlite3.Error
		if !errors.As(err, &e) {
			return 0, false
		}
		return int(e.ExtendedCode), true
	}, "?_busy_timeout=0"})
}
