package sqlcore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/store/internal/sqlcore"
)

// The tests of group commit run on fakeDB, an in-memory database whose
// transactions apply their writes at COMMIT, inside a synctest bubble:
// synctest.Wait returns once every caller waits for its turn, so a test
// knows which callers a batch takes.

var errTxDone = errors.New("transaction already ended")

// groupFace is face with the error a transaction's statements return once
// it ended.
var groupFace = func() *sqlcore.Face {
	f := *face
	f.TxDone = errTxDone
	return &f
}()

// fakeDB holds one counter table and one table of numbers. Begin waits
// until gate is closed, so the first batch takes every caller started
// before. A transaction that raises a counter locks its row until it ends.
type fakeDB struct {
	gate     chan struct{}
	rowLocks sync.Map // scope -> chan struct{}, holding one token while locked

	mu        sync.Mutex
	counter   map[string]int64
	rows      map[string]bool
	ended     []*fakeTx // in the order they ended
	commitErr error     // returned by the next COMMIT, once
	applies   bool      // whether that COMMIT applies the writes anyway
	raiseErr  error     // returned by the next counter statement, once
}

func newFakeDB() *fakeDB {
	return &fakeDB{gate: make(chan struct{}), counter: map[string]int64{}, rows: map[string]bool{}}
}

// fakeTx is a transaction of fakeDB, and the Handle the core runs the
// counter's statements on. It is used by one goroutine at a time.
type fakeTx struct {
	db      *fakeDB
	opts    any
	counter map[string]int64
	rows    []string
	log     []string // "raise 2", "insert T-0001", "set 1"
	queries []string // the counter statements as sent
	end     string   // "COMMIT" or "ROLLBACK"
	locked  []chan struct{}
	failed  bool // a statement failed: as on PostgreSQL, the rest are refused
}

// lock locks the counter row of scope for tx.
func (tx *fakeTx) lock(scope string) {
	if _, mine := tx.counter[scope]; mine {
		return
	}
	l, _ := tx.db.rowLocks.LoadOrStore(scope, make(chan struct{}, 1))
	l.(chan struct{}) <- struct{}{}
	tx.locked = append(tx.locked, l.(chan struct{}))
}

// unlock releases tx's row locks as it ends.
func (tx *fakeTx) unlock(end string) {
	if tx.end != "" {
		return // ended already, by a function
	}
	tx.end = end
	for _, l := range tx.locked {
		<-l
	}
	tx.db.ended = append(tx.db.ended, tx)
}

var raiseBy = regexp.MustCompile(`VALUES \(\$1, (\d+)\)`)

func (tx *fakeTx) QueryInt(ctx context.Context, query string, args ...any) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m := raiseBy.FindStringSubmatch(query)
	if m == nil || tx.end != "" {
		return 0, fmt.Errorf("fakeTx: %q: %w", query, errTxDone)
	}
	tx.db.mu.Lock()
	err := tx.db.raiseErr
	tx.db.raiseErr = nil
	tx.db.mu.Unlock()
	if err != nil {
		tx.log = append(tx.log, "raise failed")
		return 0, err
	}
	k, _ := strconv.ParseInt(m[1], 10, 64)
	scope := args[0].(string)
	tx.lock(scope)
	v := tx.value(scope) + k
	tx.counter[scope] = v
	tx.queries = append(tx.queries, query)
	tx.log = append(tx.log, "raise "+m[1])
	return v, nil
}

func (tx *fakeTx) Exec(ctx context.Context, query string, args ...any) (sqlcore.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(query, "UPDATE ") || tx.end != "" {
		return nil, fmt.Errorf("fakeTx: %q: %w", query, errTxDone)
	}
	v, scope := args[0].(int64), args[1].(string)
	tx.counter[scope] = v
	tx.queries = append(tx.queries, query)
	tx.log = append(tx.log, fmt.Sprintf("set %d", v))
	return nil, nil
}

func (*fakeTx) Autocommit() bool { return false }

func (tx *fakeTx) value(scope string) int64 {
	if v, ok := tx.counter[scope]; ok {
		return v
	}
	tx.db.mu.Lock()
	defer tx.db.mu.Unlock()
	return tx.db.counter[scope]
}

