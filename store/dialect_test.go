package store_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/store"
)

func TestDialectString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "postgres", store.Postgres.String())
	assert.Equal(t, "mysql", store.MySQL.String())
	assert.Equal(t, "sqlite", store.SQLite.String())
	assert.Equal(t, "Dialect(0)", store.Dialect(0).String())
	assert.Equal(t, "Dialect(9)", store.Dialect(9).String())
}

func TestUnknownDialectRefused(t *testing.T) {
	t.Parallel()
	db, _ := newMock(t)
	for _, d := range []store.Dialect{0, 4, -1} {
		_, err := store.NewChecker(db, d, "cases", "number")
		assert.ErrorIs(t, err, store.ErrInvalidDialect, "NewChecker with %v", d)
		_, err = store.NewSequence(db, d, "counters")
		assert.ErrorIs(t, err, store.ErrInvalidDialect, "NewSequence with %v", d)
	}
}

func TestNilQuerierRefused(t *testing.T) {
	t.Parallel()
	for name, q := range map[string]store.Querier{
		"nil":          nil,
		"nil *sql.DB":  (*sql.DB)(nil),
		"nil *sql.Tx":  (*sql.Tx)(nil),
		"nil *sql.Con": (*sql.Conn)(nil),
	} {
		_, err := store.NewChecker(q, store.Postgres, "cases", "number")
		assert.ErrorIs(t, err, store.ErrInvalidQuerier, "NewChecker(%s)", name)
		_, err = store.NewSequence(q, store.Postgres, "counters")
		assert.ErrorIs(t, err, store.ErrInvalidQuerier, "NewSequence(%s)", name)
	}
}

func TestIdentifiersQuotedPerDialect(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 63)
	cases := []struct {
		table, column string
		want          map[store.Dialect]string
	}{
		{"cases", "number", map[store.Dialect]string{
			store.Postgres: `SELECT 1 FROM "cases" WHERE "number" = $1 LIMIT 1`,
			store.MySQL:    "SELECT 1 FROM `cases` WHERE `number` = ? LIMIT 1",
			store.SQLite:   `SELECT 1 FROM "cases" WHERE "number" = ? LIMIT 1`,
		}},
		{"app.Cases_2", "_Order", map[store.Dialect]string{
			store.Postgres: `SELECT 1 FROM "app"."Cases_2" WHERE "_Order" = $1 LIMIT 1`,
			store.MySQL:    "SELECT 1 FROM `app`.`Cases_2` WHERE `_Order` = ? LIMIT 1",
			store.SQLite:   `SELECT 1 FROM "app"."Cases_2" WHERE "_Order" = ? LIMIT 1`,
		}},
		{long + "." + long, long, map[store.Dialect]string{
			store.Postgres: `SELECT 1 FROM "` + long + `"."` + long + `" WHERE "` + long + `" = $1 LIMIT 1`,
		}},
	}
	for _, tc := range cases {
		for d, want := range tc.want {
			t.Run(d.String()+"/"+tc.table, func(t *testing.T) {
				t.Parallel()
				db, mock := newMock(t)
				mock.ExpectQuery(want).WithArgs("CASE-1").WillReturnRows(mock.NewRows([]string{"1"}).AddRow(1))
				c, err := store.NewChecker(db, d, tc.table, tc.column)
				require.NoError(t, err)
				ok, err := c.Exists(t.Context(), "CASE-1")
				require.NoError(t, err)
				assert.True(t, ok)
			})
		}
	}
}

func TestInvalidIdentifiersRefused(t *testing.T) {
	t.Parallel()
	bad := []string{
		"", "1cases", "cases-2", "cases 2", `cases"`, "cases`", "cases;DROP TABLE x", "cas\x00es",
		"café", "a.b.c", ".cases", "cases.", "a..b", strings.Repeat("a", 64), "s." + strings.Repeat("a", 64),
		strings.Repeat("a", 64) + ".t", `"cases"`, "[cases]", "$1", "cases\n",
	}
	db, _ := newMock(t)
	for _, d := range []store.Dialect{store.Postgres, store.MySQL, store.SQLite} {
		for _, name := range bad {
			_, err := store.NewChecker(db, d, name, "number")
			assert.ErrorIs(t, err, store.ErrInvalidIdentifier, "%v table %q", d, name)
			_, err = store.NewSequence(db, d, name)
			assert.ErrorIs(t, err, store.ErrInvalidIdentifier, "%v sequence table %q", d, name)
			if !strings.Contains(name, ".") || name == "a.b.c" {
				_, err = store.NewChecker(db, d, "cases", name)
				assert.ErrorIs(t, err, store.ErrInvalidIdentifier, "%v column %q", d, name)
			}
		}
		// A column is one identifier: schema.column is refused.
		_, err := store.NewChecker(db, d, "cases", "app.number")
		assert.ErrorIs(t, err, store.ErrInvalidIdentifier)
	}
}
