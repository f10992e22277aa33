package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
	"github.com/latchkeyhq/latchkey/webhook"
)

// TestClaimWebhookDeliveriesShared: workers claiming at the same time (on
// PostgreSQL, two processes: two stores with their own pools on one
// database) never claim one delivery twice while its lease runs, and
// between them claim every one.
func TestClaimWebhookDeliveriesShared(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := storetest.URL(t, engine)
			var stores []*sqlstore.Store
			for range 2 {
				s, err := sqlstore.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if _, err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				stores = append(stores, s)
			}
			key := make([]byte, seal.KeySize)
			rand.Read(key)
			box, _ := seal.New(key)
			ep := &latchkey.WebhookEndpoint{URL: "https://hooks.example/x", Enabled: true,
				Secrets: []latchkey.WebhookSecret{{Secret: webhook.NewSecret()}}}
			if err := stores[0].CreateWebhookEndpoint(ctx, box, ep); err != nil {
				t.Fatal(err)
			}
			const events = 300
			for i := range events {
				e := &latchkey.Event{Type: latchkey.EventUserCreated, ObjectID: "user_" + string(rune('a'+i%26)), Data: json.RawMessage(`{}`)}
				if err := stores[i%2].InTx(ctx, func(tx *sqlstore.Tx) error { return tx.AddEvent(ctx, e) }); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			claimed := map[string]int{}
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Go(func() {
					s := stores[w%2]
					for {
						ds, err := s.ClaimWebhookDeliveries(ctx, box, 10, time.Minute, sqlstore.ClaimBudget{Default: 10})
						if err != nil {
							t.Error(err)
							return
						}
						if len(ds) == 0 {
							return
						}
						mu.Lock()
						for _, d := range ds {
							claimed[d.Event.ID]++
							if d.Endpoint.ID != ep.ID || d.Attempt != 1 {
								t.Errorf("claimed %+v", d)
							}
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(claimed) != events {
				t.Errorf("claimed %d distinct deliveries, want %d", len(claimed), events)
			}
			for id, n := range claimed {
				if n != 1 {
					t.Errorf("delivery of %s claimed %d times during its lease", id, n)
				}
			}
		})
	}
}

// TestClaimLeaseExpires: a claim that is never recorded (its worker died)
// is claimed again once the lease ends, as the same attempt.
func TestClaimLeaseExpires(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		key := make([]byte, seal.KeySize)
		rand.Read(key)
		box, _ := seal.New(key)
		ep := &latchkey.WebhookEndpoint{URL: "https://hooks.example/x", Enabled: true,
			Secrets: []latchkey.WebhookSecret{{Secret: webhook.NewSecret()}}}
		if err := s.CreateWebhookEndpoint(ctx, box, ep); err != nil {
			t.Fatal(err)
		}
		e := &latchkey.Event{Type: latchkey.EventUserCreated, ObjectID: "user_1", Data: json.RawMessage(`{}`)}
		if err := s.InTx(ctx, func(tx *sqlstore.Tx) error { return tx.AddEvent(ctx, e) }); err != nil {
			t.Fatal(err)
		}
		claim := func() int {
			ds, err := s.ClaimWebhookDeliveries(ctx, box, 10, time.Minute, sqlstore.ClaimBudget{Default: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if d.Attempt != 1 || d.Event.ID != e.ID {
					t.Errorf("claimed %+v", d)
				}
			}
			return len(ds)
		}
		if n := claim(); n != 1 {
			t.Fatalf("first claim got %d", n)
		}
		now = now.Add(59 * time.Second)
		if n := claim(); n != 0 {
			t.Fatalf("claimed %d again during the lease", n)
		}
		now = now.Add(time.Second)
		if n := claim(); n != 1 {
			t.Fatalf("claimed %d after the lease, want 1", n)
		}
	})
}

// deliveriesFixture is a store on a settable clock with one endpoint.
type deliveriesFixture struct {
	s   *sqlstore.Store
	box *seal.Box
	now time.Time
	ep  *latchkey.WebhookEndpoint
}

func newDeliveriesFixture(t *testing.T, s *sqlstore.Store) *deliveriesFixture {
	t.Helper()
	f := &deliveriesFixture{s: s, now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	s.SetClock(func() time.Time { return f.now })
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	f.box, _ = seal.New(key)
	f.ep = f.endpoint(t)
	return f
}

func (f *deliveriesFixture) endpoint(t *testing.T) *latchkey.WebhookEndpoint {
	t.Helper()
	ep := &latchkey.WebhookEndpoint{URL: "https://hooks.example/x", Enabled: true,
		Secrets: []latchkey.WebhookSecret{{Secret: webhook.NewSecret()}}}
	if err := f.s.CreateWebhookEndpoint(t.Context(), f.box, ep); err != nil {
		t.Fatal(err)
	}
	return ep
}

func (f *deliveriesFixture) event(t *testing.T) *latchkey.Event {
	t.Helper()
	e := &latchkey.Event{Type: latchkey.EventUserCreated, ObjectID: "user_1", Data: json.RawMessage(`{}`)}
	if err := f.s.InTx(t.Context(), func(tx *sqlstore.Tx) error { return tx.AddEvent(t.Context(), e) }); err != nil {
		t.Fatal(err)
	}
	return e
}

func (f *deliveriesFixture) claim(t *testing.T, b sqlstore.ClaimBudget) []*sqlstore.Delivery {
	t.Helper()
	ds, err := f.s.ClaimWebhookDeliveries(t.Context(), f.box, 100, time.Minute, b)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// fail records a failed attempt of d, giving up when next is zero.
func (f *deliveriesFixture) fail(t *testing.T, d *sqlstore.Delivery, next time.Time) []sqlstore.DisabledEndpoint {
	t.Helper()
	a := &latchkey.WebhookAttempt{EndpointID: d.Endpoint.ID, EventID: d.Event.ID, EventType: d.Event.Type,
		Attempt: d.Attempt, StatusCode: 503, Error: "HTTP 503", CreatedAt: f.now}
	dis, err := f.s.RecordWebhookAttempts(t.Context(), []sqlstore.WebhookResult{{Attempt: a, ClaimToken: d.ClaimToken, NextAttemptAt: next}},
		sqlstore.HealthPolicy{DisableAfter: 5 * 24 * time.Hour, StreakGap: 12 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return dis
}

// TestReplayDuringAttempt: a replay made while the delivery's attempt is in
// flight is neither lost (the attempt's result, even a final failure, does
// not overwrite it) nor sent alongside that attempt (it waits for it).
func TestReplayDuringAttempt(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newDeliveriesFixture(t, s)
		e := f.event(t)
		all := sqlstore.ClaimBudget{Default: 100}
		ds := f.claim(t, all)
		if len(ds) != 1 {
			t.Fatalf("claimed %d", len(ds))
		}
		if err := s.ReplayWebhookEvent(t.Context(), f.ep.ID, e.ID); err != nil {
			t.Fatal(err)
		}
		if again := f.claim(t, all); len(again) != 0 {
			t.Fatalf("the replay was claimed while its attempt was in flight")
		}
		f.fail(t, ds[0], time.Time{}) // the in-flight attempt fails for good
		c, _ := s.WebhookDeliveryCounts(t.Context(), f.ep.ID)
		if c["pending"] != 1 || c["failed"] != 0 {
			t.Fatalf("counts after the in-flight attempt = %v, want the replay pending", c)
		}
		again := f.claim(t, all)
		if len(again) != 1 || again[0].Attempt != 1 {
			t.Fatalf("after the attempt, the replay claims %d (attempt %v), want 1 at attempt 1", len(again), again)
		}
	})
}

// TestQuietPeriodStartsNewStreak: failures days apart with no traffic in
// between are not "failing for 5 days": the streak restarts after a gap.
func TestQuietPeriodStartsNewStreak(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newDeliveriesFixture(t, s)
		all := sqlstore.ClaimBudget{Default: 100}
		f.event(t)
		first := f.now
		d := f.claim(t, all)[0]
		f.fail(t, d, time.Time{})
		f.now = f.now.Add(7 * 24 * time.Hour) // a quiet week
		f.event(t)
		d = f.claim(t, all)[0]
		if dis := f.fail(t, d, f.now.Add(5*time.Second)); len(dis) != 0 {
			t.Fatalf("disabled after one failure following a quiet week")
		}
		ep, _ := s.WebhookEndpoint(t.Context(), f.box, f.ep.ID)
		if !ep.Enabled || !ep.FailingSince.Equal(f.now) || ep.FailingSince.Equal(first) {
			t.Errorf("endpoint enabled %v, failing since %v; want enabled, a new streak from %v", ep.Enabled, ep.FailingSince, f.now)
		}
	})
}

// TestClaimBudget: a claim takes at most the budget of each endpoint, so a
// backlog for one endpoint cannot fill every worker.
func TestClaimBudget(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newDeliveriesFixture(t, s)
		other := f.endpoint(t)
		for range 10 {
			f.event(t) // queued for both endpoints
		}
		ds := f.claim(t, sqlstore.ClaimBudget{Default: 3, PerEndpoint: map[string]int{f.ep.ID: 0}})
		n := map[string]int{}
		for _, d := range ds {
			n[d.Endpoint.ID]++
		}
		if n[f.ep.ID] != 0 || n[other.ID] != 3 {
			t.Fatalf("claimed %v, want none of the endpoint out of budget and 3 of the other", n)
		}
		ds = f.claim(t, sqlstore.ClaimBudget{Default: 4})
		n = map[string]int{}
		for _, d := range ds {
			n[d.Endpoint.ID]++
		}
		if n[f.ep.ID] != 4 || n[other.ID] != 4 {
			t.Fatalf("claimed %v, want 4 of each", n)
		}
	})
}

