package sqlcore_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/store/internal/sqlcore"
	"github.com/casemint/casemint/store/internal/sqlcore/internal/fakedriver/mssql"
)

// commits is a Beginner whose COMMITs answer the errors in turn, then nil.
type commits struct{ errs []error }

func (*commits) Begin(context.Context) (int, error) { return 0, nil }
func (*commits) Rollback(context.Context, int)      {}
func (*commits) Handle(int) sqlcore.Handle          { return execs{ran: new([]string)} }
func (*commits) Options() any                       { return nil }

func (c *commits) Commit(context.Context, int) error {
	if len(c.errs) == 0 {
		return nil
	}
	err := c.errs[0]
	c.errs = c.errs[1:]
	return err
}

// What COMMIT answered, and what CreateTx makes of it.
const (
	retried   = iota // the database rolled back: the next number is tried
	failed           // the database rolled back, and another number would not help
	uncertain        // it may have committed: ErrUncertain, with the number
)

// commitAnswer is an error of a driver at COMMIT, and what CreateTx makes
// of it: retried, failed or uncertain.
type commitAnswer struct {
	name string
	err  error
	want int
}

// commitAnswers are errors of each driver at COMMIT. Only an answer that
// proves a rollback says "not committed"; every other may have committed.
// commit_mattn_test.go adds mattn/go-sqlite3's, whose types exist only with
// cgo.
var commitAnswers = []commitAnswer{
	{"pgx deferred unique", &pgconn.PgError{Code: "23505"}, retried},
	{"pgx serialization failure", &pgconn.PgError{Code: "40001"}, retried},
	{"pgx deadlock", &pgconn.PgError{Code: "40P01"}, retried},
	{"pgx deferred foreign key", &pgconn.PgError{Code: "23503"}, failed},
	{"pgx not null", &pgconn.PgError{Code: "23502"}, failed},
	{"pgx check", &pgconn.PgError{Code: "23514"}, failed},
	{"pgx exclusion", &pgconn.PgError{Code: "23P01"}, failed},
	{"pgx integrity constraint", &pgconn.PgError{Code: "23000"}, failed},
	{"pgx query canceled", &pgconn.PgError{Code: "57014"}, uncertain},
	{"pgx admin shutdown", &pgconn.PgError{Code: "57P01"}, uncertain},
	{"pgx connection failure", &pgconn.PgError{Code: "08006"}, uncertain},
	{"pgx completion unknown", &pgconn.PgError{Code: "40003"}, uncertain},
	{"pgx disk full", &pgconn.PgError{Code: "53100"}, uncertain},
	{"pgx internal error", &pgconn.PgError{Code: "XX000"}, uncertain},
	{"pq deferred unique", &pq.Error{Code: "23505"}, retried},
	{"pq deferred foreign key", &pq.Error{Code: "23503"}, failed},
	{"pq query canceled", &pq.Error{Code: "57014"}, uncertain},
	{"mysql duplicate", &mysql.MySQLError{Number: 1062}, retried},
	{"galera certification failure", &mysql.MySQLError{Number: 1213}, retried},
	{"mysql lock wait timeout", &mysql.MySQLError{Number: 1205}, retried},
	{"tidb write conflict", &mysql.MySQLError{Number: 9007}, retried},
	{"mysql no referenced row", &mysql.MySQLError{Number: 1452}, failed},
	{"mysql row is referenced", &mysql.MySQLError{Number: 1451}, failed},
	{"mysql old foreign key", &mysql.MySQLError{Number: 1216}, failed},
	{"mysql bad null", &mysql.MySQLError{Number: 1048}, failed},
	{"mariadb check", &mysql.MySQLError{Number: 4025}, failed},
	{"mysql check", &mysql.MySQLError{Number: 3819}, failed},
	{"mariadb query interrupted", &mysql.MySQLError{Number: 1317}, uncertain},
	{"mariadb connection killed", &mysql.MySQLError{Number: 1927}, uncertain},
	{"mysql server shutdown", &mysql.MySQLError{Number: 1053}, uncertain},
	{"mariadb statement timeout", &mysql.MySQLError{Number: 1969}, uncertain},
	{"mysql syntax", &mysql.MySQLError{Number: 1064}, uncertain},
	{"mysql invalid connection", mysql.ErrInvalidConn, uncertain},
	{"mssql unique", mssql.Error{Number: 2627}, retried},
	{"mssql deadlock victim", mssql.Error{Number: 1205}, retried},
	{"mssql foreign key", mssql.Error{Number: 547, Message: "conflicted with the FOREIGN KEY constraint"}, failed},
	{"mssql not null", mssql.Error{Number: 515, Message: "Cannot insert the value NULL"}, failed},
	{"mssql other", mssql.Error{Number: 3998, Message: "Uncommittable transaction"}, uncertain},
	{"unexpected EOF", io.ErrUnexpectedEOF, uncertain},
	{"bad conn", driver.ErrBadConn, uncertain},
	{"context", context.Canceled, uncertain},
	{"no code", errors.New("timeout: no reply"), uncertain},
	{"unique under a lost connection", fmt.Errorf("%w: %w", mysql.ErrInvalidConn, &pgconn.PgError{Code: "23505"}), uncertain},
	{"certification failure beside a deadline", errors.Join(context.DeadlineExceeded, &mysql.MySQLError{Number: 1213}), uncertain},
	{"foreign key under a lost connection", errors.Join(io.ErrUnexpectedEOF, &pgconn.PgError{Code: "23503"}), uncertain},
}

func TestCommitRule(t *testing.T) {
	t.Parallel()
	for _, tc := range commitAnswers {
		for _, wrap := range []func(error) error{
			func(err error) error { return err },
			func(err error) error { return fmt.Errorf("tx: %w", err) },
		} {
			err := wrap(tc.err)
			g, gerr := casenum.New(casenum.WithLayout("T-{seq:1}"), casenum.WithFallbackLayout(""),
				casenum.WithSequence(casenumtest.NewStore()))
			if gerr != nil {
				t.Fatal(gerr)
			}
			n, got := sqlcore.CreateTx(t.Context(), face, &commits{[]error{err}}, g, nil,
				func(context.Context, int, string) error { return nil })
			var ae *casenum.AttemptError
			switch tc.want {
			case retried:
				if got != nil || n != "T-2" {
					t.Errorf("%s (%v): got %q, %v; want T-2 stored on the next attempt", tc.name, err, n, got)
				}
			case failed:
				if !wraps(got, tc.err) || errors.Is(got, casenum.ErrUncertain) || g.Stats().Attempts != 1 {
					t.Errorf("%s (%v): got %v after %d attempts; want the error, not uncertain, after 1", tc.name, err, got, g.Stats().Attempts)
				}
			case uncertain:
				if !wraps(got, tc.err) || !errors.Is(got, casenum.ErrUncertain) || !errors.As(got, &ae) || ae.Number != "T-1" {
					t.Errorf("%s (%v): got %v; want ErrUncertain with T-1", tc.name, err, got)
				}
			}
		}
	}
}

// wraps reports whether err wraps target; by message for a target that ==
// cannot compare (mssql's Error holds a slice), which errors.Is never finds.
func wraps(err, target error) bool {
	if reflect.TypeOf(target).Comparable() {
		return errors.Is(err, target)
	}
	return err != nil && strings.HasSuffix(err.Error(), target.Error())
}
