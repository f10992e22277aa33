// Package web serves every HTTP surface of Latchkey: the Frontend API (/v1)
// for browsers and native apps, the Backend API (/api/v1), the JWKS, health
// checks, metrics and, in dev mode, the dev inbox (hosted pages and the
// dashboard come later). All routes are listed in routes.go.
//
// Security properties: the Frontend API identifies a browser by its
// HttpOnly client cookie, accepts state changes only from allowed origins
// (Origin / Sec-Fetch-Site) and grants CORS with credentials only to them;
// the Backend API accepts only a secret key in the
// Authorization header (never cookies) and only JSON bodies of bounded size;
// every response carries a trace id and conservative security headers; every
// error reaches the client as a catalog code and a safe message, while its
// cause goes to the log once; a panic in a handler becomes internal_error and
// a logged stack, never a dropped connection.
package web

import (
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/latchkeyhq/latchkey/auth"
	"github.com/latchkeyhq/latchkey/delivery"
	"github.com/latchkeyhq/latchkey/geoip"
	"github.com/latchkeyhq/latchkey/instance"
	"github.com/latchkeyhq/latchkey/mail"
	"github.com/latchkeyhq/latchkey/netguard"
	"github.com/latchkeyhq/latchkey/oauth"
	"github.com/latchkeyhq/latchkey/password"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/token"
)

// Deps are the server's dependencies, all required.
type Deps struct {
	Store    *sqlstore.Store
	Users    *auth.Users
	Instance *instance.Service
	Keys     *token.Keyring
	Hasher   *password.Pool
	Sessions *auth.Sessions
	SignIns  *auth.SignIns
	SignUps  *auth.SignUps
	Me       *auth.Me
	Limiter  *auth.Limiter
	// Inbox, when set (dev mode without SMTP), is served at /dev/inbox.
	Inbox *mail.Inbox
	Log   *slog.Logger
	// PublicURL is where people reach Latchkey (the token issuer); its origin
	// is always allowed to call the Frontend API.
	PublicURL string
	// TrustedProxies are the networks whose X-Forwarded-For is believed
	// (default: loopback, for a local reverse proxy such as Next.js rewrites).
	TrustedProxies []netip.Prefix
	// CookieDomain, when set, puts __lk_session and __lk_uat on that parent
	// domain (a Latchkey on its own subdomain); __lk_client stays host-only.
	CookieDomain string
	// GeoIP, when set, places each new session's IP address in a city and
	// country for the device list; it must stay open while the server runs.
	GeoIP *geoip.DB
	// Dev enables development conveniences: /metrics without a key, any
	// localhost origin, cookies without Secure over http.
	Dev bool
	// MaxBodyBytes caps request bodies (default 1 MiB).
	MaxBodyBytes int64
	// Box seals and opens secrets at rest (OAuth client secrets) with the
	// master key.
	Box *seal.Box
	// Webhooks sends test events (the queue is delivered by the same
	// dispatcher, run by the caller).
	Webhooks *delivery.Dispatcher
	// WebhookNet is what endpoint URLs may point at, checked when saved
	// (the dispatcher's client checks again at dial time).
	WebhookNet netguard.Options
	// OAuth is passed to every social sign-in provider; tests point
	// providers at loopback servers with it. The zero value is production's.
	OAuth oauth.Options
}

// Server is the HTTP handler for every surface.
type Server struct {
	webhooks     *delivery.Dispatcher
	webhookNet   netguard.Options
	store        *sqlstore.Store
	users        *auth.Users
	instance     *instance.Service
	keys         *token.Keyring
	hasher       *password.Pool
	sessions     *auth.Sessions
	signIns      *auth.SignIns
	signUps      *auth.SignUps
	me           *auth.Me
	limiter      *auth.Limiter
	inbox        *mail.Inbox
	log          *slog.Logger
	public       *url.URL
	proxies      []netip.Prefix
	cookieDomain string
	geoip        *geoip.DB
	dev          bool
	maxBody      int64
	box          *seal.Box
	social       *auth.Social
	testIdP      *testIdP
	metrics      *metrics
	mux          *http.ServeMux
	handler      http.Handler
}

// NewServer returns the handler serving every route in routes.go.
func NewServer(d Deps) *Server {
	s := &Server{
		store: d.Store, users: d.Users, instance: d.Instance, keys: d.Keys, hasher: d.Hasher,
		sessions: d.Sessions, signIns: d.SignIns, signUps: d.SignUps, me: d.Me, limiter: d.Limiter, inbox: d.Inbox,
		log: d.Log, dev: d.Dev, maxBody: d.MaxBodyBytes, mux: http.NewServeMux(), proxies: d.TrustedProxies, cookieDomain: d.CookieDomain,
		geoip: d.GeoIP, box: d.Box, webhooks: d.Webhooks, webhookNet: d.WebhookNet,
	}
	s.public, _ = url.Parse(d.PublicURL)
	if s.public == nil {
		s.public = &url.URL{}
	}
	if s.proxies == nil {
		s.proxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	if s.maxBody <= 0 {
		s.maxBody = 1 << 20
	}
	if d.Box != nil && d.SignIns != nil && d.SignUps != nil {
		s.social = auth.NewSocial(d.Store, d.Box, d.Sessions, d.SignIns, d.SignUps, d.Instance.Settings,
			strings.TrimRight(s.public.String(), "/"), d.Dev, d.OAuth, d.Log)
	}
	if d.Dev {
		s.testIdP = newTestIdP(strings.TrimRight(s.public.String(), "/") + auth.CallbackPath)
	}
	s.metrics = newMetrics(s.hasher, s.webhooks)
	for _, rt := range s.routes() {
		s.mux.Handle(rt.Method+" "+rt.Path, rt.handler)
	}
	s.handler = s.observe(s.recoverPanics(http.HandlerFunc(s.dispatch)))
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// dispatch routes a request, answering unknown paths and methods with the
// JSON error shape instead of the mux's plain text.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions && strings.HasPrefix(r.URL.Path, "/v1/") {
		s.handle(s.preflight).ServeHTTP(w, r)
		return
	}
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	// Ask the mux what it would have said (404, or 405 with Allow).
	probe := &statusProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		s.writeError(w, r, errMethodNotAllowed(r.Method))
		return
	}
	s.writeError(w, r, errRouteNotFound(r.URL.Path))
}

type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(status int)      { p.status = status }
