// Package webhooks measures webhook delivery and the event feed (issue 6):
//
//   - BenchmarkDeliveryThroughput: deliveries per second from commit to a
//     loopback receiver that answers at once, with SQLite: a dispatcher
//     (delivery.New, default workers) runs in this process on a fresh store
//     while events are committed in batches.
//   - BenchmarkDeliveryLatency: commit to first attempt, p50 and p99, with
//     events committed one per transaction at a steady moderate rate.
//   - BenchmarkFeed: events per second one reader pages out of
//     GET /api/v1/events?limit=500 of a real `latchkey dev` child on 127.0.0.1,
//     with 100,000 events written beforehand.
//
// Run with
//
//	go test -run '^$' -bench . -benchtime 1x ./bench/webhooks/
//
// Figures are reported, never asserted; bench/RESULTS.md records them.
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/delivery"
	"github.com/latchkeyhq/latchkey/netguard"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/webhook"
)

const (
	throughputEvents = 20_000
	throughputBatch  = 100 // events per committed transaction
	latencyRate      = 200 // events per second
	latencyFor       = 10 * time.Second
	slowEvents       = 2_000
	slowDelay        = 100 * time.Millisecond
	feedEvents       = 100_000
	feedPage         = 500
	drainTimeout     = 2 * time.Minute
)

// receiver answers 204 at once and keeps when each webhook-id first arrived.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	first map[string]time.Time
	total int
	all   chan struct{} // closed when want distinct ids have arrived
	want  int
	conns atomic.Int64 // TCP connections accepted
}

// newReceiver starts a receiver that answers after delay.
func newReceiver(b *testing.B, want int, delay time.Duration) *receiver {
	r := &receiver{first: make(map[string]time.Time, want), all: make(chan struct{}), want: want}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		now := time.Now()
		id := req.Header.Get("webhook-id")
		r.mu.Lock()
		r.total++
		if _, ok := r.first[id]; !ok {
			r.first[id] = now
			if len(r.first) == r.want {
				close(r.all)
			}
		}
		r.mu.Unlock()
		if delay > 0 {
			time.Sleep(delay)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	r.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			r.conns.Add(1)
		}
	}
	r.Start()
	b.Cleanup(r.Close)
	return r
}

func (r *receiver) counts() (distinct, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.first), r.total
}

// rig is a fresh SQLite store with one endpoint (all event types) pointing
// at a receiver, and a running dispatcher.
type rig struct {
	store *sqlstore.Store
	rcv   *receiver
	stop  func()
}

func newRig(b *testing.B, want int, delay time.Duration) *rig {
	b.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "latchkey.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	if _, err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	box, err := seal.New(key)
	if err != nil {
		b.Fatal(err)
	}
	rcv := newReceiver(b, want, delay)
	ep := &latchkey.WebhookEndpoint{URL: rcv.URL + "/hooks", Enabled: true,
		Secrets: []latchkey.WebhookSecret{{Secret: webhook.NewSecret()}}}
	if err := store.CreateWebhookEndpoint(ctx, box, ep); err != nil {
		b.Fatal(err)
	}
	d := delivery.New(delivery.Config{
		Store: store, Box: box, InstanceID: func() string { return "ins_bench" },
		Client: netguard.NewClient(netguard.Options{AllowLoopback: true, AllowHTTP: true}, nil),
	})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(runCtx)
	}()
	stop := sync.OnceFunc(func() { cancel(); <-done })
	b.Cleanup(stop)
	return &rig{store: store, rcv: rcv, stop: stop}
}