// TestDeletedEndpointPurge: deleting an endpoint leaves its history to the
// purge, which removes it in batches and then forgets the endpoint.
func TestDeletedEndpointPurge(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newDeliveriesFixture(t, s)
		keep := f.endpoint(t)
		for range 5 {
			f.event(t)
		}
		for _, d := range f.claim(t, sqlstore.ClaimBudget{Default: 100}) {
			f.fail(t, d, f.now.Add(time.Hour))
		}
		if err := s.DeleteWebhookEndpoint(t.Context(), f.ep.ID); err != nil {
			t.Fatal(err)
		}
		var total int64
		for range 10 {
			n, err := s.PurgeDeletedWebhookEndpoints(t.Context(), 2)
			if err != nil {
				t.Fatal(err)
			}
			total += n
			if n == 0 {
				break
			}
		}
		if total != 10 { // 5 deliveries and 5 attempts
			t.Errorf("purged %d rows, want 10", total)
		}
		if c, _ := s.WebhookDeliveryCounts(t.Context(), keep.ID); c["pending"] != 5 {
			t.Errorf("the other endpoint's deliveries = %v, want its 5 untouched", c)
		}
		if as, _, _ := s.WebhookAttempts(t.Context(), sqlstore.AttemptFilter{EndpointID: keep.ID, Limit: 100}); len(as) != 5 {
			t.Errorf("the other endpoint has %d attempts, want 5", len(as))
		}
	})
}

