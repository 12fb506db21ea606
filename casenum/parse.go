package casenum

import "time"

// Parts is what a case number holds, as Generator.Parse reads it.
type Parts struct {
	Fallback bool      // the number is of the fallback layout
	Time     time.Time // the earliest instant its time tokens allow, in the Generator's Location; zero without
	Scope    string    // the text before {seq}; "" without
	Seq      uint64    // the {seq} value; 0 without
}

// Parse reads what a number holds: when it was minted, to the millisecond
// with {unixms} and otherwise to the finest field of its date tokens (a
// {date} number reads as the day's first instant in the Generator's
// Location, midnight where the day has one); its {seq}
// scope and value; and whether it is of the fallback layout. Date fields a
// layout leaves out take the values time.Parse gives them: year 0, January,
// the first, midnight.
//
// Parse accepts exactly what Validate accepts; for anything else it returns
// a *NumberError wrapping ErrInvalidNumber. Normalize typed input first.
func (g *Generator) Parse(number string) (Parts, error) {
	r, i, err := read(number, false, g.layout, g.fallback)
	if err != nil {
		return Parts{}, err
	}
	p := Parts{Fallback: i == 1}
	switch {
	case r.ms >= 0:
		p.Time = time.UnixMilli(r.ms).In(g.loc)
	case r.date.have != 0:
		p.Time = r.date.time(g.loc)
	}
	if r.seqAt >= 0 {
		p.Scope, p.Seq = number[:r.seqAt], r.seq
	}
	return p, nil
}
