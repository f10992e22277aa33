package latchkey

import (
	"encoding/json"
	"time"
)

// PrefixEvent is the ID prefix of events.
const PrefixEvent = "evt"

// Event types: what changed, named as Clerk names them.
const (
	EventUserCreated    = "user.created"
	EventUserUpdated    = "user.updated"
	EventUserDeleted    = "user.deleted"
	EventSessionCreated = "session.created"
	EventSessionEnded   = "session.ended"
	EventSessionRevoked = "session.revoked"
	EventSessionRemoved = "session.removed"
	// EventEmailCreated carries each email as it is handed to the sender,
	// so an app can deliver it itself.
	EventEmailCreated = "email.created"
	// EventSMSCreated will carry each text message once SMS codes exist.
	EventSMSCreated = "sms.created"
	// EventWebhookTest is only ever sent by "send a test event"; it is not
	// stored and not in the feed.
	EventWebhookTest = "webhook.test"
)

// EventTypes lists the types an endpoint can subscribe to and the feed can
// filter on, in documentation order.
var EventTypes = []string{
	EventUserCreated, EventUserUpdated, EventUserDeleted,
	EventSessionCreated, EventSessionEnded, EventSessionRevoked, EventSessionRemoved,
	EventEmailCreated, EventSMSCreated,
}

// SecretBearingEventTypes carry what a message carries: sign-in codes and
// links. An endpoint gets them only when it names them in its event types;
// "every type" (an empty list) leaves them out, so an endpoint set up for
// user sync never receives credentials.
var SecretBearingEventTypes = []string{EventEmailCreated, EventSMSCreated}

// PrefixEmail is the ID prefix of the emails email.created carries.
const PrefixEmail = "ema"

// Event is one change, written in the same transaction as the change itself
// (a transactional outbox), so it exists if and only if the change committed.
// Webhook delivery and the Backend API's event feed both read it.
type Event struct {
	ID       string
	Type     string // one of the Event* constants
	ObjectID string // the user or session that changed
	// Cursor is the event's place in commit order: a later commit always has a
	// larger cursor. Cursors may have gaps (a rolled-back transaction uses one
	// up), so consumers compare them and never count them.
	Cursor int64
	// Sequence numbers the events of one object: its Nth event has sequence
	// N, so a consumer can drop an update older than one it already applied.
	Sequence  int64
	Data      json.RawMessage // the object as the Backend API returns it
	CreatedAt time.Time
}
