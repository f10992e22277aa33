package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
)

// sessionIDPattern matches the IDs golden() does not know: sessions and
// clients.
var sessionIDPattern = regexp.MustCompile(`\b(sess|client)_[0-9A-Za-z]{27}\b`)

// goldenSessions is golden() for bodies holding session and client IDs: they
// become "<sess_1>", "<client_1>", ... in order of appearance first.
func goldenSessions(t *testing.T, name string, body []byte) {
	t.Helper()
	seen := map[string]string{}
	count := map[string]int{}
	out := sessionIDPattern.ReplaceAllFunc(body, func(id []byte) []byte {
		if p, ok := seen[string(id)]; ok {
			return []byte(p)
		}
		prefix := string(id[:len(id)-28])
		count[prefix]++
		p := fmt.Sprintf("<%s_%d>", prefix, count[prefix])
		seen[string(id)] = p
		return []byte(p)
	})
	golden(t, name, out)
}

// listSessions returns the IDs a session list answers and its total.
func listSessions(t *testing.T, ts *testServer, query string) ([]string, int) {
	t.Helper()
	res := ts.as(t).do("GET", "/api/v1/sessions"+query, nil)
	res.wantStatus(t, http.StatusOK)
	var l listJSON[backendSessionJSON]
	res.decode(t, &l)
	if l.Data == nil {
		t.Errorf("GET /api/v1/sessions%s: data is null, want a list", query)
	}
	ids := []string{}
	for _, s := range l.Data {
		ids = append(ids, s.ID)
	}
	return ids, l.TotalCount
}