// insert stores number; a number stored before is a collision.
func (tx *fakeTx) insert(number string) error {
	switch {
	case tx.end != "":
		return errTxDone
	case tx.failed:
		return &pgconn.PgError{Code: "25P02", Message: "current transaction is aborted"}
	}
	tx.db.mu.Lock()
	taken := tx.db.rows[number]
	tx.db.mu.Unlock()
	if taken {
		tx.failed = true
		return fmt.Errorf("insert %s: %w", number, casenum.ErrDuplicate)
	}
	tx.rows = append(tx.rows, number)
	tx.log = append(tx.log, "insert "+number)
	return nil
}

// fakeBegin begins the transactions of fakeDB with opts.
type fakeBegin struct {
	db   *fakeDB
	opts string
}

func (b fakeBegin) Begin(context.Context) (*fakeTx, error) {
	<-b.db.gate
	return &fakeTx{db: b.db, opts: b.opts, counter: map[string]int64{}}, nil
}

func (b fakeBegin) Commit(ctx context.Context, tx *fakeTx) error {
	db := b.db
	db.mu.Lock()
	defer db.mu.Unlock()
	switch {
	case tx.end != "":
		return errTxDone
	case ctx.Err() != nil:
		tx.unlock("ROLLBACK")
		return ctx.Err()
	}
	err, apply := db.commitErr, db.commitErr == nil || db.applies
	db.commitErr = nil
	if apply {
		for s, v := range tx.counter {
			db.counter[s] = v
		}
		for _, n := range tx.rows {
			db.rows[n] = true
		}
	}
	tx.unlock("COMMIT")
	return err
}

func (b fakeBegin) Rollback(_ context.Context, tx *fakeTx) {
	b.db.mu.Lock()
	defer b.db.mu.Unlock()
	tx.unlock("ROLLBACK")
}

func (fakeBegin) Handle(tx *fakeTx) sqlcore.Handle { return tx }
func (b fakeBegin) Options() any                   { return b.opts }

// batches returns what each ended transaction did, and how it ended.
func (db *fakeDB) batches() []string {
	db.mu.Lock()
	defer db.mu.Unlock()
	var out []string
	for _, tx := range db.ended {
		out = append(out, strings.Join(append(tx.log, tx.end), ", "))
	}
	return out
}

func (db *fakeDB) stored() []string {
	db.mu.Lock()
	defer db.mu.Unlock()
	var out []string
	for n := range db.rows {
		out = append(out, n)
	}
	return out
}

// groupSeq returns a Sequence of db with group commit of maxBatch callers.
func groupSeq(t *testing.T, db *fakeDB, maxBatch int) *sqlcore.Sequence {
	t.Helper()
	s, err := sqlcore.NewSequence(groupFace, ownHandle{db}, false, sqlcore.Postgres, "counters",
		[]func(*sqlcore.Config){sqlcore.GroupCommit(maxBatch)})
	require.NoError(t, err)
	return s
}

// ownHandle is the Sequence's own handle. Batches never use it; a
// caller whose number was taken moves the counter past it there, with
// Advance, outside the batch's transaction.
type ownHandle struct{ db *fakeDB }

func (h ownHandle) Exec(_ context.Context, query string, args ...any) (sqlcore.Result, error) {
	if !strings.Contains(query, "GREATEST") {
		return nil, fmt.Errorf("ownHandle: %q", query)
	}
	scope, v := args[0].(string), args[1].(int64)
	h.db.mu.Lock()
	defer h.db.mu.Unlock()
	h.db.counter[scope] = max(h.db.counter[scope], v)
	return nil, nil
}

func (ownHandle) QueryInt(_ context.Context, query string, _ ...any) (int64, error) {
	return 0, fmt.Errorf("ownHandle: %q", query)
}

func (ownHandle) Autocommit() bool { return true }

// call is one caller of CreateTx: its Generator (so its Stats are its
// own), its function and, once it returned, its answer.
type call struct {
	layout string
	gopts  []casenum.Option
	opts   string
	fn     func(ctx context.Context, tx *fakeTx, n string) error
	ctx    context.Context

	g        *casenum.Generator
	number   string
	err      error
	panicked chan any // if set, receives what the call panicked with, nil if it did not
	done     chan struct{}
}

