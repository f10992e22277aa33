package delivery

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Defaults of Config.
const (
	DefaultWorkers      = 32
	DefaultPollInterval = time.Second
	claimBatch          = 128
	recordBatch         = 256
	recordEvery         = 20 * time.Millisecond
)

// Config holds a Dispatcher's dependencies and knobs.
type Config struct {
	Store *sqlstore.Store
	Box   *seal.Box // opens the endpoints' secrets and headers
	// Client makes the requests: netguard.NewClient, so the SSRF guard
	// applies at dial time and redirects are not followed.
	Client     *http.Client
	InstanceID func() string
	// Notify is told about endpoints disabled for failing (the operators'
	// email); nil to only log them.
	Notify func(ctx context.Context, disabled []sqlstore.DisabledEndpoint)
	Log    *slog.Logger
	// Now is the clock stamped on attempts and used for the schedule; the
	// store has its own (sqlstore.Store.SetClock). Tests set both.
	Now func() time.Time
	// Workers is how many requests may be in flight at once.
	Workers int
	// PollInterval is how often to look for due deliveries when no commit
	// of this process signalled any: retries, and deliveries queued by
	// other processes.
	PollInterval time.Duration
}

// Dispatcher delivers queued webhooks. Run it once per process; several
// processes on one PostgreSQL share the work.
type Dispatcher struct {
	store      *sqlstore.Store
	box        *seal.Box
	client     *http.Client
	instanceID func() string
	notify     func(context.Context, []sqlstore.DisabledEndpoint)
	log        *slog.Logger
	now        func() time.Time
	workers    int
	poll       time.Duration
	flight     flight // requests in flight
	metrics    *metrics
}

// New returns a Dispatcher.
func New(c Config) *Dispatcher {
	d := &Dispatcher{store: c.Store, box: c.Box, client: c.Client, instanceID: c.InstanceID, notify: c.Notify,
		log: c.Log, now: c.Now, workers: c.Workers, poll: c.PollInterval, metrics: newMetrics()}
	if d.now == nil {
		d.now = time.Now
	}
	if d.workers <= 0 {
		d.workers = DefaultWorkers
	}
	if d.poll <= 0 {
		d.poll = DefaultPollInterval
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d
}

// Run delivers until ctx ends: it claims due deliveries as workers free up,
// sends them concurrently, and records the results in batches. When ctx
// ends it stops claiming, lets the requests in flight finish (each is
// bounded by the client's timeout) and records them.
func (d *Dispatcher) Run(ctx context.Context) {
	results := make(chan sqlstore.WebhookResult, d.workers)
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		d.record(results)
	}()
	freed := make(chan struct{}, 1) // a worker finished
	var inflight sync.WaitGroup
	sendCtx := context.WithoutCancel(ctx)
	poll := time.NewTicker(d.poll)
	defer poll.Stop()
	for ctx.Err() == nil {
		free := d.workers - d.flight.total()
		if free > 0 {
			limit := min(free, claimBatch)
			ds, err := d.store.ClaimWebhookDeliveries(ctx, d.box, limit, Lease, d.flight.budget(d.endpointCap()))
			if err != nil && ctx.Err() == nil {
				d.log.Warn("claim webhook deliveries", "err", err)
			}
			for _, dl := range ds {
				d.flight.start(dl.Endpoint.ID)
				inflight.Add(1)
				go func() {
					defer inflight.Done()
					results <- d.deliver(sendCtx, dl)
					d.flight.done(dl.Endpoint.ID)
					select {
					case freed <- struct{}{}:
					default:
					}
				}()
			}
			if len(ds) == limit {
				continue // there may be more due right now
			}
		}
		// Wake for a commit of this process, the poll, or a request that
		// finished while any were in flight: it frees a worker and its
		// endpoint's budget (an endpoint at its cap leaves due deliveries
		// unclaimed until then).
		var workerFreed <-chan struct{}
		if d.flight.total() > 0 {
			workerFreed = freed
		}
		select {
		case <-ctx.Done():
		case <-d.store.DeliveriesQueued():
		case <-poll.C:
		case <-workerFreed:
		}
	}
	inflight.Wait()
	close(results)
	<-recorded
}

// endpointCap is how many requests one endpoint may have in flight: all
// workers but an eighth (at least one), which a slow or silent endpoint
// leaves to the others. A larger reserve costs a single busy endpoint
// throughput (bench/RESULTS.md).
func (d *Dispatcher) endpointCap() int { return max(1, d.workers-max(1, d.workers/8)) }

// flight counts the requests in flight, in all and by endpoint.
type flight struct {
	mu         sync.Mutex
	byEndpoint map[string]int
	all        atomic.Int64
}

func (f *flight) start(endpointID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byEndpoint == nil {
		f.byEndpoint = map[string]int{}
	}
	f.byEndpoint[endpointID]++
	f.all.Add(1)
}

