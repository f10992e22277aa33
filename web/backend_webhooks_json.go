package web

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/webhook"
)

// webhookEndpointJSON is an endpoint as the Backend API shows it. The
// signing secret appears only in the answers that create it (create,
// rotate_secret) and in GET .../secret. Custom headers are write-only in the
// same way: they usually hold the receiver's credentials, so answers name
// them (HeaderNames) and only GET .../headers shows their values.
type webhookEndpointJSON struct {
	Object      string   `json:"object"`
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types"` // empty: every type
	// HeaderNames are the names of the custom headers, sorted.
	HeaderNames []string `json:"header_names"`
	Enabled     bool     `json:"enabled"`
	// DisabledReason is "manual" or "failing" while disabled.
	DisabledReason *string `json:"disabled_reason"`
	DisabledAt     *int64  `json:"disabled_at"`
	FailingSince   *int64  `json:"failing_since"`
	// PreviousSecretExpiresAt is set during a rotation: until then, requests
	// carry a signature with the previous secret too.
	PreviousSecretExpiresAt *int64 `json:"previous_secret_expires_at"`
	Secret                  string `json:"secret,omitempty"`
	// Deliveries counts deliveries by state (GET of one endpoint only).
	Deliveries map[string]int64 `json:"deliveries,omitempty"`
	// Missed answers POST .../enable: what the endpoint missed while it was
	// failing or disabled, and how to replay it.
	Missed    *missedJSON `json:"missed,omitempty"`
	CreatedAt int64       `json:"created_at"`
	UpdatedAt int64       `json:"updated_at"`
}

// missedJSON offers the replay of what an endpoint missed.
type missedJSON struct {
	Since  int64 `json:"since"`
	Events int64 `json:"events"`
	// Replayed is how many were queued again, when the request asked for
	// it with {"replay":"missed"}; otherwise Replay is the request to make.
	Replayed *int64      `json:"replayed,omitempty"`
	Replay   *replayHint `json:"replay,omitempty"`
}

type replayHint struct {
	Method string         `json:"method"`
	Path   string         `json:"path"`
	Body   map[string]any `json:"body"`
}

func newWebhookEndpointJSON(e *latchkey.WebhookEndpoint, now time.Time) webhookEndpointJSON {
	types := e.EventTypes
	if types == nil {
		types = []string{}
	}
	names := slices.Sorted(maps.Keys(e.Headers))
	if names == nil {
		names = []string{}
	}
	out := webhookEndpointJSON{
		Object: "webhook_endpoint", ID: e.ID, URL: e.URL, Description: e.Description, EventTypes: types,
		HeaderNames: names, Enabled: e.Enabled, DisabledAt: optMillis(e.DisabledAt), FailingSince: optMillis(e.FailingSince),
		CreatedAt: latchkey.Millis(e.CreatedAt), UpdatedAt: latchkey.Millis(e.UpdatedAt),
	}
	out.DisabledReason = optString(e.DisabledReason)
	for _, s := range e.Secrets {
		if !s.ExpiresAt.IsZero() && now.Before(s.ExpiresAt) {
			out.PreviousSecretExpiresAt = optMillis(s.ExpiresAt)
			break
		}
	}
	return out
}

// webhookSecretJSON answers GET .../secret.
type webhookSecretJSON struct {
	Object   string               `json:"object"`
	Secret   string               `json:"secret"`
	Previous []previousSecretJSON `json:"previous"`
}

// webhookHeadersJSON answers GET .../headers: the custom headers with their
// values.
type webhookHeadersJSON struct {
	Object  string            `json:"object"`
	Headers map[string]string `json:"headers"`
}

type previousSecretJSON struct {
	Secret    string `json:"secret"`
	ExpiresAt int64  `json:"expires_at"`
}

// webhookReplayJSON answers POST .../replay: how many deliveries were
// queued.
type webhookReplayJSON struct {
	Object     string `json:"object"`
	EndpointID string `json:"endpoint_id"`
	Queued     int64  `json:"queued"`
}

