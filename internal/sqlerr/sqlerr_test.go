package sqlerr_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/casemint/casemint/internal/sqlerr"
	"github.com/casemint/casemint/internal/sqlerr/internal/fakedriver/impostor"
	"github.com/casemint/casemint/internal/sqlerr/internal/fakedriver/mssql"
	"github.com/casemint/casemint/internal/sqlerr/internal/fakedriver/mysql"
	"github.com/casemint/casemint/internal/sqlerr/internal/fakedriver/pgconn"
	"github.com/casemint/casemint/internal/sqlerr/internal/fakedriver/pq"
	"github.com/casemint/casemint/internal/sqlerr/internal/fakedriver/sqlite"
	"github.com/casemint/casemint/internal/sqlerr/internal/fakedriver/sqlite3"
)

// SQLite extended result codes.
const (
	sqliteUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
	sqlitePrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteNotNull    = 1299 // SQLITE_CONSTRAINT_NOTNULL
	sqliteForeignKey = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
	sqliteCheck      = 275  // SQLITE_CONSTRAINT_CHECK
	sqliteConstraint = 19   // SQLITE_CONSTRAINT, the primary code alone
)

// numbered has the Number field of a MySQL error under another type name.
type numbered struct{ Number uint16 }

func (numbered) Error() string { return "numbered" }

// stater wraps another error and reports its own SQLSTATE.
type stater struct {
	state string
	err   error
}

func (s *stater) Error() string    { return "stater " + s.state }
func (s *stater) SQLState() string { return s.state }
func (s *stater) Unwrap() error    { return s.err }

// link is a single-Unwrap chain element whose next link is set later, so
// that chains can be made cyclic.
type link struct{ next error }

func (*link) Error() string   { return "link" }
func (l *link) Unwrap() error { return l.next }

// fork is a multi-Unwrap node whose children are set later.
type fork struct{ kids []error }

func (*fork) Error() string     { return "fork" }
func (f *fork) Unwrap() []error { return f.kids }

func mysqlErr(n uint16) error {
	return &mysql.MySQLError{Number: n, SQLState: [5]byte{'2', '3', '0', '0', '0'}}
}

// driverCases are single driver errors, unwrapped.
var driverCases = []struct {
	name string
	err  error
	want bool
}{
	{"pgx unique", &pgconn.PgError{Code: "23505"}, true},
	{"pgx not null", &pgconn.PgError{Code: "23502"}, false},
	{"pgx foreign key", &pgconn.PgError{Code: "23503"}, false},
	{"pgx check", &pgconn.PgError{Code: "23514"}, false},
	{"pgx serialization", &pgconn.PgError{Code: "40001"}, false},
	{"pgx nil pointer", (*pgconn.PgError)(nil), false},
	{"pq unique", &pq.Error{Code: "23505"}, true},
	{"pq not null", &pq.Error{Code: "23502"}, false},
	{"pq foreign key", &pq.Error{Code: "23503"}, false},
	{"modernc unique", sqlite.New(sqliteUnique, "UNIQUE constraint failed"), true},
	{"modernc primary key", sqlite.New(sqlitePrimaryKey, "UNIQUE constraint failed"), true},
	{"modernc not null", sqlite.New(sqliteNotNull, ""), false},
	{"modernc foreign key", sqlite.New(sqliteForeignKey, ""), false},
	{"modernc check", sqlite.New(sqliteCheck, ""), false},
	{"modernc primary code only", sqlite.New(sqliteConstraint, ""), false},
	{"mattn unique", sqlite3.New(sqliteUnique, ""), true},
	{"mattn primary key", sqlite3.New(sqlitePrimaryKey, ""), true},
	{"mattn pointer unique", ptr(sqlite3.New(sqliteUnique, "")), true},
	{"mattn not null", sqlite3.New(sqliteNotNull, ""), false},
	{"mattn foreign key", sqlite3.New(sqliteForeignKey, ""), false},
	{"mattn check", sqlite3.New(sqliteCheck, ""), false},
	{"mattn primary code only", sqlite3.Error{Code: sqliteConstraint}, false},
	{"mattn nil pointer", (*sqlite3.Error)(nil), false},
	{"mysql dup entry", mysqlErr(1062), true},
	{"mysql dup entry with key name", mysqlErr(1586), true},
	{"mysql not null", mysqlErr(1048), false},
	{"mysql foreign key", mysqlErr(1452), false},
	{"mysql check", mysqlErr(3819), false},
	{"mssql unique constraint", mssql.Error{Number: 2627}, true},
	{"mssql unique index", mssql.Error{Number: 2601}, true},
	{"mssql pointer", &mssql.Error{Number: 2627}, true},
	{"mssql not null", mssql.Error{Number: 515}, false},
	{"mssql foreign key or check", mssql.Error{Number: 547}, false},
	{"Error without ExtendedCode", impostor.Error{Code: sqliteUnique}, false},
	{"MySQLError with promoted Number", &impostor.MySQLError{Inner: &impostor.Inner{Number: 1062}}, false},
	{"MySQLError with nil embedded pointer", &impostor.MySQLError{}, false},
	{"Number under another name", numbered{Number: 1062}, false},
	{"plain error", errors.New("duplicate key value violates unique constraint"), false},
	{"nil", nil, false},
}