// commit writes n events in one transaction and returns their IDs.
func (r *rig) commit(ctx context.Context, n int) ([]string, error) {
	evs := make([]*latchkey.Event, n)
	err := r.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		for i := range evs {
			id := latchkey.NewID(latchkey.PrefixUser)
			evs[i] = &latchkey.Event{Type: latchkey.EventUserCreated, ObjectID: id,
				Data: json.RawMessage(`{"object":"user","id":"` + id + `"}`)}
			if err := tx.AddEvent(ctx, evs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	ids := make([]string, n)
	for i, e := range evs {
		ids[i] = e.ID
	}
	return ids, err
}

// waitAll waits, bounded, for every event to arrive.
func (r *rig) waitAll(b *testing.B) {
	b.Helper()
	select {
	case <-r.rcv.all:
	case <-time.After(drainTimeout):
		d, t := r.rcv.counts()
		b.Fatalf("only %d of %d events delivered (%d requests) within %v", d, r.rcv.want, t, drainTimeout)
	}
}

// BenchmarkDeliveryThroughput commits throughputEvents events, in
// transactions of throughputBatch, while the dispatcher delivers them, and
// reports deliveries per second from the first commit to the last arrival.
func BenchmarkDeliveryThroughput(b *testing.B) {
	ctx := context.Background()
	var rates, commitRates []float64
	var conns int64
	for range b.N {
		r := newRig(b, throughputEvents, 0)
		start := time.Now()
		for i := 0; i < throughputEvents; i += throughputBatch {
			if _, err := r.commit(ctx, throughputBatch); err != nil {
				b.Fatal(err)
			}
		}
		committed := time.Since(start)
		r.waitAll(b)
		elapsed := time.Since(start)
		r.stop()
		_, total := r.rcv.counts()
		b.Logf("%d events committed in %v (%.0f/s), all delivered in %v: %.0f deliveries/s, %d requests over %d connections",
			throughputEvents, committed.Round(time.Millisecond), throughputEvents/committed.Seconds(),
			elapsed.Round(time.Millisecond), throughputEvents/elapsed.Seconds(), total, r.rcv.conns.Load())
		rates = append(rates, throughputEvents/elapsed.Seconds())
		commitRates = append(commitRates, throughputEvents/committed.Seconds())
		conns = r.rcv.conns.Load() // the last run's
	}
	b.ReportMetric(mean(rates), "deliveries/s")
	b.ReportMetric(mean(commitRates), "commits-events/s")
	b.ReportMetric(float64(delivery.DefaultWorkers), "workers")
	b.ReportMetric(float64(conns)/throughputEvents, "conns/delivery")
}

// BenchmarkDeliverySlowReceiver commits slowEvents events in one
// transaction for a receiver that takes slowDelay to answer, and reports
// deliveries per second against what the workers allow (Workers / delay).
func BenchmarkDeliverySlowReceiver(b *testing.B) {
	ctx := context.Background()
	var rates []float64
	for range b.N {
		r := newRig(b, slowEvents, slowDelay)
		start := time.Now()
		for i := 0; i < slowEvents; i += throughputBatch {
			if _, err := r.commit(ctx, throughputBatch); err != nil {
				b.Fatal(err)
			}
		}
		r.waitAll(b)
		elapsed := time.Since(start)
		r.stop()
		ceiling := float64(delivery.DefaultWorkers) / slowDelay.Seconds()
		b.Logf("%d events for a receiver answering in %v: delivered in %v, %.0f deliveries/s; the workers allow %.0f/s",
			slowEvents, slowDelay, elapsed.Round(time.Millisecond), slowEvents/elapsed.Seconds(), ceiling)
		rates = append(rates, slowEvents/elapsed.Seconds())
	}
	b.ReportMetric(mean(rates), "deliveries/s")
	b.ReportMetric(float64(delivery.DefaultWorkers)/slowDelay.Seconds(), "ceiling/s")
}

// BenchmarkDeliveryLatency commits one event per transaction, latencyRate
// a second for latencyFor, and reports the time from each commit's return
// to the event's first arrival at the receiver.
func BenchmarkDeliveryLatency(b *testing.B) {
	ctx := context.Background()
	n := int(latencyRate * latencyFor / time.Second)
	var p50s, p99s, maxes []float64
	for range b.N {
		r := newRig(b, n, 0)
		committed := make(map[string]time.Time, n)
		tick := time.NewTicker(time.Second / latencyRate)
		for range n {
			<-tick.C
			ids, err := r.commit(ctx, 1)
			if err != nil {
				b.Fatal(err)
			}
			committed[ids[0]] = time.Now()
		}
		tick.Stop()
		r.waitAll(b)
		r.stop()
		r.rcv.mu.Lock()
		lat := make([]time.Duration, 0, n)
		early := 0
		for id, c := range committed {
			d := r.rcv.first[id].Sub(c)
			if d < 0 { // arrived before InTx returned
				early++
				d = 0
			}
			lat = append(lat, d)
		}
		r.rcv.mu.Unlock()
		slices.Sort(lat)
		p50, p99, mx := lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
		b.Logf("%d events at %d/s: commit to first attempt p50 %v, p99 %v, max %v (%d arrived before the commit returned)",
			n, latencyRate, p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), mx.Round(10*time.Microsecond), early)
		p50s, p99s, maxes = append(p50s, ms(p50)), append(p99s, ms(p99)), append(maxes, ms(mx))
	}
	b.ReportMetric(mean(p50s), "p50-ms")
	b.ReportMetric(mean(p99s), "p99-ms")
	b.ReportMetric(mean(maxes), "max-ms")
}

// BenchmarkFeed writes feedEvents events into a fresh database, starts
// `latchkey dev` on it, and reports the events per second one reader gets
// paging through GET /api/v1/events with limit=feedPage.
func BenchmarkFeed(b *testing.B) {
	ctx := context.Background()
	bin := buildBinary(b)
	var rates []float64
	for range b.N {
		dataDir := b.TempDir()
		store, err := sqlstore.Open(ctx, filepath.Join(dataDir, "latchkey.db"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := store.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < feedEvents; i += 1000 {
			evs := make([]*latchkey.Event, 1000)
			err := store.InTx(ctx, func(tx *sqlstore.Tx) error {
				for j := range evs {
					id := latchkey.NewID(latchkey.PrefixUser)
					// About the size of a real user.created.
					evs[j] = &latchkey.Event{Type: latchkey.EventUserCreated, ObjectID: id, Data: json.RawMessage(fmt.Sprintf(
						`{"object":"user","id":%q,"first_name":"Ada","last_name":"Lovelace","email_addresses":[{"id":"idn_x","email_address":"ada-%d@example.com","verification":null}],"public_metadata":{},"created_at":1700000000000,"updated_at":1700000000000}`,
						id, i+j))}
					if err := tx.AddEvent(ctx, evs[j]); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		store.Close()
		base, sk := startDev(b, bin, dataDir)
		client := &http.Client{Timeout: 30 * time.Second}
		start := time.Now()
		got, pages, bytes := 0, 0, 0
		after := "0"
		for {
			req, _ := http.NewRequest("GET", base+"/api/v1/events?limit="+fmt.Sprint(feedPage)+"&after="+after, nil)
			req.Header.Set("Authorization", "Bearer "+sk)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			raw, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("events page after %s: %d %v %.200s", after, resp.StatusCode, err, raw)
			}
			var page struct {
				Data       []json.RawMessage `json:"data"`
				NextCursor string            `json:"next_cursor"`
				HasMore    bool              `json:"has_more"`
			}
			if err := json.Unmarshal(raw, &page); err != nil {
				b.Fatal(err)
			}
			got, pages, bytes, after = got+len(page.Data), pages+1, bytes+len(raw), page.NextCursor
			if !page.HasMore {
				break
			}
		}
		elapsed := time.Since(start)
		if got != feedEvents {
			b.Fatalf("read %d events, want %d", got, feedEvents)
		}
		b.Logf("read %d events in %d pages (%.1f MB) in %v: %.0f events/s, %.1f ms a page",
			got, pages, float64(bytes)/1e6, elapsed.Round(time.Millisecond), float64(got)/elapsed.Seconds(),
			ms(elapsed)/float64(pages))
		rates = append(rates, float64(got)/elapsed.Seconds())
	}
	b.ReportMetric(mean(rates), "events/s")
}

// buildBinary builds cmd/latchkey (without -race) into a temporary
// directory; LATCHKEY_BENCH_BINARY names a binary to measure instead.
func buildBinary(b *testing.B) string {
	b.Helper()
	if path := os.Getenv("LATCHKEY_BENCH_BINARY"); path != "" {
		return path
	}
	bin := filepath.Join(b.TempDir(), "latchkey")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/latchkeyhq/latchkey/cmd/latchkey").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startDev starts `latchkey dev` on dataDir and 127.0.0.1:0, waits until it
// is ready and returns its base URL and secret key. It is killed when the
// benchmark ends.
func startDev(b *testing.B, bin, dataDir string) (base, secretKey string) {
	b.Helper()
	cmd := exec.Command(bin, "dev", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "warn")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LATCHKEY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		raw, err := os.ReadFile(filepath.Join(dataDir, "dev-keys.json"))
		var k struct {
			SecretKey     string `json:"secret_key"`
			BackendAPIURL string `json:"backend_api_url"`
		}
		if err == nil && json.Unmarshal(raw, &k) == nil && k.BackendAPIURL != "" {
			base := strings.TrimSuffix(k.BackendAPIURL, "/api/v1")
			if res, err := http.Get(base + "/readyz"); err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					return base, k.SecretKey
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatal("latchkey did not become ready within 30s")
	return "", ""
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(max(len(v), 1))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
