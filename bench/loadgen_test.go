package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchPassword is long enough for the default rules and is the same for
// every user: each hash gets its own salt, so the cost is the same.
const benchPassword = "correct horse battery staple"

// load is a closed-loop generator of POST /users: clients goroutines each
// send one request, wait for the answer, and send the next.
type load struct {
	url       string // Backend API base URL, http://127.0.0.1:port/api/v1
	secretKey string
	clients   int
	// count stops after this many requests in all (0: no limit).
	count int
	// warmup is the time after the start whose completions are not counted;
	// window is the measured time after it. With window 0 the run ends only
	// when count requests are done.
	warmup, window time.Duration
	// prefix makes the email addresses of this run unique in the database.
	prefix string
	// noPassword creates users without a password (no hashing), to fill a
	// database quickly.
	noPassword bool
}

type loadResult struct {
	sent, ok int         // requests sent; 2xx answers
	statuses map[int]int // answers other than 2xx, by status
	errs     int         // requests without an answer
	firstErr error
	// inWindow counts 2xx answers that arrived inside the measured window.
	inWindow  int
	window    time.Duration
	elapsed   time.Duration   // first request to last answer
	latencies []time.Duration // of the 2xx answers, sorted
}

// rate is the 2xx answers per second: inside the window when there is one,
// otherwise over the whole run.
func (r loadResult) rate() float64 {
	if r.window > 0 {
		return float64(r.inWindow) / r.window.Seconds()
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

// quantile returns the q-quantile (0..1) of the 2xx latencies.
func (r loadResult) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(q*float64(len(r.latencies))))]
}

func (r loadResult) String() string {
	return fmt.Sprintf("sent=%d ok=%d other=%v errors=%d p50=%v p99=%v max=%v",
		r.sent, r.ok, r.statuses, r.errs, r.quantile(0.5).Round(time.Millisecond),
		r.quantile(0.99).Round(time.Millisecond), r.quantile(1).Round(time.Millisecond))
}

// newClient returns a client keeping one idle connection per load client,
// so the run measures requests rather than TCP handshakes.
func newClient(clients int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = clients
	t.MaxIdleConnsPerHost = clients
	t.Proxy = nil // loopback only, whatever the environment says
	return &http.Client{Transport: t, Timeout: 2 * time.Minute}
}

// run sends the load and waits for every answer.
func (l load) run(ctx context.Context, client *http.Client) loadResult {
	if l.count == 0 && l.window == 0 {
		panic("load: set count or window")
	}
	res := loadResult{statuses: map[int]int{}, window: l.window}
	var (
		mu          sync.Mutex
		wg          sync.WaitGroup
		next        atomic.Int64
		start       = time.Now()
		windowStart = start.Add(l.warmup)
		windowEnd   = windowStart.Add(l.window)
	)
	for range l.clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				n := next.Add(1)
				if l.count > 0 && n > int64(l.count) {
					return
				}
				if l.window > 0 && !time.Now().Before(windowEnd) {
					return
				}
				t0 := time.Now()
				status, err := l.createUser(ctx, client, n)
				t1 := time.Now()
				mu.Lock()
				res.sent++
				switch {
				case err != nil:
					res.errs++
					if res.firstErr == nil {
						res.firstErr = err
					}
				case status/100 == 2:
					res.ok++
					res.latencies = append(res.latencies, t1.Sub(t0))
					if l.window > 0 && !t1.Before(windowStart) && t1.Before(windowEnd) {
						res.inWindow++
					}
				default:
					res.statuses[status]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.latencies)
	return res
}

// createUser sends the n-th POST /users of the run.
func (l load) createUser(ctx context.Context, client *http.Client, n int64) (int, error) {
	fields := map[string]any{"email_address": []string{fmt.Sprintf("%s-%d@bench.example.com", l.prefix, n)}}
	if l.noPassword {
		fields["skip_password_requirement"] = true
	} else {
		fields["password"] = benchPassword
	}
	body, err := json.Marshal(fields)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.url+"/users", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+l.secretKey)
	req.Header.Set("Content-Type", "application/json")
	return do(client, req)
}

