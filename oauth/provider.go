package oauth

import (
	"context"
	"crypto/ecdsa"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/latchkeyhq/latchkey"
)

// Options are a Provider's dependencies.
type Options struct {
	// HTTPClient makes every call to the provider. Nil means a client with a
	// 15-second timeout.
	HTTPClient *http.Client
	// Now is the clock for id_token expiry and Apple client secrets. Nil
	// means time.Now.
	Now func() time.Time
	// Endpoints overrides the built-in definition's endpoints, so tests can
	// point a built-in provider at a loopback server.
	Endpoints Endpoints
	// TestIdPBaseURL is where Latchkey serves the development test provider
	// (required for the "latchkey_test" type).
	TestIdPBaseURL string
}

// Provider runs the authorization code flow against one configured provider.
// It is safe for concurrent use.
type Provider struct {
	cfg      latchkey.OAuthProvider
	def      Definition
	scopes   []string
	client   *http.Client
	now      func() time.Time
	appleKey *ecdsa.PrivateKey

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier // nil until the OIDC endpoints are known
}

// signingAlgs is the id_token algorithm allow-list: never "none", never HMAC
// (a client secret is not a signing key anyone should share).
var signingAlgs = []string{
	oidc.RS256, oidc.RS384, oidc.RS512,
	oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512,
	oidc.EdDSA,
}

// idTokenLeeway is the clock skew tolerated on an id_token's expiry.
const idTokenLeeway = time.Minute

var tenantRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// New validates a provider's configuration and returns a Provider for it.
// Configuration mistakes are *latchkey.Error values with a form_param_* code
// naming the field.
func New(p latchkey.OAuthProvider, opts Options) (*Provider, error) {
	def, err := definitionFor(p, opts)
	if err != nil {
		return nil, err
	}
	def = def.withEndpoints(opts.Endpoints)

	if strings.TrimSpace(p.ClientID) == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "client_id", "Enter the client ID the provider gave you.")
	}
	prov := &Provider{cfg: p, def: def, client: opts.HTTPClient, now: opts.Now}
	if prov.client == nil {
		prov.client = &http.Client{Timeout: 15 * time.Second}
	}
	if prov.now == nil {
		prov.now = time.Now
	}
	if p.Type == latchkey.OAuthApple {
		if prov.appleKey, err = checkApple(p); err != nil {
			return nil, err
		}
	} else if p.ClientSecret == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "client_secret", "Enter the client secret the provider gave you.")
	}
	if prov.scopes, err = scopesFor(p.Scopes, def); err != nil {
		return nil, err
	}
	if err := checkEndpoints(def); err != nil {
		return nil, err
	}
	if def.Kind == KindOIDC && !def.Discovery {
		prov.verifier = prov.newVerifier(def.Issuer, oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), prov.client), def.JWKSURL))
	}
	return prov, nil
}

// definitionFor picks the Definition for a provider's type.
func definitionFor(p latchkey.OAuthProvider, opts Options) (Definition, error) {
	switch p.Type {
	case latchkey.OAuthOIDC:
		if p.Issuer == "" {
			return Definition{}, latchkey.Errorf(latchkey.CodeFormParamMissing, "issuer", "Enter the provider's issuer URL.")
		}
		if !validURL(p.Issuer) {
			return Definition{}, latchkey.Errorf(latchkey.CodeFormParamInvalid, "issuer", "The issuer must be an https URL.")
		}
		return customOIDC(p.Issuer), nil
	case latchkey.OAuthOAuth2:
		for _, f := range []struct{ name, value string }{{"auth_url", p.AuthURL}, {"token_url", p.TokenURL}, {"userinfo_url", p.UserInfoURL}} {
			if f.value == "" {
				return Definition{}, latchkey.Errorf(latchkey.CodeFormParamMissing, f.name, "Enter the provider's %s.", strings.ReplaceAll(f.name, "_", " "))
			}
		}
		if err := checkMapping(p.Mapping); err != nil {
			return Definition{}, err
		}
		return customOAuth2(p), nil
	case latchkey.OAuthTestIdP:
		if opts.TestIdPBaseURL == "" {
			return Definition{}, latchkey.Errorf(latchkey.CodeFormParamMissing, "test_idp_base_url", "The test provider needs the URL Latchkey serves it at.")
		}
		return TestIdP(opts.TestIdPBaseURL), nil
	case latchkey.OAuthMicrosoft:
		tenant := p.Tenant
		if tenant == "" {
			tenant = MicrosoftCommon
		}
		if tenant != MicrosoftCommon && tenant != MicrosoftOrganizations && tenant != MicrosoftConsumers && !tenantRE.MatchString(tenant) {
			return Definition{}, latchkey.Errorf(latchkey.CodeFormParamInvalid, "tenant", "The tenant must be common, organizations, consumers or a tenant ID (a GUID).")
		}
		return microsoftDefinition(strings.ToLower(tenant)), nil
	}
	def, ok := Catalog()[p.Type]
	if !ok {
		return Definition{}, latchkey.Errorf(latchkey.CodeFormParamValue, "provider", "There is no provider type %q.", truncate(p.Type, 40))
	}
	return def, nil
}

