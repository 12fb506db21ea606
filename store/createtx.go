package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store/internal/sqlcore"
)

// CreateTx mints a number with g and stores a record under it, running a
// transaction of its own per attempt: BEGIN, fn, COMMIT. fn inserts the
// record (and any child rows) with tx; it must not commit or roll back tx.
//
// A collision or an aborted attempt at any statement, or at COMMIT, rolls
// the transaction back and tries again with a new number, so uniqueness
// checked at COMMIT (PostgreSQL's DEFERRABLE INITIALLY DEFERRED, TiDB's
// optimistic transactions) and a Galera cluster's certification failures
// are retried like any collision. An error of fn that says the connection
// was lost is an abort too: nothing was committed.
//
// At COMMIT only an answer that proves a rollback means "not stored": a
// collision, a deadlock or serialization failure, a certification
// failure, a constraint violation. Any other (the connection lost or the
// context ended while COMMIT ran; driver.ErrBadConn, which lib/pq returns
// after sending; a KILL QUERY or a cancel that interrupted it; a code not
// known here) may have been carried out: CreateTx returns at once with an
// error wrapping casenum.ErrUncertain, as an *casenum.AttemptError that
// carries the number. Look the record up before trying again. A context
// that ends before COMMIT ends the call with its error, nothing stored.
//
// When g's Sequence is a *Sequence on db without blocks, {seq} is drawn in
// the attempt's transaction, so the counter commits or rolls back with the
// record: gap-free numbering. fn's own calls of that Sequence run on db,
// outside the attempt's transaction. With WithGroupCommit, concurrent
// calls drawing from one counter share that transaction, each with its
// own number and outcome. The number of an uncertain COMMIT that did not
// commit is drawn again by a later call: look such a record up by what
// identifies it, not by its number.
//
// The other outcomes are those of casenum.Generator.Create; opts are those
// of sql.DB.BeginTx.
func CreateTx(ctx context.Context, db *sql.DB, g *casenum.Generator, opts *sql.TxOptions,
	fn func(ctx context.Context, tx *sql.Tx, number string) error) (string, error) {
	switch {
	case db == nil:
		return "", fmt.Errorf("%w: CreateTx needs a *sql.DB", ErrInvalidQuerier)
	case g == nil:
		return "", errors.New("store: CreateTx needs a Generator")
	case fn == nil:
		return "", errors.New("store: CreateTx needs a function")
	}
	own, _ := g.Sequence().(*Sequence)
	return sqlcore.CreateTx(ctx, face, &txs{db: db, opts: opts}, g, own.core().On(handle{db}), fn)
}

// txs runs the transactions of CreateTx on db, one at a time, each on a
// connection it takes from db. A connection whose COMMIT or ROLLBACK
// failed may still be inside its transaction (MariaDB keeps it open when a
// KILL QUERY interrupts the COMMIT, and the next BEGIN on that pooled
// connection would commit it), so it goes back to the pool only after a
// ROLLBACK that succeeded; otherwise it is closed, which ends the
// transaction on the server. The outcome a call reports then holds when it
// returns.
type txs struct {
	db   *sql.DB
	opts *sql.TxOptions
	conn *sql.Conn // the open transaction's
}

func (t *txs) Begin(ctx context.Context) (*sql.Tx, error) {
	conn, err := t.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, t.opts)
	if err != nil {
		discard(conn) // BEGIN may have been carried out
		return nil, err
	}
	t.conn = conn
	return tx, nil
}

func (t *txs) Commit(ctx context.Context, tx *sql.Tx) error {
	err := tx.Commit()
	conn := t.release()
	if err != nil {
		if _, rerr := conn.ExecContext(ctx, "ROLLBACK"); rerr != nil {
			discard(conn)
		}
	}
	_ = conn.Close()
	return err
}

func (t *txs) Rollback(_ context.Context, tx *sql.Tx) {
	conn := t.release()
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		discard(conn)
	}
	_ = conn.Close()
}

func (*txs) Handle(tx *sql.Tx) sqlcore.Handle { return handle{tx} }

// Options returns the options by value: nil and &sql.TxOptions{} are one.
func (t *txs) Options() any {
	if t.opts == nil {
		return sql.TxOptions{}
	}
	return *t.opts
}

// release returns the open transaction's connection, which t forgets.
func (t *txs) release() *sql.Conn {
	conn := t.conn
	t.conn = nil
	return conn
}

// discard closes conn's driver connection instead of pooling it again.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}
