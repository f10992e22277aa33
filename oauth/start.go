package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/latchkeyhq/latchkey"
)

// Start is an authorization request: the URL to send the person to and the
// secrets the caller stores until the callback (bound to the sign-in attempt
// and the browser). Never log them.
type Start struct {
	URL          string
	State        string
	CodeVerifier string
	Nonce        string // empty for plain OAuth 2.0 providers
}

// Start begins the authorization code flow for redirectURI, which must be
// exactly the one registered at the provider (and is sent again by Finish).
func (p *Provider) Start(ctx context.Context, redirectURI string) (*Start, error) {
	if err := checkRedirectURI(redirectURI); err != nil {
		return nil, err
	}
	def, _, err := p.ready(ctx)
	if err != nil {
		return nil, err
	}
	s := &Start{State: randomToken(), CodeVerifier: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(s.CodeVerifier)}
	if def.Kind == KindOIDC {
		s.Nonce = randomToken()
		opts = append(opts, oauth2.SetAuthURLParam("nonce", s.Nonce))
	}
	if def.ResponseMode != "" {
		opts = append(opts, oauth2.SetAuthURLParam("response_mode", def.ResponseMode))
	}
	for k, v := range def.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	s.URL = p.oauth2Config(def, redirectURI, "").AuthCodeURL(s.State, opts...)
	return s, nil
}

// checkRedirectURI accepts an absolute http(s) URL without fragment. Whether
// it is allowed is the caller's allow-list's business.
func checkRedirectURI(raw string) error {
	if raw == "" {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "redirect_uri", "The redirect URI is missing.")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Fragment != "" || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, "redirect_uri", "The redirect URI must be an absolute http or https URL without a fragment.")
	}
	return nil
}

// randomToken returns 256 random bits, base64url without padding.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics if the OS cannot provide)
	return base64.RawURLEncoding.EncodeToString(b)
}

// oauth2Config is the golang.org/x/oauth2 configuration for one request.
// clientSecret overrides the configured secret (Apple's is minted per
// request).
func (p *Provider) oauth2Config(def Definition, redirectURI, clientSecret string) *oauth2.Config {
	if clientSecret == "" {
		clientSecret = p.cfg.ClientSecret
	}
	return &oauth2.Config{
		ClientID:     p.cfg.ClientID,
		ClientSecret: clientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: def.AuthURL, TokenURL: def.TokenURL, AuthStyle: def.authStyle},
		RedirectURL:  redirectURI,
		Scopes:       p.scopes,
	}
}

// scopeList splits a token response's scope field (space-separated per RFC
// 6749; GitHub separates with commas).
func scopeList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}
