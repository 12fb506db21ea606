package store

import (
	"database/sql"
	"errors"

	"github.com/casemint/casemint/store/internal/sqlcore"
)

// Sentinel errors. Every error of this package, and of package
// store/pgxstore, that a caller can act on wraps one of these, so test with
// errors.Is. Errors from the database and from the context are wrapped
// with %w too: errors.Is(err, context.Canceled) and IsUniqueViolation(err)
// see through them.
var (
	// ErrInvalidIdentifier is returned by NewChecker and NewSequence for a
	// table or column name that is not a plain SQL identifier (or, for a
	// table, schema.table). Identifiers cannot travel as parameters, so only
	// names matching ^[A-Za-z_][A-Za-z0-9_]{0,62}$ are accepted and quoted.
	ErrInvalidIdentifier = errors.New("store: invalid identifier")

	// ErrInvalidDialect is returned for a Dialect other than Postgres,
	// MySQL and SQLite, the zero value included.
	ErrInvalidDialect = errors.New("store: invalid dialect")

	// ErrInvalidQuerier is returned for a handle the call cannot run on: a
	// nil Querier or database (CreateTx's included); a *sql.DB given to
	// Savepoint, which needs one connection in a transaction, or a nil
	// insert function given to it; a *sql.Tx given to a Sequence that
	// reserves blocks or has group commit; and a Checker or Sequence not
	// made by NewChecker or NewSequence (the zero value).
	ErrInvalidQuerier = errors.New("store: invalid querier")

	// ErrInvalidOption is returned by NewSequence for a nil option or one
	// with an unusable value (a block size or a batch below 1), and for
	// WithBlock together with WithGroupCommit.
	ErrInvalidOption = errors.New("store: invalid option")

	// ErrScopeTooLong is returned by Sequence.Next and Sequence.Advance
	// for a scope longer than MaxScopeLength characters, which the counter
	// table cannot hold.
	ErrScopeTooLong = errors.New("store: scope too long")

	// ErrCounterRange is returned by Sequence.Next when the database
	// reports a counter that cannot be right (zero, negative, or below the
	// block size), for instance after the table was edited by hand, and by
	// Sequence.Advance for a value above math.MaxInt64, which the counter
	// table cannot hold.
	ErrCounterRange = errors.New("store: counter out of range")
)

// face is what this package tells the SQL core, which wraps these
// sentinels but cannot import them.
var face = &sqlcore.Face{
	Pkg:               "store",
	InvalidIdentifier: ErrInvalidIdentifier,
	InvalidQuerier:    ErrInvalidQuerier,
	InvalidOption:     ErrInvalidOption,
	ScopeTooLong:      ErrScopeTooLong,
	CounterRange:      ErrCounterRange,
	NoRows:            sql.ErrNoRows,
	TxDone:            sql.ErrTxDone,
}

// IsUniqueViolation reports whether err, or any error it wraps (through
// Unwrap() error or Unwrap() []error), is a unique-constraint or
// primary-key violation as reported by one of these drivers:
//
//	github.com/jackc/pgx/v5 (pgconn.PgError, also via stdlib)  SQLSTATE 23505
//	github.com/lib/pq                                          SQLSTATE 23505
//	github.com/go-sql-driver/mysql (MySQL, MariaDB)            1062, 1586
//	modernc.org/sqlite                                         2067, 1555
//	github.com/mattn/go-sqlite3                                2067, 1555
//	github.com/microsoft/go-mssqldb                            2627, 2601
//
// It matches codes, never message text, and imports none of the drivers.
// NOT NULL, CHECK and foreign-key violations are not unique violations:
// another number would not help. The first driver error in err's tree
// decides, and a unique violation reported beside a lost connection is
// none (casenum.Classify calls that outcome uncertain). It does not say
// which constraint failed: see UniqueViolationOn.
func IsUniqueViolation(err error) bool { return sqlcore.IsUniqueViolation(err) }

// UniqueViolationOn reports whether err is a unique violation of column
// alone. Give it to casenum.WithConflict when the table has other UNIQUE
// columns (an e-mail, an idempotency key), so that a duplicate there comes
// back at once instead of being retried as a taken number:
//
//	casenum.WithConflict(func(err error) bool { return store.UniqueViolationOn(err, "case_number") })
//
// The drivers report the violated key in different ways, and column is
// matched against what each reports:
//
//   - PostgreSQL (pgx, lib/pq): the key's columns ("Key (case_number)=..."),
//     or the constraint's name;
//   - MySQL and MariaDB: the name of the unique index, which for a UNIQUE
//     column is the column's name (MySQL 8 prefixes the table, which is
//     ignored); a primary key is "PRIMARY". The name is read from the
//     message, so the server must speak English (lc_messages, the default);
//   - SQLite: the key's columns ("UNIQUE constraint failed: calls.case_number");
//   - SQL Server: only the constraint's or the index's name: name it after
//     the column, or pass its name.
//
// A key of several columns matches none of them. An empty column gives false.
func UniqueViolationOn(err error, column string) bool { return sqlcore.UniqueViolationOn(err, column) }