func TestBackendSessions(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		api := ts.as(t)
		ada := ts.signInUser(t, siEmail, "")
		grace := ts.signInUser(t, "grace@example.com", "")
		b1, b2, b3 := newBrowser(t, ts), newBrowser(t, ts), newBrowser(t, ts)
		s1 := b1.ticketSignIn(ada.ID, uaChromeWindows)
		s2 := b2.ticketSignIn(ada.ID, uaSafariIPhone)
		s3 := b3.ticketSignIn(grace.ID, uaChromeWindows)
		b2.do("POST", "/v1/client/sessions/"+s2+"/end", nil).wantStatus(t, http.StatusOK)
		c1 := b1.call("GET", "/v1/client", nil, http.StatusOK).Client.ID
		c3 := b3.call("GET", "/v1/client", nil, http.StatusOK).Client.ID

		// The list: most recently active first, filters, paging.
		res := api.do("GET", "/api/v1/sessions", nil)
		res.wantStatus(t, http.StatusOK)
		goldenSessions(t, "sessions_list", res.Body)
		lists := []struct {
			query string
			ids   []string
			total int
		}{
			{"", []string{s3, s2, s1}, 3},
			{"?user_id=" + ada.ID, []string{s2, s1}, 2},
			{"?user_id=" + grace.ID, []string{s3}, 1},
			{"?user_id=user_nope", []string{}, 0},
			{"?client_id=" + c3, []string{s3}, 1},
			{"?client_id=" + c1 + "&user_id=" + grace.ID, []string{}, 0},
			{"?status=ended", []string{s2}, 1},
			{"?status=active&user_id=" + ada.ID, []string{s1}, 1},
			{"?status=revoked", []string{}, 0},
			{"?limit=1", []string{s3}, 3},
			{"?limit=1&offset=1", []string{s2}, 3},
			{"?limit=2&offset=2", []string{s1}, 3},
			{"?offset=3", []string{}, 3},
		}
		for _, l := range lists {
			ids, total := listSessions(t, ts, l.query)
			if diff := cmp.Diff(l.ids, ids); diff != "" || total != l.total {
				t.Errorf("GET /api/v1/sessions%s: total %d, want %d; ids (-want +got):\n%s", l.query, total, l.total, diff)
			}
		}
		bad := []struct {
			query string
			code  latchkey.Code
			param string
		}{
			{"?status=bogus", latchkey.CodeFormParamValue, "status"},
			{"?status=ACTIVE", latchkey.CodeFormParamValue, "status"},
			{"?sort=created_at", latchkey.CodeFormParamUnknown, "sort"},
			{"?limit=0", latchkey.CodeFormParamValue, "limit"},
			{"?limit=501", latchkey.CodeFormParamValue, "limit"},
			{"?limit=ten", latchkey.CodeFormParamInvalid, "limit"},
			{"?offset=-1", latchkey.CodeFormParamValue, "offset"},
		}
		for _, b := range bad {
			res := api.do("GET", "/api/v1/sessions"+b.query, nil)
			res.wantError(t, http.StatusBadRequest, b.code, b.param)
			if b.query == "?status=bogus" {
				golden(t, "error_400_session_status", res.Body)
			}
		}

		// One session.
		res = api.do("GET", "/api/v1/sessions/"+s1, nil)
		res.wantStatus(t, http.StatusOK)
		goldenSessions(t, "sessions_get", res.Body)
		var got backendSessionJSON
		res.decode(t, &got)
		if got.ID != s1 || got.UserID != ada.ID || got.ClientID != c1 || got.Status != "active" || got.IPAddress != "127.0.0.1" ||
			got.UserAgent != uaChromeWindows || got.EndedAt != nil || got.ExpireAt-got.CreatedAt != 7*24*3600*1000 {
			t.Errorf("session %+v", got)
		}
		res = api.do("GET", "/api/v1/sessions/sess_"+strings.Repeat("0", 27), nil)
		res.wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		goldenSessions(t, "error_404_session", res.Body)

		// Tokens for a server-side flow: verifiable, no azp (no browser).
		res = api.do("POST", "/api/v1/sessions/"+s3+"/tokens", nil)
		res.wantStatus(t, http.StatusOK)
		var tok tokenJSON
		res.decode(t, &tok)
		claims := verifyToken(t, ts, tok.JWT)
		if tok.Object != "token" || claims["sub"] != grace.ID || claims["sid"] != s3 || claims["iss"] != ts.url || claims["azp"] != nil ||
			claimInt(t, claims, "exp")-claimInt(t, claims, "iat") != 60 {
			t.Errorf("backend token %+v, claims %v", tok, claims)
		}
		api.do("POST", "/api/v1/sessions/"+s3+"/tokens", `{}`).wantStatus(t, http.StatusOK)
		api.do("POST", "/api/v1/sessions/"+s3+"/tokens", `{"lifetime":5}`).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamUnknown, "lifetime")
		api.do("POST", "/api/v1/sessions/"+s2+"/tokens", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")
		api.do("POST", "/api/v1/sessions/sess_nope/tokens", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")

		// Revoke: the session's refreshes stop; twice is fine and answers
		// the same session.
		res = api.do("POST", "/api/v1/sessions/"+s1+"/revoke", nil)
		res.wantStatus(t, http.StatusOK)
		goldenSessions(t, "sessions_revoke", res.Body)
		var revoked, again backendSessionJSON
		res.decode(t, &revoked)
		if revoked.Status != latchkey.SessionRevoked || revoked.EndedAt == nil {
			t.Errorf("revoked %+v", revoked)
		}
		b1.refresh(s1).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")
		api.do("POST", "/api/v1/sessions/"+s1+"/revoke", `{}`).decode(t, &again)
		if diff := cmp.Diff(revoked, again); diff != "" {
			t.Errorf("second revoke (-first +second):\n%s", diff)
		}
		// An ended session keeps its status: revoking it changes nothing.
		api.do("POST", "/api/v1/sessions/"+s2+"/revoke", nil).decode(t, &again)
		if again.Status != latchkey.SessionEnded {
			t.Errorf("revoking an ended session made it %s", again.Status)
		}
		api.do("POST", "/api/v1/sessions/sess_nope/revoke", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "session_id")
		api.do("POST", "/api/v1/sessions/"+s3+"/revoke", `{"reason":"x"}`).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamUnknown, "reason")
		if s := backendSession(t, ts, s3); s.Status != latchkey.SessionActive {
			t.Errorf("a refused revoke changed the session: %s", s.Status)
		}
		api.do("POST", "/api/v1/sessions/"+s1+"/tokens", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")

		// Clients.
		res = api.do("GET", "/api/v1/clients/"+c1, nil)
		res.wantStatus(t, http.StatusOK)
		goldenSessions(t, "clients_get", res.Body)
		var bc backendClientJSON
		res.decode(t, &bc)
		if bc.ID != c1 || bc.Revoked || len(bc.Sessions) != 1 || bc.Sessions[0].ID != s1 || bc.LastActiveSessionID != nil { // its only session was revoked
			t.Errorf("client %+v", bc)
		}
		api.do("GET", "/api/v1/clients/client_nope", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")

		// The Backend API takes no cookies: a browser's client cookie is
		// not a key.
		res = (&client{t: t, base: ts.url, hc: b3.hc}).do("GET", "/api/v1/sessions", nil, "Authorization", "")
		if res.Status != http.StatusUnauthorized {
			t.Errorf("GET /api/v1/sessions with a client cookie and no key: %d", res.Status)
		}
	})
}
