package sqlcore_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store/internal/sqlcore"
	"github.com/casemint/casemint/store/internal/sqlcore/internal/fakedriver/mssql"
)

// SQLite extended result codes.
const (
	sqliteUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
	sqlitePrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteNotNull    = 1299 // SQLITE_CONSTRAINT_NOTNULL
	sqliteForeignKey = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
	sqliteCheck      = 275  // SQLITE_CONSTRAINT_CHECK
	sqliteBusy       = 5    // SQLITE_BUSY
	sqliteBusySnap   = 517  // SQLITE_BUSY_SNAPSHOT
	sqliteLocked     = 6    // SQLITE_LOCKED
)

// Types named like a driver's whose fields are not the driver's: they must
// not be taken for it.
type (
	// Error is named like mattn's but has no ExtendedCode.
	Error struct{ Code int }
	// MySQLError is named like go-sql-driver's, with Number only promoted.
	MySQLError struct{ *inner }
	inner      struct{ Number uint16 }
	// numbered has MySQL's field under another type name.
	numbered struct{ Number uint16 }
	// pgPromoted says SQLSTATE 23505 with its Detail only promoted,
	// through a pointer that may be nil.
	pgPromoted struct{ *pgDetail }
	pgDetail   struct{ Detail string }
)

func (pgPromoted) Error() string    { return "impostor" }
func (pgPromoted) SQLState() string { return "23505" }

func (Error) Error() string       { return "impostor" }
func (*MySQLError) Error() string { return "impostor" }
func (numbered) Error() string    { return "numbered" }

// classifyCase is a single driver error, built from the driver's own
// types, and its class.
type classifyCase struct {
	name string
	err  error
	want casenum.Outcome
}

// cases are single driver errors, built from the drivers' own types;
// drivererr_mattn_test.go adds mattn/go-sqlite3's, whose types exist only
// with cgo.
var cases = []classifyCase{
	{"pgx unique", &pgconn.PgError{Code: "23505"}, casenum.Collided},
	{"pgx not null", &pgconn.PgError{Code: "23502"}, casenum.Failed},
	{"pgx foreign key", &pgconn.PgError{Code: "23503"}, casenum.Failed},
	{"pgx serialization failure", &pgconn.PgError{Code: "40001"}, casenum.Aborted},
	{"pgx deadlock", &pgconn.PgError{Code: "40P01"}, casenum.Aborted},
	{"pgx completion unknown", &pgconn.PgError{Code: "40003"}, casenum.Uncertain},
	{"pgx transaction resolution unknown", &pgconn.PgError{Code: "08007"}, casenum.Uncertain},
	{"pgx admin shutdown", &pgconn.PgError{Code: "57P01"}, casenum.Uncertain},
	{"pgx syntax", &pgconn.PgError{Code: "42601"}, casenum.Failed},
	{"pgx nil pointer", (*pgconn.PgError)(nil), casenum.Failed},
	{"pq unique", &pq.Error{Code: "23505"}, casenum.Collided},
	{"pq serialization failure", &pq.Error{Code: "40001"}, casenum.Aborted},
	{"pq foreign key", &pq.Error{Code: "23503"}, casenum.Failed},
	{"mysql dup entry", &mysql.MySQLError{Number: 1062}, casenum.Collided},
	{"mysql dup entry with key name", &mysql.MySQLError{Number: 1586}, casenum.Collided},
	{"mysql deadlock", &mysql.MySQLError{Number: 1213}, casenum.Aborted},
	{"mysql lock wait timeout", &mysql.MySQLError{Number: 1205}, casenum.Aborted},
	{"tidb write conflict", &mysql.MySQLError{Number: 9007}, casenum.Aborted},
	{"tidb txn retry", &mysql.MySQLError{Number: 8022}, casenum.Aborted},
	{"tidb lock conflict", &mysql.MySQLError{Number: 8002}, casenum.Aborted},
	{"mariadb connection killed", &mysql.MySQLError{Number: 1927}, casenum.Uncertain},
	{"mysql not null", &mysql.MySQLError{Number: 1048}, casenum.Failed},
	{"mysql foreign key", &mysql.MySQLError{Number: 1452}, casenum.Failed},
	{"mysql invalid connection", mysql.ErrInvalidConn, casenum.Uncertain},
	{"mysql malformed packet", mysql.ErrMalformPkt, casenum.Uncertain},
	{"mysql packets out of sync", mysql.ErrPktSync, casenum.Uncertain},
	{"mysql busy buffer", mysql.ErrBusyBuffer, casenum.Failed},
	{"mssql unique constraint", mssql.Error{Number: 2627}, casenum.Collided},
	{"mssql unique index", &mssql.Error{Number: 2601}, casenum.Collided},
	{"mssql deadlock victim", mssql.Error{Number: 1205}, casenum.Aborted},
	{"mssql not null", mssql.Error{Number: 515}, casenum.Failed},
	{"unexpected EOF", io.ErrUnexpectedEOF, casenum.Uncertain},
	{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, casenum.Uncertain},
	{"broken pipe", &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}, casenum.Uncertain},
	{"refused dial", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, casenum.Failed},
	{"bad conn", driver.ErrBadConn, casenum.Aborted}, // database/sql's: nothing was sent
	{"Error without ExtendedCode", Error{Code: sqliteUnique}, casenum.Failed},
	{"MySQLError with promoted Number", &MySQLError{&inner{Number: 1062}}, casenum.Failed},
	{"MySQLError with nil embedded pointer", &MySQLError{}, casenum.Failed},
	{"Number under another name", numbered{Number: 1062}, casenum.Failed},
	{"message only", errors.New("duplicate key value violates unique constraint"), casenum.Failed},
	{"context", context.Canceled, casenum.Uncertain},
	{"nil", nil, casenum.Stored},
}

