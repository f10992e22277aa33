package web

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/netguard"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/webhook"
)

// webhookEndpointParams is the body of POST and PATCH
// /api/v1/webhooks/endpoints. A field left out is the default (POST) or is
// kept (PATCH).
type webhookEndpointParams struct {
	URL         *string            `json:"url"`
	Description *string            `json:"description"`
	EventTypes  *[]string          `json:"event_types"`
	Headers     *map[string]string `json:"headers"`
	// Secret and Enabled are read by POST only.
	Secret  *string `json:"secret"`
	Enabled *bool   `json:"enabled"`
}

// checkWebhookParams validates the fields that were sent.
func (s *Server) checkWebhookParams(r *http.Request, b *webhookEndpointParams) error {
	if b.Description != nil && utf8.RuneCountInString(*b.Description) > maxWebhookDescription {
		return latchkey.Errorf(latchkey.CodeFormParamValue, "description", "The description is longer than %d characters.", maxWebhookDescription)
	}
	if b.EventTypes != nil {
		if err := checkWebhookEventTypes(*b.EventTypes); err != nil {
			return err
		}
	}
	if b.Headers != nil {
		if err := checkWebhookHeaders(*b.Headers); err != nil {
			return err
		}
	}
	if b.Secret != nil {
		if err := checkWebhookSecret(*b.Secret); err != nil {
			return err
		}
	}
	// Last: it may resolve the host name.
	if b.URL != nil {
		return netguard.CheckURL(r.Context(), *b.URL, s.webhookNet, nil)
	}
	return nil
}

func (b *webhookEndpointParams) apply(e *latchkey.WebhookEndpoint) {
	if b.URL != nil {
		e.URL = *b.URL
	}
	if b.Description != nil {
		e.Description = *b.Description
	}
	if b.EventTypes != nil {
		e.EventTypes = *b.EventTypes
		if len(e.EventTypes) == 0 {
			e.EventTypes = nil
		}
	}
	if b.Headers != nil {
		e.Headers = *b.Headers
	}
}

// webhookEndpointsCreate is POST /api/v1/webhooks/endpoints. The answer is
// the only one, with rotate_secret's, that carries the secret unasked.
func (s *Server) webhookEndpointsCreate(w http.ResponseWriter, r *http.Request) error {
	var b webhookEndpointParams
	if err := s.decodeJSON(r, &b, false); err != nil {
		return err
	}
	if b.URL == nil {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "url", "Give the URL to send webhooks to.")
	}
	if err := s.checkWebhookParams(r, &b); err != nil {
		return err
	}
	secret := webhook.NewSecret()
	if b.Secret != nil {
		secret = *b.Secret
	}
	e := &latchkey.WebhookEndpoint{Enabled: b.Enabled == nil || *b.Enabled, Secrets: []latchkey.WebhookSecret{{Secret: secret}}}
	if !e.Enabled {
		e.DisabledReason, e.DisabledAt = latchkey.WebhookDisabledManual, time.Now()
	}
	b.apply(e)
	if err := s.store.CreateWebhookEndpoint(r.Context(), s.box, e); err != nil {
		return err
	}
	out := newWebhookEndpointJSON(e, time.Now())
	out.Secret = secret
	writeJSON(w, http.StatusOK, out)
	return nil
}

