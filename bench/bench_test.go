package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/password"
	"golang.org/x/crypto/argon2"
)

// BenchmarkCreateUser, BenchmarkIdleRSS and BenchmarkPeakRSS are fixed
// measurements that each take well over a second, so under the
// default -benchtime the framework runs them once (b.N = 1); a larger
// -benchtime repeats the whole measurement. Their ns/op is the length of one
// measurement; the figures are the custom metrics.

const (
	rounds      = 4                      // floor-then-load rounds in BenchmarkCreateUser
	floorWarmup = 500 * time.Millisecond // hashing before each floor window
	floorWindow = 2 * time.Second
	loadWarmup  = 500 * time.Millisecond // requests before each load window
	loadWindow  = 4 * time.Second        // 4 rounds: 18 s of load in all
	burst       = 200                    // concurrent creations for BenchmarkPeakRSS
	mb          = 1e6
)

// defaultParams are the argon2id parameters of a new instance.
func defaultParams() password.Params {
	p := latchkey.DefaultSettings().Password
	return password.Params{MemoryKiB: p.Argon2MemoryKiB, Iterations: p.Argon2Iterations, Parallelism: p.Argon2Parallelism}
}

// loadClients is enough closed-loop clients to keep every hashing worker of
// the server busy while others are in HTTP, JSON and SQLite.
func loadClients() int { return 4 * runtime.NumCPU() }

func skipUnlessLinux(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads /proc: Linux only")
	}
}

// hashOnce hashes one password with the default parameters.
type hashOnce func(ctx context.Context) error

// poolHash hashes through password.Pool, as the server does.
func poolHash() hashOnce {
	pool, params := password.NewPool(0, 0), defaultParams()
	return func(ctx context.Context) error {
		_, err := pool.Hash(ctx, benchPassword, params)
		return err
	}
}

// argon2Hash calls x/crypto's argon2id directly, without the pool: the
// difference from poolHash is what the pool itself costs.
func argon2Hash() hashOnce {
	p, salt := defaultParams(), make([]byte, 16)
	rand.Read(salt)
	return func(context.Context) error {
		argon2.IDKey([]byte(benchPassword), salt, p.Iterations, p.MemoryKiB, p.Parallelism, 32)
		return nil
	}
}

