package casenum

import (
	"math/rand/v2"
	"sync"
)

// Random is a source of uniformly distributed 64-bit values. The sources of
// math/rand/v2 (*rand.ChaCha8, *rand.PCG) fit as they are.
//
// A Random given to WithRandom need not be safe for concurrent use: the
// Generator serialises its calls. The default source is safe for
// concurrent use and is called without a lock.
type Random interface {
	Uint64() uint64
}

// fastRandom is the default Random: the runtime's per-thread ChaCha8
// generator behind math/rand/v2's top-level functions, seeded from the
// operating system's entropy, unpredictable, lock-free and safe for
// concurrent use. Its output cannot be reproduced; for repeatable output in
// tests use a seeded source such as rand.NewPCG or casenumtest.NewRandom.
type fastRandom struct{}

func (fastRandom) Uint64() uint64 { return rand.Uint64() }

// lockedRandom serialises the calls to a source that may not be safe for
// concurrent use.
type lockedRandom struct {
	mu  sync.Mutex
	src Random
}

func (r *lockedRandom) Uint64() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock() // a source that panics must not leave the lock held
	return r.src.Uint64()
}

// safeRandom returns r itself when it is the default source, else r behind
// a mutex.
func safeRandom(r Random) Random {
	if r, ok := r.(fastRandom); ok {
		return r
	}
	return &lockedRandom{src: r}
}