// TestDeleteWebhookHistoryBefore: the retention sweep deletes old attempts
// and old finished deliveries, a batch at a time, and never a pending
// delivery (that would lose an event) or anything recent.
func TestDeleteWebhookHistoryBefore(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newDeliveriesFixture(t, s)
		all := sqlstore.ClaimBudget{Default: 100}
		record := func(d *sqlstore.Delivery, ok bool, next time.Time) {
			a := &latchkey.WebhookAttempt{EndpointID: d.Endpoint.ID, EventID: d.Event.ID, EventType: d.Event.Type,
				Attempt: d.Attempt, StatusCode: 200, Succeeded: ok, CreatedAt: f.now}
			if _, err := s.RecordWebhookAttempts(t.Context(), []sqlstore.WebhookResult{{Attempt: a, ClaimToken: d.ClaimToken, NextAttemptAt: next}},
				sqlstore.HealthPolicy{DisableAfter: 5 * 24 * time.Hour, StreakGap: 12 * time.Hour}); err != nil {
				t.Fatal(err)
			}
		}
		// Old: two succeeded, one failed for good, one still pending (retry
		// far ahead).
		for range 4 {
			f.event(t)
		}
		old := f.claim(t, all)
		record(old[0], true, time.Time{})
		record(old[1], true, time.Time{})
		record(old[2], false, time.Time{})
		record(old[3], false, f.now.Add(1000*time.Hour))
		f.now = f.now.Add(40 * 24 * time.Hour)
		f.event(t) // recent
		record(f.claim(t, all)[0], true, time.Time{})

		cutoff := f.now.Add(-30 * 24 * time.Hour)
		var total int64
		for range 10 {
			n, err := s.DeleteWebhookHistoryBefore(t.Context(), cutoff, 2)
			if err != nil {
				t.Fatal(err)
			}
			if n > 4 {
				t.Fatalf("one call deleted %d rows, more than its limit of 2 of each", n)
			}
			total += n
			if n == 0 {
				break
			}
		}
		if total != 7 { // 4 old attempts, 3 old finished deliveries
			t.Errorf("deleted %d rows, want 7", total)
		}
		c, _ := s.WebhookDeliveryCounts(t.Context(), f.ep.ID)
		if c["pending"] != 1 || c["succeeded"] != 1 || c["failed"] != 0 {
			t.Errorf("deliveries left = %v, want the old pending one and the recent one", c)
		}
		if as, _, _ := s.WebhookAttempts(t.Context(), sqlstore.AttemptFilter{EndpointID: f.ep.ID, Limit: 100}); len(as) != 1 {
			t.Errorf("%d attempts left, want the recent one", len(as))
		}
	})
}
