// Package oauthtest runs a real OpenID Connect provider (zitadel's
// OpenID-certified pkg/op) on loopback for tests (the oauth package's, and
// the web package's, where it stands in for Google), with one confidential
// client and one user whose login is approved at once.
package oauthtest

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is the person who signs in at the OP.
type User struct {
	ID, Email             string
	EmailVerified         bool
	GivenName, FamilyName string
	Username, Picture     string
}

// Config configures the OP.
type Config struct {
	ClientID, ClientSecret string
	RedirectURI            string // the client's only registered redirect URI
	User                   User
	// Deny makes the login step refuse, so the OP answers access_denied.
	Deny bool
}

// Server is a running OP. Issuer is its issuer URL (discovery lives below it).
type Server struct {
	Issuer string
	cfg    Config
}

// Start runs an OP until the test ends.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	issuer := "http://" + ts.Listener.Addr().String()
	st, err := newStorage(&client{id: cfg.ClientID, secret: cfg.ClientSecret, redirectURI: cfg.RedirectURI}, cfg.User)
	if err != nil {
		t.Fatal(err)
	}
	var key [32]byte
	rand.Read(key[:])
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:             key,
		CodeMethodS256:        true,
		GrantTypeRefreshToken: true,
	}, st, op.StaticIssuer(issuer), op.WithAllowInsecure(),
		op.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		if cfg.Deny {
			req, err := st.AuthRequestByID(r.Context(), id)
			if err != nil {
				http.Error(w, "unknown request", http.StatusBadRequest)
				return
			}
			op.AuthRequestError(w, r, req, oidc.ErrAccessDenied().WithDescription("The user said no."), provider)
			return
		}
		if err := st.login(id); err != nil {
			http.Error(w, "unknown request", http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, issuer+"/authorize/callback?id="+url.QueryEscape(id), http.StatusFound)
	})
	mux.Handle("/", provider)
	ts.Config.Handler = mux
	ts.Start()
	t.Cleanup(ts.Close)
	return &Server{Issuer: issuer, cfg: cfg}
}

// Authorize plays the browser: it follows the authorization URL through the
// OP's login until the OP redirects to the client's redirect URI, and returns
// that redirect's query parameters.
func (s *Server) Authorize(t testing.TB, authURL string) url.Values {
	t.Helper()
	c := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), s.cfg.RedirectURI) {
			return http.ErrUseLastResponse
		}
		if len(via) > 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, s.cfg.RedirectURI) {
		t.Fatalf("authorize: status %d, location %q: the OP did not redirect to the client", resp.StatusCode, loc)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
