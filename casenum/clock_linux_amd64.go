package casenum

import (
	"syscall"
	"time"
)

// wallNow reads the wall clock alone. On linux/amd64 syscall.Gettimeofday
// goes through the vDSO like time.Now, so this is never slower, and it is
// one read where time.Now makes two.
func wallNow() time.Time {
	var tv syscall.Timeval
	if syscall.Gettimeofday(&tv) != nil {
		return time.Now()
	}
	return time.Unix(tv.Sec, tv.Usec*int64(time.Microsecond))
}
