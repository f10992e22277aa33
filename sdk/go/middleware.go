package latchkey

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// MiddlewareOptions configure Middleware and RequireSession. Every field is
// optional; the URLs are checked when the middleware is built, which panics
// on a URL it cannot use (a configuration mistake, like a bad route
// pattern in net/http).
type MiddlewareOptions struct {
	// FrontendAPIURL is the Frontend API base as the browser reaches it:
	// "https://app.example.com/__latchkey/v1" when Latchkey is proxied on
	// the app's origin (the default topology), "https://auth.example.com/v1"
	// on a subdomain, or a path such as "/__latchkey/v1". The handshake is
	// <FrontendAPIURL>/client/handshake. When empty, there is no handshake:
	// a document whose token expired is served as signed out.
	FrontendAPIURL string
	// SignInURL is where RequireSession sends a signed-out document
	// request, with ?redirect_url=<this page>. When empty, documents get
	// the same 401 as API requests.
	SignInURL string
	// AppURL is this app's public origin, "https://app.example.com", used
	// to make redirect_url absolute. When empty it is taken from the
	// request: r.Host, and https if the connection is TLS or
	// X-Forwarded-Proto says so.
	AppURL string
	// Debug sets the Latchkey-Auth-Reason and Latchkey-Auth-Status
	// response headers, adds the reason to 401 bodies, and logs every
	// decision to Logger at Info level. Reasons are not secrets, but they
	// tell a prober more than it needs, so this is off by default.
	Debug bool
	// Logger receives the decisions in debug mode; nil logs nothing.
	// Tokens are never logged.
	Logger *slog.Logger
}

type ctxKey struct{}

// AuthFromContext returns the Auth that Middleware or RequireSession put in
// ctx; outside them it returns a signed-out Auth with an empty Reason.
func AuthFromContext(ctx context.Context) Auth {
	a, _ := ctx.Value(ctxKey{}).(Auth)
	return a
}

// WithAuth returns a copy of ctx carrying a, for tests of handlers that
// read AuthFromContext.
func WithAuth(ctx context.Context, a Auth) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// Middleware authenticates every request, puts the Auth in its context
// (AuthFromContext) and calls the next handler whether or not the request
// is signed in, except for a handshake: a document request of a signed-in
// client whose token is missing, expired or stale is answered with a 303 to
// <FrontendAPIURL>/client/handshake?redirect_url=<this URL with __lk_hs=1>,
// and the server sends the browser back with fresh cookies.
func Middleware(v *Verifier, opts MiddlewareOptions) func(http.Handler) http.Handler {
	m := newMiddleware(v, opts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a, done := m.authenticate(w, r)
			if done {
				return
			}
			next.ServeHTTP(w, r.WithContext(WithAuth(r.Context(), a)))
		})
	}
}

