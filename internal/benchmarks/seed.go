package benchmarks

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"github.com/google/uuid"
)

// This file ports the seed's case-number code, as it ran in its API route,
// line for line: the baseline casemint is measured against. Its faults (the
// check and the insert race, the fallback is not checked) are kept on
// purpose.

// SeedAttempts is the seed's retry bound: a candidate is looked up until one
// is free, and after the eleventh lookup that found a row the loop gives up
// on lookups and takes an unchecked UUID-based number.
const SeedAttempts = 10

// SeedToday is the seed's today: the UTC date as YYYYMMDD, what
// new Date().toISOString().slice(0, 10) gives without its hyphens. The seed
// computed it on every request.
func SeedToday() string {
	return time.Now().UTC().Format("20060102")
}

// SeedCandidate is one candidate of the seed: CASE-{today}-{Date.now()}-{3
// random digits}, with Math.random's role played by math/rand.
func SeedCandidate(today string) string {
	return fmt.Sprintf("CASE-%s-%d-%03d", today, time.Now().UnixMilli(), rand.Intn(1000))
}

// SeedFallback is the seed's fallback: CASE-{today}-{first 8 hex digits of a
// random UUID}, used without a lookup.
func SeedFallback(today string) string {
	return fmt.Sprintf("CASE-%s-%s", today, uuid.NewString()[:8])
}

// SeedNumber is the seed's generator on its own, with no lookup: what one
// request spent on minting a number.
func SeedNumber() string {
	return SeedCandidate(SeedToday())
}

// SeedCreate is the seed's request: look each candidate up with exists, wait
// 1ms after a taken one and try again; after SeedAttempts retries take the
// fallback unchecked; then insert. Another request can store the same number
// between the lookup and the insert, so insert can fail with a unique
// violation: that error is returned as it is, as the seed answered 409.
// The 1ms wait also ends when ctx does, so a benchmark run can be stopped.
func SeedCreate(ctx context.Context, exists func(context.Context, string) (bool, error), insert func(context.Context, string) error) (string, error) {
	today := SeedToday()
	attempts := 0
	var number string
	for {
		attempts++
		number = SeedCandidate(today)
		taken, err := exists(ctx, number)
		if err != nil {
			return "", err
		}
		if !taken {
			break
		}
		if attempts > SeedAttempts {
			number = SeedFallback(today)
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
