package sqlcore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store/internal/sqlcore"
)

var face = &sqlcore.Face{
	Pkg:               "test",
	InvalidIdentifier: errors.New("invalid identifier"),
	InvalidQuerier:    errors.New("invalid querier"),
	InvalidOption:     errors.New("invalid option"),
	ScopeTooLong:      errors.New("scope too long"),
	CounterRange:      errors.New("counter out of range"),
}

// execs is a Handle that records its statements and fails those starting
// with fail.
type execs struct {
	ran  *[]string
	fail string
	err  error
}

func (h execs) Exec(_ context.Context, stmt string, _ ...any) (sqlcore.Result, error) {
	*h.ran = append(*h.ran, stmt)
	if h.fail != "" && strings.HasPrefix(stmt, h.fail) {
		return nil, h.err
	}
	return nil, nil
}

func (execs) QueryInt(context.Context, string, ...any) (int64, error) {
	return 0, errors.New("not a query")
}

func (execs) Autocommit() bool { return false }

// When the rollback to the savepoint fails, the transaction is broken: a
// collision of the insert must not come back as one, or the Generator
// would try another number in that transaction.
func TestSavepointBrokenAfterCollision(t *testing.T) {
	t.Parallel()
	broken := errors.New("connection reset")
	for _, collision := range []error{casenum.ErrDuplicate, &pgconn.PgError{Code: "23505"}} {
		var ran []string
		h := execs{ran: &ran, fail: "ROLLBACK TO SAVEPOINT", err: broken}
		insert := sqlcore.Savepoint(face, h, nil, func(context.Context, string) error { return collision })
		err := insert(t.Context(), "CASE-1")
		if !errors.Is(err, broken) {
			t.Errorf("%v: error %v does not wrap the rollback's", collision, err)
		}
		if o := casenum.Classify(err); o == casenum.Collided {
			t.Errorf("%v: a failed rollback is classified %v", collision, o)
		}
		if len(ran) != 2 || !strings.HasPrefix(ran[0], "SAVEPOINT casemint_") {
			t.Errorf("%v: statements %q, want SAVEPOINT and ROLLBACK TO only", collision, ran)
		}
	}
}

// Each wrapper names its savepoint on its own, the same for every call:
// nested wrappers in one transaction never share a name.
func TestSavepointNamesOfTheirOwn(t *testing.T) {
	t.Parallel()
	var ran []string
	h := execs{ran: &ran}
	insert := func(context.Context, string) error { return nil }
	inner := sqlcore.Savepoint(face, h, nil, insert)
	outer := sqlcore.Savepoint(face, h, nil, inner)
	for range 2 {
		if err := outer(t.Context(), "CASE-1"); err != nil {
			t.Fatal(err)
		}
	}
	if len(ran) != 8 {
		t.Fatalf("statements %q", ran)
	}
	outerName, innerName := strings.TrimPrefix(ran[0], "SAVEPOINT "), strings.TrimPrefix(ran[1], "SAVEPOINT ")
	want := []string{"SAVEPOINT " + outerName, "SAVEPOINT " + innerName, "RELEASE SAVEPOINT " + innerName, "RELEASE SAVEPOINT " + outerName}
	for i, stmt := range ran {
		if stmt != want[i%4] {
			t.Errorf("statement %d: %q, want %q", i, stmt, want[i%4])
		}
	}
	if outerName == innerName {
		t.Errorf("nested savepoints share the name %s", outerName)
	}
}
