package benchmarks

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"github.com/google/uuid"
)

// This file is the check-then-insert design in Go, as a call-centre API ran
// it in its request handler: the baseline casemint is measured against. Its
// faults (the lookup and the insert race, the fallback is not looked up) are
// kept on purpose.

// candidateRetries is how many taken candidates are retried: after the
// eleventh lookup that found a row, the loop gives up on lookups and takes
// an unchecked UUID-based number.
const candidateRetries = 10

// today returns the UTC date as YYYYMMDD, what JavaScript's
// new Date().toISOString().slice(0, 10) gives without its hyphens, computed
// on every request as the handler did.
func today() string {
	return time.Now().UTC().Format("20060102")
}

// candidate returns CASE-{today}-{Date.now()}-{3 random digits}, with
// Math.random's role played by math/rand.
func candidate(today string) string {
	return fmt.Sprintf("CASE-%s-%d-%03d", today, time.Now().UnixMilli(), rand.Intn(1000))
}

// fallback returns CASE-{today}-{first 8 hex digits of a random UUID}, which
// is inserted without a lookup.
func fallback(today string) string {
	return fmt.Sprintf("CASE-%s-%s", today, uuid.NewString()[:8])
}

// CheckThenInsertNumber returns one candidate of CheckThenInsert with no
// lookup: what one request spends on minting a number.
func CheckThenInsertNumber() string {
	return candidate(today())
}

// CheckThenInsert stores a record under a new case number the
// check-then-insert way: look each candidate up with exists, wait 1ms after
// a taken one and try another, ten times; then take the fallback unchecked;
// then insert. Another request can store the same number between the lookup
// and the insert, so insert can fail with a unique violation: that error is
// returned as it is, and the request fails. The 1ms wait also ends when ctx
// does, so a benchmark run can be stopped.
func CheckThenInsert(ctx context.Context, exists func(context.Context, string) (bool, error), insert func(context.Context, string) error) (string, error) {
	day := today()
	attempts := 0
	var number string
	for {
		attempts++
		number = candidate(day)
		taken, err := exists(ctx, number)
		if err != nil {
			return "", err
		}
		if !taken {
			break
		}
		if attempts > candidateRetries {
			number = fallback(day)
			break
		}
		select {
		case <-time.After(time.Millisecond):
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	if err := insert(ctx, number); err != nil {
		return "", err
	}
	return number, nil
}
