// Package casenum mints unique, human-readable case numbers for records
// stored under a UNIQUE column: ticket, case, order or incident numbers.
//
// # The model
//
// A case number is rendered from a layout, such as the default
//
//	CASE-{date}-{unixms}-{rand:3}    ->  CASE-20250929-1759131413832-073
//
// using a Clock (one instant per candidate), a Random source and, for
// counters, a Sequence. A Generator renders candidates and applies a policy:
// try; on a collision, or an attempt the database aborted, wait (exponential
// backoff with jitter, cancelled with the context) and try a new candidate;
// after Retry.Attempts of them switch to the fallback layout
//
//	CASE-{date}-{uuid:8}             ->  CASE-20250929-1f0c3a9e
//
// whose candidates are checked like any other; and then give up with
// ErrExhausted. With no options New reproduces exactly these two formats.
//
// A Generator learns of collisions in one of two ways:
//
//   - Create (recommended) calls your insert function with each candidate
//     and treats a unique violation from the database as a collision: one
//     round trip per stored number and no race, because the UNIQUE
//     constraint decides.
//   - Next asks a Checker before handing the number out. That is racy on its
//     own: two callers can both hear "free". Keep the UNIQUE constraint.
//
// # Words
//
// The documentation, the names, the Events and the Stats use one word for
// each idea:
//
//	candidate  a number rendered for one attempt
//	attempt    one candidate checked (Checker) and stored (insert); every
//	           attempt ends in one Outcome
//	stored     the attempt succeeded (Outcome Stored)
//	minted     a call returned a number: Stats.Minted
//	collision  the candidate is already stored (Outcome Collided,
//	           Stats.Collisions); ErrDuplicate marks one, WithConflict says
//	           which insert errors are one
//	aborted    the database refused the attempt and stored nothing
//	fallback   the call went on to the fallback layout
//	exhausted  the call gave up after all its attempts (ErrExhausted)
//
// # Outcomes
//
// Every attempt ends in one Outcome, which Classify tells from the error
// (WithConflict changes the judgement of collisions, and Mark states an
// outcome that an error does not tell):
//
//	Stored     the insert succeeded: the call returns the number
//	Collided   a collision (a unique violation, ErrDuplicate): try another
//	Aborted    the database refused the attempt and stored nothing (a deadlock,
//	           a serialization or cluster certification failure): wait, try another
//	Uncertain  the insert may have been stored (the connection lost after sending,
//	           the context ended while it ran): return ErrUncertain with the number
//	Failed     anything else: return it
//
// Errors come back as an *AttemptError that names the number the attempt
// was about, so an uncertain one can be looked up and is never minted twice.
// An Observer is told of every attempt's Outcome and of how every call ends.
//
// # The layout language
//
// A layout is literal text with tokens in braces. Every token renders a
// fixed width of known characters, except a counter that grows:
//
//	{date}          the date as YYYYMMDD in the Generator's Location (UTC by default)
//	{date:LAYOUT}   the date and time in a Go time layout of zero-padded numeric
//	                fields (2006 06 01 02 002 15 04 05) and the separators - . / _ :,
//	                e.g. {date:060102}; text goes outside: {date:20060102}T{date:1504}
//	{fy:M}          the fiscal year, for years that start on the first of month M
//	                (1-12), as the four digits of the year it starts in: {fy:4}
//	                is 2026 from April 2026 to March 2027, as India counts
//	{fy:M:end}      the year it ends in, as Australia ({fy:7:end}: 2027 from July
//	                2026 to June 2027) and the United States ({fy:10:end}) name
//	                theirs; {fy:M:06} and {fy:M:end:06} print the last two digits,
//	                so INV/{fy:4}-{fy:4:end:06}/{seq} renders INV/2026-27/1. A
//	                counter after it restarts with each fiscal year
//	{unixms}        the Unix time in milliseconds, 13 digits: a clock reading
//	                before 2001-09-09 or after 2286-11-20 fails the call, as a
//	                year outside 0 to 9999 does for the date tokens
//	{rand:N}        N random decimal digits, uniform (no modulo bias), N 1-18
//	{alnum:N}       N random Crockford base32 symbols (0-9, A-Z without I L O U),
//	                safe to read aloud, N 1-26. A draw that spells a word of the
//	                blocklist (built in: common English offensive words; see
//	                WithBlocklist) is drawn again
//	{hex:N}         N random lower-case hex digits, N 1-32
//	{uuid:N}        the first N hex digits of a fresh version 4 UUID, N 1-32;
//	                {uuid} is the whole 36-character form
//	{seq}           the next counter of the scope, unpadded: BILL-7, BILL-12.
//	                The scope is everything rendered before the token, so
//	                CASE-{date}-{seq} counts from 1 every day
//	{seq:N}         the counter zero-padded to at least N digits, N 1-18
//	{seq:N:perm}    the counter under a keyed permutation of the N-digit numbers
//	                (FF1 over AES, the scope as tweak; WithPermutationKey), N 6-18:
//	                unique, and it shows neither how many numbers a scope holds
//	                nor their order. It keeps its N digits
//	{key}           a key chosen at run time with Generator.ForKey: an upper-case
//	                letter and up to 15 more letters and digits, as in Jira's
//	                PROJ-123. It ends the layout or is followed by a literal of
//	                no letters or digits, such as '-'; being part of the scope of
//	                a {seq} after it, each key counts on its own
//	{check}         a check character over what the tokens before it rendered:
//	                a Damm digit when that is all digits, else a Crockford symbol
//	                (Damm's construction over GF(32)). It catches every
//	                single-character substitution and every adjacent transposition
//	                of Crockford symbols. A {key} is read as such symbols too, in
//	                which O is 0, I and L are 1, and U is none: a key with one of
//	                them typed for another keeps its check character, and only the
//	                Generator of ForKey, which reads its own key alone, refuses it
//	{check:mod97}   two check digits by ISO 7064 MOD 97-10 (a letter counts as its
//	                Crockford value, so that every error above is caught too)
//	{{ and }}       literal braces
//
// A counter grows past its padding (9999 -> 10000, up to 18 digits) where
// what follows it tells where it ends: the end of the layout or a literal
// that starts with anything but a digit, right after the counter or after
// the {check} that follows it. Where nothing does, as in
// {seq:2}{rand:3}, {seq:N} keeps its N digits, as {seq:N:perm} always
// does, and a counter that outgrows them fails the call with ErrExhausted
// naming the scope, unless a fallback layout takes over; a bare
// {seq} is refused there. A counter is written without zeros beyond its
// padding: Validate refuses BILL-007 for BILL-{seq}, which Normalize
// writes BILL-7. A person who types a number with spaces for its
// separators is understood; one who leaves out the separator right after
// a counter may not be, when digits follow it.
//
// Layouts compile once, in New or ParseLayout; rendering does no parsing.
// A layout is refused, with ErrInvalidLayout and the position of the
// fault, when it has an unknown token, a width out of range, a lone brace,
// a date layout with anything but numeric fields and separators (names of
// months or days, AM/PM, zones, unpadded fields, fractions of a second,
// letters, white space), a {seq} after a random or time-of-day token (its
// scope would never repeat), a bare {seq} that nothing delimits, a {key}
// that nothing delimits, a {check} that is not the last token, text that
// is not UTF-8, or no token but {key}.
//
// One instant feeds every time token and the {seq} scope of a
// candidate, so the printed date and the day's counter cannot disagree at
// midnight.
//
// # Reading numbers back
//
// A number reads back in one left-to-right walk over the segments that
// rendered it. Layout.Validate checks a number's shape, its fields (a date
// shown with {unixms} is that instant's date, a fiscal year holds the date
// and the instant beside it) and its check character; Layout.Normalize
// turns what a person typed (lower case, spaces, separators left out or
// typed as others, inside dates too, and I or L for 1, O for 0) into the
// canonical number or says why it cannot;
// with a {check} in the layout, a mistyped character or two swapped ones
// are caught. Neither needs a Generator. The Generator's Validate and
// Normalize try its layout, then its fallback and its former layouts (the
// layouts it minted with before, WithFormerLayouts), and Generator.Parse
// tells what a number holds: when it was minted, its {seq} scope and value,
// its {key}, and the layout it was read with.
//
// Find reads the numbers out of a text, such as an e-mail that mentions
// its case: it forgives what Normalize forgives, and a number that runs on
// into letters or digits, or whose check character fails, is none. Pattern
// gives a layout's shape as a regular expression, for the tools that take
// one.
//
// # Choosing a layout
//
// Layout.Odds tells how often candidates collide at a given rate. For the
// default layout (one bucket per millisecond, 1,000 random values):
//
//	numbers/s   chance a candidate collides   collisions a day (all retried)
//	1           5.0e-7                         0.04
//	10          5.0e-6                         4.3
//	100         5.0e-5                         432
//	1000        5.0e-4                         43,211
//
// Bursts are what matter: 64 requests in the same millisecond see about 3%
// collisions among themselves, all retried by Create.
//
// # Concurrency
//
// A Generator is immutable and safe for concurrent use. The Random it is
// given need not be: it serialises the calls to sources that are not its
// own. Stats are atomic counters read without a lock.
//
// # Testing
//
// Package casenum/casenumtest has a fake Clock whose After fires on Advance,
// a deterministic Random, an in-memory store with UNIQUE semantics that
// serves as Checker, insert function and Sequence, and conformance suites
// for Checker and Sequence implementations. Waits go through the Clock's
// After when it has one and through real timers otherwise, so tests run
// under testing/synctest as well.
package casenum
