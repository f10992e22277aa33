package instance_test

import (
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
)

func TestNewOAuthProviderDefaults(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		typ, id, name string
		trust         bool
	}{
		{latchkey.OAuthGoogle, "google", "Google", true},
		{latchkey.OAuthMicrosoft, "microsoft", "Microsoft", true},
		{latchkey.OAuthApple, "apple", "Apple", true},
		{latchkey.OAuthGitHub, "github", "GitHub", false},
		{latchkey.OAuthX, "x", "X", false},
		{latchkey.OAuthOIDC, "", "OpenID Connect", false},
		{latchkey.OAuthOAuth2, "", "OAuth 2.0", false},
	} {
		p := instance.NewOAuthProvider(tt.typ)
		if p.ID != tt.id || p.Name != tt.name || p.TrustVerifiedEmail != tt.trust || !p.Enabled || p.Scopes == nil {
			t.Errorf("NewOAuthProvider(%s) = %+v, want id %q, name %q, trust %t, enabled, empty scopes", tt.typ, p, tt.id, tt.name, tt.trust)
		}
	}
}

func TestValidateOAuthProviderLoopback(t *testing.T) {
	t.Parallel()
	p := instance.NewOAuthProvider(latchkey.OAuthOIDC)
	p.ID, p.ClientID, p.ClientSecret = "custom_local", "c", "s"
	for _, tt := range []struct {
		issuer string
		dev    bool
		ok     bool
	}{
		{"https://idp.example", false, true},
		{"http://localhost:8080", true, true},
		{"http://[::1]:8080", true, true},
		{"http://127.0.0.1:8080", false, false},
		{"http://idp.example", true, false},
		{"https://user:pass@idp.example", false, false},
		{"idp.example", false, false},
	} {
		p.Issuer = tt.issuer
		err := instance.ValidateOAuthProvider(p, tt.dev)
		if (err == nil) != tt.ok {
			t.Errorf("issuer %q (dev %t): err = %v, want ok %t", tt.issuer, tt.dev, err, tt.ok)
		}
		if err != nil && latchkey.ErrorCode(err) != latchkey.CodeFormParamInvalid {
			t.Errorf("issuer %q: code %s, want %s", tt.issuer, latchkey.ErrorCode(err), latchkey.CodeFormParamInvalid)
		}
	}
}

// FuzzValidateOAuthProvider checks that any provider gets nil or a
// *latchkey.Error with a parameter name, never a panic; the Apple key goes
// through the PEM and PKCS #8 parsers.
func FuzzValidateOAuthProvider(f *testing.F) {
	f.Add("apple", "apple", "c", "", "T", "K", "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n", "")
	f.Add("oauth2", "custom_x", "c", "s", "", "", "", "https://x.example/a")
	f.Add("oidc", "custom_y", "c", "s", "", "", "", "http://127.0.0.1:1/")
	f.Fuzz(func(t *testing.T, typ, id, clientID, secret, team, key, pemText, url string) {
		p := &latchkey.OAuthProvider{Type: typ, ID: id, Name: "n", ClientID: clientID, ClientSecret: secret,
			AppleTeamID: team, AppleKeyID: key, ApplePrivateKey: pemText, Issuer: url, AuthURL: url, TokenURL: url,
			UserInfoURL: url, Enabled: true, Mapping: latchkey.OAuthFieldMapping{ID: team, Email: key}}
		err := instance.ValidateOAuthProvider(p, true)
		if err == nil {
			return
		}
		e, ok := err.(*latchkey.Error)
		if !ok || e.Param == "" || e.Code == "" {
			t.Errorf("ValidateOAuthProvider = %v, want a *latchkey.Error naming a parameter", err)
		}
	})
}
