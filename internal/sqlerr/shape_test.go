package sqlerr_test

import (
	"reflect"
	"testing"

	realmysql "github.com/go-sql-driver/mysql"
	realpgconn "github.com/jackc/pgx/v5/pgconn"
	realpq "github.com/lib/pq"
	realsqlite3 "github.com/mattn/go-sqlite3"
	realsqlite "modernc.org/sqlite"

	"github.com/casemint/casemint/internal/sqlerr"
	"github.com/casemint/casemint/internal/sqlerr/internal/fakedriver/mysql"
	"github.com/casemint/casemint/internal/sqlerr/internal/fakedriver/pgconn"
	"github.com/casemint/casemint/internal/sqlerr/internal/fakedriver/pq"
	"github.com/casemint/casemint/internal/sqlerr/internal/fakedriver/sqlite"
	"github.com/casemint/casemint/internal/sqlerr/internal/fakedriver/sqlite3"
)

var errorType = reflect.TypeFor[error]()

// TestFakesMatchDrivers keeps the stand-ins honest: same type name, same
// fields in the same order with types of the same name and kind, and error
// implemented on the same receiver as the driver's own type.
func TestFakesMatchDrivers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		fake, real reflect.Type
	}{
		{"pgx", reflect.TypeFor[pgconn.PgError](), reflect.TypeFor[realpgconn.PgError]()},
		{"pq", reflect.TypeFor[pq.Error](), reflect.TypeFor[realpq.Error]()},
		{"modernc", reflect.TypeFor[sqlite.Error](), reflect.TypeFor[realsqlite.Error]()},
		{"mattn", reflect.TypeFor[sqlite3.Error](), reflect.TypeFor[realsqlite3.Error]()},
		{"mysql", reflect.TypeFor[mysql.MySQLError](), reflect.TypeFor[realmysql.MySQLError]()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.fake.Name() != tc.real.Name() {
				t.Errorf("type name %q, driver has %q", tc.fake.Name(), tc.real.Name())
			}
			if tc.fake.NumField() != tc.real.NumField() {
				t.Fatalf("%d fields, driver has %d", tc.fake.NumField(), tc.real.NumField())
			}
			for i := range tc.real.NumField() {
				f, r := tc.fake.Field(i), tc.real.Field(i)
				if f.Name != r.Name || f.Type.Name() != r.Type.Name() || f.Type.Kind() != r.Type.Kind() {
					t.Errorf("field %d is %s %s, driver has %s %s", i, f.Name, f.Type, r.Name, r.Type)
				}
			}
			if f, r := tc.fake.Implements(errorType), tc.real.Implements(errorType); f != r {
				t.Errorf("value implements error: %v, driver: %v", f, r)
			}
			for _, m := range []string{"SQLState", "Code", "SQLErrorNumber"} {
				_, f := reflect.PointerTo(tc.fake).MethodByName(m)
				_, r := reflect.PointerTo(tc.real).MethodByName(m)
				if f != r {
					t.Errorf("has method %s: %v, driver: %v", m, f, r)
				}
			}
		})
	}
}

// TestDriverValues feeds the drivers' own types, built by hand, where their
// fields are exported.
func TestDriverValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"pgx unique", &realpgconn.PgError{Code: "23505"}, true},
		{"pgx not null", &realpgconn.PgError{Code: "23502"}, false},
		{"pq unique", &realpq.Error{Code: "23505"}, true},
		{"pq foreign key", &realpq.Error{Code: "23503"}, false},
		{"mattn unique", realsqlite3.Error{Code: realsqlite3.ErrConstraint, ExtendedCode: realsqlite3.ErrConstraintUnique}, true},
		{"mattn primary key", realsqlite3.Error{Code: realsqlite3.ErrConstraint, ExtendedCode: realsqlite3.ErrConstraintPrimaryKey}, true},
		{"mattn not null", realsqlite3.Error{Code: realsqlite3.ErrConstraint, ExtendedCode: realsqlite3.ErrConstraintNotNull}, false},
		{"mysql dup entry", &realmysql.MySQLError{Number: 1062}, true},
		{"mysql foreign key", &realmysql.MySQLError{Number: 1452}, false},
	}
	for _, tc := range cases {
		if got := sqlerr.IsUniqueViolation(tc.err); got != tc.want {
			t.Errorf("%s: IsUniqueViolation = %v, want %v", tc.name, got, tc.want)
		}
	}
}
