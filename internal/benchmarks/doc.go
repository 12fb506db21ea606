// Package benchmarks compares casemint with other ways of minting unique
// identifiers, and with the code it replaces.
//
// It is a module of its own, so that the identifier libraries and database
// drivers it compares against never enter casemint's go.mod. The package holds
// a faithful Go port of the seed generator (seed.go); the benchmarks are in
// bench_test.go and the database benchmark is the command cmd/dbbench.
//
//	cd internal/benchmarks
//	go test -run '^$' -bench . -count 6 | tee bench.txt
//	go tool benchstat -col /run bench.txt
//	go run ./cmd/dbbench -db sqlite
package benchmarks
