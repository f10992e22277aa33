// Package bench measures Latchkey as people run it: the real binary, started
// as a child process on loopback, driven over HTTP. It holds no production
// code; everything is in its _test.go files and runs only under -bench:
//
//	make bench    # go test -run '^$' -bench . -benchmem ./bench/...
//
// The benchmarks, and what each shows:
//
//   - BenchmarkHashFloor: argon2id hashes per second with the default
//     parameters on every CPU, through password.Pool. No server can create
//     users with a password faster than this.
//   - BenchmarkCreateUser: users per second through POST /api/v1/users,
//     against the hashing floor measured in the same run just before.
//   - BenchmarkIdleRSS: resident memory of an idle server after start-up and
//     a few requests.
//   - BenchmarkStartup: exec to the first 200 from /readyz on a data
//     directory that already exists.
//   - BenchmarkPeakRSS: the high-water mark of resident memory while 200
//     user creations arrive at once; the hashing pool bounds it.
//
// The figures of the last run on the reference machine, and how to read
// them, are in RESULTS.md. Nothing here asserts a time: the benchmarks
// report figures, and RESULTS.md compares them with the targets.
package bench
