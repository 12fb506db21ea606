// Package pgxstore connects casenum to PostgreSQL through pgx v5 without
// database/sql: a Checker, a Sequence, Savepoint and CreateTx, which do
// what their namesakes in package store do, on a *pgxpool.Pool, a
// *pgx.Conn or a pgx.Tx.
//
// They share store's statements and logic, so store's documentation of
// each applies here too; what differs is the handle: a Querier (Exec,
// Query and QueryRow as pgx spells them) instead of a *sql.DB, a pgx.Tx
// instead of a *sql.Tx, and pgx.TxOptions. Errors wrap store's sentinels
// (store.ErrInvalidIdentifier, store.ErrScopeTooLong, ...), the driver's
// error and the context's error; store.UniqueViolationOn and
// store.IsUniqueViolation read pgx's errors.
//
// Table and column names are validated and quoted as in store: names
// matching ^[A-Za-z_][A-Za-z0-9_]{0,62}$, optionally schema.table; numbers
// and scopes travel as parameters.
package pgxstore
