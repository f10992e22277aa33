package delivery_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/delivery"
	"github.com/latchkeyhq/latchkey/netguard"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
	"github.com/latchkeyhq/latchkey/webhook"
	"github.com/latchkeyhq/latchkey/wire"
)

// TestDeliveryRequest: one committed event reaches the endpoint once, as a
// signed Standard Webhooks request whose body is the feed's event, with
// the endpoint's custom headers.
func TestDeliveryRequest(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newFixture(t, s, loopback)
		rcv := newReceiver(t, http.StatusAccepted)
		ep := f.endpoint(rcv.URL)
		ev := f.event(latchkey.EventUserCreated, "user_1")
		if n := f.run(); n != 1 {
			t.Fatalf("sent %d, want 1", n)
		}
		if n := f.run(); n != 0 {
			t.Fatalf("sent %d again after success, want 0", n)
		}
		got := rcv.requests()
		if len(got) != 1 {
			t.Fatalf("receiver got %d requests, want 1", len(got))
		}
		req := got[0]
		if err := webhook.Verify([]string{ep.Secrets[0].Secret}, req.Header, req.Body, f.clock.Now()); err != nil {
			t.Fatalf("signature: %v", err)
		}
		if req.Header.Get("webhook-id") != ev.ID || req.Header.Get("Authorization") != "Bearer receiver-token" ||
			req.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(req.Header.Get("User-Agent"), "Latchkey-Webhooks/") {
			t.Errorf("headers = %v", req.Header)
		}
		var body wire.Event
		if err := json.Unmarshal(req.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Object != "event" || body.ID != ev.ID || body.Type != ev.Type || body.Sequence != 1 || body.InstanceID != "ins_test" ||
			string(body.Data) != string(ev.Data) || body.Timestamp != f.clock.Now().UnixMilli() {
			t.Errorf("body = %s", req.Body)
		}
		as := f.attempts(ep.ID)
		if len(as) != 1 || !as[0].Succeeded || as[0].StatusCode != 202 || as[0].Attempt != 1 || as[0].Response != `{"received":true}` {
			t.Errorf("attempts = %+v", as)
		}
	})
}

// TestQueuedOnlyForCommittedWantedEvents: the queue is written by the
// event's own transaction, so a rolled-back change queues nothing, and an
// endpoint gets only the types it subscribed to.
func TestQueuedOnlyForCommittedWantedEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newFixture(t, s, loopback)
		rcvAll, rcvSessions := newReceiver(t, 200), newReceiver(t, 200)
		f.endpoint(rcvAll.URL)
		f.endpoint(rcvSessions.URL, latchkey.EventSessionCreated)
		rollback := errors.New("rollback")
		err := s.InTx(t.Context(), func(tx *sqlstore.Tx) error {
			if err := tx.AddEvent(t.Context(), &latchkey.Event{Type: latchkey.EventUserCreated, ObjectID: "user_x", Data: json.RawMessage(`{}`)}); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		rcvMail := newReceiver(t, 200)
		epMail := f.endpoint(rcvMail.URL, latchkey.EventEmailCreated)
		f.event(latchkey.EventUserCreated, "user_1")
		f.event(latchkey.EventSessionCreated, "sess_1")
		f.event(latchkey.EventEmailCreated, "ema_1") // carries a code: only for endpoints that name it
		f.run()
		if n := len(rcvAll.requests()); n != 2 {
			t.Errorf("the all-types endpoint got %d requests, want 2 (none for the rolled-back change, none for email.created)", n)
		}
		got := rcvSessions.requests()
		if len(got) != 1 || !strings.Contains(string(got[0].Body), `"session.created"`) {
			t.Errorf("the session endpoint got %d requests, want only session.created", len(got))
		}
		if got := rcvMail.requests(); len(got) != 1 || !strings.Contains(string(got[0].Body), `"email.created"`) {
			t.Errorf("the endpoint naming email.created got %d requests, want it", len(got))
		}
		// Wants, the Go statement of the rule, agrees with the SQL.
		all := &latchkey.WebhookEndpoint{}
		if !all.Wants(latchkey.EventUserCreated) || all.Wants(latchkey.EventEmailCreated) || all.Wants(latchkey.EventSMSCreated) ||
			!epMail.Wants(latchkey.EventEmailCreated) || epMail.Wants(latchkey.EventUserCreated) {
			t.Errorf("Wants disagrees with the delivery rule")
		}
	})
}

