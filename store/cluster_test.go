package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

// A multi-primary cluster finds a clash between nodes at certification: the
// loser's statement fails with 1213, not 1062, and nothing of it is stored.
// These tests write through all three nodes of a Galera cluster at once.

// clusterTable creates a table through node 1, waits until every node has
// it, and drops it when the test ends.
func clusterTable(t *testing.T, nodes []*sql.DB, prefix, columns string) string {
	t.Helper()
	table := testdb.CreateTable(t, nodes[0], prefix, columns)
	testdb.WaitForTable(t, nodes, table)
	return table
}

// throughNodes runs do for workers*perWorker requests, numbered from 0,
// from workers goroutines, worker w writing through node w mod nodes, and
// fails the test for every error.
func throughNodes(t *testing.T, nodes, workers, perWorker int, do func(node, req int) error) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				req := w*perWorker + i
				if err := do(w%nodes, req); err != nil {
					t.Errorf("request %d through node %d: %v", req, w%nodes+1, err)
				}
			}
		})
	}
	wg.Wait()
}

// clusterRows returns what a query reads through node 1 once it has caught
// up with the cluster.
func clusterRows(t *testing.T, nodes []*sql.DB, query string) []string {
	t.Helper()
	return queryStrings(t, testdb.CausalConn(t, nodes[0]), query)
}

// Create through the three nodes with a small random space: clashes
// between nodes are retried, and every request is stored once. With its
// default wsrep_retry_autocommit=1 the server retries a statement that
// failed certification once, and the loser mostly sees a unique violation;
// without that retry it sees the certification failure itself. How many
// clashes land on one row at once depends on timing, so without the
// server's retry the workload runs again, on a fresh table, until one has
// surfaced.
func TestClusterCreate(t *testing.T) {
	t.Parallel()
	const workers, perWorker, rounds = 24, 30, 5
	for _, retry := range []string{"server retry", "no server retry"} {
		t.Run(retry, func(t *testing.T) {
			t.Parallel()
			nodes := testdb.Galera(t)
			if retry == "no server retry" {
				nodes = galeraWith(t, "wsrep_retry_autocommit", "0")
			}
			var aborted uint64
			for round := 1; round <= rounds; round++ {
				st := clusterCreate(t, nodes, workers, perWorker)
				t.Logf("%s, round %d: %+v", retry, round, st)
				aborted += st.Aborted
				if retry == "server retry" || aborted > 0 {
					break
				}
			}
			if retry == "no server retry" {
				assert.Positive(t, aborted, "clashes between nodes must surface as certification failures")
			}
		})
	}
}

// clusterCreate stores workers*perWorker requests in a new table through
// the nodes, checks that each is stored once, and returns the Generator's
// counters.
func clusterCreate(t *testing.T, nodes []*sql.DB, workers, perWorker int) casenum.Stats {
	t.Helper()
	table := clusterTable(t, nodes, "cases", "number VARCHAR(20) NOT NULL PRIMARY KEY, request INT NOT NULL UNIQUE")
	g, err := casenum.New(casenum.WithLayout("G-{rand:3}"), casenum.WithRetry(casenum.Retry{Attempts: 50}))
	require.NoError(t, err)
	throughNodes(t, len(nodes), workers, perWorker, func(node, req int) error {
		_, err := g.Create(t.Context(), inserter(nodes[node], store.MySQL, table, req))
		return err
	})
	got := clusterRows(t, nodes, "SELECT CAST(request AS CHAR) FROM "+table)
	assert.Len(t, got, workers*perWorker, "every request stored once")
	st := g.Stats()
	assert.Equal(t, uint64(workers*perWorker), st.Minted)
	assert.Zero(t, st.Errors+st.Exhausted)
	return st
}