// webhookEndpointsList is GET /api/v1/webhooks/endpoints.
func (s *Server) webhookEndpointsList(w http.ResponseWriter, r *http.Request) error {
	es, err := s.store.WebhookEndpoints(r.Context(), s.box)
	if err != nil {
		return err
	}
	out := listJSON[webhookEndpointJSON]{Data: make([]webhookEndpointJSON, 0, len(es)), TotalCount: len(es)}
	now := time.Now()
	for _, e := range es {
		out.Data = append(out.Data, newWebhookEndpointJSON(e, now))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// webhookEndpointsGet is GET /api/v1/webhooks/endpoints/{id}, with its
// delivery counts.
func (s *Server) webhookEndpointsGet(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	e, err := s.store.WebhookEndpoint(r.Context(), s.box, id)
	if err != nil {
		return notFoundAs(err, "webhook endpoint", id)
	}
	out := newWebhookEndpointJSON(e, time.Now())
	if out.Deliveries, err = s.store.WebhookDeliveryCounts(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// webhookEndpointsUpdate is PATCH /api/v1/webhooks/endpoints/{id}: url,
// description, event_types, headers (the whole set).
func (s *Server) webhookEndpointsUpdate(w http.ResponseWriter, r *http.Request) error {
	var b webhookEndpointParams
	if err := s.decodeJSON(r, &b, false); err != nil {
		return err
	}
	if b.Secret != nil {
		return latchkey.Errorf(latchkey.CodeFormParamUnknown, "secret", "Change the secret with POST /api/v1/webhooks/endpoints/{id}/rotate_secret.")
	}
	if b.Enabled != nil {
		return latchkey.Errorf(latchkey.CodeFormParamUnknown, "enabled", "Use POST /api/v1/webhooks/endpoints/{id}/enable or /disable.")
	}
	if err := s.checkWebhookParams(r, &b); err != nil {
		return err
	}
	id := r.PathValue("id")
	e, err := s.store.UpdateWebhookEndpoint(r.Context(), s.box, id, func(e *latchkey.WebhookEndpoint) error {
		b.apply(e)
		return nil
	})
	if err != nil {
		return notFoundAs(err, "webhook endpoint", id)
	}
	writeJSON(w, http.StatusOK, newWebhookEndpointJSON(e, time.Now()))
	return nil
}

// webhookEndpointsDelete is DELETE /api/v1/webhooks/endpoints/{id}: the
// endpoint, its queue and its attempts go.
func (s *Server) webhookEndpointsDelete(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.store.DeleteWebhookEndpoint(r.Context(), id); err != nil {
		return notFoundAs(err, "webhook endpoint", id)
	}
	writeJSON(w, http.StatusOK, deletedJSON{Object: "webhook_endpoint", ID: id, Deleted: true})
	return nil
}

// webhookEndpointsDisable is POST /api/v1/webhooks/endpoints/{id}/disable.
func (s *Server) webhookEndpointsDisable(w http.ResponseWriter, r *http.Request) error {
	if err := s.decodeJSON(r, &struct{}{}, true); err != nil {
		return err
	}
	id := r.PathValue("id")
	e, err := s.store.DisableWebhookEndpoint(r.Context(), s.box, id)
	if err != nil {
		return notFoundAs(err, "webhook endpoint", id)
	}
	writeJSON(w, http.StatusOK, newWebhookEndpointJSON(e, time.Now()))
	return nil
}

// webhookEndpointsEnable is POST /api/v1/webhooks/endpoints/{id}/enable.
// Re-enabling an endpoint that was disabled (or was failing) offers to
// replay what it missed: the answer's "missed" counts the events since it
// started failing or was disabled, and says how to replay them; with
// {"replay":"missed"} they are queued at once.
func (s *Server) webhookEndpointsEnable(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Replay *string `json:"replay"`
	}
	if err := s.decodeJSON(r, &b, true); err != nil {
		return err
	}
	if b.Replay != nil && *b.Replay != "missed" {
		return latchkey.Errorf(latchkey.CodeFormParamValue, "replay", `replay takes one value: "missed".`)
	}
	id := r.PathValue("id")
	e, missed, err := s.store.EnableWebhookEndpoint(r.Context(), s.box, id, b.Replay != nil)
	if err != nil {
		return notFoundAs(err, "webhook endpoint", id)
	}
	out := newWebhookEndpointJSON(e, time.Now())
	if missed != nil {
		m := &missedJSON{Since: latchkey.Millis(missed.Since), Events: missed.Events}
		if b.Replay != nil {
			m.Replayed = &missed.Replayed
		} else {
			m.Replay = &replayHint{Method: "POST", Path: "/api/v1/webhooks/endpoints/" + id + "/replay",
				Body: map[string]any{"since": m.Since}}
		}
		out.Missed = m
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// webhookEndpointsRotate is POST /api/v1/webhooks/endpoints/{id}/rotate_secret
// with an optional {"secret":"whsec_..."}: the new secret signs from now
// on, and the previous one too for 24 hours.
func (s *Server) webhookEndpointsRotate(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Secret *string `json:"secret"`
	}
	if err := s.decodeJSON(r, &b, true); err != nil {
		return err
	}
	secret := webhook.NewSecret()
	if b.Secret != nil {
		if err := checkWebhookSecret(*b.Secret); err != nil {
			return err
		}
		secret = *b.Secret
	}
	id := r.PathValue("id")
	e, err := s.store.RotateWebhookSecret(r.Context(), s.box, id, secret)
	if err != nil {
		return notFoundAs(err, "webhook endpoint", id)
	}
	out := newWebhookEndpointJSON(e, time.Now())
	out.Secret = secret
	writeJSON(w, http.StatusOK, out)
	return nil
}

// webhookEndpointsSecret is GET /api/v1/webhooks/endpoints/{id}/secret: the
// current secret, and the previous ones still signing.
func (s *Server) webhookEndpointsSecret(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	e, err := s.store.WebhookEndpoint(r.Context(), s.box, id)
	if err != nil {
		return notFoundAs(err, "webhook endpoint", id)
	}
	out := webhookSecretJSON{Object: "webhook_secret", Previous: []previousSecretJSON{}}
	now := time.Now()
	for i, sec := range e.Secrets {
		switch {
		case i == 0:
			out.Secret = sec.Secret
		case now.Before(sec.ExpiresAt):
			out.Previous = append(out.Previous, previousSecretJSON{Secret: sec.Secret, ExpiresAt: latchkey.Millis(sec.ExpiresAt)})
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// webhookEndpointsHeaders is GET /api/v1/webhooks/endpoints/{id}/headers:
// the custom headers with their values, which no other answer shows.
func (s *Server) webhookEndpointsHeaders(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	e, err := s.store.WebhookEndpoint(r.Context(), s.box, id)
	if err != nil {
		return notFoundAs(err, "webhook endpoint", id)
	}
	out := webhookHeadersJSON{Object: "webhook_headers", Headers: maps.Clone(e.Headers)}
	if out.Headers == nil {
		out.Headers = map[string]string{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// webhookAttemptsList is GET /api/v1/webhooks/endpoints/{id}/attempts:
// newest first, optionally of one event or one outcome.
func (s *Server) webhookAttemptsList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "event_id", "status", "limit", "offset":
		default:
			return latchkey.Errorf(latchkey.CodeFormParamUnknown, k, "%q is not a query parameter of this endpoint.", truncate(k, 100))
		}
	}
	id := r.PathValue("id")
	f := sqlstore.AttemptFilter{EndpointID: id, EventID: q.Get("event_id"), Status: q.Get("status")}
	switch f.Status {
	case "", "succeeded", "failed":
	default:
		return latchkey.Errorf(latchkey.CodeFormParamValue, "status", "status must be succeeded or failed.")
	}
	var err error
	if f.Limit, err = intParam(q, "limit", defaultLimit, 1, maxLimit); err != nil {
		return err
	}
	if f.Offset, err = intParam(q, "offset", 0, 0, 1<<31-1); err != nil {
		return err
	}
	if _, err := s.store.WebhookEndpoint(r.Context(), s.box, id); err != nil {
		return notFoundAs(err, "webhook endpoint", id)
	}
	as, more, err := s.store.WebhookAttempts(r.Context(), f)
	if err != nil {
		return err
	}
	out := webhookAttemptListJSON{Data: make([]webhookAttemptJSON, 0, len(as)), HasMore: more}
	for _, a := range as {
		out.Data = append(out.Data, newWebhookAttemptJSON(a))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// webhookEndpointsReplay is POST /api/v1/webhooks/endpoints/{id}/replay
// with one of {"event_id":"evt_..."} (one event, sent before or not),
// {"failed":true} (every delivery whose attempts all failed, optionally
// with "since") or {"since":<Unix ms>} (every event since then). Replayed
// events keep their id, so webhook-id is the same as before. A disabled
// endpoint's replays wait until it is enabled.
func (s *Server) webhookEndpointsReplay(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		EventID *string `json:"event_id"`
		Failed  *bool   `json:"failed"`
		Since   *int64  `json:"since"`
	}
	if err := s.decodeJSON(r, &b, false); err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.store.WebhookEndpoint(r.Context(), s.box, id); err != nil {
		return notFoundAs(err, "webhook endpoint", id)
	}
	if b.Since != nil && *b.Since < 0 {
		return latchkey.Errorf(latchkey.CodeFormParamValue, "since", "since is a time in Unix milliseconds.")
	}
	var since time.Time
	if b.Since != nil {
		since = time.UnixMilli(*b.Since)
	}
	var n int64
	var err error
	switch {
	case b.EventID != nil && (b.Failed != nil || b.Since != nil):
		return latchkey.Errorf(latchkey.CodeFormParamValue, "event_id", "Replay one event (event_id), the failed deliveries (failed), or everything since a time (since), not several.")
	case b.EventID != nil:
		if err = s.store.ReplayWebhookEvent(r.Context(), id, *b.EventID); errors.Is(err, latchkey.ErrNotFound) {
			return latchkey.Errorf(latchkey.CodeResourceNotFound, "event_id",
				"No event %q of a type this endpoint receives is retained; events are kept for events.retention_days.", truncate(*b.EventID, 100))
		}
		n = 1
	case b.Failed != nil && *b.Failed:
		n, err = s.store.ReplayFailedWebhooks(r.Context(), id, since)
	case b.Failed != nil:
		return latchkey.Errorf(latchkey.CodeFormParamValue, "failed", "failed can only be true.")
	case b.Since != nil:
		n, err = s.store.ReplayWebhooksSince(r.Context(), id, since)
	default:
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "", "Say what to replay: event_id, failed or since.")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webhookReplayJSON{Object: "webhook_replay", EndpointID: id, Queued: n})
	return nil
}

// webhookEndpointsTest is POST /api/v1/webhooks/endpoints/{id}/test: a
// webhook.test event is sent now, enabled or not, and the attempt is the
// answer (the request succeeds whatever the endpoint answered). The send
// and its record do not end when the caller disconnects: the attempt would
// otherwise be cut short and then fail to be recorded, leaving no trace of
// a request the receiver may have got. The client's timeout
// (netguard.ClientTimeout) bounds it.
func (s *Server) webhookEndpointsTest(w http.ResponseWriter, r *http.Request) error {
	if err := s.decodeJSON(r, &struct{}{}, true); err != nil {
		return err
	}
	id := r.PathValue("id")
	e, err := s.store.WebhookEndpoint(r.Context(), s.box, id)
	if err != nil {
		return notFoundAs(err, "webhook endpoint", id)
	}
	a, err := s.webhooks.SendTest(context.WithoutCancel(r.Context()), e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newWebhookAttemptJSON(a))
	return nil
}
