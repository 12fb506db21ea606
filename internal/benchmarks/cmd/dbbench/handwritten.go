package main

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store"
)

// plainInsert builds the insert mode's requests: one INSERT of a number
// from a counter in memory, unique within the run, with no lookup, no
// retry and no casemint: the database's speed for a record.
func plainInsert(t *target, tb tables) []request {
	insertSQL := t.insertSQL(tb)
	var n atomic.Int64
	reqs := make([]request, len(t.nodes))
	for i, nd := range t.nodes {
		reqs[i] = func(ctx context.Context) error {
			_, err := nd.db.ExecContext(ctx, insertSQL, fmt.Sprintf("P-%012d", n.Add(1)), "dbbench")
			return err
		}
	}
	return reqs
}

// gapFreeScope is the counter the gapfree mode draws from, and its
// numbers' prefix.
const gapFreeScope = "HAND-"

// gapFreeAttempts bounds the gapfree mode's tries of one record.
const gapFreeAttempts = 10

// handGapFree builds the gapfree mode's requests: the gap-free transaction
// as written by hand, and by the libraries that draw a counter in the
// record's transaction: BEGIN, the counter upsert, INSERT, COMMIT. A
// transaction the database aborted (a deadlock, a cluster's certification
// failure) is run again at once, up to ten times.
func handGapFree(t *target, tb tables) ([]request, func() tally, error) {
	insertSQL := t.insertSQL(tb)
	bump := t.bumpSQL(tb)
	var attempts, aborted atomic.Uint64
	reqs := make([]request, len(t.nodes))
	for i, nd := range t.nodes {
		reqs[i] = func(ctx context.Context) error {
			for try := 1; ; try++ {
				attempts.Add(1)
				err := gapFreeTx(ctx, nd.db, t.dialect, bump, insertSQL)
				if err == nil || try == gapFreeAttempts || casenum.Classify(err) != casenum.Aborted {
					return err
				}
				aborted.Add(1)
			}
		}
	}
	return reqs, func() tally { return tally{attempts: attempts.Load(), aborted: aborted.Load()} }, nil
}

// gapFreeTx stores one record under the counter's next value.
func gapFreeTx(ctx context.Context, db *sql.DB, d store.Dialect, bump, insertSQL string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var v int64
	if d == store.MySQL {
		res, err := tx.ExecContext(ctx, bump, gapFreeScope)
		if err != nil {
			return err
		}
		if v, err = res.LastInsertId(); err != nil {
			return err
		}
	} else if err := tx.QueryRowContext(ctx, bump, gapFreeScope).Scan(&v); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, insertSQL, fmt.Sprintf("%s%08d", gapFreeScope, v), "dbbench"); err != nil {
		return err
	}
	return tx.Commit()
}

// bumpSQL is the counter upsert an application writes for the counter
// table of a store.Sequence: the new value comes back as a row, or on
// MySQL as the result's LastInsertId.
func (t *target) bumpSQL(tb tables) string {
	switch t.dialect {
	case store.MySQL:
		return "INSERT INTO " + tb.counters + " (scope, value) VALUES (?, LAST_INSERT_ID(1)) " +
			"ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + 1)"
	case store.Postgres:
		return "INSERT INTO " + tb.counters + " (scope, value) VALUES ($1, 1) " +
			"ON CONFLICT (scope) DO UPDATE SET value = " + tb.counters + ".value + 1 RETURNING value"
	}
	return "INSERT INTO " + tb.counters + " (scope, value) VALUES (?, 1) " +
		"ON CONFLICT (scope) DO UPDATE SET value = " + tb.counters + ".value + 1 RETURNING value"
}

// counterTable creates the counter table, through node 1, and waits until
// every node can read it.
func (t *target) counterTable(ctx context.Context, tb tables) error {
	seq, err := store.NewSequence(t.first(), t.dialect, tb.counters)
	if err != nil {
		return err
	}
	if err := seq.CreateTable(ctx); err != nil {
		return err
	}
	return t.visible(ctx, tb.counters)
}
