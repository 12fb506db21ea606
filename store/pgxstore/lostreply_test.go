package pgxstore_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store/pgxstore"
)

// A reply lost after the statement reached the server, a COMMIT's or an
// INSERT's sent with the simple protocol (as behind PgBouncer), whatever
// pgx says of it: the outcome is unknown, the error names the number, and
// the record is stored once at most.
func TestLostReply(t *testing.T) {
	createTx := func(ctx context.Context, pool *pgxpool.Pool, g *casenum.Generator, table string) (string, error) {
		return pgxstore.CreateTx(ctx, pool, g, pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx, n string) error {
			_, err := tx.Exec(ctx, "INSERT INTO "+table+" (number, request) VALUES ($1, 1)", n)
			return err
		})
	}
	for _, tc := range []struct {
		name, marker string
		create       func(ctx context.Context, pool *pgxpool.Pool, g *casenum.Generator, table string) (string, error)
		grouped      bool // {seq} from a Sequence with group commit on the pool
	}{
		{"CreateTx COMMIT", "COMMIT", createTx, false},
		{"CreateTx COMMIT, group commit", "COMMIT", createTx, true},
		{"Create, simple protocol", "L-", func(ctx context.Context, pool *pgxpool.Pool, g *casenum.Generator, table string) (string, error) {
			return g.Create(ctx, func(ctx context.Context, n string) error {
				_, err := pool.Exec(ctx, "INSERT INTO "+table+" (number, request) VALUES ('"+n+"', 1)")
				return err
			})
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, db := open(t)
			table := casesTable(t, db)
			u, err := url.Parse(testdb.PostgresDSN(t))
			require.NoError(t, err)
			proxy := testdb.NewCutProxy(t, u.Host, tc.marker)
			pool, err := pgxpool.New(t.Context(), proxy.Via(u.String()))
			require.NoError(t, err)
			t.Cleanup(pool.Close)
			require.NoError(t, pool.Ping(t.Context()))
			g, err := casenum.New(casenum.WithLayout("L-{hex:12}"))
			if tc.grouped {
				g, err = casenum.New(casenum.WithLayout("L-{seq:4}"),
					casenum.WithSequence(counters(t, pool, db, pgxstore.WithGroupCommit(8))))
			}
			require.NoError(t, err)
			proxy.Arm()
			_, err = tc.create(t.Context(), pool, g, table)
			require.Equal(t, 1, proxy.Cuts())
			var ae *casenum.AttemptError
			require.ErrorIs(t, err, casenum.ErrUncertain)
			require.ErrorAs(t, err, &ae)
			var stored []string
			rows, err := db.QueryContext(t.Context(), "SELECT number FROM "+table)
			require.NoError(t, err)
			defer rows.Close()
			for rows.Next() {
				var n string
				require.NoError(t, rows.Scan(&n))
				stored = append(stored, n)
			}
			assert.Equal(t, []string{ae.Number}, stored)
		})
	}
}