func TestClassify(t *testing.T) {
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
	}
	for _, tc := range cases {
		for _, w := range wraps {
			if tc.err == nil && w.name != "bare" {
				continue // a wrapped nil is not a nil error
			}
			err := w.wrap(tc.err)
			if got := casenum.Classify(err); got != tc.want {
				t.Errorf("%s/%s: Classify(%v) = %v, want %v", tc.name, w.name, err, got, tc.want)
			}
			if got := sqlcore.IsUniqueViolation(err); got != (tc.want == casenum.Collided) {
				t.Errorf("%s/%s: IsUniqueViolation = %v", tc.name, w.name, got)
			}
		}
	}
}

// The first recognised error decides: a unique violation reported under a
// lost connection, or after an abort, is not a collision.
func TestFirstWins(t *testing.T) {
	t.Parallel()
	dup := &mysql.MySQLError{Number: 1062, Message: "Duplicate entry 'C' for key 'number'"}
	for _, tc := range []struct {
		name string
		err  error
		want casenum.Outcome
	}{
		{"lost connection first", fmt.Errorf("%w: %w", mysql.ErrInvalidConn, dup), casenum.Uncertain},
		{"deadlock first", errors.Join(&mysql.MySQLError{Number: 1213}, dup), casenum.Aborted},
		{"unique first", errors.Join(dup, &mysql.MySQLError{Number: 1213}), casenum.Collided},
	} {
		if got := casenum.Classify(tc.err); got != tc.want {
			t.Errorf("%s: Classify = %v, want %v", tc.name, got, tc.want)
		}
		unique := tc.want == casenum.Collided
		if got := sqlcore.IsUniqueViolation(tc.err); got != unique {
			t.Errorf("%s: IsUniqueViolation = %v, want %v", tc.name, got, unique)
		}
		if got := sqlcore.UniqueViolationOn(tc.err, "number"); got != unique {
			t.Errorf("%s: UniqueViolationOn = %v, want %v", tc.name, got, unique)
		}
	}
}

