package casenumtest

import (
	"math/rand/v2"

	"github.com/casemint/casemint/casenum"
)

var _ casenum.Random = (*Random)(nil)

// Random is a reproducible casenum.Random: either a seeded PCG stream
// (NewRandom) or a fixed list of values repeated forever (NewValues).
//
// A Random is not safe for concurrent use on its own, like the sources of
// math/rand/v2. A casenum.Generator serialises its calls to the Random it
// is given, so one Random may back a Generator used from many goroutines;
// a test that calls Uint64 itself from several goroutines needs a lock.
type Random struct {
	pcg    *rand.PCG
	values []uint64
	next   int
}

// NewRandom returns a Random that yields math/rand/v2's PCG stream for seed:
// the same seed gives the same values, run after run.
func NewRandom(seed uint64) *Random {
	return &Random{pcg: rand.NewPCG(seed, seed)}
}

// NewValues returns a Random that yields v in order and then starts over.
// Repeating a value makes a Generator render the same candidate again,
// which forces a collision on purpose. With no values it yields 0.
func NewValues(v ...uint64) *Random {
	return &Random{values: append([]uint64(nil), v...)}
}

// Uint64 returns the next value.
func (r *Random) Uint64() uint64 {
	if r.pcg != nil {
		return r.pcg.Uint64()
	}
	if len(r.values) == 0 {
		return 0
	}
	v := r.values[r.next]
	r.next = (r.next + 1) % len(r.values)
	return v
}
