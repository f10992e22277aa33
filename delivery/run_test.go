package delivery_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/delivery"
	"github.com/latchkeyhq/latchkey/netguard"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// waitFor polls cond for up to 20 s: a bound on a test that would hang,
// not a speed assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestRunSignalledByCommit: Run sends an event as soon as the transaction
// that queued it commits, without waiting for its poll (set to an hour
// here), and when stopped lets the request in flight finish and records it.
func TestRunSignalledByCommit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newFixture(t, s, loopback)
		release := make(chan struct{})
		var got atomic.Int32
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if got.Add(1) == 2 {
				<-release // the second request is in flight when Run is stopped
			}
			w.WriteHeader(http.StatusOK)
		}))
		t.Cleanup(slow.Close)
		ep := f.endpoint(slow.URL)
		d := delivery.New(delivery.Config{Store: s, Box: f.box, Client: netguard.NewClient(loopback, nil),
			InstanceID: func() string { return "ins_test" }, Now: f.clock.Now, PollInterval: time.Hour})
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		time.Sleep(50 * time.Millisecond) // let Run reach its wait (its first claim finds nothing)

		f.event(latchkey.EventUserCreated, "user_1")
		waitFor(t, "the first delivery", func() bool { return got.Load() == 1 })
		f.event(latchkey.EventUserCreated, "user_2")
		waitFor(t, "the second request", func() bool { return got.Load() == 2 })
		stop()
		select {
		case <-done:
			t.Fatal("Run returned with a request in flight")
		case <-time.After(50 * time.Millisecond):
		}
		close(release)
		<-done
		as := f.attempts(ep.ID)
		if len(as) != 2 || !as[0].Succeeded || !as[1].Succeeded {
			t.Fatalf("attempts after stop = %+v, want both recorded as succeeded", as)
		}
	})
}

// TestSilentEndpointLeavesWorkersToOthers: an endpoint that never answers
// holds at most its share of the workers (all but an eighth), so another
// endpoint's events keep flowing.
func TestSilentEndpointLeavesWorkersToOthers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newFixture(t, s, loopback)
		hang := make(chan struct{})
		silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		}))
		t.Cleanup(silent.Close)
		var healthy atomic.Int32
		ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { healthy.Add(1) }))
		t.Cleanup(ok.Close)
		f.endpoint(silent.URL)
		f.endpoint(ok.URL)
		d := delivery.New(delivery.Config{Store: s, Box: f.box, Client: netguard.NewClient(loopback, nil),
			InstanceID: func() string { return "ins_test" }, Now: f.clock.Now, Workers: 4, PollInterval: 10 * time.Millisecond})
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		defer func() { stop(); close(hang); <-done }()
		for range 20 {
			f.event(latchkey.EventUserCreated, "user_1")
		}
		waitFor(t, "the healthy endpoint's 20 deliveries", func() bool { return healthy.Load() == 20 })
	})
}
