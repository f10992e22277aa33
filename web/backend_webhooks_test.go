package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/webhook"
)

// hookReceiver records the webhook requests it gets and answers status.
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	bodies []string
	ids    []string
}

func newHookReceiver(t *testing.T, status int) *hookReceiver {
	h := &hookReceiver{status: status}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, string(b))
		h.ids = append(h.ids, r.Header.Get("webhook-id"))
		st := h.status
		h.mu.Unlock()
		w.WriteHeader(st)
		io.WriteString(w, "thanks")
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) got() (bodies, ids []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.bodies...), append([]string(nil), h.ids...)
}

// runWebhooks runs one dispatcher pass.
func (ts *testServer) runWebhooks(t *testing.T) int {
	t.Helper()
	n, err := ts.webhooks.RunOnce(t.Context())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return n
}

// TestWebhookEndpointsAPI walks an endpoint through its life: create (the
// only answer with the secret, besides rotate and GET .../secret), list,
// get, update, a user change delivered, test event, attempts, rotation,
// disable, enable with the missed events offered and replayed, delete.
func TestWebhookEndpointsAPI(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		c := ts.as(t)
		rcv := newHookReceiver(t, http.StatusOK)

		res := c.do("POST", "/api/v1/webhooks/endpoints", map[string]any{
			"url": rcv.URL + "/hooks", "event_types": []string{"user.created", "user.deleted"},
			"description": "CRM sync", "headers": map[string]string{"X-Api-Key": "receiver-key", "Authorization": "Bearer receiver-token"},
		})
		res.wantStatus(t, http.StatusOK)
		var ep webhookEndpointJSON
		res.decode(t, &ep)
		if !strings.HasPrefix(ep.ID, "whep_") || !strings.HasPrefix(ep.Secret, "whsec_") || !ep.Enabled ||
			ep.Description != "CRM sync" || strings.Join(ep.HeaderNames, ",") != "Authorization,X-Api-Key" ||
			strings.Join(ep.EventTypes, ",") != "user.created,user.deleted" || ep.DisabledReason != nil {
			t.Fatalf("created = %s", res.Body)
		}
		secret := ep.Secret

		list := c.do("GET", "/api/v1/webhooks/endpoints", nil)
		list.wantStatus(t, http.StatusOK)
		get := c.do("GET", "/api/v1/webhooks/endpoints/"+ep.ID, nil)
		get.wantStatus(t, http.StatusOK)
		for _, r := range []*response{res, list, get} {
			if r != res && strings.Contains(string(r.Body), secret) {
				t.Errorf("the secret is in a list or get answer: %s", r.Body)
			}
			// Header values are credentials: write-only, like the secret.
			if strings.Contains(string(r.Body), "receiver-key") || strings.Contains(string(r.Body), "receiver-token") ||
				strings.Contains(string(r.Body), `"headers"`) {
				t.Errorf("a header value is in an endpoint answer: %s", r.Body)
			}
		}
		res = c.do("GET", "/api/v1/webhooks/endpoints/"+ep.ID+"/headers", nil)
		res.wantStatus(t, http.StatusOK)
		var hs webhookHeadersJSON
		res.decode(t, &hs)
		if hs.Object != "webhook_headers" || len(hs.Headers) != 2 || hs.Headers["X-Api-Key"] != "receiver-key" ||
			hs.Headers["Authorization"] != "Bearer receiver-token" {
			t.Errorf("headers = %s", res.Body)
		}
		if !strings.Contains(string(list.Body), `"total_count":1`) || !strings.Contains(string(get.Body), `"deliveries":{"failed":0,"pending":0,"succeeded":0}`) {
			t.Errorf("list = %s\nget = %s", list.Body, get.Body)
		}

		// A user created through the API is delivered, signed with the secret.
		u := ts.createUser(t, map[string]any{"email_address": []string{"hook@example.com"}})
		if n := ts.runWebhooks(t); n != 1 {
			t.Fatalf("dispatcher sent %d, want 1", n)
		}
		bodies, ids := rcv.got()
		if len(bodies) != 1 || !strings.Contains(bodies[0], `"type":"user.created"`) || !strings.Contains(bodies[0], u.ID) ||
			!strings.HasPrefix(ids[0], "evt_") {
			t.Fatalf("receiver got %v", bodies)
		}

		// update
		res = c.do("PATCH", "/api/v1/webhooks/endpoints/"+ep.ID, map[string]any{"event_types": []string{}, "description": "",
			"headers": map[string]string{"X-Api-Key": "receiver-key-2"}})
		res.wantStatus(t, http.StatusOK)
		if !strings.Contains(string(res.Body), `"event_types":[]`) || strings.Contains(string(res.Body), secret) ||
			!strings.Contains(string(res.Body), `"header_names":["X-Api-Key"]`) || strings.Contains(string(res.Body), "receiver-key") {
			t.Errorf("patched = %s", res.Body)
		}
		res = c.do("GET", "/api/v1/webhooks/endpoints/"+ep.ID+"/headers", nil)
		res.wantStatus(t, http.StatusOK)
		if strings.TrimSpace(string(res.Body)) != `{"object":"webhook_headers","headers":{"X-Api-Key":"receiver-key-2"}}` {
			t.Errorf("headers after PATCH = %s", res.Body)
		}

		// test event
		res = c.do("POST", "/api/v1/webhooks/endpoints/"+ep.ID+"/test", nil)
		res.wantStatus(t, http.StatusOK)
		var a webhookAttemptJSON
		res.decode(t, &a)
		if !a.Test || !a.Succeeded || a.StatusCode == nil || *a.StatusCode != 200 || a.EventType != "webhook.test" || a.Response != "thanks" {
			t.Errorf("test attempt = %s", res.Body)
		}

		res = c.do("GET", "/api/v1/webhooks/endpoints/"+ep.ID+"/attempts?limit=1", nil)
		res.wantStatus(t, http.StatusOK)
		if !strings.Contains(string(res.Body), `"has_more":true`) || !strings.Contains(string(res.Body), `"test":true`) {
			t.Errorf("attempts page = %s", res.Body)
		}
		res = c.do("GET", "/api/v1/webhooks/endpoints/"+ep.ID+"/attempts?status=succeeded&event_id="+ids[0], nil)
		res.wantStatus(t, http.StatusOK)
		if strings.Count(string(res.Body), `"object":"webhook_attempt"`) != 1 {
			t.Errorf("attempts of one event = %s", res.Body)
		}

		// rotation: a new secret, the old one still listed for 24 hours
		res = c.do("POST", "/api/v1/webhooks/endpoints/"+ep.ID+"/rotate_secret", nil)
		res.wantStatus(t, http.StatusOK)
		var rotated webhookEndpointJSON
		res.decode(t, &rotated)
		if rotated.Secret == "" || rotated.Secret == secret || rotated.PreviousSecretExpiresAt == nil {
			t.Errorf("rotated = %s", res.Body)
		}
		res = c.do("GET", "/api/v1/webhooks/endpoints/"+ep.ID+"/secret", nil)
		res.wantStatus(t, http.StatusOK)
		var sec webhookSecretJSON
		res.decode(t, &sec)
		if sec.Secret != rotated.Secret || len(sec.Previous) != 1 || sec.Previous[0].Secret != secret {
			t.Errorf("secret = %s", res.Body)
		}
		chosen := webhook.NewSecret()
		res = c.do("POST", "/api/v1/webhooks/endpoints/"+ep.ID+"/rotate_secret", map[string]any{"secret": chosen})
		res.wantStatus(t, http.StatusOK)
		if !strings.Contains(string(res.Body), chosen) {
			t.Errorf("rotate with a chosen secret = %s", res.Body)
		}

		// disable: no deliveries; enable offers what was missed
		res = c.do("POST", "/api/v1/webhooks/endpoints/"+ep.ID+"/disable", nil)
		res.wantStatus(t, http.StatusOK)
		if !strings.Contains(string(res.Body), `"enabled":false`) || !strings.Contains(string(res.Body), `"disabled_reason":"manual"`) {
			t.Errorf("disabled = %s", res.Body)
		}
		missed := ts.createUser(t, map[string]any{"email_address": []string{"missed@example.com"}})
		if n := ts.runWebhooks(t); n != 0 {
			t.Fatalf("a disabled endpoint got %d deliveries", n)
		}
		res = c.do("POST", "/api/v1/webhooks/endpoints/"+ep.ID+"/enable", nil)
		res.wantStatus(t, http.StatusOK)
		var enabled webhookEndpointJSON
		res.decode(t, &enabled)
		if !enabled.Enabled || enabled.Missed == nil || enabled.Missed.Events != 1 || enabled.Missed.Replay == nil ||
			enabled.Missed.Replay.Path != "/api/v1/webhooks/endpoints/"+ep.ID+"/replay" {
			t.Fatalf("enabled = %s", res.Body)
		}
		if n := ts.runWebhooks(t); n != 0 {
			t.Fatalf("enabling alone sent %d; the missed events wait for a replay", n)
		}
		res = c.do("POST", "/api/v1/webhooks/endpoints/"+ep.ID+"/replay", map[string]any{"since": enabled.Missed.Since})
		res.wantStatus(t, http.StatusOK)
		if !strings.Contains(string(res.Body), `"queued":1`) {
			t.Errorf("replay since = %s", res.Body)
		}
		ts.runWebhooks(t)
		bodies, _ = rcv.got()
		if last := bodies[len(bodies)-1]; !strings.Contains(last, missed.ID) {
			t.Errorf("the replay did not deliver the missed user: %s", last)
		}
		// one event, by id
		res = c.do("POST", "/api/v1/webhooks/endpoints/"+ep.ID+"/replay", map[string]any{"event_id": ids[0]})
		res.wantStatus(t, http.StatusOK)
		ts.runWebhooks(t)
		if _, got := rcv.got(); got[len(got)-1] != ids[0] {
			t.Errorf("replaying one event sent webhook-id %q, want %q", got[len(got)-1], ids[0])
		}
		res = c.do("POST", "/api/v1/webhooks/endpoints/"+ep.ID+"/replay", map[string]any{"failed": true})
		res.wantStatus(t, http.StatusOK)
		if !strings.Contains(string(res.Body), `"queued":0`) {
			t.Errorf("replay failed = %s", res.Body)
		}

		res = c.do("GET", "/metrics", nil)
		res.wantStatus(t, http.StatusOK)
		for _, m := range []string{`latchkey_webhook_attempts_total{outcome="succeeded"} 4`, "latchkey_webhook_requests_in_flight 0",
			"latchkey_webhook_attempt_duration_seconds_count 4"} {
			if !strings.Contains(string(res.Body), m) {
				t.Errorf("/metrics lacks %q", m)
			}
		}

		res = c.do("DELETE", "/api/v1/webhooks/endpoints/"+ep.ID, nil)
		res.wantStatus(t, http.StatusOK)
		c.do("GET", "/api/v1/webhooks/endpoints/"+ep.ID, nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
	})
}