func inserts(_ context.Context, tx *fakeTx, n string) error { return tx.insert(n) }

// start runs c as a CreateTx call on db and seq, and waits until it waits
// for its turn (or is done), so that callers join in the order started.
func (c *call) start(t *testing.T, db *fakeDB, seq *sqlcore.Sequence) *call {
	t.Helper()
	if c.layout == "" {
		c.layout = "T-{seq:4}"
	}
	if c.fn == nil {
		c.fn = inserts
	}
	if c.ctx == nil {
		c.ctx = t.Context()
	}
	var err error
	c.g, err = casenum.New(append([]casenum.Option{casenum.WithLayout(c.layout), casenum.WithFallbackLayout(""),
		casenum.WithSequence(casenumtest.NewStore())}, c.gopts...)...)
	require.NoError(t, err)
	c.done = make(chan struct{})
	go func() {
		defer close(c.done)
		if c.panicked != nil {
			defer func() { c.panicked <- recover() }()
		}
		c.number, c.err = sqlcore.CreateTx(c.ctx, groupFace, fakeBegin{db, c.opts}, c.g, seq, c.fn)
	}()
	synctest.Wait()
	return c
}

// wait waits for c's answer.
func (c *call) wait() *call {
	<-c.done
	return c
}

// number returns the number an uncertain call's error carries.
func uncertainNumber(t *testing.T, err error) string {
	t.Helper()
	var ae *casenum.AttemptError
	require.ErrorIs(t, err, casenum.ErrUncertain)
	require.ErrorAs(t, err, &ae)
	return ae.Number
}

// A lone caller runs what CreateTx runs without group commit: BEGIN, the
// Sequence's own statement raising the counter by one, its function,
// COMMIT.
func TestGroupLoneCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		close(db.gate)
		c := (&call{}).start(t, db, seq).wait()
		require.NoError(t, c.err)
		assert.Equal(t, "T-0001", c.number)
		assert.Equal(t, []string{"raise 1, insert T-0001, COMMIT"}, db.batches())
		one := `INSERT INTO "counters" (scope, value) VALUES ($1, 1) ON CONFLICT (scope) DO UPDATE SET value = "counters".value + 1 RETURNING value`
		assert.Equal(t, []string{one}, db.ended[0].queries)
	})
}

// Callers waiting together share one transaction: one counter statement
// for all, one COMMIT, consecutive numbers in the order they came.
func TestGroupSharesTransaction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		calls := make([]*call, 3)
		for i := range calls {
			calls[i] = (&call{}).start(t, db, seq)
		}
		close(db.gate)
		for i, c := range calls {
			require.NoError(t, c.wait().err)
			assert.Equal(t, fmt.Sprintf("T-%04d", i+1), c.number)
		}
		assert.Equal(t, []string{"raise 3, insert T-0001, insert T-0002, insert T-0003, COMMIT"}, db.batches())
	})
}

// Callers who come while a batch runs join it: the counter is raised
// again for them, under the lock the batch holds.
func TestGroupJoinsRunningBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		close(db.gate)
		release := make(chan struct{})
		first := (&call{fn: func(ctx context.Context, tx *fakeTx, n string) error {
			<-release
			return tx.insert(n)
		}}).start(t, db, seq)
		later := []*call{(&call{}).start(t, db, seq), (&call{}).start(t, db, seq)}
		close(release)
		require.NoError(t, first.wait().err)
		for _, c := range later {
			require.NoError(t, c.wait().err)
		}
		assert.Equal(t, []string{"raise 1, insert T-0001, raise 2, insert T-0002, insert T-0003, COMMIT"}, db.batches())
	})
}

// A batch takes at most maxBatch callers; the rest wait for the next.
func TestGroupMaxBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 2)
		var calls []*call
		for range 5 {
			calls = append(calls, (&call{}).start(t, db, seq))
		}
		close(db.gate)
		for _, c := range calls {
			require.NoError(t, c.wait().err)
		}
		assert.Equal(t, []string{
			"raise 2, insert T-0001, insert T-0002, COMMIT",
			"raise 2, insert T-0003, insert T-0004, COMMIT",
			"raise 1, insert T-0005, COMMIT",
		}, db.batches())
	})
}