// RequireSession is Middleware that lets only signed-in requests through.
// A signed-out document request is redirected (303) to SignInURL with a
// redirect_url back to it; anything else gets 401 with the Backend API's
// error shape, code "unauthenticated". Behind Middleware it reuses the Auth
// already in the context instead of verifying again.
func RequireSession(v *Verifier, opts MiddlewareOptions) func(http.Handler) http.Handler {
	m := newMiddleware(v, opts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a, ok := r.Context().Value(ctxKey{}).(Auth)
			if !ok {
				var done bool
				if a, done = m.authenticate(w, r); done {
					return
				}
				r = r.WithContext(WithAuth(r.Context(), a))
			}
			if !a.SignedIn {
				m.refuse(w, r, a)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

type middleware struct {
	v         *Verifier
	opts      MiddlewareOptions
	handshake string   // <FrontendAPIURL>/client/handshake, or ""
	app       *url.URL // scheme and host of AppURL, or nil
}

func newMiddleware(v *Verifier, opts MiddlewareOptions) *middleware {
	if v == nil {
		panic("latchkey: middleware needs a *Verifier")
	}
	m := &middleware{v: v, opts: opts}
	if opts.FrontendAPIURL != "" {
		mustBeRedirectTarget("FrontendAPIURL", opts.FrontendAPIURL)
		m.handshake = strings.TrimRight(opts.FrontendAPIURL, "/") + "/client/handshake"
	}
	if opts.SignInURL != "" {
		mustBeRedirectTarget("SignInURL", opts.SignInURL)
	}
	if opts.AppURL != "" {
		u, err := url.Parse(opts.AppURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			panic(fmt.Sprintf("latchkey: MiddlewareOptions.AppURL %q is not an absolute http(s) URL", opts.AppURL))
		}
		m.app = &url.URL{Scheme: u.Scheme, Host: u.Host}
	}
	return m
}

func mustBeRedirectTarget(name, s string) {
	u, err := url.Parse(s)
	ok := err == nil && u.Fragment == "" &&
		((u.Scheme == "http" || u.Scheme == "https") && u.Host != "" ||
			u.Scheme == "" && u.Host == "" && strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//"))
	if !ok {
		panic(fmt.Sprintf("latchkey: MiddlewareOptions.%s %q must be an absolute http(s) URL or a path starting with /", name, s))
	}
}

// authenticate authenticates r and, when the handshake is due, answers it
// with the redirect and reports done.
func (m *middleware) authenticate(w http.ResponseWriter, r *http.Request) (a Auth, done bool) {
	a, _ = m.v.Authenticate(r)
	if a.Handshake && m.handshake == "" {
		a.Handshake = false
	}
	status := "signed-out"
	switch {
	case a.SignedIn:
		status = "signed-in"
	case a.Handshake:
		status = "handshake"
	}
	if m.opts.Debug {
		w.Header().Set(AuthReasonHeader, string(a.Reason))
		w.Header().Set(AuthStatusHeader, status)
		if m.opts.Logger != nil {
			m.opts.Logger.LogAttrs(r.Context(), slog.LevelInfo, "latchkey: auth decision",
				slog.String("status", status), slog.String("reason", string(a.Reason)),
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("user_id", a.UserID), slog.String("session_id", a.SessionID))
		}
	}
	if !a.Handshake {
		return a, false
	}
	back := m.currentURL(r)
	back.RawQuery = setHandshakeParam(back.RawQuery, true)
	redirect(w, m.handshake+"?redirect_url="+url.QueryEscape(back.String()))
	return a, true
}

// refuse answers a signed-out request for RequireSession.
func (m *middleware) refuse(w http.ResponseWriter, r *http.Request, a Auth) {
	if m.opts.SignInURL != "" && documentRequest(r) {
		back := m.currentURL(r)
		// The loop guard has done its job; after signing in, the page
		// should be able to use the handshake again.
		back.RawQuery = setHandshakeParam(back.RawQuery, false)
		sep := "?"
		if strings.Contains(m.opts.SignInURL, "?") {
			sep = "&"
		}
		redirect(w, m.opts.SignInURL+sep+"redirect_url="+url.QueryEscape(back.String()))
		return
	}
	type meta struct {
		Reason Reason `json:"reason"`
	}
	type apiError struct {
		Code        string `json:"code"`
		Message     string `json:"message"`
		LongMessage string `json:"long_message"`
		Meta        *meta  `json:"meta,omitempty"`
	}
	e := apiError{
		Code:        "unauthenticated",
		Message:     "You are not signed in.",
		LongMessage: "This request needs a signed-in session: the __lk_session cookie or an Authorization: Bearer header with a valid session token.",
	}
	if m.opts.Debug {
		e.Meta = &meta{Reason: a.Reason}
	}
	body, _ := json.Marshal(map[string][]apiError{"errors": {e}})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("WWW-Authenticate", `Bearer realm="latchkey"`)
	w.WriteHeader(http.StatusUnauthorized)
	w.Write(body)
}

func redirect(w http.ResponseWriter, location string) {
	h := w.Header()
	h.Set("Location", location)
	// The target depends on cookies and headers; no shared cache may keep it.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusSeeOther)
}

// currentURL returns the absolute URL of r as the browser sees it.
func (m *middleware) currentURL(r *http.Request) *url.URL {
	u := &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if m.app != nil {
		u.Scheme, u.Host = m.app.Scheme, m.app.Host
		return u
	}
	u.Scheme, u.Host = "http", r.Host
	if r.TLS != nil {
		u.Scheme = "https"
	} else if p, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ","); strings.EqualFold(strings.TrimSpace(p), "https") {
		u.Scheme = "https"
	}
	return u
}

// setHandshakeParam removes every __lk_hs parameter from a raw query and,
// if add, appends __lk_hs=1. The other parameters keep their order and
// spelling: the page gets back exactly the URL it had.
func setHandshakeParam(rawQuery string, add bool) string {
	var b strings.Builder
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil && n == HandshakeParam {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(part)
	}
	if add {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(HandshakeParam + "=1")
	}
	return b.String()
}

// documentRequest reports whether r is a page load by a browser.
func documentRequest(r *http.Request) bool {
	if dest := r.Header.Get("Sec-Fetch-Dest"); dest != "" {
		return dest == "document"
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}
