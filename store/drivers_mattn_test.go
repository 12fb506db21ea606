//go:build cgo

package store_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3" // registers driver "sqlite3"

	"github.com/casemint/casemint/store"
)

// mattn/go-sqlite3's driver: without cgo, the one it registers only refuses
// to open.
func init() {
	realDrivers = append(realDrivers, realDriver{"mattn sqlite3", store.SQLite, func(t *testing.T) *sql.DB {
		return openDB(t, "sqlite3", filepath.Join(t.TempDir(), "test.db"))
	}})
}
