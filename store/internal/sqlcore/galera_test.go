package sqlcore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/testdb"
)

// A Galera cluster finds a clash between two nodes when it certifies the
// later write: its loser fails with error 1213, SQLSTATE 40001, not with the
// 1062 of a single server, and nothing of it is stored. A node retries an
// autocommit statement that lost once (wsrep_retry_autocommit = 1) before it
// reports the failure, so the loser of a race for one key usually ends in
// 1062, and in 1213 only when its retry loses too.

// TestGaleraCertificationFailure races autocommit INSERTs of the same key
// through two nodes, as two Generators on two nodes insert the same number.
// Without the node's retry, the loser of a race is refused at certification;
// a loser that arrives after the winner's row has reached its node gets 1062.
// With the node's default, the loser gets one or the other. Either way,
// exactly one row is stored per key: the winner's.
func TestGaleraCertificationFailure(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		setup     string // run on each racing connection
		races     int    // at most
		wantAbort int    // losers refused at certification to see before stopping; 0: do not stop
	}{
		{"no retry", "SET SESSION wsrep_retry_autocommit = 0", 2000, 3},
		{"node default", "", 200, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			nodes := testdb.Galera(t) // pools of its own: c.setup stays in them
			table := createKeys(t, nodes)
			// One connection per node, so a race is not lost to opening one.
			conns := make([]*sql.Conn, 2)
			for i := range conns {
				conn, err := nodes[i].Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = conn.Close() })
				if c.setup != "" {
					if _, err := conn.ExecContext(ctx, c.setup); err != nil {
						t.Fatal(err)
					}
				}
				conns[i] = conn
			}

			deadline := time.Now().Add(time.Minute)
			winners := make(map[int]int) // key: the node whose INSERT succeeded
			var aborted, unique int
			for k := 0; k < c.races && (c.wantAbort == 0 || aborted < c.wantAbort) && time.Now().Before(deadline); k++ {
				winner, err := race(ctx, conns, "INSERT INTO "+table+" (k, node) VALUES (?, ?)", k)
				if winner == 0 {
					t.Fatalf("key %d: %v", k, err)
				}
				winners[k] = winner
				var me *mysql.MySQLError
				if !errors.As(err, &me) {
					t.Fatalf("key %d: the loser's error: %v (%T), want a *mysql.MySQLError", k, err, err)
				}
				switch me.Number {
				case 1213: // ER_LOCK_DEADLOCK: certification failed
					aborted++
					if state := string(me.SQLState[:]); state != "40001" {
						t.Errorf("key %d: %v: SQLSTATE %s, want 40001", k, err, state)
					}
					if got := casenum.Classify(err); got != casenum.Aborted {
						t.Errorf("key %d: Classify(%v) = %v, want Aborted", k, err, got)
					}
				case 1062: // ER_DUP_ENTRY: the winner's row had reached the loser's node
					unique++
					if got := casenum.Classify(err); got != casenum.Collided {
						t.Errorf("key %d: Classify(%v) = %v, want Collided", k, err, got)
					}
				default:
					t.Fatalf("key %d: the loser's error: %v, want error 1213 or 1062", k, err)
				}
			}
			t.Logf("%d races: %d losers refused at certification (1213), %d as duplicates (1062)", len(winners), aborted, unique)
			if c.wantAbort > 0 && aborted == 0 {
				t.Fatalf("no certification failure in %d races through two nodes", len(winners))
			}
			checkWinners(t, nodes, table, winners)
		})
	}
}

// race runs insert with key k and the node's number (1 or 2) through both
// conns at once. It returns the node whose INSERT succeeded and the other's
// error, or 0 and what went wrong when not exactly one failed.
func race(ctx context.Context, conns []*sql.Conn, insert string, k int) (int, error) {
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  [2]error
	)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = c.ExecContext(ctx, insert, k, i+1)
		}()
	}
	close(start)
	wg.Wait()
	switch {
	case errs[0] == nil && errs[1] == nil:
		return 0, errors.New("both nodes stored it")
	case errs[0] != nil && errs[1] != nil:
		return 0, fmt.Errorf("both nodes failed: %w; %w", errs[0], errs[1])
	case errs[0] != nil:
		return 2, errs[0]
	}
	return 1, errs[1]
}

// checkWinners checks that table holds exactly one row per key of winners on
// every node, the one its winner stored.
func checkWinners(t *testing.T, nodes []*sql.DB, table string, winners map[int]int) {
	t.Helper()
	for i, db := range nodes {
		rows, err := testdb.CausalConn(t, db).QueryContext(t.Context(), "SELECT k, node FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		got := make(map[int]int)
		for rows.Next() {
			var k, node int
			if err := rows.Scan(&k, &node); err != nil {
				t.Fatal(err)
			}
			got[k] = node
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, winners) {
			t.Errorf("node %d: %d rows, not one per key by its winner (%d keys)", i+1, len(got), len(winners))
		}
	}
}

// TestGaleraTransactionAborted inserts the same key in two transactions on
// two nodes and commits them one after the other. The second transaction
// loses at certification, or is aborted when the first one's row reaches its
// node: 1213 either way, and nothing of the transaction is stored, not even
// its rows that clashed with nothing.
func TestGaleraTransactionAborted(t *testing.T) {
	t.Parallel()
	nodes := testdb.Galera(t)
	ctx := t.Context()
	table := createKeys(t, nodes)
	insert := "INSERT INTO " + table + " (k, node) VALUES (?, ?)"

	txs := make([]*sql.Tx, 2)
	for i := range txs {
		tx, err := nodes[i].BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tx.Rollback() })
		if _, err := tx.ExecContext(ctx, insert, 1, i+1); err != nil {
			t.Fatalf("node %d: %v", i+1, err)
		}
		txs[i] = tx
	}
	if _, err := txs[1].ExecContext(ctx, insert, 2, 2); err != nil {
		t.Fatal(err)
	}
	if err := txs[0].Commit(); err != nil {
		t.Fatalf("node 1: first COMMIT: %v", err)
	}
	err := txs[1].Commit()
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1213 || string(me.SQLState[:]) != "40001" {
		t.Fatalf("node 2: second COMMIT: %v, want error 1213 (40001)", err)
	}
	if got := casenum.Classify(err); got != casenum.Aborted {
		t.Errorf("Classify(%v) = %v, want Aborted", err, got)
	}

	for i, db := range nodes {
		var keys, node int
		if err := testdb.CausalConn(t, db).QueryRowContext(ctx, "SELECT COUNT(*), MIN(node) FROM "+table).Scan(&keys, &node); err != nil {
			t.Fatal(err)
		}
		if keys != 1 || node != 1 {
			t.Errorf("node %d: %d rows, the first from node %d; want node 1's row alone", i+1, keys, node)
		}
	}
}

// createKeys creates a table of keys through node 1, drops it when the test
// ends, and waits until every node has it.
func createKeys(t *testing.T, nodes []*sql.DB) string {
	t.Helper()
	table := testdb.CreateTable(t, nodes[0], "certify", "k INT PRIMARY KEY, node INT NOT NULL")
	testdb.WaitForTable(t, nodes, table)
	return table
}