func (f *flight) done(endpointID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byEndpoint[endpointID]--; f.byEndpoint[endpointID] <= 0 {
		delete(f.byEndpoint, endpointID)
	}
	f.all.Add(-1)
}

func (f *flight) total() int { return int(f.all.Load()) }

// budget is what a claim may take of each endpoint: endpointCap, less the
// requests an endpoint has in flight.
func (f *flight) budget(endpointCap int) sqlstore.ClaimBudget {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := sqlstore.ClaimBudget{Default: endpointCap, PerEndpoint: make(map[string]int, len(f.byEndpoint))}
	for id, n := range f.byEndpoint {
		b.PerEndpoint[id] = max(endpointCap-n, 0)
	}
	return b
}

// record writes results in batches, as they come, until results closes.
func (d *Dispatcher) record(results <-chan sqlstore.WebhookResult) {
	var batch []sqlstore.WebhookResult
	tick := time.NewTicker(recordEvery)
	defer tick.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		d.save(context.Background(), batch) // logged there; resent after the lease
		batch = batch[:0]
	}
	for {
		select {
		case r, ok := <-results:
			if !ok {
				flush()
				return
			}
			batch = append(batch, r)
			if len(batch) >= recordBatch {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// save records a batch of results and tells the operators about endpoints
// it disabled. A batch that cannot be recorded is logged: its deliveries
// are sent again when their lease ends (at least once).
func (d *Dispatcher) save(ctx context.Context, batch []sqlstore.WebhookResult) error {
	disabled, err := d.store.RecordWebhookAttempts(ctx, batch, Health)
	if err != nil {
		d.log.Error("record webhook attempts", "attempts", len(batch), "err", err)
		return err
	}
	d.metrics.disabled.Add(float64(len(disabled)))
	for _, e := range disabled {
		d.log.Warn("webhook endpoint disabled after failing for 5 days", "endpoint_id", e.ID,
			"failing_since", e.FailingSince, "last_error", e.LastError)
	}
	if len(disabled) > 0 && d.notify != nil {
		d.notify(ctx, disabled)
	}
	return nil
}

// deliver makes one attempt of a claimed delivery and returns its result.
func (d *Dispatcher) deliver(ctx context.Context, dl *sqlstore.Delivery) sqlstore.WebhookResult {
	body, err := Body(dl.Event, d.instanceID())
	var a *latchkey.WebhookAttempt
	if err != nil {
		a = &latchkey.WebhookAttempt{EndpointID: dl.Endpoint.ID, EventID: dl.Event.ID, EventType: dl.Event.Type,
			Attempt: dl.Attempt, CreatedAt: d.now(), Error: "cannot encode the event: " + err.Error()}
	} else {
		a = d.send(ctx, dl.Endpoint, dl.Event.ID, dl.Event.Type, body, dl.Attempt)
	}
	r := sqlstore.WebhookResult{Attempt: a, ClaimToken: dl.ClaimToken}
	if !a.Succeeded {
		r.NextAttemptAt = NextAttempt(a.Attempt, a.CreatedAt)
	}
	return r
}

// RunOnce claims every delivery due now (up to the worker count), sends
// them, records the results, and returns how many it sent. Tests drive the
// schedule with it and an injected clock.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	ds, err := d.store.ClaimWebhookDeliveries(ctx, d.box, d.workers, Lease, sqlstore.ClaimBudget{Default: d.endpointCap()})
	if err != nil {
		return 0, err
	}
	results := make([]sqlstore.WebhookResult, len(ds))
	var wg sync.WaitGroup
	for i, dl := range ds {
		wg.Go(func() { results[i] = d.deliver(ctx, dl) })
	}
	wg.Wait()
	if len(results) > 0 {
		if err := d.save(ctx, results); err != nil {
			return 0, err
		}
	}
	return len(ds), nil
}

// testEventData is the data of a webhook.test event.
type testEventData struct {
	Object     string `json:"object"`
	EndpointID string `json:"endpoint_id"`
	Message    string `json:"message"`
}

// SendTest sends ep a webhook.test event now, whether it is enabled or
// not, records the attempt (marked as a test, outside any delivery and
// without touching the endpoint's failure streak) and returns it.
func (d *Dispatcher) SendTest(ctx context.Context, ep *latchkey.WebhookEndpoint) (*latchkey.WebhookAttempt, error) {
	data, err := json.Marshal(testEventData{Object: "webhook_test", EndpointID: ep.ID,
		Message: "A test event sent from Latchkey. Endpoints receive it only when asked for."})
	if err != nil {
		return nil, err
	}
	ev := &latchkey.Event{ID: latchkey.NewID(latchkey.PrefixEvent), Type: latchkey.EventWebhookTest, ObjectID: ep.ID,
		Sequence: 1, Data: data, CreatedAt: d.now()}
	body, err := Body(ev, d.instanceID())
	if err != nil {
		return nil, err
	}
	a := d.send(ctx, ep, ev.ID, ev.Type, body, 1)
	a.Test = true
	if err := d.store.AddWebhookAttempt(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}