// checkMapping requires a custom provider's ID and email paths and checks
// every path is well formed.
func checkMapping(m latchkey.OAuthFieldMapping) error {
	if m.ID == "" {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "mapping.id", "Say where the userinfo keeps the user's ID.")
	}
	if m.Email == "" {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "mapping.email", "Say where the userinfo keeps the user's email address.")
	}
	for _, f := range []struct{ name, path string }{
		{"mapping.id", m.ID}, {"mapping.email", m.Email}, {"mapping.email_verified", m.EmailVerified},
		{"mapping.first_name", m.FirstName}, {"mapping.last_name", m.LastName}, {"mapping.name", m.Name},
		{"mapping.avatar_url", m.AvatarURL}, {"mapping.username", m.Username},
	} {
		if f.path == "" {
			continue
		}
		segs := strings.Split(f.path, ".")
		if len(segs) > maxPathSegments || slices.Contains(segs, "") {
			return latchkey.Errorf(latchkey.CodeFormParamInvalid, f.name, "A field path is up to %d names separated by dots, as in data.email.", maxPathSegments)
		}
	}
	return nil
}

// scopesFor returns the configured scopes, or the definition's defaults; an
// OpenID Connect provider always gets "openid".
func scopesFor(configured []string, def Definition) ([]string, error) {
	scopes := def.Scopes
	if len(configured) > 0 {
		scopes = configured
	}
	out := make([]string, 0, len(scopes)+1)
	for _, s := range scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			return nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, "scopes", "A scope cannot be empty or contain spaces or quotes.")
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if def.Kind == KindOIDC && !slices.Contains(out, "openid") {
		out = append([]string{"openid"}, out...)
	}
	return out, nil
}

// checkEndpoints validates the endpoints known before any discovery.
func checkEndpoints(def Definition) error {
	for _, f := range []struct{ name, value string }{
		{"issuer", strings.ReplaceAll(def.Issuer, "{tenantid}", "tenant")},
		{"auth_url", def.AuthURL}, {"token_url", def.TokenURL},
		{"userinfo_url", def.UserInfoURL}, {"jwks_url", def.JWKSURL},
	} {
		if f.value != "" && !validURL(f.value) {
			return latchkey.Errorf(latchkey.CodeFormParamInvalid, f.name, "The %s must be an https URL.", strings.ReplaceAll(f.name, "_", " "))
		}
	}
	if def.Discovery {
		return nil
	}
	if def.AuthURL == "" || def.TokenURL == "" || (def.Kind == KindOIDC && def.JWKSURL == "") || (def.Kind == KindOAuth2 && def.UserInfoURL == "") {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "endpoints", "The provider definition lacks an endpoint.")
	}
	return nil
}

// validURL accepts absolute https URLs, and http ones on loopback (local
// development and tests), without user info or fragment.
func validURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		return isLoopback(u.Hostname())
	}
	return false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (p *Provider) newVerifier(issuer string, keys oidc.KeySet) *oidc.IDTokenVerifier {
	cfg := &oidc.Config{
		ClientID:             p.cfg.ClientID,
		SupportedSigningAlgs: signingAlgs,
		// go-oidc has no leeway on exp: judge it a little in the past.
		Now: func() time.Time { return p.now().Add(-idTokenLeeway) },
	}
	if strings.Contains(issuer, "{tenantid}") {
		// Microsoft's issuer names the user's tenant: checked against the
		// token's tid in checkMicrosoftIssuer.
		cfg.SkipIssuerCheck = true
	}
	return oidc.NewVerifier(issuer, keys, cfg)
}

// Definition returns the provider's definition, with its endpoints once
// known (a custom OIDC provider's after its first Start or Finish).
func (p *Provider) Definition() Definition {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.def
	d.Scopes = slices.Clone(p.scopes)
	return d
}

// ready returns the definition with every endpoint known, running OpenID
// Connect discovery for a custom provider the first time. A failed discovery
// is not remembered, so the next call tries again.
func (p *Provider) ready(ctx context.Context) (Definition, *oidc.IDTokenVerifier, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.def.Discovery || p.verifier != nil {
		return p.def, p.verifier, nil
	}
	disc, err := oidc.NewProvider(oidc.ClientContext(ctx, p.client), p.def.Issuer)
	if err != nil {
		return Definition{}, nil, providerError("The provider's OpenID Connect discovery document could not be used.", err)
	}
	var doc struct {
		UserInfo string `json:"userinfo_endpoint"`
		JWKS     string `json:"jwks_uri"`
	}
	if err := disc.Claims(&doc); err != nil {
		return Definition{}, nil, providerError("The provider's OpenID Connect discovery document could not be read.", err)
	}
	d := p.def
	ep := disc.Endpoint()
	d.AuthURL, d.TokenURL, d.UserInfoURL, d.JWKSURL = ep.AuthURL, ep.TokenURL, doc.UserInfo, doc.JWKS
	for _, u := range []string{d.AuthURL, d.TokenURL, d.JWKSURL} {
		if !validURL(u) {
			return Definition{}, nil, providerError("The provider's discovery document lists an endpoint that is not an https URL.", nil)
		}
	}
	if d.UserInfoURL != "" && !validURL(d.UserInfoURL) {
		d.UserInfoURL = ""
	}
	p.def = d
	p.verifier = p.newVerifier(d.Issuer, oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), p.client), d.JWKSURL))
	return p.def, p.verifier, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
