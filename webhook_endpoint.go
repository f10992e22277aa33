package latchkey

import (
	"slices"
	"time"
)

// PrefixWebhookEndpoint and PrefixWebhookAttempt are the ID prefixes of
// webhook endpoints and of their delivery attempts.
const (
	PrefixWebhookEndpoint = "whep"
	PrefixWebhookAttempt  = "whatt"
)

// Why an endpoint is disabled.
const (
	WebhookDisabledManual  = "manual"  // by an operator
	WebhookDisabledFailing = "failing" // automatically, after failing for days
)

// WebhookEndpoint is a URL that receives the instance's events.
type WebhookEndpoint struct {
	ID          string
	URL         string
	Description string
	// EventTypes are the types sent; empty means every type but the
	// SecretBearingEventTypes, which are sent only when listed.
	EventTypes []string
	// Headers are added to every request (credentials for the receiver,
	// say); they are stored sealed.
	Headers map[string]string
	Enabled bool
	// DisabledReason is WebhookDisabledManual or WebhookDisabledFailing
	// while Enabled is false, and DisabledAt when that happened.
	DisabledReason string
	DisabledAt     time.Time
	// FailingSince is the time of the first failed attempt since the last
	// successful one; zero when the last attempt succeeded.
	FailingSince time.Time
	// LastFailedAt is the time of the latest failed attempt: a failure long
	// after it starts a new streak (the endpoint had no traffic meanwhile,
	// which is not failing).
	LastFailedAt time.Time
	// Secrets are the signing secrets, newest first. The first is the
	// current one; older ones stay active until their ExpiresAt, so a
	// receiver has 24 hours to switch after a rotation.
	Secrets   []WebhookSecret
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WebhookSecret is one signing secret ("whsec_...").
type WebhookSecret struct {
	Secret    string
	CreatedAt time.Time
	ExpiresAt time.Time // zero: the current secret, no expiry
}

// ActiveSecrets returns the secrets that sign a request made at now,
// newest first.
func (e *WebhookEndpoint) ActiveSecrets(now time.Time) []string {
	var out []string
	for _, s := range e.Secrets {
		if s.ExpiresAt.IsZero() || now.Before(s.ExpiresAt) {
			out = append(out, s.Secret)
		}
	}
	return out
}

// Wants reports whether the endpoint subscribes to events of type t.
func (e *WebhookEndpoint) Wants(t string) bool {
	if len(e.EventTypes) == 0 {
		return !slices.Contains(SecretBearingEventTypes, t)
	}
	return slices.Contains(e.EventTypes, t)
}

// WebhookAttempt is one HTTP request made to an endpoint, successful or not.
type WebhookAttempt struct {
	ID         string
	EndpointID string
	EventID    string
	EventType  string
	// Attempt numbers the attempts of one delivery from 1; a replay starts
	// again at 1. A test event's attempt is 1.
	Attempt    int
	StatusCode int // 0 when no response arrived
	Latency    time.Duration
	// Response is the start of the response body, for the delivery log.
	Response  string
	Error     string // why it failed: the status, a timeout, a refused address
	Succeeded bool
	Test      bool // sent by "send a test event"
	CreatedAt time.Time
}
