package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// eventJSON is an event as the feed (and, later, a webhook) delivers it:
// data is the object as the Backend API returned it when the change
// committed, and sequence numbers the events of that object.
type eventJSON struct {
	Object     string          `json:"object"`
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Timestamp  int64           `json:"timestamp"`
	InstanceID string          `json:"instance_id"`
	Data       json.RawMessage `json:"data"`
	Sequence   int64           `json:"sequence"`
}

// eventPageJSON is a page of the feed. next_cursor is the cursor to pass as
// after= next: the last event's, or the request's own when the page is empty,
// so a consumer can poll with it forever.
type eventPageJSON struct {
	Data       []eventJSON `json:"data"`
	NextCursor string      `json:"next_cursor"`
	HasMore    bool        `json:"has_more"`
}

// eventTypes are the types the feed can filter on.
var eventTypes = map[string]bool{
	latchkey.EventUserCreated: true, latchkey.EventUserUpdated: true, latchkey.EventUserDeleted: true,
	latchkey.EventSessionCreated: true, latchkey.EventSessionEnded: true,
	latchkey.EventSessionRevoked: true, latchkey.EventSessionRemoved: true,
}

const defaultEventLimit = 100

// eventsList is GET /api/v1/events?after=&type=&limit=: committed events in
// commit order, for reconciling what a webhook endpoint missed.
func (s *Server) eventsList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "after", "type", "limit":
		default:
			return latchkey.Errorf(latchkey.CodeFormParamUnknown, k, "%q is not a query parameter of this endpoint.", truncate(k, 100))
		}
	}
	var f sqlstore.EventFilter
	if q.Has("after") {
		v := q.Get("after")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return latchkey.Errorf(latchkey.CodeFormParamInvalid, "after", "after must be a next_cursor returned by this endpoint.")
		}
		f.After = n
	}
	for _, v := range q["type"] {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if !eventTypes[t] {
				return latchkey.Errorf(latchkey.CodeFormParamValue, "type", "%q is not an event type.", truncate(t, 100))
			}
			f.Types = append(f.Types, t)
		}
	}
	var err error
	if f.Limit, err = intParam(q, "limit", defaultEventLimit, 1, maxLimit); err != nil {
		return err
	}
	evs, more, err := s.store.Events(r.Context(), f)
	if err != nil {
		return err
	}
	out := eventPageJSON{Data: make([]eventJSON, 0, len(evs)), NextCursor: strconv.FormatInt(f.After, 10), HasMore: more}
	instanceID := s.instance.Instance().ID
	for _, e := range evs {
		out.Data = append(out.Data, eventJSON{Object: "event", ID: e.ID, Type: e.Type, Timestamp: latchkey.Millis(e.CreatedAt),
			InstanceID: instanceID, Data: e.Data, Sequence: e.Sequence})
		out.NextCursor = strconv.FormatInt(e.Cursor, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