// Batches never mix scopes or transaction options: each has one counter
// statement for one scope, under one set of options.
func TestGroupKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		var calls []*call
		for i := range 8 {
			c := &call{layout: []string{"A-{seq:4}", "B-{seq:4}"}[i%2], opts: []string{"", "serializable"}[i/2%2]}
			calls = append(calls, c.start(t, db, seq))
		}
		close(db.gate)
		for _, c := range calls {
			require.NoError(t, c.wait().err)
		}
		seen := map[string]bool{}
		for _, tx := range db.ended {
			require.Equal(t, "COMMIT", tx.end)
			require.Len(t, tx.queries, 1, "one counter statement: %v", tx.log)
			scope := tx.rows[0][:2]
			key := scope + fmt.Sprint(tx.opts)
			assert.False(t, seen[key], "two batches for %s", key)
			seen[key] = true
			for _, n := range tx.rows {
				assert.Equal(t, scope, n[:2], "scopes mixed in %v", tx.log)
			}
			assert.Equal(t, "raise 2", tx.log[0])
			assert.Len(t, tx.rows, 2)
		}
		assert.Len(t, seen, 4)
		// One counter per scope, whatever the options.
		assert.ElementsMatch(t, []string{"A-0001", "A-0002", "A-0003", "A-0004", "B-0001", "B-0002", "B-0003", "B-0004"}, db.stored())
	})
}

// A caller whose function fails gets its error and takes no number: the
// batch rolls back, the caller whose function ran before retries as after
// an abort, and the one still waiting goes into the next batch without
// losing an attempt. The numbers stay gap-free.
func TestGroupFailingFunction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		refused := errors.New("refused by the application")
		a := (&call{}).start(t, db, seq)
		b := (&call{fn: func(context.Context, *fakeTx, string) error { return refused }}).start(t, db, seq)
		c := (&call{}).start(t, db, seq)
		close(db.gate)
		require.ErrorIs(t, b.wait().err, refused)
		require.NoError(t, a.wait().err)
		require.NoError(t, c.wait().err)
		assert.Equal(t, uint64(1), a.g.Stats().Aborted, "a ran before b: its attempt was aborted")
		assert.Equal(t, uint64(1), c.g.Stats().Attempts, "c waited: it lost nothing")
		assert.Equal(t, "raise 3, insert T-0001, ROLLBACK", db.batches()[0])
		assert.ElementsMatch(t, []string{"T-0001", "T-0002"}, []string{a.number, c.number})
		assert.ElementsMatch(t, []string{"T-0001", "T-0002"}, db.stored())
	})
}

// The first caller leads the batch on its own goroutine. When its own
// function fails, or panics, only its own work is rolled back: the callers
// it took into the batch go into the next one without losing an attempt.
func TestGroupLeaderFails(t *testing.T) {
	for _, name := range []string{"error", "panic"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				db := newFakeDB()
				seq := groupSeq(t, db, 8)
				refused := errors.New("refused by the application")
				a := &call{fn: func(context.Context, *fakeTx, string) error {
					if name == "panic" {
						panic(refused)
					}
					return refused
				}, panicked: make(chan any, 1)}
				a.start(t, db, seq)
				b, c := (&call{}).start(t, db, seq), (&call{}).start(t, db, seq)
				close(db.gate)
				if name == "panic" {
					assert.Equal(t, refused, <-a.panicked, "the panic reaches the caller")
				} else {
					assert.Nil(t, <-a.panicked)
					require.ErrorIs(t, a.wait().err, refused)
				}
				for _, x := range []*call{b, c} {
					require.NoError(t, x.wait().err)
					assert.Equal(t, uint64(1), x.g.Stats().Attempts)
				}
				assert.Equal(t, []string{"raise 3, ROLLBACK", "raise 2, insert T-0001, insert T-0002, COMMIT"}, db.batches())
			})
		})
	}
}

