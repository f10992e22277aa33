package delivery_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/delivery"
	"github.com/latchkeyhq/latchkey/netguard"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/webhook"
)

// clock is an injectable clock shared by the store and the dispatcher, so
// the retry schedule and auto-disable are tested without sleeping.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// request is one request a receiver got.
type request struct {
	Header http.Header
	Body   []byte
}

// receiver is a loopback webhook receiver whose answer the test sets.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	got    []request
}

func newReceiver(t *testing.T, status int) *receiver {
	r := &receiver{status: status}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, request{Header: req.Header.Clone(), Body: body})
		status := r.status
		r.mu.Unlock()
		if status >= 300 && status < 400 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
		io.WriteString(w, `{"received":true}`)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) setStatus(s int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = s
}

func (r *receiver) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.got...)
}

// fixture is a store with a dispatcher on one clock.
type fixture struct {
	t        *testing.T
	store    *sqlstore.Store
	box      *seal.Box
	clock    *clock
	d        *delivery.Dispatcher
	mu       sync.Mutex
	disabled []sqlstore.DisabledEndpoint
}

func newFixture(t *testing.T, s *sqlstore.Store, opts netguard.Options) *fixture {
	t.Helper()
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	box, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, store: s, box: box, clock: newClock()}
	s.SetClock(f.clock.Now)
	f.d = delivery.New(delivery.Config{
		Store: s, Box: box, Client: netguard.NewClient(opts, nil), InstanceID: func() string { return "ins_test" },
		Now: f.clock.Now, Workers: 8,
		Notify: func(_ context.Context, d []sqlstore.DisabledEndpoint) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.disabled = append(f.disabled, d...)
		},
	})
	return f
}

// loopback allows the test receivers.
var loopback = netguard.Options{AllowLoopback: true, AllowHTTP: true}

func (f *fixture) endpoint(url string, types ...string) *latchkey.WebhookEndpoint {
	f.t.Helper()
	e := &latchkey.WebhookEndpoint{URL: url, EventTypes: types, Enabled: true,
		Headers: map[string]string{"Authorization": "Bearer receiver-token"},
		Secrets: []latchkey.WebhookSecret{{Secret: webhook.NewSecret()}}}
	if err := f.store.CreateWebhookEndpoint(f.t.Context(), f.box, e); err != nil {
		f.t.Fatalf("create endpoint: %v", err)
	}
	return e
}

// event commits one event of type typ about objectID.
func (f *fixture) event(typ, objectID string) *latchkey.Event {
	f.t.Helper()
	e := &latchkey.Event{Type: typ, ObjectID: objectID, Data: json.RawMessage(`{"object":"user","id":"` + objectID + `"}`)}
	if err := f.store.InTx(f.t.Context(), func(tx *sqlstore.Tx) error { return tx.AddEvent(f.t.Context(), e) }); err != nil {
		f.t.Fatalf("add event: %v", err)
	}
	return e
}

// run runs one dispatcher pass and returns how many it sent.
func (f *fixture) run() int {
	f.t.Helper()
	n, err := f.d.RunOnce(f.t.Context())
	if err != nil {
		f.t.Fatalf("RunOnce: %v", err)
	}
	return n
}

func (f *fixture) attempts(endpointID string) []*latchkey.WebhookAttempt {
	f.t.Helper()
	as, _, err := f.store.WebhookAttempts(f.t.Context(), sqlstore.AttemptFilter{EndpointID: endpointID, Limit: 1000})
	if err != nil {
		f.t.Fatalf("attempts: %v", err)
	}
	// Oldest first reads better in tests.
	for i, j := 0, len(as)-1; i < j; i, j = i+1, j-1 {
		as[i], as[j] = as[j], as[i]
	}
	return as
}
