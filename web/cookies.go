package web

import (
	"net/http"
	"strconv"
	"time"
)

// Cookie names. All are Path=/, SameSite=Lax and host-only (no Domain),
// except that with a cookie domain set (a Latchkey on its own subdomain)
// __lk_session and __lk_uat go to that parent domain so the app's servers
// can read them.
const (
	cookieClient  = "__lk_client"  // the client credential; HttpOnly
	cookieSession = "__lk_session" // the short-lived session JWT; HttpOnly
	cookieUAT     = "__lk_uat"     // Unix seconds of the client's last sign-in/out; readable by scripts
)

const clientCookieMaxAge = 365 * 24 * time.Hour

// secureCookies reports whether cookies get the Secure attribute: always,
// except in dev mode over plain http (localhost).
func (s *Server) secureCookies(r *http.Request) bool {
	return !s.dev || s.public.Scheme == "https" || r.TLS != nil
}

func (s *Server) cookie(r *http.Request, name, value string, maxAge time.Duration, httpOnly bool) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: httpOnly, Secure: s.secureCookies(r),
		SameSite: http.SameSiteLaxMode}
	if name != cookieClient {
		// The app's servers read the session token and uat; only Latchkey
		// reads the client credential, so it never leaves this host.
		c.Domain = s.cookieDomain
	}
	switch {
	case maxAge < 0:
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge / time.Second)
	}
	return c
}

// setClientCookies sends the (new) client credential and, for the client's
// active session, a fresh session token and the uat marker. Native clients
// that sent the credential in a header get it back in the header instead.
func (s *Server) setClientCookies(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	st := fc.state
	if fc.viaHeader {
		w.Header().Set(ClientHeader, st.Credential)
		return nil
	}
	http.SetCookie(w, s.cookie(r, cookieClient, st.Credential, clientCookieMaxAge, true))
	uat := strconv.FormatInt(st.Client.RotatedAt.Unix(), 10)
	if st.Client.LastActiveSessionID == "" {
		http.SetCookie(w, s.cookie(r, cookieSession, "", -1, true))
		http.SetCookie(w, s.cookie(r, cookieUAT, "0", clientCookieMaxAge, false))
		return nil
	}
	jwt, _, err := s.sessions.Token(r.Context(), st.Client, st.Client.LastActiveSessionID, fc.req)
	if err != nil {
		return err
	}
	http.SetCookie(w, s.cookie(r, cookieSession, jwt, 0, true))
	http.SetCookie(w, s.cookie(r, cookieUAT, uat, clientCookieMaxAge, false))
	return nil
}

// clearCookies signs the browser out locally (a revoked client).
func (s *Server) clearCookies(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, s.cookie(r, cookieClient, "", -1, true))
	http.SetCookie(w, s.cookie(r, cookieSession, "", -1, true))
	http.SetCookie(w, s.cookie(r, cookieUAT, "0", clientCookieMaxAge, false))
}
