package web

import (
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/wire"
)

// backendSessionJSON is a session on the Backend API, shaped by package
// wire, which events share.
type backendSessionJSON = wire.Session

func newBackendSession(s *latchkey.Session, now time.Time) backendSessionJSON {
	return wire.NewSession(s, now)
}

var sessionStatuses = map[string]bool{latchkey.SessionActive: true, latchkey.SessionEnded: true,
	latchkey.SessionRevoked: true, latchkey.SessionExpired: true, latchkey.SessionRemoved: true}

// sessionsList is GET /api/v1/sessions?user_id=&client_id=&status=&limit=&offset=.
func (s *Server) sessionsList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "user_id", "client_id", "status", "limit", "offset":
		default:
			return latchkey.Errorf(latchkey.CodeFormParamUnknown, k, "%q is not a query parameter of this endpoint.", truncate(k, 100))
		}
	}
	f := sqlstore.SessionFilter{UserID: q.Get("user_id"), ClientID: q.Get("client_id"), Status: q.Get("status")}
	if f.Status != "" && !sessionStatuses[f.Status] {
		return latchkey.Errorf(latchkey.CodeFormParamValue, "status", "status must be one of active, ended, revoked, expired, removed.")
	}
	var err error
	if f.Limit, err = intParam(q, "limit", defaultLimit, 1, maxLimit); err != nil {
		return err
	}
	if f.Offset, err = intParam(q, "offset", 0, 0, 1<<31-1); err != nil {
		return err
	}
	all, total, err := s.store.Sessions(r.Context(), f)
	if err != nil {
		return err
	}
	now := time.Now()
	out := listJSON[backendSessionJSON]{Data: make([]backendSessionJSON, 0, len(all)), TotalCount: total}
	for _, sess := range all {
		out.Data = append(out.Data, newBackendSession(sess, now))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// sessionsGet is GET /api/v1/sessions/{id}.
func (s *Server) sessionsGet(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	sess, err := s.store.SessionByID(r.Context(), id)
	if err != nil {
		return notFoundAs(err, "session", id)
	}
	writeJSON(w, http.StatusOK, newBackendSession(sess, time.Now()))
	return nil
}

// sessionsRevoke is POST /api/v1/sessions/{id}/revoke. The next token
// refresh of that session fails.
func (s *Server) sessionsRevoke(w http.ResponseWriter, r *http.Request) error {
	var empty struct{}
	if err := s.decodeJSON(r, &empty, true); err != nil {
		return err
	}
	sess, err := s.sessions.Revoke(r.Context(), r.PathValue("id"), "", s.requestInfo(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newBackendSession(sess, time.Now()))
	return nil
}

// sessionsTokens is POST /api/v1/sessions/{id}/tokens: a session token for
// a server-side flow.
func (s *Server) sessionsTokens(w http.ResponseWriter, r *http.Request) error {
	var empty struct{}
	if err := s.decodeJSON(r, &empty, true); err != nil {
		return err
	}
	id := r.PathValue("id")
	jwt, _, err := s.sessions.MintForSession(r.Context(), id)
	if err != nil {
		return notFoundAs(err, "session", id)
	}
	writeJSON(w, http.StatusOK, tokenJSON{Object: "token", JWT: jwt})
	return nil
}

// backendClientJSON is a client on the Backend API.
type backendClientJSON struct {
	Object              string               `json:"object"`
	ID                  string               `json:"id"`
	Sessions            []backendSessionJSON `json:"sessions"`
	LastActiveSessionID *string              `json:"last_active_session_id"`
	SignInID            *string              `json:"sign_in_id"`
	SignUpID            *string              `json:"sign_up_id"`
	Revoked             bool                 `json:"revoked"`
	CreatedAt           int64                `json:"created_at"`
	UpdatedAt           int64                `json:"updated_at"`
}

// clientsGet is GET /api/v1/clients/{id}.
func (s *Server) clientsGet(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	c, err := s.store.ClientByID(r.Context(), id)
	if err != nil {
		return notFoundAs(err, "client", id)
	}
	all, _, err := s.store.Sessions(r.Context(), sqlstore.SessionFilter{ClientID: c.ID})
	if err != nil {
		return err
	}
	now := time.Now()
	out := backendClientJSON{Object: "client", ID: c.ID, Sessions: make([]backendSessionJSON, 0, len(all)),
		LastActiveSessionID: optString(c.LastActiveSessionID), SignInID: optString(c.SignInID),
		SignUpID: optString(c.SignUpID), Revoked: c.Revoked(),
		CreatedAt: latchkey.Millis(c.CreatedAt), UpdatedAt: latchkey.Millis(c.UpdatedAt)}
	for _, sess := range all {
		out.Sessions = append(out.Sessions, newBackendSession(sess, now))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
