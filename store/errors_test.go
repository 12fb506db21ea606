package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"
	"github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store"
)

// The drivers' error values, built by hand; integration_test.go checks the
// errors real servers return.
func TestIsUniqueViolationValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errors.New("duplicate key value violates unique constraint"), false},
		{"pgx unique", &pgconn.PgError{Code: "23505"}, true},
		{"pgx not null", &pgconn.PgError{Code: "23502"}, false},
		{"pgx foreign key", &pgconn.PgError{Code: "23503"}, false},
		{"pq unique", &pq.Error{Code: "23505"}, true},
		{"pq check", &pq.Error{Code: "23514"}, false},
		{"mysql duplicate", &mysql.MySQLError{Number: 1062}, true},
		{"mysql null", &mysql.MySQLError{Number: 1048}, false},
		{"mattn unique", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintUnique}, true},
		{"mattn primary key", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintPrimaryKey}, true},
		{"mattn not null", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintNotNull}, false},
		{"casenum duplicate", casenum.ErrDuplicate, false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, store.IsUniqueViolation(tc.err), tc.name)
		wrapped := fmt.Errorf("store: inserting: %w", tc.err)
		assert.Equal(t, tc.want, store.IsUniqueViolation(wrapped), "%s, wrapped", tc.name)
		joined := errors.Join(errors.New("first"), fmt.Errorf("again: %w", tc.err))
		assert.Equal(t, tc.want, store.IsUniqueViolation(joined), "%s, joined", tc.name)
	}
}
