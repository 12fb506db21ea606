// Package casenumtest provides test doubles for code that uses casenum, and
// a conformance suite for implementations of its interfaces, in the manner
// of net/http/httptest and testing/slogtest.
//
// The doubles make a casenum.Generator reproducible:
//
//   - Clock is a fake casenum.Clock that moves only on Advance or Set. Its
//     After method lets the Generator's waits between retry attempts run on
//     fake time; BlockUntil tells the test when the Generator is waiting.
//   - Random is a seeded casenum.Random (NewRandom), or one that makes a
//     Generator render texts the test chooses (Tokens), to assert an exact
//     number or to make candidates collide on purpose.
//   - Complete adds a layout's check character to a number, so that a test
//     states the exact number it expects without running the code first.
//   - Store is an in-memory table with a UNIQUE column and per-scope
//     counters. It serves as a casenum.Checker (Exists), as the insert
//     function of Generator.Create (Insert) and as a casenum.Sequence
//     (Next, and Advance to continue after numbers added by other means);
//     it counts calls for round-trip assertions and fails on demand
//     (FailWith).
//
// # What a Generator draws from its Random
//
// A Generator draws for the random tokens of each candidate it renders,
// left to right: one value for {rand:N}; one per 12 symbols of {alnum:N}
// (so two for N from 13 to 24, three above); one per 16 digits of {hex:N};
// two for {uuid:N} and {uuid}. {date}, {fy}, {unixms}, {seq}, {key} and
// {check} draw nothing. When an {alnum} token spells a word of the
// Generator's blocklist, every random token of the candidate is drawn
// again. Tokens accounts for these counts: give it one text per token
// rendered. For "T-{rand:3}", Tokens("rand:073", "rand:073", "rand:074")
// renders T-073 for one number, then T-073 and T-074 for the next, whose
// first candidate collides with the first number.
//
// The waits between attempts draw too, one value each for their jitter,
// but only when a wait is not zero and jitter is on. With the default
// Retry that happens only after an attempt the database aborted: a
// collision of a layout with a random or {seq} token is retried at once,
// and one whose only variable part is the time waits for its next tick
// without jitter. A test that sets Retry.Delay, or makes attempts abort,
// and uses Tokens turns jitter off with Retry.Jitter = -1, so
// that every value goes to a token.
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