// galeraWith opens the cluster's nodes with a session variable set on
// every connection.
func galeraWith(t *testing.T, name, value string) []*sql.DB {
	t.Helper()
	nodes := testdb.Galera(t) // skips, or fails under CI, without the cluster
	dsns := strings.Split(os.Getenv(testdb.GaleraEnv), ",")
	for i := range nodes {
		cfg, err := mysql.ParseDSN(dsns[i])
		require.NoError(t, err)
		if cfg.Params == nil {
			cfg.Params = map[string]string{}
		}
		cfg.Params[name] = value
		connector, err := mysql.NewConnector(cfg)
		require.NoError(t, err)
		db := sql.OpenDB(connector)
		t.Cleanup(func() { _ = db.Close() })
		nodes[i] = db
	}
	return nodes
}

// A Sequence bumping one counter through the three nodes hands out every
// value once, skips none and fails no call: the certification failures of
// the counter's row are retried.
func TestClusterSequence(t *testing.T) {
	t.Parallel()
	for _, block := range []int{1, 10} {
		t.Run(fmt.Sprintf("block %d", block), func(t *testing.T) {
			t.Parallel()
			const workers, perWorker = 12, 40
			nodes := testdb.Galera(t)
			table := testdb.Table(t, "counters")
			testdb.DropOnCleanup(t, nodes[0], table)
			seqs := make([]*store.Sequence, len(nodes))
			for i, db := range nodes {
				var err error
				seqs[i], err = store.NewSequence(db, store.MySQL, table, store.WithBlock(block))
				require.NoError(t, err)
			}
			require.NoError(t, seqs[0].CreateTable(t.Context()))
			testdb.WaitForTable(t, nodes, table)

			var mu sync.Mutex
			var values []uint64
			throughNodes(t, len(nodes), workers, perWorker, func(node, _ int) error {
				v, err := seqs[node].Next(t.Context(), "G-")
				if err == nil {
					mu.Lock()
					values = append(values, v)
					mu.Unlock()
				}
				return err
			})
			slices.Sort(values)
			n := len(values)
			require.Equal(t, workers*perWorker, n)
			assert.Equal(t, n, len(slices.Compact(slices.Clone(values))), "a value handed out twice")
			if block == 1 {
				assert.Equal(t, uint64(1), values[0])
				assert.Equal(t, uint64(n), values[n-1], "values skipped")
			}
		})
	}
}

// CreateTx stores a record and its child rows through the three nodes:
// a clash found at COMMIT rolls back the whole transaction and retries it,
// so no child row is left without its record.
func TestClusterCreateTx(t *testing.T) {
	t.Parallel()
	const workers, perWorker, children = 12, 25, 2
	nodes := testdb.Galera(t)
	cases := clusterTable(t, nodes, "cases", "number VARCHAR(20) NOT NULL PRIMARY KEY, request INT NOT NULL")
	lines := clusterTable(t, nodes, "lines", "number VARCHAR(20) NOT NULL, line INT NOT NULL, PRIMARY KEY (number, line)")
	g, err := casenum.New(casenum.WithLayout("G-{rand:3}"), casenum.WithRetry(casenum.Retry{Attempts: 100}))
	require.NoError(t, err)
	throughNodes(t, len(nodes), workers, perWorker, func(node, req int) error {
		_, err := store.CreateTx(t.Context(), nodes[node], g, nil, func(ctx context.Context, tx *sql.Tx, n string) error {
			for l := range children {
				if _, err := tx.ExecContext(ctx, "INSERT INTO "+lines+" (number, line) VALUES (?, ?)", n, l); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO "+cases+" (number, request) VALUES (?, ?)", n, req)
			return err
		})
		return err
	})
	total := workers * perWorker
	assert.Len(t, clusterRows(t, nodes, "SELECT number FROM "+cases), total)
	assert.Len(t, clusterRows(t, nodes, "SELECT number FROM "+lines), total*children)
	orphans := clusterRows(t, nodes, "SELECT l.number FROM "+lines+" l WHERE NOT EXISTS (SELECT 1 FROM "+cases+" c WHERE c.number = l.number)")
	assert.Empty(t, orphans)
	t.Logf("%+v", g.Stats())
}
