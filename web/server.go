// Package web serves every HTTP surface of Latchkey: the Backend API
// (/api/v1), the JWKS, health checks and metrics (later also the Frontend API,
// hosted pages and the dashboard). All routes are listed in routes.go.
//
// Security properties: the Backend API accepts only a secret key in the
// Authorization header (never cookies) and only JSON bodies of bounded size;
// every response carries a trace id and conservative security headers; every
// error reaches the client as a catalog code and a safe message, while its
// cause goes to the log once; a panic in a handler becomes internal_error and
// a logged stack, never a dropped connection.
package web

import (
	"log/slog"
	"net/http"

	"github.com/latchkeyhq/latchkey/auth"
	"github.com/latchkeyhq/latchkey/instance"
	"github.com/latchkeyhq/latchkey/password"
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
	Log      *slog.Logger
	// Dev enables development conveniences: /metrics without a key.
	Dev bool
	// MaxBodyBytes caps request bodies (default 1 MiB).
	MaxBodyBytes int64
}

// Server is the HTTP handler for every surface.
type Server struct {
	store    *sqlstore.Store
	users    *auth.Users
	instance *instance.Service
	keys     *token.Keyring
	hasher   *password.Pool
	log      *slog.Logger
	dev      bool
	maxBody  int64
	metrics  *metrics
	mux      *http.ServeMux
	handler  http.Handler
}

// NewServer returns the handler serving every route in routes.go.
func NewServer(d Deps) *Server {
	s := &Server{
		store: d.Store, users: d.Users, instance: d.Instance, keys: d.Keys, hasher: d.Hasher,
		log: d.Log, dev: d.Dev, maxBody: d.MaxBodyBytes, mux: http.NewServeMux(),
	}
	if s.maxBody <= 0 {
		s.maxBody = 1 << 20
	}
	s.metrics = newMetrics(s.hasher)
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