// A turn its caller does not use (a Checker called the number taken)
// passes its value to the next caller: no gap.
func TestGroupUnusedTurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		a := (&call{gopts: []casenum.Option{casenum.WithChecker(&takenOnce{})}}).start(t, db, seq)
		b := (&call{}).start(t, db, seq)
		close(db.gate)
		require.NoError(t, a.wait().err)
		require.NoError(t, b.wait().err)
		assert.Equal(t, "T-0001", b.number, "a's unused value")
		assert.Equal(t, "T-0002", a.number)
		assert.Equal(t, uint64(1), a.g.Stats().Collisions)
		assert.ElementsMatch(t, []string{"T-0001", "T-0002"}, db.stored())
	})
}

// takenOnce is a Checker that calls the first number it is asked about
// taken.
type takenOnce struct{ asked bool }

func (c *takenOnce) Exists(context.Context, string) (bool, error) {
	taken := !c.asked
	c.asked = true
	return taken, nil
}

// A counter statement the database refuses (a deadlock) fails the turn
// of the caller leading the batch, which retries as after any abort; the
// callers it took go into the next batch without losing an attempt. Later
// in a batch, it aborts the callers whose functions ran.
func TestGroupCounterRefused(t *testing.T) {
	deadlock := &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}
	t.Run("first round", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			db := newFakeDB()
			seq := groupSeq(t, db, 8)
			db.raiseErr = deadlock
			a := (&call{}).start(t, db, seq)
			b, c := (&call{}).start(t, db, seq), (&call{}).start(t, db, seq)
			close(db.gate)
			for _, x := range []*call{a, b, c} {
				require.NoError(t, x.wait().err)
			}
			assert.Equal(t, uint64(1), a.g.Stats().Aborted)
			assert.Equal(t, uint64(1), b.g.Stats().Attempts)
			assert.Equal(t, uint64(1), c.g.Stats().Attempts)
			assert.Equal(t, "raise failed, ROLLBACK", db.batches()[0])
			assert.ElementsMatch(t, []string{"T-0001", "T-0002", "T-0003"}, db.stored())
		})
	})
	t.Run("later round", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			db := newFakeDB()
			seq := groupSeq(t, db, 8)
			close(db.gate)
			release := make(chan struct{})
			a := (&call{fn: func(ctx context.Context, tx *fakeTx, n string) error {
				<-release
				db.mu.Lock()
				db.raiseErr = deadlock
				db.mu.Unlock()
				return tx.insert(n)
			}}).start(t, db, seq)
			b := (&call{}).start(t, db, seq)
			close(release)
			require.NoError(t, a.wait().err)
			require.NoError(t, b.wait().err)
			assert.Equal(t, uint64(1), a.g.Stats().Aborted, "a ran in the batch the counter statement failed")
			assert.Equal(t, uint64(1), b.g.Stats().Attempts, "b waited")
			assert.Equal(t, "raise 1, insert T-0001, raise failed, ROLLBACK", db.batches()[0])
			assert.ElementsMatch(t, []string{"T-0001", "T-0002"}, db.stored())
		})
	})
}

// A collision of one record fails the batch like a failing function, and
// its caller is told it collided, so it tries another number.
func TestGroupCollision(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		collided := false
		a := (&call{}).start(t, db, seq)
		b := (&call{fn: func(ctx context.Context, tx *fakeTx, n string) error {
			if !collided {
				collided = true
				return fmt.Errorf("%s: %w", n, casenum.ErrDuplicate)
			}
			return tx.insert(n)
		}}).start(t, db, seq)
		c := (&call{}).start(t, db, seq)
		close(db.gate)
		for _, x := range []*call{a, b, c} {
			require.NoError(t, x.wait().err)
		}
		assert.Equal(t, uint64(1), b.g.Stats().Collisions)
		assert.Equal(t, uint64(1), a.g.Stats().Aborted)
		assert.Equal(t, uint64(1), c.g.Stats().Attempts)
		assert.Equal(t, "raise 3, insert T-0001, ROLLBACK", db.batches()[0])
		assert.ElementsMatch(t, []string{"T-0001", "T-0002", "T-0003"}, db.stored())
	})
}