// TestRetrySchedule: a failing delivery is tried at once, then after 5 s,
// 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, never earlier, and then given up
// (failed). A 3xx counts as a failure and is not followed.
func TestRetrySchedule(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newFixture(t, s, loopback)
		rcv := newReceiver(t, http.StatusInternalServerError)
		redirect := newReceiver(t, http.StatusFound)
		ep := f.endpoint(rcv.URL)
		epRedirect := f.endpoint(redirect.URL)
		ev := f.event(latchkey.EventUserCreated, "user_1")
		if n := f.run(); n != 2 {
			t.Fatalf("first pass sent %d, want 2 (at once)", n)
		}
		want := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
		for i, wait := range want {
			f.clock.Add(wait - time.Millisecond)
			if n := f.run(); n != 0 {
				t.Fatalf("retry %d: sent %d a millisecond early", i+1, n)
			}
			f.clock.Add(time.Millisecond)
			if n := f.run(); n != 2 {
				t.Fatalf("retry %d: sent %d after %s, want 2", i+1, n, wait)
			}
		}
		f.clock.Add(100 * time.Hour)
		if n := f.run(); n != 0 {
			t.Fatalf("sent %d after the last retry, want 0 (failed)", n)
		}
		as := f.attempts(ep.ID)
		if len(as) != 8 {
			t.Fatalf("%d attempts recorded, want 8", len(as))
		}
		for i, a := range as {
			if a.Attempt != i+1 || a.Succeeded || a.StatusCode != 500 || a.Error != "HTTP 500" || a.EventID != ev.ID {
				t.Errorf("attempt %d = %+v", i+1, a)
			}
		}
		if n := len(rcv.requests()); n != 8 {
			t.Errorf("receiver got %d requests, want 8", n)
		}
		for _, r := range rcv.requests() {
			if r.Header.Get("webhook-id") != ev.ID {
				t.Errorf("a retry carried webhook-id %q, want the event's %q", r.Header.Get("webhook-id"), ev.ID)
			}
		}
		ra := f.attempts(epRedirect.ID)
		if len(ra) != 8 || ra[0].Succeeded || ra[0].StatusCode != 302 || !strings.Contains(ra[0].Error, "redirects are not followed") {
			t.Errorf("redirect attempts = %d, first %+v", len(ra), ra[0])
		}
		for _, r := range redirect.requests() {
			if !strings.HasPrefix(string(r.Body), `{"object":"event"`) {
				t.Errorf("the redirect was followed: %s", r.Body)
			}
		}
		counts, err := s.WebhookDeliveryCounts(t.Context(), ep.ID)
		if err != nil || counts["failed"] != 1 || counts["pending"] != 0 {
			t.Errorf("delivery counts = %v, %v; want 1 failed", counts, err)
		}
	})
}

