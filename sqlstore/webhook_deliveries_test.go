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
						ds, err := s.ClaimWebhookDeliveries(ctx, box, 10, time.Minute)
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
			ds, err := s.ClaimWebhookDeliveries(ctx, box, 10, time.Minute)
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
