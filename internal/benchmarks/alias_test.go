package benchmarks

// SeedNumber is CheckThenInsertNumber under the name bench_test.go still
// calls it by. Delete this file when bench_test.go calls
// CheckThenInsertNumber.
var SeedNumber = CheckThenInsertNumber