// TestAutoDisable: an endpoint failing continuously for 5 days is disabled
// at its next failed attempt, the operators are told once, the audit log
// records it, and new events are no longer queued for it. A success in
// between restarts the streak.
func TestAutoDisable(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newFixture(t, s, loopback)
		failing := newReceiver(t, http.StatusServiceUnavailable)
		flaky := newReceiver(t, http.StatusServiceUnavailable)
		ep := f.endpoint(failing.URL)
		epFlaky := f.endpoint(flaky.URL)
		start := f.clock.Now()
		// An event every 6 hours for 5 days and 6 hours, every hour a pass.
		for h := 0; h <= 5*24+6; h++ {
			if h%6 == 0 {
				f.event(latchkey.EventUserUpdated, "user_1")
			}
			if h == 3*24 {
				flaky.setStatus(http.StatusOK) // one success on day 3
			}
			if h == 3*24+1 {
				flaky.setStatus(http.StatusServiceUnavailable)
			}
			f.run()
			f.clock.Add(time.Hour)
		}
		got, err := s.WebhookEndpoint(t.Context(), f.box, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Enabled || got.DisabledReason != latchkey.WebhookDisabledFailing || !got.FailingSince.Equal(start) {
			t.Fatalf("endpoint = enabled %v, reason %q, failing since %v; want disabled for failing since %v",
				got.Enabled, got.DisabledReason, got.FailingSince, start)
		}
		if d := got.DisabledAt.Sub(start); d < delivery.DisableAfter || d > delivery.DisableAfter+6*time.Hour {
			t.Errorf("disabled %s after the first failure, want 5 days (at the next failed attempt)", d)
		}
		flakyNow, _ := s.WebhookEndpoint(t.Context(), f.box, epFlaky.ID)
		if !flakyNow.Enabled {
			t.Errorf("the endpoint that succeeded on day 3 was disabled")
		}
		f.mu.Lock()
		disabled := f.disabled
		f.mu.Unlock()
		if len(disabled) != 1 || disabled[0].ID != ep.ID || disabled[0].URL != failing.URL || disabled[0].LastError != "HTTP 503" {
			t.Errorf("operators told about %+v, want the failing endpoint once", disabled)
		}
		audit, err := s.AuditEvents(t.Context(), "", 100)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, a := range audit {
			if a.Type == "webhook_endpoint.disabled" && a.Data["endpoint_id"] == ep.ID && a.Data["reason"] == "failing" {
				found = true
			}
		}
		if !found {
			t.Errorf("no webhook_endpoint.disabled audit event")
		}
		before := len(failing.requests())
		f.event(latchkey.EventUserUpdated, "user_1")
		f.clock.Add(48 * time.Hour)
		f.run()
		if n := len(failing.requests()); n != before {
			t.Errorf("a disabled endpoint got %d more requests", n-before)
		}
	})
}

