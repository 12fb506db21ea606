package casenum

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
)

// Outcome is what became of one attempt: of checking and storing one
// candidate. A Generator decides from it what comes next (see Classify),
// and every Event carries one.
type Outcome uint8

const (
	// Failed: an error that another attempt would not cure. The call
	// returns it at once. It is the zero value, so an outcome left unset
	// fails safe.
	Failed Outcome = iota
	// Stored: the attempt succeeded. Create's insert stored the number, or
	// Next handed it out.
	Stored
	// Collided: the number is already stored, a collision. The next
	// attempt tries another.
	Collided
	// Aborted: the database refused the attempt and stored nothing (a
	// deadlock, a serialization or cluster certification failure, a
	// connection known to be unused). The next attempt, after the Retry
	// policy's wait, tries another number.
	Aborted
	// Uncertain: the request may have reached the database and no answer
	// says it failed (the connection was lost after sending, the context
	// ended while the statement ran). The number may be stored; the call
	// returns at once with an error wrapping ErrUncertain, and the number
	// in its AttemptError, so the caller can look it up.
	Uncertain
)

// String returns the outcome's name in lower case, such as "aborted".
func (o Outcome) String() string {
	switch o {
	case Failed:
		return "failed"
	case Stored:
		return "stored"
	case Collided:
		return "collided"
	case Aborted:
		return "aborted"
	case Uncertain:
		return "uncertain"
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// AttemptError is the error of an attempt that ended a Generator's call:
// every error of an insert function, a Checker or a Sequence comes back as
// one (or wrapping one), so the caller learns which number it was about.
// When errors.Is(err, ErrUncertain), Number may be stored: look it up
// before trying again, and never store the record under a second number.
type AttemptError struct {
	Number   string // the candidate; "" when the error came before it was rendered
	Attempt  int    // 1-based, the fallback's attempts included
	Fallback bool   // the candidate came from the fallback layout
	Err      error  // the cause, wrapping ErrUncertain when the outcome is unknown
}

// Error returns the number, the attempt and the cause.
func (e *AttemptError) Error() string {
	if e.Number == "" {
		return fmt.Sprintf("casenum: attempt %d: %v", e.Attempt, e.Err)
	}
	return fmt.Sprintf("casenum: %s (attempt %d): %v", e.Number, e.Attempt, e.Err)
}

// Unwrap returns the cause.
func (e *AttemptError) Unwrap() error { return e.Err }

// Classify is the default classification of an attempt's error:
//
//   - nil: Stored.
//   - an error marked by Mark, or wrapping one: the outcome it was marked
//     with, whatever else it wraps.
//   - Collided: the error wraps ErrDuplicate, or is a unique violation of
//     one of the common SQL drivers.
//   - Aborted: SQLSTATE 40001 (serialization failure) or 40P01 (deadlock);
//     MySQL and MariaDB 1213 (deadlock, and the certification failure of a
//     Galera cluster) and 1205 (lock wait timeout); TiDB 8002, 8022 and
//     9007 (write conflicts); SQL Server 1205 (deadlock victim); SQLite
//     BUSY and LOCKED; driver.ErrBadConn, which database/sql drivers
//     should return only when nothing was sent; and a Generator's
//     ErrExhausted when every one of its attempts was aborted.
//   - Uncertain: the error wraps ErrUncertain, context.Canceled or
//     context.DeadlineExceeded (the statement may have run before the
//     context ended); the connection was lost while a request was in
//     flight (io.ErrUnexpectedEOF, a *net.OpError while reading or
//     writing, a reset or broken pipe, net.ErrClosed, go-sql-driver/mysql's
//     "invalid connection", pgx's "conn closed"); SQLSTATE 40003 (statement
//     completion unknown, CockroachDB), a connection exception (class 08)
//     or a server shutting down (57P01, 57P02); MariaDB 1927 (connection
//     killed).
//   - Failed: anything else, ErrExhausted after collisions included.
//
// Drivers are recognised by the codes their errors carry, without
// importing them. To classify an error of your own otherwise, mark it with
// Mark in the insert function.
func Classify(err error) Outcome {
	return classify(err, nil, false)
}

// classify is Classify with what a Generator adds: conflict, when not nil,
// decides which errors are collisions (WithConflict), and ended says that
// the context ended while the attempt ran, which leaves an error that
// would fail uncertain instead. A mark comes before both.
func classify(err error, conflict func(error) bool, ended bool) Outcome {
	if o, ok := markOf(err); ok {
		return o
	}
	if err == nil {
		return Stored
	}
	o := cause(err)
	if conflict != nil {
		switch {
		case conflict(err):
			o = Collided
		case o == Collided:
			o = Failed
		}
	}
	if o == Failed && ended {
		o = Uncertain
	}
	return o
}

// cause classifies an error that is not nil and not marked.
func cause(err error) Outcome {
	switch {
	case errors.Is(err, ErrExhausted):
		// It wraps the last collision, but a saturated Generator is not
		// one number found stored.
		return Failed
	case errors.Is(err, ErrUncertain):
		return Uncertain
	case errors.Is(err, ErrDuplicate):
		return Collided
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return Uncertain
	case errors.Is(err, driver.ErrBadConn):
		return Aborted
	}
	return driverOutcome(err)
}

// Mark returns err marked with the outcome o, which Classify and every
// Generator report for it, and for any error that wraps it, before
// looking at anything err wraps. An insert function (or a Checker, or a
// Sequence) uses it to say what became of an attempt when the error alone
// would not tell, as backoff's Permanent does:
//
//	Mark(Failed, err)     end the call at once: another attempt must not run
//	                      (the transaction it ran in is gone, say)
//	Mark(Aborted, err)    nothing was stored: wait, then try a new number
//	Mark(Uncertain, err)  the number may be stored: return it, never mint another
//	Mark(Collided, err)   the number is already stored: try another
//
// A Checker or a Sequence stores nothing, so of its marks only Aborted is
// retried; any other ends the call. errors.Is and errors.As see through
// the mark. Mark(Stored, err) is Failed: an attempt that returns an error
// did not succeed. A nil err returns nil.
func Mark(o Outcome, err error) error {
	if err == nil {
		return nil
	}
	if o == Stored || o > Uncertain {
		o = Failed
	}
	return &marked{o, err}
}

type marked struct {
	o   Outcome
	err error
}

func (m *marked) Error() string { return m.err.Error() }
func (m *marked) Unwrap() error { return m.err }

// markOf returns the outcome that Mark gave err or an error it wraps.
func markOf(err error) (Outcome, bool) {
	var m *marked
	if errors.As(err, &m) {
		return m.o, true
	}
	return Failed, false
}
