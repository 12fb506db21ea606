package txattempt_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/txattempt"
)

// When the rollback to the savepoint fails, the transaction is broken: a
// collision of the insert must not come back as one, or the Generator
// would try another number in that transaction.
func TestSavepointBrokenAfterCollision(t *testing.T) {
	t.Parallel()
	broken := errors.New("connection reset")
	for _, collision := range []error{casenum.ErrDuplicate, &pgconn.PgError{Code: "23505"}} {
		var ran []string
		exec := func(_ context.Context, stmt string) error {
			ran = append(ran, stmt)
			if stmt == "ROLLBACK TO SAVEPOINT casemint_1" {
				return broken
			}
			return nil
		}
		err := txattempt.Savepoint(t.Context(), "test", exec, func(context.Context, string) error { return collision }, "CASE-1")
		if !errors.Is(err, broken) {
			t.Errorf("%v: error %v does not wrap the rollback's", collision, err)
		}
		if o := casenum.Classify(err); o == casenum.Collided {
			t.Errorf("%v: a failed rollback is classified %v", collision, o)
		}
		if len(ran) != 2 {
			t.Errorf("%v: statements %q, want SAVEPOINT and ROLLBACK TO only", collision, ran)
		}
	}
}
