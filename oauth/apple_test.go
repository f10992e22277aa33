package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/latchkeyhq/latchkey"
)

func p8(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func appleConfig(t *testing.T, key *ecdsa.PrivateKey) latchkey.OAuthProvider {
	return latchkey.OAuthProvider{
		ID: "apple", Type: latchkey.OAuthApple, ClientID: "com.example.web",
		AppleTeamID: "TEAM123456", AppleKeyID: "KEY7654321", ApplePrivateKey: p8(t, key),
	}
}

// verifyAppleSecret checks a client secret the way Apple does, with go-jose.
func verifyAppleSecret(t *testing.T, secret string, pub *ecdsa.PublicKey, now time.Time) {
	t.Helper()
	tok, err := jwt.ParseSigned(secret, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("parse client secret: %v", err)
	}
	h := tok.Headers[0]
	if h.Algorithm != "ES256" || h.KeyID != "KEY7654321" {
		t.Errorf("header alg %q kid %q, want ES256 and the key ID", h.Algorithm, h.KeyID)
	}
	var c jwt.Claims
	if err := tok.Claims(pub, &c); err != nil {
		t.Fatalf("client secret signature: %v", err)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: "TEAM123456", Subject: "com.example.web", AnyAudience: jwt.Audience{"https://appleid.apple.com"}, Time: now}, 0); err != nil {
		t.Errorf("claims: %v", err)
	}
	if c.IssuedAt == nil || c.Expiry == nil {
		t.Fatal("no iat or exp")
	}
	life := c.Expiry.Time().Sub(c.IssuedAt.Time())
	if life <= 0 || life > 180*24*time.Hour {
		t.Errorf("lifetime %s, want positive and at most six months", life)
	}
}

func TestAppleClientSecret(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	p, err := New(appleConfig(t, key), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := p.appleClientSecret()
	if err != nil {
		t.Fatal(err)
	}
	verifyAppleSecret(t, secret, &key.PublicKey, now)

	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tok, _ := jwt.ParseSigned(secret, []jose.SignatureAlgorithm{jose.ES256})
	var c jwt.Claims
	if tok.Claims(&other.PublicKey, &c) == nil {
		t.Error("the secret verifies with another key")
	}
}

func TestAppleConfigErrors(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	tests := []struct {
		name  string
		edit  func(*latchkey.OAuthProvider)
		code  latchkey.Code
		param string
	}{
		{"no team", func(p *latchkey.OAuthProvider) { p.AppleTeamID = "" }, latchkey.CodeFormParamMissing, "apple_team_id"},
		{"no key id", func(p *latchkey.OAuthProvider) { p.AppleKeyID = "" }, latchkey.CodeFormParamMissing, "apple_key_id"},
		{"no key", func(p *latchkey.OAuthProvider) { p.ApplePrivateKey = "" }, latchkey.CodeFormParamMissing, "apple_private_key"},
		{"not PEM", func(p *latchkey.OAuthProvider) { p.ApplePrivateKey = "MIGTAgEAMBMGByqGSM49" }, latchkey.CodeFormParamInvalid, "apple_private_key"},
		{"RSA key", func(p *latchkey.OAuthProvider) { p.ApplePrivateKey = p8(t, rsaKey) }, latchkey.CodeFormParamInvalid, "apple_private_key"},
		{"P-384 key", func(p *latchkey.OAuthProvider) { p.ApplePrivateKey = p8(t, p384) }, latchkey.CodeFormParamInvalid, "apple_private_key"},
		{"no client id", func(p *latchkey.OAuthProvider) { p.ClientID = "" }, latchkey.CodeFormParamMissing, "client_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := appleConfig(t, key)
			tt.edit(&cfg)
			_, err := New(cfg, Options{})
			if e := wantCode(t, err, tt.code); e.Param != tt.param {
				t.Errorf("param = %q, want %q", e.Param, tt.param)
			}
		})
	}
}

// TestAppleFlow runs Sign in with Apple against the fake OP: form_post in
// the authorization URL, the minted secret at the token endpoint, the
// string-typed email_verified, and the name from the first-time user field.
func TestAppleFlow(t *testing.T) {
	f := startFakeOP(t)
	k1 := newRSAKey(t, "k1")
	f.publish(k1.public())
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	var gotSecret, gotVerifier string
	f.tokenForm = func(form map[string][]string) {
		gotSecret, gotVerifier = url.Values(form).Get("client_secret"), url.Values(form).Get("code_verifier")
	}
	p, err := New(appleConfig(t, key), Options{HTTPClient: loopbackClient(), Now: func() time.Time { return fakeNow }, Endpoints: Endpoints{
		Issuer: f.URL, AuthURL: f.URL + "/authorize", TokenURL: f.URL + "/token", JWKSURL: f.URL + "/jwks",
	}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.Start(context.Background(), "https://app.example/__latchkey/v1/oauth_callback")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(st.URL)
	if q := u.Query(); q.Get("response_mode") != "form_post" || q.Get("scope") != "openid name email" || q.Get("nonce") != st.Nonce {
		t.Errorf("authorization URL query %v", q)
	}
	claims := with(goodClaims(f), "aud", "com.example.web", "nonce", st.Nonce, "email_verified", "true", "is_private_email", "true",
		"email", "abc123@privaterelay.appleid.com", "name", nil)
	f.set(k1.sign(t, claims), nil)
	res, err := p.Finish(context.Background(), FinishParams{
		RedirectURI: "https://app.example/__latchkey/v1/oauth_callback", Code: "c", CodeVerifier: st.CodeVerifier, Nonce: st.Nonce,
		AppleUser: `{"name":{"firstName":"Tim","lastName":"Apple"},"email":"abc123@privaterelay.appleid.com"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Profile{ProviderUserID: "sub-1", Email: "abc123@privaterelay.appleid.com", EmailVerified: true, FirstName: "Tim", LastName: "Apple"}
	if res.Profile != want {
		t.Errorf("profile = %+v, want %+v", res.Profile, want)
	}
	verifyAppleSecret(t, gotSecret, &key.PublicKey, fakeNow)
	if gotVerifier != st.CodeVerifier {
		t.Error("the PKCE verifier was not sent")
	}

	_, err = p.Finish(context.Background(), FinishParams{RedirectURI: "https://app.example/cb", Code: "c", CodeVerifier: "v", Nonce: st.Nonce, AppleUser: "{not json"})
	if e := wantCode(t, err, latchkey.CodeFormParamInvalid); e.Param != "user" {
		t.Errorf("param = %q, want user", e.Param)
	}
}
