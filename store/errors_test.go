package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"
	"github.com/stretchr/testify/assert"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store"
)

// uniqueValue is a driver's error value, built by hand, and whether it is a
// unique violation.
type uniqueValue struct {
	name string
	err  error
	want bool
}

// uniqueValues are the cases of TestIsUniqueViolationValues;
// errors_mattn_test.go adds mattn/go-sqlite3's, whose types exist only with
// cgo.
var uniqueValues = []uniqueValue{
	{"nil", nil, false},
	{"plain", errors.New("duplicate key value violates unique constraint"), false},
	{"pgx unique", &pgconn.PgError{Code: "23505"}, true},
	{"pgx not null", &pgconn.PgError{Code: "23502"}, false},
	{"pgx foreign key", &pgconn.PgError{Code: "23503"}, false},
	{"pq unique", &pq.Error{Code: "23505"}, true},
	{"pq check", &pq.Error{Code: "23514"}, false},
	{"mysql duplicate", &mysql.MySQLError{Number: 1062}, true},
	{"mysql null", &mysql.MySQLError{Number: 1048}, false},
	{"casenum duplicate", casenum.ErrDuplicate, false},
}

// The drivers' error values, built by hand; integration_test.go checks the
// errors real servers return.
func TestIsUniqueViolationValues(t *testing.T) {
	t.Parallel()
	for _, tc := range uniqueValues {
		assert.Equal(t, tc.want, store.IsUniqueViolation(tc.err), tc.name)
		wrapped := fmt.Errorf("store: inserting: %w", tc.err)
		assert.Equal(t, tc.want, store.IsUniqueViolation(wrapped), "%s, wrapped", tc.name)
		joined := errors.Join(errors.New("first"), fmt.Errorf("again: %w", tc.err))
		assert.Equal(t, tc.want, store.IsUniqueViolation(joined), "%s, joined", tc.name)
	}
}
