package casenum

import "errors"

// Sentinel errors. Every error of this package that a caller can act on
// at run time wraps one of these, so test with errors.Is. Context errors
// are passed through unchanged: errors.Is(err, context.Canceled) works.
// Misuse at construction (a nil option, an invalid Retry) is a plain error
// from New.
var (
	// ErrExhausted is returned by Next and Create when every attempt, the
	// fallback attempts included, collided or was aborted, and when a {seq}
	// counter no longer fits the layout and no fallback layout takes over
	// (the error names the scope). The
	// error also wraps the last of them, as an *AttemptError. After a
	// collision of a {seq} number it names the scope and the last value
	// tried: a series that holds higher numbers already goes on after
	// them once the Sequence's Advance has moved the counter past them.
	// When every attempt was aborted (a busy or locked database) and none
	// found its number taken, the error says so, wraps the last cause, and
	// Classify reports it Aborted: try again later, the numbers are not
	// used up. Otherwise Classify reports it Failed.
	ErrExhausted = errors.New("casenum: no unique number after all attempts")

	// ErrDuplicate marks a collision. An insert function passed to Create
	// may return it (or wrap it) to say that the number is already stored;
	// Create also recognises the unique violations of the common SQL
	// drivers.
	ErrDuplicate = errors.New("casenum: duplicate case number")

	// ErrUncertain is wrapped by the error of Create when the insert's
	// outcome is unknown: the connection was lost after the request was
	// sent, or the context ended while it ran. The number may be stored.
	// The error is an *AttemptError that carries it: look it up before
	// trying again, and never store the same record under a second number.
	// An insert function may wrap ErrUncertain to say so itself.
	ErrUncertain = errors.New("casenum: outcome unknown, the number may be stored")

	// ErrInvalidLayout is returned by ParseLayout and New for a layout that
	// cannot be compiled. The message names the position of the fault.
	ErrInvalidLayout = errors.New("casenum: invalid layout")

	// ErrInvalidNumber is returned by Validate, Normalize and Parse for
	// input that is not a number of the layouts. The message says why.
	ErrInvalidNumber = errors.New("casenum: invalid case number")

	// ErrInvalidKey is returned by Generator.ForKey for a key that is not
	// an upper-case letter and up to 15 upper-case letters and digits, or
	// for a Generator without {key}; and by Next and Create of a {key}
	// layout on a Generator not made by ForKey.
	ErrInvalidKey = errors.New("casenum: invalid key")
)
