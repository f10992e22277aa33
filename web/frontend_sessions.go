package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// tokenJSON is a minted session token.
type tokenJSON struct {
	Object string `json:"object"`
	JWT    string `json:"jwt"`
}

// sessionTokens is POST /v1/client/sessions/{id}/tokens: a fresh session
// JWT. It writes nothing to the database, and also refreshes the
// __lk_session cookie for server-rendered pages.
func (s *Server) sessionTokens(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	if err := s.readEmptyOrJSON(r); err != nil {
		return err
	}
	jwt, _, err := s.sessions.Token(r.Context(), fc.state.Client, r.PathValue("id"), fc.req)
	if err != nil {
		return err
	}
	if !fc.viaHeader && fc.state.Client.LastActiveSessionID == r.PathValue("id") {
		http.SetCookie(w, s.cookie(r, cookieSession, jwt, 0, true))
		// A browser signed in from another device (magic link) has no uat
		// yet; without it server-side middleware would not handshake.
		if c, err := r.Cookie(cookieUAT); err != nil || c.Value == "0" || c.Value == "" {
			http.SetCookie(w, s.cookie(r, cookieUAT, strconv.FormatInt(fc.state.Client.RotatedAt.Unix(), 10), clientCookieMaxAge, false))
		}
	}
	writeJSON(w, http.StatusOK, tokenJSON{Object: "token", JWT: jwt})
	return nil
}

// sessionTouch is POST /v1/client/sessions/{id}/touch: the person is active
// (and, in multi-session mode, this becomes the active session).
func (s *Server) sessionTouch(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	if err := s.readEmptyOrJSON(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	sess, err := s.sessions.Touch(r.Context(), fc.state.Client, id)
	if err != nil {
		return err
	}
	if fc.state.Client.LastActiveSessionID != id {
		if err := s.sessions.SetActive(r.Context(), fc.state, id); err != nil {
			return err
		}
		// Switching accounts changes what the cookies say.
		if !fc.viaHeader {
			if err := s.setSessionCookies(w, r, fc); err != nil {
				return err
			}
		}
	}
	u, err := s.store.UserByID(r.Context(), sess.UserID)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, newSessionJSON(sess, u, time.Now()))
}

// sessionEnd is POST /v1/client/sessions/{id}/end: sign out of one session.
func (s *Server) sessionEnd(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	if err := s.readEmptyOrJSON(r); err != nil {
		return err
	}
	sess, err := s.sessions.End(r.Context(), fc.state, r.PathValue("id"), fc.req)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, newSessionJSON(sess, nil, time.Now()))
}

// deviceJSON is one of the signed-in person's sessions, as a device.
type deviceJSON struct {
	Object       string `json:"object"`
	ID           string `json:"id"`
	Status       string `json:"status"`
	Current      bool   `json:"current"`
	Browser      string `json:"browser_name"`
	OS           string `json:"os_name"`
	DeviceType   string `json:"device_type"`
	IPAddress    string `json:"ip_address"`
	City         string `json:"city"`
	Country      string `json:"country"`
	LastActiveAt int64  `json:"last_active_at"`
	CreatedAt    int64  `json:"created_at"`
}

// meSessions is GET /v1/me/sessions: the signed-in person's active sessions
// on every device.
func (s *Server) meSessions(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	me, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	all, _, err := s.store.Sessions(r.Context(), sqlstore.SessionFilter{UserID: me.UserID, Status: latchkey.SessionActive})
	if err != nil {
		return err
	}
	now := time.Now()
	out := listJSON[deviceJSON]{Data: []deviceJSON{}}
	for _, sess := range all {
		if !sess.ActiveAt(now) {
			continue
		}
		ua := latchkey.ParseUserAgent(sess.UserAgent)
		out.Data = append(out.Data, deviceJSON{Object: "session", ID: sess.ID, Status: sess.Status,
			Current: sess.ID == me.ID, Browser: ua.Browser, OS: ua.OS, DeviceType: ua.Type, IPAddress: sess.IP,
			City: sess.City, Country: sess.Country, LastActiveAt: latchkey.Millis(sess.LastActiveAt),
			CreatedAt: latchkey.Millis(sess.CreatedAt)})
	}
	out.TotalCount = len(out.Data)
	return s.writeFrontend(w, r, fc, http.StatusOK, out)
}

// meSessionRevoke is POST /v1/me/sessions/{id}/revoke: sign one of your own
// devices out.
func (s *Server) meSessionRevoke(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	if err := s.readEmptyOrJSON(r); err != nil {
		return err
	}
	me, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	sess, err := s.sessions.Revoke(r.Context(), r.PathValue("id"), me.UserID, fc.req)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, newSessionJSON(sess, nil, time.Now()))
}

// signedIn returns the client's active session, or signed_out.
func (s *Server) signedIn(r *http.Request, fc *frontendCtx) (*latchkey.Session, error) {
	c := fc.state.Client
	if c == nil || c.LastActiveSessionID == "" {
		return nil, latchkey.NewError(latchkey.CodeSignedOut, "")
	}
	sess, err := s.store.SessionByID(r.Context(), c.LastActiveSessionID)
	if err != nil || sess.ClientID != c.ID || !sess.ActiveAt(time.Now()) {
		return nil, latchkey.NewError(latchkey.CodeSignedOut, "")
	}
	return sess, nil
}

// setSessionCookies refreshes __lk_session and __lk_uat for the client's
// active session without rotating the credential.
func (s *Server) setSessionCookies(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	c := fc.state.Client
	// uat is taken before the token is minted: a token whose iat is before
	// uat is stale to the SDKs (token-iat-before-client-uat), and a second
	// boundary between the two would make this fresh token look stale.
	uat := unixNow()
	jwt, _, err := s.sessions.Token(r.Context(), c, c.LastActiveSessionID, fc.req)
	if err != nil {
		return err
	}
	http.SetCookie(w, s.cookie(r, cookieSession, jwt, 0, true))
	http.SetCookie(w, s.cookie(r, cookieUAT, uat, clientCookieMaxAge, false))
	return nil
}

// readEmptyOrJSON accepts an empty body or an empty JSON object.
func (s *Server) readEmptyOrJSON(r *http.Request) error {
	var empty struct{}
	return s.decodeJSON(r, &empty, true)
}
