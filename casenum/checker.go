package casenum

import "context"

// Checker reports whether a case number is already stored: a candidate it
// finds is a collision. Next consults it before handing a number out,
// Create before calling the insert function.
//
// A check is advisory: two callers can both see "free" and race to store the
// same number. The database's UNIQUE constraint stays the final arbiter,
// which is why Create, which learns of collisions from the insert itself, is
// the recommended path.
//
// Implementations must be safe for concurrent use. An error from Exists ends
// the Generator's call with that error wrapped, unless the database aborted
// the lookup (see Classify), which is retried; it is never taken for "free".
type Checker interface {
	Exists(ctx context.Context, number string) (bool, error)
}

// Sequence hands out counters for {seq} tokens. The scope is everything the
// layout rendered before the token, so "CASE-{date}-{seq:6}" counts per day.
// Next returns 1 for a scope it has not seen and one more on every call after.
//
// Implementations must be safe for concurrent use and must never hand out
// the same value twice for one scope; gaps are allowed unless documented
// otherwise. store.Sequence keeps the counters in a database table;
// casenumtest.Store keeps them in memory.
//
// A Sequence may also have the method
//
//	Advance(ctx context.Context, scope string, last uint64) error
//
// which moves the scope's counter forward so that Next returns more than
// last, and leaves a counter already past last as it is. A Generator calls
// it when a candidate's {seq} value turns out taken (numbers imported from
// another system, a transaction that rolled the counter back), so that the
// next attempt tries the value after it instead of the same one. Its error
// is treated as an error of Next. With Generator.Parse it also continues a
// series after numbers stored by other means.
//
// It may also have the method
//
//	Release(ctx context.Context, scope string, v uint64)
//
// which a Generator calls when an attempt drew v but neither stored it nor
// found it taken: the Checker or the insert was aborted, or v outgrew the
// layout and the fallback layout takes over. A Sequence that drew v in a
// transaction the next attempt could reuse rolls that transaction back,
// so that v is handed out again and a gap-free series keeps no gap;
// others may ignore it. Setting a shared counter back is not safe: after
// a deadlock MySQL has already ended the transaction, and the statement
// would commit on its own, below a value another caller drew. An attempt
// that fails, or whose outcome is uncertain, ends the call and releases
// nothing.
type Sequence interface {
	Next(ctx context.Context, scope string) (uint64, error)
}

// advancer is the optional capability of a Sequence to move a counter past
// a value.
type advancer interface {
	Advance(ctx context.Context, scope string, last uint64) error
}

// releaser is the optional capability of a Sequence to take back a value
// that was not stored.
type releaser interface {
	Release(ctx context.Context, scope string, v uint64)
}
