package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/wire"
)

// feed reads every event after cursor, page by page, and returns them with
// the cursor to continue from.
func feed(t *testing.T, ts *testServer, cursor, query string) ([]wire.Event, string) {
	t.Helper()
	var all []wire.Event
	for range 100 {
		res := ts.as(t).do("GET", "/api/v1/events?after="+cursor+query, nil)
		res.wantStatus(t, http.StatusOK)
		var page eventPageJSON
		res.decode(t, &page)
		if page.Data == nil {
			t.Fatalf("GET /api/v1/events: data is null, want a list")
		}
		all = append(all, page.Data...)
		cursor = page.NextCursor
		if !page.HasMore {
			return all, cursor
		}
	}
	t.Fatal("the feed does not end")
	return nil, ""
}

// sameJSON fails unless a and b are the same JSON value.
func sameJSON(t *testing.T, what string, a, b []byte) {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v: %s", what, err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v: %s", what, err, b)
	}
	if diff := cmp.Diff(y, x); diff != "" {
		t.Errorf("%s (-API +event):\n%s", what, diff)
	}
}

// oneEvent returns the only event in evs, failing unless it has this type,
// object and sequence.
func oneEvent(t *testing.T, evs []wire.Event, typ, objectID string, seq int64) wire.Event {
	t.Helper()
	if len(evs) != 1 {
		t.Fatalf("%d events, want one %s of %s: %+v", len(evs), typ, objectID, evs)
	}
	e := evs[0]
	var obj struct{ ID string }
	json.Unmarshal(e.Data, &obj)
	if e.Object != "event" || e.Type != typ || obj.ID != objectID || e.Sequence != seq || len(e.ID) != 31 || e.ID[:4] != "evt_" ||
		e.InstanceID == "" || e.Timestamp == 0 {
		t.Errorf("event = %+v, want %s of %s with sequence %d", e, typ, objectID, seq)
	}
	return e
}

