package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/wire"
)

// eventPageJSON is a page of the feed. next_cursor is the cursor to pass as
// after= next: the last event's, or the request's own when the page is empty,
// so a consumer can poll with it forever.
type eventPageJSON struct {
	Data       []wire.Event `json:"data"`
	NextCursor string       `json:"next_cursor"`
	HasMore    bool         `json:"has_more"`
}

const defaultEventLimit = 100

// eventsList is GET /api/v1/events?after=&type=&limit=: committed events in
// commit order, for reconciling what a webhook endpoint missed. Without
// type=, the secret-bearing types (latchkey.SecretBearingEventTypes) are
// left out.
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
			if !slices.Contains(latchkey.EventTypes, t) {
				return latchkey.Errorf(latchkey.CodeFormParamValue, "type", "%q is not an event type.", truncate(t, 100))
			}
			f.Types = append(f.Types, t)
		}
	}
	if len(f.Types) == 0 {
		// Codes and links are read only by a consumer that asks for them by
		// name, as webhook endpoints receive them only when they list them.
		f.ExcludeTypes = latchkey.SecretBearingEventTypes
	}
	var err error
	if f.Limit, err = intParam(q, "limit", defaultEventLimit, 1, maxLimit); err != nil {
		return err
	}
	evs, more, err := s.store.Events(r.Context(), f)
	if err != nil {
		return err
	}
	out := eventPageJSON{Data: make([]wire.Event, 0, len(evs)), NextCursor: strconv.FormatInt(f.After, 10), HasMore: more}
	instanceID := s.instance.Instance().ID
	for _, e := range evs {
		out.Data = append(out.Data, wire.NewEvent(e, instanceID))
		out.NextCursor = strconv.FormatInt(e.Cursor, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
