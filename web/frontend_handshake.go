package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// handshakeParam marks a URL the handshake redirected back to, so SDK
// middleware never loops: a request carrying it is not sent to the handshake
// again.
const handshakeParam = "__lk_hs"

// handshake is GET /v1/client/handshake?redirect_url=...: the same-origin
// handshake for server-rendered pages. It reads the client cookie, sets a
// fresh __lk_session and __lk_uat (or clears them when signed out) and
// redirects back to redirect_url, which must be on the allow-list (or the
// public URL's or an allowed origin), with __lk_hs=1 added as a loop guard.
func (s *Server) handshake(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	target, err := s.checkRedirect(r.URL.Query().Get("redirect_url"))
	if err != nil {
		return err
	}
	q := target.Query()
	q.Set(handshakeParam, "1")
	target.RawQuery = q.Encode()
	c := fc.state.Client
	signedIn := false
	if c != nil && c.LastActiveSessionID != "" {
		jwt, _, err := s.sessions.Token(r.Context(), c, c.LastActiveSessionID, fc.req)
		if err == nil {
			http.SetCookie(w, s.cookie(r, cookieSession, jwt, 0, true))
			http.SetCookie(w, s.cookie(r, cookieUAT, strconv.FormatInt(c.RotatedAt.Unix(), 10), clientCookieMaxAge, false))
			signedIn = true
		}
	}
	if !signedIn {
		http.SetCookie(w, s.cookie(r, cookieSession, "", -1, true))
		http.SetCookie(w, s.cookie(r, cookieUAT, "0", clientCookieMaxAge, false))
	}
	w.Header().Set("Latchkey-Auth-Reason", map[bool]string{true: "handshake-signed-in", false: "handshake-signed-out"}[signedIn])
	http.Redirect(w, r, target.String(), http.StatusSeeOther)
	return nil
}

// checkRedirect accepts a redirect URL only when it is on the instance's
// allow-list: an exact URL, a listed prefix ending in "/", or any URL on the
// public URL's origin or an allowed origin (ASVS 5.0 V3.7.2: no open
// redirects).
func (s *Server) checkRedirect(raw string) (*url.URL, error) {
	bad := latchkey.Errorf(latchkey.CodeRedirectNotAllowed, "redirect_url", "Add this URL (or its origin) to the instance's redirect_urls or allowed_origins.")
	if raw == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "redirect_url", "redirect_url is required.")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, bad
	}
	origin := u.Scheme + "://" + u.Host
	if s.originAllowed(origin) {
		return u, nil
	}
	for _, allowed := range s.instance.Settings().RedirectURLs {
		if raw == allowed || (strings.HasSuffix(allowed, "/") && strings.HasPrefix(raw, allowed)) {
			return u, nil
		}
	}
	return nil, bad
}

func unixNow() string { return strconv.FormatInt(time.Now().Unix(), 10) }
