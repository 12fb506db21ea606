package sqlcore

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/testdb"
)

// sqlHandle runs the core's statements on a database/sql handle.
type sqlHandle struct {
	q interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
	autocommit bool
}

func (h sqlHandle) Exec(ctx context.Context, query string, args ...any) (Result, error) {
	return h.q.ExecContext(ctx, query, args...)
}

func (h sqlHandle) QueryInt(ctx context.Context, query string, args ...any) (int64, error) {
	var v int64
	err := h.q.QueryRowContext(ctx, query, args...).Scan(&v)
	return v, err
}

func (h sqlHandle) Autocommit() bool { return h.autocommit }

// sqlTxs begins the transactions of an attempt on db.
type sqlTxs struct{ db *sql.DB }

func (b sqlTxs) Begin(ctx context.Context) (*sql.Tx, error) { return b.db.BeginTx(ctx, nil) }
func (sqlTxs) Commit(_ context.Context, tx *sql.Tx) error   { return tx.Commit() }
func (sqlTxs) Rollback(_ context.Context, tx *sql.Tx)       { _ = tx.Rollback() }
func (sqlTxs) Handle(tx *sql.Tx) Handle                     { return sqlHandle{q: tx} }
func (sqlTxs) Options() any                                 { return nil }

// sqlFace gives the driver's errors; no sentinel is reached here.
var sqlFace = &Face{Pkg: "test", NoRows: sql.ErrNoRows, TxDone: sql.ErrTxDone}

// In CreateTx's gap-free mode the Sequence bound to the attempt draws
// {seq} in the attempt's transaction, which a collision rolls back, draw
// included. Its Advance moves the counter past the taken value outside that
// transaction, so the next attempt draws the value after it. Driven here as
// a Generator does it: INV-2026-0001 and 0003 were imported, and the next
// three records are stored as 0002, 0004 and 0005, whether the collision
// comes from the insert or from a look-up before it (a Checker), which
// leaves the draw's transaction open, holding the counter's row.
func TestBoundSequenceAdvance(t *testing.T) {
	t.Parallel()
	dbs := []struct {
		name string
		d    Dialect
		open func(t *testing.T) (db, importer *sql.DB)
	}{
		{"sqlite", SQLite, func(t *testing.T) (*sql.DB, *sql.DB) { db := testdb.SQLite(t); return db, db }},
		{"postgres", Postgres, func(t *testing.T) (*sql.DB, *sql.DB) { db := testdb.Postgres(t); return db, db }},
		{"mariadb", MySQL, func(t *testing.T) (*sql.DB, *sql.DB) { db := testdb.MySQL(t); return db, db }},
		{"galera", MySQL, func(t *testing.T) (*sql.DB, *sql.DB) { nodes := testdb.Galera(t); return nodes[0], nodes[1] }},
	}
	for _, tc := range dbs {
		for _, checked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/checker %v", tc.name, checked), func(t *testing.T) {
				t.Parallel()
				db, importer := tc.open(t)
				got := storeAfterImports(t, tc.d, db, importer, checked)
				want := []string{"INV-2026-0002", "INV-2026-0004", "INV-2026-0005"}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("stored %v, want %v", got, want)
				}
			})
		}
	}
}

// storeAfterImports imports INV-2026-0001 and 0003 through importer, then
// stores three records through db in gap-free mode and returns their
// numbers.
func storeAfterImports(t *testing.T, d Dialect, db, importer *sql.DB, checked bool) []string {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // a counter row left locked would wait for ever
	defer cancel()
	table := testdb.CreateTable(t, importer, "invoices", "number VARCHAR(40) NOT NULL PRIMARY KEY")
	counters := testdb.Table(t, "counters")
	testdb.DropOnCleanup(t, importer, counters)
	seq, err := NewSequence(sqlFace, sqlHandle{q: db, autocommit: true}, false, d, counters, []func(*Config){})
	if err != nil {
		t.Fatal(err)
	}
	if err := seq.CreateTable(ctx, sqlFace); err != nil {
		t.Fatal(err)
	}
	testdb.WaitForTable(t, []*sql.DB{db, importer}, table)
	testdb.WaitForTable(t, []*sql.DB{db, importer}, counters)
	insert := "INSERT INTO " + table + " (number) VALUES (" + d.placeholder(1) + ")"
	for _, n := range []string{"INV-2026-0001", "INV-2026-0003"} {
		if _, err := importer.ExecContext(ctx, insert, n); err != nil {
			t.Fatal(err)
		}
	}
	taken := func(n string) bool {
		var c int64
		err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE number = "+d.placeholder(1), n).Scan(&c)
		if err != nil {
			t.Fatal(err)
		}
		return c > 0
	}

	var got []string
	for range 3 {
		a := &attempt[*sql.Tx]{f: sqlFace, b: sqlTxs{db}}
		bound := txSequence[*sql.Tx]{a, seq}
		store := a.insert(func(ctx context.Context, tx *sql.Tx, n string) error {
			_, err := tx.ExecContext(ctx, insert, n)
			return err
		})
		n := ""
		for try := 0; n == "" && try < 10; try++ {
			v, err := bound.Next(ctx, "INV-2026-")
			if err != nil {
				t.Fatal(err)
			}
			candidate := fmt.Sprintf("INV-2026-%04d", v)
			if checked && taken(candidate) {
				err = casenum.ErrDuplicate // the draw's transaction is still open
			} else {
				err = store(ctx, candidate)
			}
			switch casenum.Classify(err) {
			case casenum.Stored:
				n = candidate
			case casenum.Collided:
				if err := bound.Advance(ctx, "INV-2026-", v); err != nil {
					t.Fatal(err)
				}
			case casenum.Aborted: // a cluster's certification failure: try again
			default:
				t.Fatal(err)
			}
		}
		a.rollback(ctx)
		got = append(got, n)
	}
	return got
}
