package wire

import (
	"encoding/json"

	"github.com/latchkeyhq/latchkey"
)

// Event is an event as webhooks deliver it and the event feed lists it:
// data is the object as the Backend API returned it when the change
// committed, and sequence numbers the events of that object (its Nth event
// has sequence N), so a consumer can drop an update older than one it
// already applied.
type Event struct {
	Object     string          `json:"object"`
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Timestamp  int64           `json:"timestamp"`
	InstanceID string          `json:"instance_id"`
	Data       json.RawMessage `json:"data"`
	Sequence   int64           `json:"sequence"`
}

// NewEvent shapes e for the wire.
func NewEvent(e *latchkey.Event, instanceID string) Event {
	return Event{Object: "event", ID: e.ID, Type: e.Type, Timestamp: latchkey.Millis(e.CreatedAt),
		InstanceID: instanceID, Data: e.Data, Sequence: e.Sequence}
}
