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
// and that the time part never repeats: a {date:LAYOUT} without the year
// repeats every year, and such layouts collide more than Odds says.
type Odds struct {
	// Rate is the rate asked about, in numbers per second.
	Rate float64
	// Space is the number of distinct random values of one candidate: the
	// product of the ranges of its random tokens; 1 when it has none.
	Space float64
	// Bucket is the time resolution of the layout: 1ms for {unixms}, 24h for
	// {date}. It is 0 for a layout with no time token, in which every number
	// ever minted shares one space: use CollisionChance with the number of
	// stored records for those.
	Bucket time.Duration
	// PerBucket is the expected count of numbers minted in one bucket.
	PerBucket float64
	// Collision is the chance that a candidate collides with a number minted
	// earlier in its bucket, averaged over the bucket (the last number of a
	// bucket sees twice the average). It is 0 for a layout with {seq}.
	Collision float64
	// ExpectedAttempts is the mean number of candidates per stored number.
	ExpectedAttempts float64
	// PerDay is the expected count of collisions, all absorbed by retries,
	// in a day at Rate.
	PerDay float64
	// Capacity is how many numbers one {seq} scope holds before the counter
	// no longer fits its width; 0 for a layout without {seq}.
	Capacity float64
}

// AllCollide returns the chance that attempts candidates in a row collide:
// the chance that a Generator with that many attempts needs its fallback.
func (o Odds) AllCollide(attempts int) float64 {
	return math.Pow(o.Collision, float64(attempts))
}

// Space returns the number of distinct values the random tokens of one
// candidate can take: 10^N for {rand:N}, 32^N for {alnum:N}, 16^N for
// {hex:N}, the random bits of a version 4 UUID for {uuid}; 1 when there is
// no random token.
func (l *Layout) Space() float64 {
	s := 1.0
	for _, sg := range l.segs {
		switch sg.kind {
		case segRand:
			s *= math.Pow(10, float64(len(sg.shape)))
		case segAlnum:
			s *= math.Pow(32, float64(len(sg.shape)))
		case segHex:
			s *= math.Pow(16, float64(len(sg.shape)))
		case segUUID:
			s *= math.Exp2(float64(uuidBits(sg)))
		}
	}
	return s
}

// uuidBits counts the random bits in the first n hex digits of a version 4
// UUID: the 13th digit is the version, two bits of the 17th the variant.
func uuidBits(sg segment) int {
	n := strings.Count(sg.shape, sym)
	b := 4 * n
	if n >= 13 {
		b -= 4
	}
	if n >= 17 {
		b -= 2
	}
	return b
}

// Resolution returns the layout's time resolution: the smallest step of
// time that changes its time part, or 0 when it has no time token.
func (l *Layout) Resolution() time.Duration { return l.bucket }

// CollisionChance returns the chance that a fresh candidate collides with
// one of existing numbers that share its time bucket (or, for a layout with
// no time token, with one of existing numbers stored in all).
func (l *Layout) CollisionChance(existing float64) float64 {
	if l.seq || existing <= 0 {
		return 0
	}
	s := l.Space()
	if s <= 1 {
		return 1 // only the time varies: a second number in a bucket collides
	}
	return -math.Expm1(existing * math.Log1p(-1/s))
}

// Odds returns the collision odds of the layout at perSecond numbers per
// second. For a layout without a time token, Bucket is 0 and Collision is
// computed for one day of numbers at that rate.
func (l *Layout) Odds(perSecond float64) Odds {
	o := Odds{Rate: perSecond, Space: l.Space(), Bucket: l.bucket}
	day := 24 * time.Hour
	bucket := l.bucket
	if bucket == 0 {
		bucket = day
	}
	o.PerBucket = perSecond * bucket.Seconds()
	o.Collision = l.CollisionChance(o.PerBucket / 2)
	if l.Space() <= 1 && !l.seq {
		// Only the time varies: a candidate collides when another number
		// was minted earlier in its bucket.
		o.Collision = -math.Expm1(-o.PerBucket / 2)
	}
	o.ExpectedAttempts = 1 / (1 - o.Collision)
	o.PerDay = perSecond * day.Seconds() * o.Collision
	for _, sg := range l.segs {
		if sg.kind == segSeq {
			o.Capacity = float64(sg.limit - 1)
		}
	}
	return o
}
