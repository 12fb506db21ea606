package casenum

import (
	"math"
	"strings"
	"time"
)

// Odds says how likely a layout's candidates are to collide when numbers
// are minted at a steady rate. Numbers that differ in their time part never
// collide, so what counts is how many share a time bucket and how large the
// random space of one candidate is.
//
// The figures assume the random tokens are uniform (the default Random is)
// and that the time part never repeats: a date layout without the year
// repeats every year, and such layouts collide more than Odds says.
type Odds struct {
	// Space is the number of distinct random values of one candidate: the
	// product of the ranges of its random tokens, less the {alnum} draws
	// that spell a word of the blocklist (the check character aside); 1
	// when it has none.
	Space float64
	// Bucket is the time resolution of the layout: 1ms for {unixms}, 24h for
	// {date}. It is 0 for a layout with no time token, whose numbers all
	// share one space: its figures are for the numbers of one day.
	Bucket time.Duration
	// Collision is the chance that a candidate collides with a number minted
	// earlier in its bucket, averaged over the bucket (the last number of a
	// bucket sees twice the average); 0 for a layout with {seq}. The chance
	// that n attempts in a row collide, so that a Generator with n attempts
	// needs its fallback, is Collision to the power n.
	Collision float64
	// ExpectedAttempts is the mean number of candidates per stored number.
	ExpectedAttempts float64
	// PerDay is the expected count of collisions in a day at the rate, all
	// absorbed by retries.
	PerDay float64
	// Capacity is how many numbers one {seq} scope holds before the counter
	// no longer fits the layout: 10^N-1 for a {seq:N} of fixed width, and
	// 10^18-1 for a counter that grows; 0 for a layout without {seq}.
	Capacity float64
}

// Odds returns the collision odds of the layout at perSecond numbers per
// second.
func (l *Layout) Odds(perSecond float64) Odds {
	const day = 24 * time.Hour
	o := Odds{Space: l.alnumSpace(), Bucket: l.bucket}
	for _, sg := range l.segs {
		n := float64(len(sg.shape))
		switch sg.kind {
		case segRand:
			o.Space *= math.Pow(10, n)
		case segHex:
			o.Space *= math.Pow(16, n)
		case segUUID:
			// A version 4 UUID fixes its 13th hex digit and two bits of the 17th.
			d := float64(strings.Count(sg.shape, sym))
			o.Space *= math.Exp2(4*d - 4*min(1, max(0, d-12)) - 2*min(1, max(0, d-16)))
		case segSeq:
			o.Capacity = float64(sg.limit - 1)
		}
	}
	bucket := l.bucket
	if bucket == 0 {
		bucket = day
	}
	earlier := perSecond * bucket.Seconds() / 2 // numbers minted before a candidate in its bucket, on average
	switch {
	case l.seq || earlier <= 0:
	case o.Space <= 1:
		// Only the time varies: a candidate collides when another number
		// was minted earlier in its bucket.
		o.Collision = -math.Expm1(-earlier)
	default:
		o.Collision = -math.Expm1(earlier * math.Log1p(-1/o.Space))
	}
	o.ExpectedAttempts = 1 / (1 - o.Collision)
	o.PerDay = perSecond * day.Seconds() * o.Collision
	return o
}

// alnumSpace returns how many draws of the layout's {alnum} tokens the
// blocklist lets through: a run of tokens next to each other can spell a
// word across them.
func (l *Layout) alnumSpace() float64 {
	space, run := 1.0, 0
	for i, sg := range l.segs {
		if sg.kind == segAlnum {
			run += len(sg.shape)
		}
		if run == 0 || i+1 < len(l.segs) && l.segs[i+1].kind == segAlnum {
			continue
		}
		if l.block == nil {
			space *= math.Pow(32, float64(run))
		} else {
			space *= l.block.allowed(run)
		}
		run = 0
	}
	return space
}