// TestWebhookEnableReplaysMissed: {"replay":"missed"} queues at once what
// the endpoint missed while disabled.
func TestWebhookEnableReplaysMissed(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		c := ts.as(t)
		rcv := newHookReceiver(t, http.StatusOK)
		res := c.do("POST", "/api/v1/webhooks/endpoints", map[string]any{"url": rcv.URL, "enabled": false})
		res.wantStatus(t, http.StatusOK)
		var ep webhookEndpointJSON
		res.decode(t, &ep)
		ts.createUser(t, map[string]any{"email_address": []string{"a@example.com"}})
		res = c.do("POST", "/api/v1/webhooks/endpoints/"+ep.ID+"/enable", map[string]any{"replay": "missed"})
		res.wantStatus(t, http.StatusOK)
		if !strings.Contains(string(res.Body), `"replayed":1`) {
			t.Fatalf("enable = %s", res.Body)
		}
		if n := ts.runWebhooks(t); n != 1 {
			t.Errorf("sent %d after enable with replay, want 1", n)
		}
	})
}

// TestWebhookTestOutlivesCaller: a test send goes on, and is recorded, when
// the API caller disconnects while the receiver is still answering.
func TestWebhookTestOutlivesCaller(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		c := ts.as(t)
		arrived, release := make(chan struct{}), make(chan struct{})
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-release
			io.WriteString(w, "late but fine")
		}))
		t.Cleanup(rcv.Close)
		res := c.do("POST", "/api/v1/webhooks/endpoints", map[string]any{"url": rcv.URL})
		res.wantStatus(t, http.StatusOK)
		var ep webhookEndpointJSON
		res.decode(t, &ep)

		ctx, cancel := context.WithCancel(t.Context())
		req, _ := http.NewRequestWithContext(ctx, "POST", c.base+"/api/v1/webhooks/endpoints/"+ep.ID+"/test", nil)
		req.Header.Set("Authorization", "Bearer "+c.secret)
		done := make(chan error, 1)
		go func() {
			res, err := c.hc.Do(req)
			if err == nil {
				res.Body.Close()
			}
			done <- err
		}()
		<-arrived
		cancel()
		if err := <-done; err == nil {
			t.Fatal("the cancelled request got an answer")
		}
		time.Sleep(100 * time.Millisecond) // the server notices the disconnect
		close(release)

		var attempts webhookAttemptListJSON
		for range 100 {
			res = c.do("GET", "/api/v1/webhooks/endpoints/"+ep.ID+"/attempts", nil)
			res.wantStatus(t, http.StatusOK)
			res.decode(t, &attempts)
			if len(attempts.Data) > 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if len(attempts.Data) != 1 || !attempts.Data[0].Test || !attempts.Data[0].Succeeded || attempts.Data[0].Response != "late but fine" {
			t.Fatalf("attempts after the caller left = %+v", attempts.Data)
		}
	})
}