// webhookAttemptJSON is one delivery attempt.
type webhookAttemptJSON struct {
	Object     string `json:"object"`
	ID         string `json:"id"`
	EndpointID string `json:"endpoint_id"`
	EventID    string `json:"event_id"`
	EventType  string `json:"event_type"`
	Attempt    int    `json:"attempt"`
	Succeeded  bool   `json:"succeeded"`
	StatusCode *int   `json:"status_code"`
	LatencyMS  int64  `json:"latency_ms"`
	Response   string `json:"response"`
	Error      string `json:"error"`
	Test       bool   `json:"test"`
	CreatedAt  int64  `json:"created_at"`
}

// webhookAttemptListJSON is a page of attempts, newest first.
type webhookAttemptListJSON struct {
	Data    []webhookAttemptJSON `json:"data"`
	HasMore bool                 `json:"has_more"`
}

func newWebhookAttemptJSON(a *latchkey.WebhookAttempt) webhookAttemptJSON {
	out := webhookAttemptJSON{Object: "webhook_attempt", ID: a.ID, EndpointID: a.EndpointID, EventID: a.EventID,
		EventType: a.EventType, Attempt: a.Attempt, Succeeded: a.Succeeded, LatencyMS: a.Latency.Milliseconds(),
		Response: a.Response, Error: a.Error, Test: a.Test, CreatedAt: latchkey.Millis(a.CreatedAt)}
	if a.StatusCode != 0 {
		out.StatusCode = &a.StatusCode
	}
	return out
}

// Limits on what an endpoint may carry.
const (
	maxWebhookDescription = 500
	maxWebhookHeaders     = 20
	maxWebhookHeaderValue = 2048
)

// reservedWebhookHeaders may not be set as custom headers: the signature
// headers, and those the HTTP client owns.
var reservedWebhookHeaders = map[string]bool{
	"content-type": true, "content-length": true, "content-encoding": true, "host": true, "user-agent": true,
	"connection": true, "keep-alive": true, "transfer-encoding": true, "te": true, "trailer": true,
	"upgrade": true, "expect": true,
}

// checkWebhookHeaders validates custom headers: at most 20 valid header
// names, none reserved, no two the same but for case (HTTP header names are
// case-insensitive, so only one of them would be sent), values without
// control characters.
func checkWebhookHeaders(h map[string]string) error {
	const param = "headers"
	if len(h) > maxWebhookHeaders {
		return latchkey.Errorf(latchkey.CodeFormParamValue, param, "An endpoint takes at most %d custom headers.", maxWebhookHeaders)
	}
	seen := make(map[string]string, len(h))
	for _, k := range slices.Sorted(maps.Keys(h)) { // sorted: the same error for the same request
		v := h[k]
		lk := strings.ToLower(k)
		if !validHeaderName(k) {
			return latchkey.Errorf(latchkey.CodeFormParamValue, param, "%q is not a valid header name.", truncate(k, 100))
		}
		if other, ok := seen[lk]; ok {
			return latchkey.Errorf(latchkey.CodeFormParamValue, param, "%s and %s are the same header: header names ignore case.", other, k)
		}
		seen[lk] = k
		if reservedWebhookHeaders[lk] || strings.HasPrefix(lk, "webhook-") || strings.HasPrefix(lk, "proxy-") {
			return latchkey.Errorf(latchkey.CodeFormParamValue, param, "The %s header is set by Latchkey and cannot be overridden.", truncate(k, 100))
		}
		if len(v) > maxWebhookHeaderValue {
			return latchkey.Errorf(latchkey.CodeFormParamValue, param, "The value of %s is longer than %d bytes.", k, maxWebhookHeaderValue)
		}
		if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
			return latchkey.Errorf(latchkey.CodeFormParamValue, param, "The value of %s contains a control character.", k)
		}
	}
	return nil
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// checkWebhookEventTypes validates an event-type filter.
func checkWebhookEventTypes(types []string) error {
	for _, t := range types {
		if !isEventType(t) {
			return latchkey.Errorf(latchkey.CodeFormParamValue, "event_types", "%q is not an event type; the types are %s.",
				truncate(t, 100), strings.Join(latchkey.EventTypes, ", "))
		}
	}
	return nil
}

func isEventType(t string) bool { return slices.Contains(latchkey.EventTypes, t) }

// checkWebhookSecret validates a secret the caller chose.
func checkWebhookSecret(secret string) error {
	_, err := webhook.ParseSecret(secret)
	return err
}
