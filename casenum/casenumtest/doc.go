// Package casenumtest provides test doubles for code that uses casenum, and
// a conformance suite for implementations of its interfaces, in the manner
// of net/http/httptest and testing/slogtest.
//
// The doubles make a casenum.Generator reproducible:
//
//   - Clock is a fake casenum.Clock that moves only on Advance or Set. Its
//     After method lets the Generator's waits between retry attempts run on
//     fake time; BlockUntil tells the test when the Generator is waiting.
//   - Random is a seeded casenum.Random (NewRandom), or one that repeats
//     fixed values (NewValues) to make candidates collide on purpose.
//   - Store is an in-memory table with a UNIQUE column and per-scope
//     counters. It serves as a casenum.Checker (Exists), as the insert
//     function of Generator.Create (Insert) and as a casenum.Sequence
//     (Next); it counts calls for round-trip assertions and fails on demand
//     (FailWith).
//
// TestChecker and TestSequence check that a casenum.Checker or
// casenum.Sequence behaves as a Generator expects: exact matching of
// numbers that mean something to SQL, independent scopes, no duplicate
// counter under concurrency, and errors for a cancelled context. Run them
// from a test of your own implementation:
//
//	func TestChecker(t *testing.T) {
//		casenumtest.TestChecker(t, func(t *testing.T) (casenum.Checker, func(context.Context, string) error) {
//			db := openEmptyTable(t)
//			return NewChecker(db), func(ctx context.Context, n string) error {
//				_, err := db.ExecContext(ctx, "INSERT INTO cases (number) VALUES (?)", n)
//				return err
//			}
//		})
//	}
//
// This package is for tests only; no library package imports it.
package casenumtest
