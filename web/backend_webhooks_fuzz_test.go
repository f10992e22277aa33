package web

import (
	"errors"
	"testing"

	"github.com/latchkeyhq/latchkey"
)

// FuzzWebhookEndpointParams feeds arbitrary bodies to the endpoint
// parameters' decoding and validation (all but the URL, whose check may
// resolve names; netguard fuzzes its own parts). It must never panic, and
// every failure is a catalog client error.
func FuzzWebhookEndpointParams(f *testing.F) {
	for _, seed := range []string{
		`{"url":"https://h.example/x","event_types":["user.created"],"headers":{"X-Key":"v"}}`,
		`{"headers":{"Webhook-Id":"x"}}`, `{"headers":{"X A":"v"}}`, "{\"headers\":{\"X\":\"a\\r\\nb\"}}",
		`{"event_types":["user.*"]}`, `{"secret":"whsec_AAAA"}`, `{"secret":"whsec_` + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" + `"}`,
		`{"description":"` + string(make([]byte, 10)) + `"}`, `{"headers":null}`, `{"event_types":null}`, `[]`, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var b webhookEndpointParams
		err := decodeStrict(body, &b)
		if err == nil && b.EventTypes != nil {
			err = checkWebhookEventTypes(*b.EventTypes)
		}
		if err == nil && b.Headers != nil {
			err = checkWebhookHeaders(*b.Headers)
		}
		if err == nil && b.Secret != nil {
			err = checkWebhookSecret(*b.Secret)
		}
		if err == nil {
			return
		}
		var e *latchkey.Error
		if !errors.As(err, &e) {
			t.Fatalf("%q: %v is not a *latchkey.Error", body, err)
		}
		if s, ok := statusOf[e.Code]; !ok || s >= 500 {
			t.Fatalf("%q: code %q is not a client error", body, e.Code)
		}
	})
}
