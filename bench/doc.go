// Package bench measures Latchkey as people run it: the real binary, started
// as a child process on loopback, driven over HTTP. It holds no production
// code; everything is in its _test.go files and runs only under -bench:
//
//	make bench    # go test -run '^$' -bench . -benchmem ./bench/...
//
// The benchmarks, and what each shows:
//
//   - BenchmarkHashFloor: argon2id hashes per second with the default
//     parameters on every CPU, through password.Pool (pool: the most users
//     per second a server here can create with a password) and calling
//     x/crypto directly (argon2: what the pool itself costs).
//   - BenchmarkCreateUser: users per second through POST /api/v1/users,
//     against both floors measured in the same run, in alternating rounds;
//     also the server's CPU per user against the CPU of one hash, and how
//     much of the CPU other processes took meanwhile.
//   - BenchmarkIdleRSS: resident memory of an idle server after start-up and
//     a few requests, and again after one user creation.
//   - BenchmarkStartup: exec to the first 200 from /readyz on a data
//     directory that already exists.
//   - BenchmarkPeakRSS: the high-water mark of resident memory while 200
//     user creations arrive at once; the hashing pool bounds it.
//
// The benchmarks build cmd/latchkey once per run; LATCHKEY_BENCH_BINARY
// names a binary to measure instead.
//
// The figures of the last run on the reference machine, and how to read
// them, are in RESULTS.md. Nothing here asserts a time: the benchmarks
// report figures, and RESULTS.md compares them with the targets.
package bench