// A function that panics does not leave the batch hanging: it rolls back,
// the others are stored, and the panic reaches the caller.
func TestGroupPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		a := (&call{}).start(t, db, seq)
		b := (&call{fn: func(context.Context, *fakeTx, string) error { panic("bug in the caller's function") },
			panicked: make(chan any, 1)}).start(t, db, seq)
		c := (&call{}).start(t, db, seq)
		close(db.gate)
		assert.Equal(t, "bug in the caller's function", <-b.panicked, "the panic reaches the caller")
		require.NoError(t, a.wait().err)
		require.NoError(t, c.wait().err)
		assert.Equal(t, "raise 3, insert T-0001, ROLLBACK", db.batches()[0])
		assert.ElementsMatch(t, []string{"T-0001", "T-0002"}, db.stored())
	})
}

// A COMMIT whose reply is lost may have been carried out: every caller of
// the batch is told so, each with its own number, and nothing is tried
// again.
func TestGroupLostCommitReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		db.commitErr, db.applies = io.ErrUnexpectedEOF, true
		calls := []*call{(&call{}).start(t, db, seq), (&call{}).start(t, db, seq), (&call{}).start(t, db, seq)}
		close(db.gate)
		for i, c := range calls {
			c.wait()
			assert.Empty(t, c.number)
			assert.ErrorIs(t, c.err, io.ErrUnexpectedEOF)
			assert.Equal(t, fmt.Sprintf("T-%04d", i+1), uncertainNumber(t, c.err))
			assert.Equal(t, uint64(1), c.g.Stats().Attempts)
		}
		assert.ElementsMatch(t, []string{"T-0001", "T-0002", "T-0003"}, db.stored())
	})
}

// A COMMIT the database refused answers every caller as CreateTx answers
// one: a refusal that aborted the transaction is retried by each.
func TestGroupAbortedCommit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		db.commitErr = &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
		calls := []*call{(&call{}).start(t, db, seq), (&call{}).start(t, db, seq)}
		close(db.gate)
		for _, c := range calls {
			require.NoError(t, c.wait().err)
			assert.Equal(t, uint64(1), c.g.Stats().Aborted)
		}
		assert.ElementsMatch(t, []string{"T-0001", "T-0002"}, db.stored())
	})
}

// A caller whose context ends while it waits for its turn leaves without
// a number: the value reserved for it goes back, and the series has no
// gap.
func TestGroupCancelledBeforeTurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		release := make(chan struct{})
		a := (&call{fn: func(ctx context.Context, tx *fakeTx, n string) error {
			<-release
			return tx.insert(n)
		}}).start(t, db, seq)
		ctx, cancel := context.WithCancel(t.Context())
		b := (&call{ctx: ctx}).start(t, db, seq)
		close(db.gate)
		synctest.Wait() // a's function runs; b waits for its turn
		cancel()
		b.wait()
		require.ErrorIs(t, b.err, context.Canceled)
		assert.NotErrorIs(t, b.err, casenum.ErrUncertain)
		close(release)
		require.NoError(t, a.wait().err)
		assert.Equal(t, []string{"raise 2, insert T-0001, set 1, COMMIT"}, db.batches())
		c := (&call{}).start(t, db, seq).wait()
		require.NoError(t, c.err)
		assert.Equal(t, "T-0002", c.number)
	})
}

// A caller whose context ends after its function ran, while the batch
// has yet to commit, may be committed with it: it is told so, with its
// number, and the record is indeed stored.
func TestGroupCancelledAfterFunction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		ctx, cancel := context.WithCancel(t.Context())
		a := (&call{ctx: ctx}).start(t, db, seq)
		release := make(chan struct{})
		b := (&call{fn: func(ctx context.Context, tx *fakeTx, n string) error {
			<-release
			return tx.insert(n)
		}}).start(t, db, seq)
		close(db.gate)
		synctest.Wait() // a's function ran; b's runs
		cancel()
		a.wait()
		assert.Equal(t, "T-0001", uncertainNumber(t, a.err))
		assert.ErrorIs(t, a.err, context.Canceled)
		close(release)
		require.NoError(t, b.wait().err)
		assert.ElementsMatch(t, []string{"T-0001", "T-0002"}, db.stored())
	})
}