func TestUniqueViolationOn(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		err    error
		column string
		want   bool
	}{
		{"pgx detail", &pgconn.PgError{Code: "23505", Detail: "Key (case_number)=(CASE-1) already exists.", ConstraintName: "calls_case_number_key"}, "case_number", true},
		{"pgx other column", &pgconn.PgError{Code: "23505", Detail: "Key (idempotency_key)=(k) already exists.", ConstraintName: "calls_idempotency_key_key"}, "case_number", false},
		{"pgx constraint name", &pgconn.PgError{Code: "23505", ConstraintName: "uq_number"}, "uq_number", true},
		{"pgx composite key", &pgconn.PgError{Code: "23505", Detail: "Key (tenant, case_number)=(1, C) already exists."}, "case_number", false},
		{"pgx value holding a key", &pgconn.PgError{Code: "23505", Detail: "Key (other)=(Key (case_number)=() already exists."}, "case_number", false},
		{"pgx not unique", &pgconn.PgError{Code: "23502", ColumnName: "case_number"}, "case_number", false},
		{"pq detail", &pq.Error{Code: "23505", Detail: "Key (case_number)=(C) already exists."}, "case_number", true},
		{"pq constraint", &pq.Error{Code: "23505", Constraint: "calls_pkey"}, "calls_pkey", true},
		{"mariadb key", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry 'C' for key 'case_number'"}, "case_number", true},
		{"mysql 8 key", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry 'C' for key 'calls.case_number'"}, "case_number", true},
		{"mysql other key", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry 'C' for key 'idempotency_key'"}, "case_number", false},
		{"mysql value holding a key", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry 'x for key 'case_number'' for key 'other'"}, "case_number", false},
		{"mysql primary", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry '1' for key 'PRIMARY'"}, "PRIMARY", true},
		{"mssql constraint", mssql.Error{Number: 2627, Message: "Violation of UNIQUE KEY constraint 'case_number'. Cannot insert duplicate key in object 'dbo.calls'. The duplicate key value is (C)."}, "case_number", true},
		{"mssql index", mssql.Error{Number: 2601, Message: "Cannot insert duplicate key row in object 'dbo.calls' with unique index 'ix_other'. The duplicate key value is (C)."}, "case_number", false},
		{"wrapped", fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23505", Detail: "Key (case_number)=(C) already exists."}), "case_number", true},
		{"joined", errors.Join(errors.New("x"), &mysql.MySQLError{Number: 1062, Message: "Duplicate entry 'C' for key 'case_number'"}), "case_number", true},
		{"empty column", &pgconn.PgError{Code: "23505", ConstraintName: ""}, "", false},
		{"promoted detail", pgPromoted{&pgDetail{"Key (case_number)=(C) already exists."}}, "case_number", false},
		{"promoted detail, nil pointer", pgPromoted{}, "case_number", false},
		{"nil", nil, "case_number", false},
	}
	for _, tc := range cases {
		if got := sqlcore.UniqueViolationOn(tc.err, tc.column); got != tc.want {
			t.Errorf("%s: UniqueViolationOn(%v, %q) = %v, want %v", tc.name, tc.err, tc.column, got, tc.want)
		}
	}
}

// A mark decides the class, but does not hide a unique violation from the
// functions that look for one.
func TestUniqueViolationUnderAMark(t *testing.T) {
	t.Parallel()
	err := casenum.Mark(casenum.Failed, &pgconn.PgError{Code: "23505", Detail: "Key (number)=(x) already exists."})
	if casenum.Classify(err) != casenum.Failed || !sqlcore.IsUniqueViolation(err) || !sqlcore.UniqueViolationOn(err, "number") {
		t.Errorf("Classify = %v, IsUniqueViolation = %v, UniqueViolationOn = %v", casenum.Classify(err),
			sqlcore.IsUniqueViolation(err), sqlcore.UniqueViolationOn(err, "number"))
	}
}