// TestReplay covers each replay mode: one event, every failed delivery,
// everything since a time. A replay keeps the event id as webhook-id.
func TestReplay(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s, loopback)
		rcv := newReceiver(t, http.StatusInternalServerError)
		ep := f.endpoint(rcv.URL, latchkey.EventUserCreated)
		e1 := f.event(latchkey.EventUserCreated, "user_1")
		f.clock.Add(time.Minute)
		e2 := f.event(latchkey.EventUserCreated, "user_2")
		other := f.event(latchkey.EventSessionCreated, "sess_1") // not subscribed
		for range 8 {
			f.run()
			f.clock.Add(11 * time.Hour)
		}
		if c, _ := s.WebhookDeliveryCounts(ctx, ep.ID); c["failed"] != 2 {
			t.Fatalf("counts = %v, want 2 failed", c)
		}
		rcv.setStatus(http.StatusOK)
		ids := func(from int) []string {
			var out []string
			for _, r := range rcv.requests()[from:] {
				out = append(out, r.Header.Get("webhook-id"))
			}
			return out
		}

		// every failed delivery
		n, err := s.ReplayFailedWebhooks(ctx, ep.ID, time.Time{})
		if err != nil || n != 2 {
			t.Fatalf("ReplayFailedWebhooks = %d, %v; want 2", n, err)
		}
		mark := len(rcv.requests())
		f.run()
		if got := ids(mark); len(got) != 2 || !(contains(got, e1.ID) && contains(got, e2.ID)) {
			t.Fatalf("failed replay sent %v, want %s and %s", got, e1.ID, e2.ID)
		}
		if n, _ := s.ReplayFailedWebhooks(ctx, ep.ID, time.Time{}); n != 0 {
			t.Errorf("a second failed replay queued %d, want 0 (they succeeded)", n)
		}

		// one event, delivered before
		if err := s.ReplayWebhookEvent(ctx, ep.ID, e1.ID); err != nil {
			t.Fatal(err)
		}
		mark = len(rcv.requests())
		f.run()
		if got := ids(mark); len(got) != 1 || got[0] != e1.ID {
			t.Fatalf("event replay sent %v, want %s", got, e1.ID)
		}
		if err := s.ReplayWebhookEvent(ctx, ep.ID, other.ID); !errors.Is(err, latchkey.ErrNotFound) {
			t.Errorf("replaying an event of a type the endpoint does not want = %v, want not found", err)
		}
		if err := s.ReplayWebhookEvent(ctx, ep.ID, "evt_missing"); !errors.Is(err, latchkey.ErrNotFound) {
			t.Errorf("replaying a missing event = %v, want not found", err)
		}

		// everything since a time: only e2 is that recent
		n, err = s.ReplayWebhooksSince(ctx, ep.ID, e2.CreatedAt)
		if err != nil || n != 1 {
			t.Fatalf("ReplayWebhooksSince = %d, %v; want 1", n, err)
		}
		mark = len(rcv.requests())
		f.run()
		if got := ids(mark); len(got) != 1 || got[0] != e2.ID {
			t.Fatalf("since replay sent %v, want %s", got, e2.ID)
		}
		as := f.attempts(ep.ID)
		if last := as[len(as)-1]; last.Attempt != 1 || !last.Succeeded {
			t.Errorf("a replayed delivery's attempt = %+v, want attempt 1 again", last)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestSecretRotation: for 24 hours after a rotation every request carries
// a signature under each secret, so receivers holding either verify; then
// only the new one signs.
func TestSecretRotation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newFixture(t, s, loopback)
		rcv := newReceiver(t, http.StatusOK)
		ep := f.endpoint(rcv.URL)
		old := ep.Secrets[0].Secret
		fresh := webhook.NewSecret()
		if _, err := s.RotateWebhookSecret(t.Context(), f.box, ep.ID, fresh); err != nil {
			t.Fatal(err)
		}
		f.event(latchkey.EventUserCreated, "user_1")
		f.run()
		f.clock.Add(sqlstore.SecretOverlap + time.Millisecond)
		f.event(latchkey.EventUserCreated, "user_2")
		f.run()
		got := rcv.requests()
		if len(got) != 2 {
			t.Fatalf("receiver got %d requests, want 2", len(got))
		}
		during, after := got[0], got[1]
		verifyAt := func(r request, secret string) error {
			var body wire.Event
			json.Unmarshal(r.Body, &body)
			return webhook.Verify([]string{secret}, r.Header, r.Body, time.UnixMilli(body.Timestamp))
		}
		if n := strings.Count(during.Header.Get("webhook-signature"), "v1,"); n != 2 {
			t.Errorf("during the overlap: %d signatures, want 2", n)
		}
		if verifyAt(during, old) != nil || verifyAt(during, fresh) != nil {
			t.Errorf("during the overlap, a receiver with either secret must verify")
		}
		if n := strings.Count(after.Header.Get("webhook-signature"), "v1,"); n != 1 {
			t.Errorf("after 24 hours: %d signatures, want 1", n)
		}
		if verifyAt(after, fresh) != nil || verifyAt(after, old) == nil {
			t.Errorf("after 24 hours only the new secret may verify")
		}
	})
}