// TestWebhookEndpointErrors: bad input gets a stable code on the right
// parameter, never a 500.
func TestWebhookEndpointErrors(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		c := ts.as(t)
		rcv := newHookReceiver(t, http.StatusOK)
		ok := rcv.URL // reachable in dev mode
		manyHeaders := map[string]string{}
		for i := range 21 {
			manyHeaders[fmt.Sprintf("X-H%d", i)] = "v"
		}
		type body = map[string]any
		for _, tc := range []struct {
			name  string
			body  body
			code  latchkey.Code
			param string
		}{
			{"no url", body{"event_types": []string{}}, latchkey.CodeFormParamMissing, "url"},
			{"relative url", body{"url": "/hooks"}, latchkey.CodeFormParamInvalid, "url"},
			{"ftp url", body{"url": "ftp://example.com/x"}, latchkey.CodeFormParamValue, "url"},
			{"credentials in url", body{"url": "https://user:pw@example.com/x"}, latchkey.CodeFormParamValue, "url"},
			// Even in dev mode, link-local (the metadata service) and private
			// addresses are refused.
			{"metadata address", body{"url": "http://169.254.169.254/latest"}, latchkey.CodeFormParamValue, "url"},
			{"private address", body{"url": "http://10.0.0.8/hooks"}, latchkey.CodeFormParamValue, "url"},
			{"mapped loopback", body{"url": "http://[::ffff:169.254.169.254]/x"}, latchkey.CodeFormParamValue, "url"},
			{"unknown event type", body{"url": ok, "event_types": []string{"user.exploded"}}, latchkey.CodeFormParamValue, "event_types"},
			{"reserved header", body{"url": ok, "headers": map[string]string{"Webhook-Signature": "x"}}, latchkey.CodeFormParamValue, "headers"},
			{"host header", body{"url": ok, "headers": map[string]string{"Host": "x"}}, latchkey.CodeFormParamValue, "headers"},
			{"header injection", body{"url": ok, "headers": map[string]string{"X-A": "a\r\nX-B: b"}}, latchkey.CodeFormParamValue, "headers"},
			{"bad header name", body{"url": ok, "headers": map[string]string{"X A": "a"}}, latchkey.CodeFormParamValue, "headers"},
			{"too many headers", body{"url": ok, "headers": manyHeaders}, latchkey.CodeFormParamValue, "headers"},
			{"header names equal but for case", body{"url": ok, "headers": map[string]string{"X-A": "1", "x-a": "2"}}, latchkey.CodeFormParamValue, "headers"},
			{"bad secret", body{"url": ok, "secret": "whsec_short"}, latchkey.CodeFormParamInvalid, "secret"},
			{"long description", body{"url": ok, "description": strings.Repeat("d", 501)}, latchkey.CodeFormParamValue, "description"},
			{"unknown field", body{"url": ok, "filter": "x"}, latchkey.CodeFormParamUnknown, "filter"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c.as(t).do("POST", "/api/v1/webhooks/endpoints", tc.body).wantError(t, http.StatusBadRequest, tc.code, tc.param)
			})
		}

		res := c.do("POST", "/api/v1/webhooks/endpoints", map[string]any{"url": rcv.URL})
		res.wantStatus(t, http.StatusOK)
		var ep webhookEndpointJSON
		res.decode(t, &ep)
		path := "/api/v1/webhooks/endpoints/" + ep.ID
		c.do("PATCH", path, map[string]any{"secret": webhook.NewSecret()}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamUnknown, "secret")
		c.do("PATCH", path, map[string]any{"enabled": false}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamUnknown, "enabled")
		c.do("POST", path+"/replay", map[string]any{}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamMissing, "")
		c.do("POST", path+"/replay", map[string]any{"event_id": "evt_x", "failed": true}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamValue, "event_id")
		c.do("POST", path+"/replay", map[string]any{"event_id": "evt_missing"}).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "event_id")
		c.do("POST", path+"/replay", map[string]any{"since": -1}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamValue, "since")
		c.do("POST", path+"/enable", map[string]any{"replay": "all"}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamValue, "replay")
		c.do("GET", path+"/attempts?status=maybe", nil).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamValue, "status")
		c.do("GET", path+"/attempts?page=2", nil).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamUnknown, "page")
		c.do("POST", path+"/rotate_secret", map[string]any{"secret": "nope"}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamInvalid, "secret")
		for _, p := range []string{"", "/test", "/enable", "/disable", "/rotate_secret"} {
			c.do("POST", "/api/v1/webhooks/endpoints/whep_missing"+p, nil)
		}
		c.do("GET", "/api/v1/webhooks/endpoints/whep_missing/attempts", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		c.do("GET", "/api/v1/webhooks/endpoints/whep_missing/headers", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		c.do("POST", "/api/v1/webhooks/endpoints/whep_missing/test", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		c.do("DELETE", "/api/v1/webhooks/endpoints/whep_missing", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
	})
}
