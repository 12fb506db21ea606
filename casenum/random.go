package casenum

import (
	crand "crypto/rand"
	"encoding/binary"
	"math/rand/v2"
	"sync"
)

// Random is a source of uniformly distributed 64-bit values. The sources of
// math/rand/v2 (*rand.ChaCha8, *rand.PCG) fit as they are.
//
// A Random given to WithRandom need not be safe for concurrent use: the
// Generator serialises its calls. The default source and NewCryptoRandom's
// are safe for concurrent use and are called without a lock.
type Random interface {
	Uint64() uint64
}

// concurrentRandom marks the package's own sources, which are safe for
// concurrent use and need no lock.
type concurrentRandom interface {
	Random
	concurrentSafe()
}

// fastRandom is the default Random: the runtime's per-thread ChaCha8
// generator behind math/rand/v2's top-level functions, seeded from the
// operating system's entropy, unpredictable, lock-free and safe for
// concurrent use. Its output cannot be reproduced; for repeatable output in
// tests use a seeded source such as rand.NewPCG or casenumtest.NewRandom.
type fastRandom struct{}

func (fastRandom) Uint64() uint64  { return rand.Uint64() }
func (fastRandom) concurrentSafe() {}

// NewCryptoRandom returns a Random that reads every value from crypto/rand,
// for callers whose policy demands the operating system's generator for each
// draw. It is safe for concurrent use and several times slower than the
// default source, which is also cryptographically strong.
func NewCryptoRandom() Random { return cryptoRandom{} }

type cryptoRandom struct{}

func (cryptoRandom) Uint64() uint64 {
	var b [8]byte
	// crypto/rand.Read never returns an error since Go 1.24: it crashes the
	// program irrecoverably when the operating system's source fails.
	_, _ = crand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}
func (cryptoRandom) concurrentSafe() {}

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
func (r *lockedRandom) concurrentSafe() {}

// safeRandom returns r itself when it is one of the package's concurrent
// sources, else r behind a mutex.
func safeRandom(r Random) Random {
	if c, ok := r.(concurrentRandom); ok {
		return c
	}
	return &lockedRandom{src: r}
}