// TestLoad runs the generator against a stand-in server for a handful of
// requests, so the benchmark code keeps compiling and doing what it says.
func TestLoad(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		emails = map[string]bool{}
		calls  atomic.Int64
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Email    []string `json:"email_address"`
			Password string   `json:"password"`
		}
		switch {
		case r.Method != http.MethodPost || r.URL.Path != "/api/v1/users":
			http.Error(w, "wrong route", http.StatusNotFound)
		case r.Header.Get("Authorization") != "Bearer sk_test_x" || r.Header.Get("Content-Type") != "application/json":
			http.Error(w, "bad headers", http.StatusUnauthorized)
		case json.NewDecoder(r.Body).Decode(&body) != nil || len(body.Email) != 1 || body.Password != benchPassword:
			http.Error(w, "bad body", http.StatusBadRequest)
		case calls.Add(1)%3 == 0:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		default:
			mu.Lock()
			dup := emails[body.Email[0]]
			emails[body.Email[0]] = true
			mu.Unlock()
			if dup {
				http.Error(w, "taken", http.StatusConflict)
				return
			}
			w.Write([]byte(`{"object":"user"}`))
		}
	}))
	defer srv.Close()

	l := load{url: srv.URL + "/api/v1", secretKey: "sk_test_x", clients: 3, count: 9, prefix: "sanity"}
	res := l.run(t.Context(), newClient(l.clients))
	if res.sent != 9 || res.ok != 6 || res.statuses[http.StatusServiceUnavailable] != 3 || len(res.statuses) != 1 || res.errs != 0 {
		t.Fatalf("got %v (first error %v), want 9 sent, 6 ok, 3 busy", res, res.firstErr)
	}
	if len(res.latencies) != res.ok || !slices.IsSorted(res.latencies) {
		t.Errorf("latencies %v: want %d sorted", res.latencies, res.ok)
	}
	if got := res.rate(); got <= 0 {
		t.Errorf("rate = %v, want > 0", got)
	}

	// A windowed run stops by itself and counts only what lands inside.
	l = load{url: srv.URL + "/api/v1", secretKey: "sk_test_x", clients: 2, window: 50 * time.Millisecond, prefix: "window"}
	res = l.run(t.Context(), newClient(l.clients))
	if res.ok == 0 || res.inWindow > res.ok || res.errs != 0 {
		t.Fatalf("windowed run: %v, in window %d (first error %v)", res, res.inWindow, res.firstErr)
	}
}

func TestParseStatusMemory(t *testing.T) {
	t.Parallel()
	status := "Name:\tlatchkey\nVmPeak:\t 1300000 kB\nVmHWM:\t   66120 kB\nVmRSS:\t   20480 kB\nThreads:\t7\n"
	rss, hwm, err := parseStatusMemory([]byte(status))
	if err != nil || rss != 20480<<10 || hwm != 66120<<10 {
		t.Fatalf("parseStatusMemory = %d, %d, %v; want %d, %d", rss, hwm, err, 20480<<10, 66120<<10)
	}
	if _, _, err := parseStatusMemory([]byte("Name:\tx\n")); err == nil {
		t.Error("want an error without VmRSS")
	}
}

func TestReadyLine(t *testing.T) {
	t.Parallel()
	line := `time=2026-11-25T21:44:28.939Z level=INFO msg="latchkey ready" mode=dev addr=127.0.0.1:18099 version=dev database=sqlite startup_ms=10`
	m := readyRE.FindStringSubmatch(line)
	if m == nil || m[1] != "127.0.0.1:18099" {
		t.Fatalf("readyRE on %q = %v", line, m)
	}
	if got := (&child{readyLine: line}).startupMS(); got != 10 {
		t.Errorf("startupMS = %v, want 10", got)
	}
}
