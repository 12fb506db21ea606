// Package store connects casenum to a SQL database through database/sql:
// a Checker that looks numbers up in a table, a Sequence that keeps {seq}
// counters in a table, and Savepoint, which lets Generator.Create retry
// inside a caller's transaction. It speaks PostgreSQL, MySQL/MariaDB and
// SQLite (see Dialect) and imports no driver: bring your own. Package
// store/pgxstore offers the same for pgx without database/sql.
//
// # Storing numbers
//
// Keep a UNIQUE constraint on the column that holds the numbers and store
// them with casenum's Generator.Create: it calls your INSERT with a
// candidate and treats a unique violation (see IsUniqueViolation) as a
// collision, trying another number. That costs one round trip per number
// and has no race. A Checker adds a lookup before each attempt; it is
// useful only with Generator.Next, when the number is needed before the
// record can be stored.
//
// Inside your own transaction wrap the INSERT with Savepoint: on PostgreSQL
// a failed statement aborts the whole transaction, so a retry needs a
// savepoint to roll back to.
//
// # Counters
//
// A Sequence raises a per-scope counter in one atomic statement (an
// upsert), so processes sharing the database never hand out a value twice.
// Four ways to use it:
//
//   - on a *sql.DB: one round trip per value, a gap for each value whose
//     record is then not stored;
//   - bound to the record's transaction with WithTx, or drawn by CreateTx:
//     gap-free, as the counter commits or rolls back with the record, at
//     the price of one writer per scope at a time (the counter's row stays
//     locked until commit);
//   - with WithGroupCommit(n) and CreateTx: gap-free too, with up to n
//     concurrent calls on one counter sharing a transaction, one counter
//     update and one COMMIT, so the row's lock is taken once per batch
//     instead of once per record; one caller's slow function delays its
//     batch;
//   - with WithBlock(n): n values per round trip, handed out from memory;
//     the rest of a block is lost when the process stops.
//
// Advance moves a counter forward, never back: after importing numbered
// records, advance the scope past the highest imported value and the
// series continues after it.
//
// # Databases
//
// PostgreSQL: a failed statement aborts the transaction (hence Savepoint);
// a cancelled context cancels the statement on the server.
//
// MySQL and MariaDB: set interpolateParams=true in the go-sql-driver/mysql
// DSN, or every statement with parameters costs two round trips. The
// driver closes a connection whose context ends, and the server may still
// finish the abandoned statement once its lock is free: for a Sequence, a
// gap.
//
// SQLite (3.35 or later): one writer at a time. Use WAL and a busy timeout
// (modernc.org/sqlite: _pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)),
// or a pool of one connection; without either, concurrent writers fail with
// SQLITE_BUSY. A statement waiting for the lock waits up to the busy
// timeout whatever its context says.
//
// # Identifiers and values
//
// Table and column names cannot be bound as parameters, so they are
// validated (^[A-Za-z_][A-Za-z0-9_]{0,62}$, optionally schema.table) and
// quoted for the dialect; anything else is refused with
// ErrInvalidIdentifier. Numbers and scopes only ever travel as parameters.
//
// Every type is safe for concurrent use when its Querier is; errors wrap
// the package's sentinels, the driver's error and the context's error, so
// errors.Is and IsUniqueViolation work on them.
package store
