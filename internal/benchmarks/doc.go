// Package benchmarks compares casemint with other ways of minting unique
// identifiers, and with check-then-insert, the usual fix for colliding
// Date.now() case numbers.
//
// Check-then-insert (checkfirst.go) builds a candidate
// CASE-{date}-{Date.now()}-{3 random digits}, SELECTs it, and INSERTs it if
// no row came back; on a taken one it sleeps 1ms and tries a new random
// suffix, ten times, then inserts an unchecked fallback
// CASE-{date}-{8 hex digits of a UUID}. Two requests can both find a number
// free between the lookup and the insert: the loser's INSERT fails, and so
// does its request. casemint inserts first and takes a unique violation as
// "try another number".
//
// It is a module of its own, so that the identifier libraries and database
// drivers it compares against never enter casemint's go.mod. The benchmarks
// are in bench_test.go and the database benchmark is the command
// cmd/dbbench.
//
//	cd internal/benchmarks
//	go test -run '^$' -bench . -count 6 | tee bench.txt
//	go tool benchstat -col /run bench.txt
//	go run ./cmd/dbbench -db sqlite
package benchmarks