func ptr[T any](v T) *T { return &v }

func TestIsUniqueViolation(t *testing.T) {
	t.Parallel()
	other := errors.New("other")
	wraps := []struct {
		name string
		wrap func(error) error
	}{
		{"bare", func(err error) error { return err }},
		{"wrapped", func(err error) error { return fmt.Errorf("insert: %w", err) }},
		{"wrapped twice", func(err error) error { return fmt.Errorf("create: %w", fmt.Errorf("insert: %w", err)) }},
		{"joined", func(err error) error { return errors.Join(other, err) }},
		{"joined then wrapped", func(err error) error { return fmt.Errorf("create: %w", errors.Join(other, err)) }},
		{"second of two %w", func(err error) error { return fmt.Errorf("%w: %w", other, err) }},
		{"under stater", func(err error) error { return &stater{state: "40001", err: err} }},
	}
	for _, tc := range driverCases {
		for _, w := range wraps {
			if tc.err == nil && w.name != "bare" {
				continue // a wrapped nil is not a nil error
			}
			t.Run(tc.name+"/"+w.name, func(t *testing.T) {
				t.Parallel()
				if got := sqlerr.IsUniqueViolation(w.wrap(tc.err)); got != tc.want {
					t.Errorf("IsUniqueViolation(%v) = %v, want %v", tc.err, got, tc.want)
				}
			})
		}
	}
}

func TestIsUniqueViolationDeepChain(t *testing.T) {
	t.Parallel()
	var err error = &pgconn.PgError{Code: "23505"}
	for i := range 90 {
		if i%2 == 0 {
			err = fmt.Errorf("layer %d: %w", i, err)
		} else {
			err = errors.Join(errors.New("noise"), err)
		}
	}
	if !sqlerr.IsUniqueViolation(err) {
		t.Error("IsUniqueViolation missed a violation 90 links deep")
	}
}

func TestIsUniqueViolationCycles(t *testing.T) {
	t.Parallel()
	a, b := &link{}, &link{}
	a.next, b.next = b, a

	self := &fork{}
	self.kids = []error{self, self, self}

	f := &fork{}
	l := &link{next: f}
	f.kids = []error{errors.New("noise"), l, &pgconn.PgError{Code: "23505"}}

	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"two links", a, false},
		{"fork joining itself", self, false},
		{"cycle before a violation", f, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			done := make(chan bool, 1)
			go func() { done <- sqlerr.IsUniqueViolation(tc.err) }()
			select {
			case got := <-done:
				if got != tc.want {
					t.Errorf("IsUniqueViolation = %v, want %v", got, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("IsUniqueViolation did not return on a cyclic chain")
			}
		})
	}
}

func TestIsUniqueViolationAllocs(t *testing.T) {
	cases := []struct {
		name string
		err  error
	}{
		{"pgx wrapped", fmt.Errorf("a: %w", fmt.Errorf("b: %w", &pgconn.PgError{Code: "23505"}))},
		{"mattn joined", errors.Join(errors.New("x"), sqlite3.New(sqliteUnique, ""))},
		{"mysql wrapped", fmt.Errorf("a: %w", mysqlErr(1062))},
		{"no match", fmt.Errorf("a: %w", errors.Join(errors.New("x"), errors.New("y")))},
	}
	for _, tc := range cases {
		if n := testing.AllocsPerRun(100, func() { sqlerr.IsUniqueViolation(tc.err) }); n != 0 {
			t.Errorf("%s: %v allocations per call, want 0", tc.name, n)
		}
	}
}

func BenchmarkIsUniqueViolation(b *testing.B) {
	cases := []struct {
		name string
		err  error
	}{
		{"pgx-wrapped", fmt.Errorf("create: %w", fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23505"}))},
		{"mysql-wrapped", fmt.Errorf("create: %w", fmt.Errorf("insert: %w", mysqlErr(1062)))},
		{"no-match", fmt.Errorf("create: %w", fmt.Errorf("insert: %w", errors.New("connection reset")))},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sqlerr.IsUniqueViolation(tc.err)
			}
		})
	}
}