// TestSSRFGuardAtDialTime: with production settings, a URL that reaches
// loopback (saved before the settings changed, or a name that resolves to
// 127.0.0.1) is refused when dialled, and the attempt says why.
func TestSSRFGuardAtDialTime(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newFixture(t, s, netguard.Options{AllowHTTP: true})
		rcv := newReceiver(t, http.StatusOK)
		byIP := f.endpoint(rcv.URL)
		byName := f.endpoint(strings.Replace(rcv.URL, "127.0.0.1", "localhost", 1))
		f.event(latchkey.EventUserCreated, "user_1")
		f.run()
		if n := len(rcv.requests()); n != 0 {
			t.Fatalf("the loopback receiver got %d requests", n)
		}
		for _, ep := range []*latchkey.WebhookEndpoint{byIP, byName} {
			as := f.attempts(ep.ID)
			if len(as) != 1 || as[0].Succeeded || !strings.Contains(as[0].Error, "refused by the SSRF guard: loopback") {
				t.Errorf("%s: attempts = %+v", ep.URL, as)
			}
		}
	})
}

// TestSendTest: a test event is sent at once, recorded as a test, and
// leaves the failure streak alone.
func TestSendTest(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newFixture(t, s, loopback)
		rcv := newReceiver(t, http.StatusBadRequest)
		ep := f.endpoint(rcv.URL)
		a, err := f.d.SendTest(t.Context(), ep)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Test || a.Succeeded || a.StatusCode != 400 || a.EventType != latchkey.EventWebhookTest {
			t.Errorf("attempt = %+v", a)
		}
		got := rcv.requests()
		if len(got) != 1 || !strings.Contains(string(got[0].Body), `"type":"webhook.test"`) {
			t.Fatalf("receiver got %d requests", len(got))
		}
		if err := webhook.Verify([]string{ep.Secrets[0].Secret}, got[0].Header, got[0].Body, f.clock.Now()); err != nil {
			t.Errorf("test event signature: %v", err)
		}
		after, _ := s.WebhookEndpoint(t.Context(), f.box, ep.ID)
		if !after.FailingSince.IsZero() {
			t.Errorf("a failed test event started a failure streak")
		}
		if as := f.attempts(ep.ID); len(as) != 1 || !as[0].Test {
			t.Errorf("attempts = %+v", as)
		}
	})
}

// TestNextAttempt pins the schedule's arithmetic.
func TestNextAttempt(t *testing.T) {
	t0 := time.Unix(0, 0)
	if got := delivery.NextAttempt(1, t0); got.Sub(t0) != 5*time.Second {
		t.Errorf("after attempt 1: %v", got.Sub(t0))
	}
	if got := delivery.NextAttempt(8, t0); !got.IsZero() {
		t.Errorf("after attempt 8: %v, want none", got)
	}
	if got := delivery.NextAttempt(0, t0); !got.IsZero() {
		t.Errorf("after attempt 0: %v, want none", got)
	}
}

// TestEndpointDeletedInFlight: an endpoint deleted while its request is in
// flight leaves nothing to record, and the other results of the batch are
// still recorded.
func TestEndpointDeletedInFlight(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := newFixture(t, s, loopback)
		var doomed *latchkey.WebhookEndpoint
		deleting := newReceiver(t, http.StatusOK)
		kept := newReceiver(t, http.StatusOK)
		deleting.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := s.DeleteWebhookEndpoint(r.Context(), doomed.ID); err != nil {
				t.Errorf("delete: %v", err)
			}
			w.WriteHeader(http.StatusOK)
		})
		doomed = f.endpoint(deleting.URL)
		other := f.endpoint(kept.URL)
		f.event(latchkey.EventUserCreated, "user_1")
		if n := f.run(); n != 2 {
			t.Fatalf("sent %d, want 2", n)
		}
		if as := f.attempts(other.ID); len(as) != 1 || !as[0].Succeeded {
			t.Errorf("the other endpoint's attempt = %+v, want recorded", as)
		}
		if n := f.run(); n != 0 {
			t.Errorf("sent %d again: the batch was not recorded", n)
		}
	})
}