// A function that returns nil after one of its statements failed leaves
// a PostgreSQL transaction that refuses every later statement: the caller
// whose statement is refused next is not at fault, and retries.
func TestGroupFunctionSwallowsFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		db.rows["IMPORTED"] = true
		swallowed := false
		a := (&call{fn: func(ctx context.Context, tx *fakeTx, n string) error {
			if !swallowed {
				swallowed = true
				_ = tx.insert("IMPORTED") // a bug: the error is dropped
				return nil
			}
			return tx.insert(n)
		}}).start(t, db, seq)
		b := (&call{}).start(t, db, seq)
		close(db.gate)
		require.NoError(t, b.wait().err)
		require.NoError(t, a.wait().err)
		assert.Equal(t, uint64(1), b.g.Stats().Aborted, "b's statement was refused: retried")
		assert.Equal(t, uint64(1), a.g.Stats().Aborted)
		assert.ElementsMatch(t, []string{"IMPORTED", "T-0001", "T-0002"}, db.stored())
	})
}

// A function that ends the shared transaction itself may have committed
// the records of the functions before it: each caller whose function ran
// is told its outcome is unknown.
func TestGroupFunctionEndsTransaction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		a := (&call{}).start(t, db, seq)
		b := (&call{fn: func(ctx context.Context, tx *fakeTx, n string) error {
			if err := tx.insert(n); err != nil {
				return err
			}
			return fakeBegin{db: db}.Commit(ctx, tx)
		}}).start(t, db, seq)
		c := (&call{}).start(t, db, seq)
		close(db.gate)
		assert.Equal(t, "T-0001", uncertainNumber(t, a.wait().err))
		assert.Equal(t, "T-0002", uncertainNumber(t, b.wait().err))
		require.ErrorIs(t, c.wait().err, errTxDone, "c's insert found the transaction ended")
		assert.ElementsMatch(t, []string{"T-0001", "T-0002"}, db.stored())
	})
}

// A number taken before the series reached it (imported) is skipped with
// no gap wherever it falls in a batch: a batch that draws it later than
// first rolls back, and the values below it are committed before a batch
// of its own draws it first and moves the counter past it.
func TestGroupSkipsImportedNumber(t *testing.T) {
	for _, imported := range []string{"T-0001", "T-0002", "T-0003"} {
		t.Run(imported, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				db := newFakeDB()
				seq := groupSeq(t, db, 8)
				db.rows[imported] = true
				var calls []*call
				for range 3 {
					calls = append(calls, (&call{}).start(t, db, seq))
				}
				close(db.gate)
				for _, c := range calls {
					require.NoError(t, c.wait().err)
				}
				assert.ElementsMatch(t, []string{"T-0001", "T-0002", "T-0003", "T-0004"}, db.stored(), "a gap, or a number twice")
				assert.Equal(t, int64(4), db.counter["T-"])
			})
		})
	}
}

// A uniqueness checked at COMMIT refuses the batch without saying whose
// record collided: no caller is told its number was taken (its counter
// would skip a number no record holds); all run again, alone, and the
// series keeps no gap.
func TestGroupCollisionAtCommit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := newFakeDB()
		seq := groupSeq(t, db, 8)
		db.commitErr = &pgconn.PgError{Code: "23505", Message: "duplicate key value violates unique constraint"}
		calls := []*call{(&call{}).start(t, db, seq), (&call{}).start(t, db, seq), (&call{}).start(t, db, seq)}
		close(db.gate)
		for _, c := range calls {
			require.NoError(t, c.wait().err)
			assert.Zero(t, c.g.Stats().Collisions, "told its number was taken")
			assert.Equal(t, uint64(1), c.g.Stats().Aborted)
		}
		assert.ElementsMatch(t, []string{"T-0001", "T-0002", "T-0003"}, db.stored())
		batches := db.batches()
		require.Len(t, batches, 4)
		for _, b := range batches[1:] {
			assert.Equal(t, 1, strings.Count(b, "insert "), "a batch of one after the collision: %s", b)
		}
	})
}