func TestBackendEvents(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		api := ts.as(t)
		_, cursor := feed(t, ts, "0", "")

		// user.created: the data is the user as the API returns it.
		ada := ts.createUser(t, map[string]any{"email_address": []string{"ada@example.com"}, "first_name": "Ada",
			"private_metadata": map[string]any{"plan": "pro"}})
		evs, next := feed(t, ts, cursor, "")
		e := oneEvent(t, evs, latchkey.EventUserCreated, ada.ID, 1)
		get := api.do("GET", "/api/v1/users/"+ada.ID, nil)
		get.wantStatus(t, http.StatusOK)
		sameJSON(t, "user.created data", e.Data, get.Body)
		cursor = next

		// A change that fails writes no event.
		api.do("POST", "/api/v1/users", map[string]any{"email_address": []string{"ada@example.com"}, "skip_password_requirement": true}).
			wantError(t, http.StatusConflict, latchkey.CodeIdentifierExists, "email_address")
		if evs, _ := feed(t, ts, cursor, ""); len(evs) != 0 {
			t.Errorf("a failed create wrote %d events", len(evs))
		}

		// user.updated, the user's second event.
		api.do("PATCH", "/api/v1/users/"+ada.ID, map[string]any{"last_name": "Lovelace"}).wantStatus(t, http.StatusOK)
		evs, cursor = feed(t, ts, cursor, "")
		e = oneEvent(t, evs, latchkey.EventUserUpdated, ada.ID, 2)
		get = api.do("GET", "/api/v1/users/"+ada.ID, nil)
		sameJSON(t, "user.updated data", e.Data, get.Body)

		// session.created and session.revoked carry the Backend API session.
		b := newBrowser(t, ts)
		before := cursor
		sid := b.ticketSignIn(ada.ID, uaChromeWindows)
		evs, cursor = feed(t, ts, cursor, "&type=session.created")
		e = oneEvent(t, evs, latchkey.EventSessionCreated, sid, 1)
		var sess backendSessionJSON
		json.Unmarshal(e.Data, &sess)
		if sess.UserID != ada.ID || sess.Status != latchkey.SessionActive {
			t.Errorf("session.created data = %+v", sess)
		}
		rev := api.do("POST", "/api/v1/sessions/"+sid+"/revoke", nil)
		rev.wantStatus(t, http.StatusOK)
		evs, cursor = feed(t, ts, cursor, "&type=session.revoked,session.ended")
		e = oneEvent(t, evs, latchkey.EventSessionRevoked, sid, 2)
		sameJSON(t, "session.revoked data", e.Data, rev.Body)

		// session.ended when the browser signs out.
		sid2 := b.ticketSignIn(ada.ID, uaChromeWindows)
		b.do("POST", "/v1/client/sessions/"+sid2+"/end", nil).wantStatus(t, http.StatusOK)
		evs, cursor = feed(t, ts, cursor, "&type=session.ended")
		oneEvent(t, evs, latchkey.EventSessionEnded, sid2, 2)

		// user.deleted carries what DELETE answers.
		del := api.do("DELETE", "/api/v1/users/"+ada.ID, nil)
		del.wantStatus(t, http.StatusOK)
		evs, cursor = feed(t, ts, cursor, "&type=user.deleted")
		var seq int64
		all, _ := feed(t, ts, "0", "&type=user.created&type=user.updated,user.deleted")
		for _, e := range all { // every user.* event of ada's so far
			var obj struct{ ID string }
			json.Unmarshal(e.Data, &obj)
			if obj.ID == ada.ID {
				seq = max(seq, e.Sequence)
			}
		}
		e = oneEvent(t, evs, latchkey.EventUserDeleted, ada.ID, seq)
		sameJSON(t, "user.deleted data", e.Data, del.Body)

		// The whole feed, one event a page, is in commit order and ends with
		// the deletion; type filters select.
		whole, last := feed(t, ts, before, "&limit=1")
		if len(whole) < 5 || whole[len(whole)-1].Type != latchkey.EventUserDeleted || last != cursor {
			t.Errorf("paged feed: %d events ending %+v at %s, want the deletion at %s", len(whole), whole[len(whole)-1], last, cursor)
		}
		for _, e := range whole {
			if e.Type == latchkey.EventUserCreated {
				t.Errorf("feed after %s holds %s", before, e.Type)
			}
		}
		// Polling past the end answers an empty page and the same cursor.
		res := api.do("GET", "/api/v1/events?after="+cursor, nil)
		var page eventPageJSON
		res.decode(t, &page)
		if len(page.Data) != 0 || page.NextCursor != cursor || page.HasMore {
			t.Errorf("at the end: %+v, want an empty page at %s", page, cursor)
		}
		n, _ := strconv.ParseInt(cursor, 10, 64)
		if got, _ := feed(t, ts, fmt.Sprint(n-1), ""); len(got) != 1 {
			t.Errorf("after the second-last cursor: %d events, want 1", len(got))
		}

		bad := []struct {
			query string
			code  latchkey.Code
			param string
		}{
			{"?after=x", latchkey.CodeFormParamInvalid, "after"},
			{"?after=-1", latchkey.CodeFormParamInvalid, "after"},
			{"?after=", latchkey.CodeFormParamInvalid, "after"},
			{"?type=user.exploded", latchkey.CodeFormParamValue, "type"},
			{"?type=user.created,,", latchkey.CodeFormParamValue, "type"},
			{"?limit=0", latchkey.CodeFormParamValue, "limit"},
			{"?limit=501", latchkey.CodeFormParamValue, "limit"},
			{"?limit=ten", latchkey.CodeFormParamInvalid, "limit"},
			{"?cursor=1", latchkey.CodeFormParamUnknown, "cursor"},
		}
		for _, b := range bad {
			api.do("GET", "/api/v1/events"+b.query, nil).wantError(t, http.StatusBadRequest, b.code, b.param)
		}
	})
}

// TestBackendEventsSecretBearing: the feed leaves out the events that carry
// codes and links (email.created, sms.created) unless type= names them.
func TestBackendEventsSecretBearing(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		_, cursor := feed(t, ts, "0", "")
		err := ts.store.AddEmailEvent(t.Context(), sqlstore.EmailEvent{Slug: "verification_code", ToEmailAddress: "ada@example.com",
			Subject: "135790 is your code", Body: "<p>135790</p>", BodyPlain: "135790", Data: map[string]string{"code": "135790"}})
		if err != nil {
			t.Fatal(err)
		}
		ada := ts.createUser(t, map[string]any{"email_address": []string{"ada@example.com"}})

		evs, _ := feed(t, ts, cursor, "")
		oneEvent(t, evs, latchkey.EventUserCreated, ada.ID, 1)
		evs, _ = feed(t, ts, cursor, "&limit=1")
		oneEvent(t, evs, latchkey.EventUserCreated, ada.ID, 1)

		evs, _ = feed(t, ts, cursor, "&type="+latchkey.EventEmailCreated)
		if len(evs) != 1 || evs[0].Type != latchkey.EventEmailCreated {
			t.Fatalf("type=email.created: %+v", evs)
		}
		evs, _ = feed(t, ts, cursor, "&type=email.created,user.created")
		if len(evs) != 2 {
			t.Errorf("type=email.created,user.created: %d events, want 2", len(evs))
		}
	})
}