// BenchmarkHashFloor hashes with the default parameters in one goroutine
// per CPU, through the pool (as the server does, one worker per CPU) and
// without it. pool's hashes/s is the most users per second a server on this
// machine can create with a password; argon2's is the most that x/crypto
// can hash.
func BenchmarkHashFloor(b *testing.B) {
	for _, bm := range []struct {
		name string
		hash hashOnce
	}{{"pool", poolHash()}, {"argon2", argon2Hash()}} {
		b.Run(bm.name, func(b *testing.B) {
			var next atomic.Int64
			var wg sync.WaitGroup
			for range runtime.NumCPU() {
				wg.Go(func() {
					for next.Add(1) <= int64(b.N) {
						if err := bm.hash(context.Background()); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
		})
	}
}

// floorResult is the hashing floor over a fixed window.
type floorResult struct {
	rate   float64 // hashes per second in the window
	hashes int     // hashes done, warm-up included
}

// measureFloor is BenchmarkHashFloor as a closed loop over a fixed window,
// counted the same way as the HTTP load, for comparing the two in one run.
func measureFloor(ctx context.Context, warmup, window time.Duration, hash hashOnce) (floorResult, error) {
	start := time.Now()
	windowStart, windowEnd := start.Add(warmup), start.Add(warmup+window)
	var hashes, inWindow atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, runtime.NumCPU())
	for range runtime.NumCPU() {
		wg.Go(func() {
			for time.Now().Before(windowEnd) {
				if err := hash(ctx); err != nil {
					errs <- err
					return
				}
				hashes.Add(1)
				if t := time.Now(); !t.Before(windowStart) && t.Before(windowEnd) {
					inWindow.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return floorResult{}, err
	}
	return floorResult{rate: float64(inWindow.Load()) / window.Seconds(), hashes: int(hashes.Load())}, nil
}

// processCPU returns the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCreateUser measures POST /api/v1/users with a password through
// the real binary, loopback, with loadClients() closed-loop clients, against
// the hashing floor measured in this process: x/crypto's argon2id alone,
// then through password.Pool, then the load. The three alternate in rounds
// so that a machine whose speed drifts skews them alike. pct-of-floor is the
// figure with a target (>= 90): users/s over all rounds against the pool's
// hashes/s over all rounds; pct-of-argon2 compares with argon2id alone.
// Both mean something only when others-cpu-pct, the share of the CPU that
// other processes took meanwhile, is near 0. cpu-per-user/hash, the
// server's CPU per user over the CPU of one bare argon2id hash in this
// process, hardly depends on that.
func BenchmarkCreateUser(b *testing.B) {
	skipUnlessLinux(b)
	ctx := b.Context()
	var users, floors, raws, others, cpuRatio []float64
	for i := range b.N {
		dir := b.TempDir()
		c := startChild(b, dir)
		pid := c.cmd.Process.Pid
		sk := devKeys(b, dir)
		client := newClient(loadClients())
		pool, raw := poolHash(), argon2Hash()
		var poolRates, rawRates, userRates, otherShares []float64
		var ok, sent, rawHashes int
		var rawCPU, userCPU, genCPU time.Duration
		for r := range rounds {
			t0 := readCPU(b, pid)
			rf, err := measureFloor(ctx, floorWarmup, floorWindow, raw)
			if err != nil {
				b.Fatal(err)
			}
			t1 := readCPU(b, pid)
			pf, err := measureFloor(ctx, floorWarmup, floorWindow, pool)
			if err != nil {
				b.Fatal(err)
			}
			t2 := readCPU(b, pid)
			l := load{url: c.url() + "/api/v1", secretKey: sk, clients: loadClients(),
				warmup: loadWarmup, window: loadWindow, prefix: fmt.Sprintf("create%d-%d", i, r)}
			res := l.run(ctx, client)
			t3 := readCPU(b, pid)
			if res.errs > 0 || len(res.statuses) > 0 {
				b.Fatalf("load had failures: %v (first error %v)\n%s", res, res.firstErr, c.log.tail())
			}
			b.Logf("round %d: argon2id %.1f hashes/s, pool %.1f hashes/s, server %.1f users/s = %.1f%% of the pool (others took %.0f%%, %.0f%%, %.0f%% of the CPU); %v",
				r+1, rf.rate, pf.rate, res.rate(), 100*res.rate()/pf.rate,
				100*othersShare(t0, t1), 100*othersShare(t1, t2), 100*othersShare(t2, t3), res)
			rawRates, poolRates, userRates = append(rawRates, rf.rate), append(poolRates, pf.rate), append(userRates, res.rate())
			otherShares = append(otherShares, othersShare(t0, t1), othersShare(t1, t2), othersShare(t2, t3))
			rawHashes, rawCPU = rawHashes+rf.hashes, rawCPU+t1.self-t0.self
			ok, sent = ok+res.ok, sent+res.sent
			userCPU, genCPU = userCPU+t3.child-t2.child, genCPU+t3.self-t2.self
		}
		c.stop(b)
		perUser, perHash := userCPU/time.Duration(ok), rawCPU/time.Duration(rawHashes)
		user, floor, rawFloor := mean(userRates), mean(poolRates), mean(rawRates)
		b.Logf("all rounds: server %.1f users/s = %.1f%% of the pool's %.1f hashes/s, %.1f%% of argon2id's %.1f; others took %.0f%% of the CPU",
			user, 100*user/floor, floor, 100*user/rawFloor, rawFloor, 100*mean(otherShares))
		b.Logf("CPU per user: server %v = %.2f × an argon2id hash (%v); load generator %v",
			perUser.Round(time.Microsecond), float64(perUser)/float64(perHash), perHash.Round(time.Microsecond),
			(genCPU / time.Duration(sent)).Round(time.Microsecond))
		users, floors, raws = append(users, user), append(floors, floor), append(raws, rawFloor)
		others, cpuRatio = append(others, 100*mean(otherShares)), append(cpuRatio, float64(perUser)/float64(perHash))
	}
	b.ReportMetric(mean(users), "users/s")
	b.ReportMetric(mean(floors), "floor-hashes/s")
	b.ReportMetric(100*mean(users)/mean(floors), "pct-of-floor")
	b.ReportMetric(mean(raws), "argon2-hashes/s")
	b.ReportMetric(100*mean(users)/mean(raws), "pct-of-argon2")
	b.ReportMetric(mean(others), "others-cpu-pct")
	b.ReportMetric(mean(cpuRatio), "cpu-per-user/hash")
}

// BenchmarkIdleRSS starts the server, sends a few requests that do not hash
// (health, keys, reads of the Backend API), lets it idle and reads VmRSS:
// idle-MB is the figure with a target (< 40). It then creates one user and
// reads VmRSS again (after-hash-MB): one argon2id hash takes 46 MiB, which
// the Go runtime keeps for a while before it returns it to the system.
func BenchmarkIdleRSS(b *testing.B) {
	skipUnlessLinux(b)
	const settle = 1 * time.Second
	ctx := b.Context()
	client := newClient(1)
	var idle, afterHash []float64
	for i := range b.N {
		dir := b.TempDir()
		c := startChild(b, dir)
		sk := devKeys(b, dir)
		for range 3 {
			for _, path := range []string{"/healthz", "/readyz", "/.well-known/jwks.json"} {
				mustGet(b, ctx, client, c.url()+path, "")
			}
			for _, path := range []string{"/users", "/users/count", "/instance"} {
				mustGet(b, ctx, client, c.url()+"/api/v1"+path, sk)
			}
		}
		time.Sleep(settle)
		rss, _ := c.memory(b)
		idle = append(idle, float64(rss)/mb)

		l := load{url: c.url() + "/api/v1", secretKey: sk, clients: 1, count: 1, prefix: fmt.Sprintf("idle%d", i)}
		if res := l.run(ctx, client); res.ok != 1 {
			b.Fatalf("create user: %v (first error %v)", res, res.firstErr)
		}
		time.Sleep(settle)
		rss, _ = c.memory(b)
		afterHash = append(afterHash, float64(rss)/mb)
		c.stop(b)
	}
	b.ReportMetric(slices.Max(idle), "idle-MB")
	b.ReportMetric(slices.Max(afterHash), "after-hash-MB")
}

// mustGet sends GET url, with the secret key if sk is not empty, and fails
// unless the answer is 200.
func mustGet(b *testing.B, ctx context.Context, client *http.Client, url, sk string) {
	b.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	if sk != "" {
		req.Header.Set("Authorization", "Bearer "+sk)
	}
	status, err := do(client, req)
	if err != nil || status != http.StatusOK {
		b.Fatalf("GET %s: %d %v", url, status, err)
	}
}

// BenchmarkStartup measures exec to the first 200 from GET /readyz on a
// data directory that already holds an instance, keys and users. One op is
// one start; ms-median is the figure with a target (< 300). server-ms is
// what the server logs as its own start-up (config to listening), without
// the exec and the first request.
func BenchmarkStartup(b *testing.B) {
	skipUnlessLinux(b)
	ctx := b.Context()
	dir := b.TempDir()
	c := startChild(b, dir) // creates the database, keys and dev-keys.json
	l := load{url: c.url() + "/api/v1", secretKey: devKeys(b, dir), clients: 4, count: 200, prefix: "startup", noPassword: true}
	if res := l.run(ctx, newClient(l.clients)); res.ok != l.count {
		b.Fatalf("populate: %v (first error %v)", res, res.firstErr)
	}
	c.stop(b)

	client := newClient(1)
	var ready, server []time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		c := startChild(b, dir)
		for {
			status, err := get(ctx, client, c.url()+"/readyz")
			if err == nil && status == http.StatusOK {
				break
			}
			if time.Since(t0) > 20*time.Second {
				b.Fatalf("not ready after 20s: %d %v\n%s", status, err, c.log.tail())
			}
			time.Sleep(time.Millisecond)
		}
		ready = append(ready, time.Since(t0))
		b.StopTimer()
		server = append(server, time.Duration(c.startupMS()*float64(time.Millisecond)))
		client.CloseIdleConnections()
		c.stop(b)
		b.StartTimer()
	}
	b.ReportMetric(ms(median(ready)), "ms-median")
	b.ReportMetric(ms(slices.Max(ready)), "ms-max")
	b.ReportMetric(ms(median(server)), "server-ms")
}

// BenchmarkPeakRSS sends 200 user creations at once, each on its own
// connection, and reads the server's VmHWM. Without the pool it would need
// 200 × 46 MiB; with it, about workers × 46 MiB plus the Go heap's headroom.
func BenchmarkPeakRSS(b *testing.B) {
	skipUnlessLinux(b)
	ctx := b.Context()
	var peaks []float64
	for i := range b.N {
		dir := b.TempDir()
		c := startChild(b, dir)
		before, _ := c.memory(b)
		l := load{url: c.url() + "/api/v1", secretKey: devKeys(b, dir), clients: burst, count: burst, prefix: fmt.Sprintf("peak%d", i)}
		res := l.run(ctx, newClient(l.clients))
		rss, hwm := c.memory(b)
		c.stop(b)
		if res.errs > 0 {
			b.Fatalf("burst: %v (first error %v)\n%s", res, res.firstErr, c.log.tail())
		}
		workers := runtime.NumCPU()
		b.Logf("%d at once: %v; VmRSS %.1f MB before, %.1f MB after; VmHWM %.1f MB; %d workers × 46 MiB = %.1f MB; unbounded would be %d × 46 MiB = %.0f MB",
			burst, res, float64(before)/mb, float64(rss)/mb, float64(hwm)/mb, workers,
			float64(workers)*float64(defaultParams().MemoryKiB)*1024/mb, burst, burst*float64(defaultParams().MemoryKiB)*1024/mb)
		peaks = append(peaks, float64(hwm)/mb)
	}
	b.ReportMetric(slices.Max(peaks), "peak-MB")
}

func mean(v []float64) float64 {
	var sum float64
	for _, x := range v {
		sum += x
	}
	return sum / float64(len(v))
}

func median(v []time.Duration) time.Duration {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
