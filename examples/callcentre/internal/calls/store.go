package calls

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store"
)

// ErrNotFound is returned by Store.Get for a case number that no record has.
var ErrNotFound = errors.New("calls: no such call")

// DefaultTable is the table that holds the call records.
const DefaultTable = "call_records"

// tableRE is what NewStore accepts as a table name: a plain identifier, short
// enough that the names derived from it (the index, the counter table) stay
// within PostgreSQL's 63.
var tableRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,58}$`)

// Store keeps call records in one table of a PostgreSQL, MySQL/MariaDB or
// SQLite database. Its case_number column is UNIQUE: that constraint, not a
// lookup, is what keeps two calls from sharing a number. The counters of
// {seq} layouts live beside it, in the table's name followed by _seq. A
// Store is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect store.Dialect
	table   string // unquoted, validated
	seq     *store.Sequence

	insert, get, list, count string
}

// NewStore returns a Store on table (DefaultTable unless you share the
// database with something else). Create the table with Migrate.
//
// On SQLite, give db one connection (db.SetMaxOpenConns(1)): SQLite has
// one writer at a time, and writers on separate connections wait in its busy
// handler, which polls, ignores the context and starves some of them under
// load, while writers waiting for the pool's one connection queue in order
// and give up when their context ends.
func NewStore(db *sql.DB, d store.Dialect, table string) (*Store, error) {
	if db == nil {
		return nil, errors.New("calls: nil *sql.DB")
	}
	switch d {
	case store.Postgres, store.MySQL, store.SQLite:
	default:
		return nil, fmt.Errorf("calls: unsupported dialect %v", d)
	}
	if !tableRE.MatchString(table) {
		return nil, fmt.Errorf("calls: table name %q is not a plain identifier of at most 59 characters", table)
	}
	seq, err := store.NewSequence(db, d, table+"_seq")
	if err != nil {
		return nil, fmt.Errorf("calls: %w", err)
	}
	s := &Store{db: db, dialect: d, table: table, seq: seq}
	t := s.quote(table)
	const columns = "case_number, caller_name, phone, subject, notes, priority, created_at"
	s.insert = s.rebind("INSERT INTO " + t + " (" + columns + ", call_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
	s.get = s.rebind("SELECT id, " + columns + " FROM " + t + " WHERE case_number = ?")
	// Keyset pagination: (call_date, id) is indexed, so a page costs the
	// same however deep into the day it is.
	s.list = s.rebind("SELECT id, " + columns + " FROM " + t + " WHERE call_date = ? AND id > ? ORDER BY id LIMIT ?")
	s.count = "SELECT COUNT(*), COUNT(DISTINCT case_number) FROM " + t
	return s, nil
}

// Table returns the name of the Store's table.
func (s *Store) Table() string { return s.table }

// Dialect returns the Store's SQL dialect.
func (s *Store) Dialect() store.Dialect { return s.dialect }

// Sequence returns the counters of {seq} layouts: give it to the Generator
// with casenum.WithSequence, and Create draws each value in the
// transaction that stores the call.
func (s *Store) Sequence() *store.Sequence { return s.seq }

// quote quotes an identifier already validated by NewStore, so that a
// reserved word is usable as a name.
func (s *Store) quote(ident string) string {
	if s.dialect == store.MySQL {
		return "`" + ident + "`"
	}
	return `"` + ident + `"`
}

// rebind turns the ? placeholders of q into PostgreSQL's $1, $2, ...; the
// statements of this file hold no other question mark.
func (s *Store) rebind(q string) string {
	if s.dialect != store.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Schema returns the statements that create the table, its index and the
// counter table, if they do not exist yet.
func (s *Store) Schema() []string {
	return append(s.tableSchema(), s.seq.Schema())
}

func (s *Store) tableSchema() []string {
	t := s.quote(s.table)
	idx := s.quote(s.table + "_day")
	switch s.dialect {
	case store.Postgres:
		return []string{`CREATE TABLE IF NOT EXISTS ` + t + ` (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_number VARCHAR(64)  NOT NULL UNIQUE,
	caller_name VARCHAR(100) NOT NULL,
	phone       VARCHAR(32)  NOT NULL,
	subject     VARCHAR(200) NOT NULL,
	notes       TEXT         NOT NULL,
	priority    VARCHAR(16)  NOT NULL,
	call_date   CHAR(10)     NOT NULL,
	created_at  TIMESTAMPTZ  NOT NULL
)`, `CREATE INDEX IF NOT EXISTS ` + idx + ` ON ` + t + ` (call_date, id)`}
	case store.MySQL:
		// utf8mb4 stores any character a caller's name may hold; the case
		// number is ASCII with a binary collation, so it compares exactly.
		return []string{`CREATE TABLE IF NOT EXISTS ` + t + ` (
	id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
	case_number VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL UNIQUE,
	caller_name VARCHAR(100) NOT NULL,
	phone       VARCHAR(32)  NOT NULL,
	subject     VARCHAR(200) NOT NULL,
	notes       TEXT         NOT NULL,
	priority    VARCHAR(16)  NOT NULL,
	call_date   CHAR(10)     NOT NULL,
	created_at  DATETIME(3)  NOT NULL,
	INDEX ` + idx + ` (call_date, id)
) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`}
	default:
		return []string{`CREATE TABLE IF NOT EXISTS ` + t + ` (
	id          INTEGER   PRIMARY KEY,
	case_number TEXT      NOT NULL UNIQUE,
	caller_name TEXT      NOT NULL,
	phone       TEXT      NOT NULL,
	subject     TEXT      NOT NULL,
	notes       TEXT      NOT NULL,
	priority    TEXT      NOT NULL,
	call_date   TEXT      NOT NULL,
	created_at  TIMESTAMP NOT NULL
)`, `CREATE INDEX IF NOT EXISTS ` + idx + ` ON ` + t + ` (call_date, id)`}
	}
}

// Migrate creates the tables and the index if they do not exist.
func (s *Store) Migrate(ctx context.Context) error {
	for _, stmt := range s.Schema() {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("calls: create table %s: %w", s.table, err)
		}
	}
	return nil
}

// Drop removes the tables, for the self-test's throw-away tables.
func (s *Store) Drop(ctx context.Context) error {
	for _, t := range []string{s.table, s.table + "_seq"} {
		if _, err := s.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+s.quote(t)); err != nil {
			return fmt.Errorf("calls: drop table %s: %w", t, err)
		}
	}
	return nil
}

// Create stores c under a case number that gen mints, and returns it as
// stored. Each attempt is a transaction of its own (store.CreateTx): the
// UNIQUE constraint on case_number decides, and a collision is rolled back
// and retried with a fresh number instead of reaching the caller. When gen's
// Sequence is the Store's, a {seq} value is drawn in the same transaction
// and commits or rolls back with the call, so the numbers have no gaps.
//
// The errors are those of store.CreateTx: errors.Is(err,
// casenum.ErrUncertain) means the call may have been stored under the
// number the *casenum.AttemptError carries.
func (s *Store) Create(ctx context.Context, gen *casenum.Generator, c Call) (Call, error) {
	var stored Call
	_, err := store.CreateTx(ctx, s.db, gen, nil, func(ctx context.Context, tx *sql.Tx, number string) error {
		a := c
		a.CaseNumber = number
		// The instant the number shows, when it is later than the call's
		// own (midnight passed before the number was rendered): the call's
		// date then always matches the number's.
		if p, err := gen.Parse(number); err == nil && p.Time.After(a.CreatedAt) {
			a.CreatedAt = p.Time.UTC().Truncate(time.Millisecond)
		}
		if err := s.insertOn(ctx, tx, a); err != nil {
			return err
		}
		stored = a
		return nil
	})
	return stored, err
}

// Insert stores c under its own CaseNumber, as it is.
func (s *Store) Insert(ctx context.Context, c Call) error {
	return s.insertOn(ctx, s.db, c)
}

// insertOn runs the INSERT on q. Its error wraps the driver's with %w, so
// that a unique violation is still recognised as a collision.
func (s *Store) insertOn(ctx context.Context, q store.Querier, c Call) error {
	_, err := q.ExecContext(ctx, s.insert,
		c.CaseNumber, c.CallerName, c.Phone, c.Subject, c.Notes, c.Priority, c.CreatedAt,
		c.CreatedAt.UTC().Format(time.DateOnly))
	if err != nil {
		return fmt.Errorf("calls: insert %s: %w", c.CaseNumber, err)
	}
	return nil
}

// Get returns the call stored under caseNumber, or ErrNotFound.
func (s *Store) Get(ctx context.Context, caseNumber string) (Call, error) {
	rows, err := s.db.QueryContext(ctx, s.get, caseNumber)
	if err != nil {
		return Call{}, fmt.Errorf("calls: get %s: %w", caseNumber, err)
	}
	calls, _, err := scan(rows)
	if err != nil {
		return Call{}, fmt.Errorf("calls: get %s: %w", caseNumber, err)
	}
	if len(calls) == 0 {
		return Call{}, ErrNotFound
	}
	return calls[0], nil
}

// List returns up to limit calls of day (YYYY-MM-DD, UTC) in the order
// they were stored, starting after the record whose id is after (0 for the
// first page), and the id to pass as after for the next page, or 0 when
// there is none.
func (s *Store) List(ctx context.Context, day string, after int64, limit int) ([]Call, int64, error) {
	// One more than asked tells whether another page follows.
	rows, err := s.db.QueryContext(ctx, s.list, day, after, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("calls: list %s: %w", day, err)
	}
	calls, ids, err := scan(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("calls: list %s: %w", day, err)
	}
	if len(calls) <= limit {
		return calls, 0, nil
	}
	return calls[:limit], ids[limit-1], nil
}

// Count returns the number of records and of distinct case numbers: equal,
// as long as the UNIQUE constraint holds.
func (s *Store) Count(ctx context.Context) (rows, distinct int64, err error) {
	if err := s.db.QueryRowContext(ctx, s.count).Scan(&rows, &distinct); err != nil {
		return 0, 0, fmt.Errorf("calls: count: %w", err)
	}
	return rows, distinct, nil
}

// scan reads every row of rows and closes it.
func scan(rows *sql.Rows) ([]Call, []int64, error) {
	defer rows.Close()
	calls := []Call{}
	var ids []int64
	for rows.Next() {
		var (
			c  Call
			id int64
		)
		if err := rows.Scan(&id, &c.CaseNumber, &c.CallerName, &c.Phone, &c.Subject, &c.Notes, &c.Priority, &c.CreatedAt); err != nil {
			return nil, nil, err
		}
		c.CreatedAt = c.CreatedAt.UTC()
		calls = append(calls, c)
		ids = append(ids, id)
	}
	return calls, ids, rows.Err()
}
