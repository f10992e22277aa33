package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
	"github.com/latchkeyhq/latchkey/webhook"
)

// postgresOnly skips a test of PostgreSQL's row locks on SQLite (one
// writer: no interleaving to test).
func postgresOnly(t *testing.T) *sqlstore.Store {
	t.Helper()
	if !contains(storetest.Engines(), "postgres") {
		t.Skipf("PostgreSQL only (%s is not set)", storetest.PostgresEnv)
	}
	return storetest.Open(t, "postgres")
}

// TestConcurrentSignInsOfOneUser: two sign-ins of one user at once each
// insert a session (its foreign key takes KEY SHARE on the user row) and
// then record the sign-in on the user (a row lock for user.updated). With
// FOR UPDATE there, each waits for the other's KEY SHARE: PostgreSQL kills
// one as a deadlock. Both must commit.
func TestConcurrentSignInsOfOneUser(t *testing.T) {
	t.Parallel()
	s := postgresOnly(t)
	ctx := context.Background()
	u := mustCreateUser(t, s, &latchkey.User{Identifiers: []*latchkey.Identifier{email("ada@example.com")}})
	var clients [2]*latchkey.Client
	for i := range clients {
		clients[i] = &latchkey.Client{TokenDigest: []byte{byte(i)}}
		if err := s.InTx(ctx, func(tx *sqlstore.Tx) error { return tx.CreateClient(ctx, clients[i]) }); err != nil {
			t.Fatal(err)
		}
	}
	var txs [2]*sqlstore.Tx
	for i := range txs {
		tx, err := s.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		sess := &latchkey.Session{ClientID: clients[i].ID, UserID: u.ID, Status: latchkey.SessionActive, ExpireAt: time.Now().Add(time.Hour)}
		if err := tx.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		txs[i] = tx
	}
	errs := make(chan error, 2)
	for _, tx := range txs {
		go func() {
			if err := tx.ResetFailedSignIns(ctx, u.ID); err != nil {
				errs <- err
				return
			}
			errs <- tx.Commit()
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("a sign-in failed: %v", err)
		}
	}
}

// TestEndpointChangesDoNotStallCommits: deleting or editing an endpoint
// does not hold up (or fail) a concurrent commit that writes an event,
// which holds the event cursor while it queues deliveries.
func TestEndpointChangesDoNotStallCommits(t *testing.T) {
	t.Parallel()
	s := postgresOnly(t)
	ctx := context.Background()
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	box, _ := seal.New(key)
	newEndpoint := func() *latchkey.WebhookEndpoint {
		e := &latchkey.WebhookEndpoint{URL: "https://hooks.example/x", Enabled: true,
			Secrets: []latchkey.WebhookSecret{{Secret: webhook.NewSecret()}}}
		if err := s.CreateWebhookEndpoint(ctx, box, e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	deleted, edited := newEndpoint(), newEndpoint()
	// Hold a delete and an edit open, as a long cascade or a slow request
	// would.
	del, err := s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer del.Rollback()
	if err := del.DeleteWebhookEndpointInTx(ctx, deleted.ID); err != nil {
		t.Fatal(err)
	}
	edit, err := s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer edit.Rollback()
	if _, err := edit.LockWebhookEndpoint(ctx, box, edited.ID); err != nil {
		t.Fatal(err)
	}
	// The bound is what fails the test if the commit waits on them.
	bounded, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	e := &latchkey.Event{Type: latchkey.EventUserCreated, ObjectID: "user_1", Data: json.RawMessage(`{}`)}
	if err := s.InTx(bounded, func(tx *sqlstore.Tx) error { return tx.AddEvent(bounded, e) }); err != nil {
		t.Fatalf("an event commit during an endpoint delete and edit: %v", err)
	}
	if err := del.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := edit.Commit(); err != nil {
		t.Fatal(err)
	}
}
