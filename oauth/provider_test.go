package oauth

import (
	"context"
	"testing"

	"github.com/latchkeyhq/latchkey"
)

func TestNewValidation(t *testing.T) {
	google := latchkey.OAuthProvider{Type: latchkey.OAuthGoogle, ClientID: "c", ClientSecret: "s"}
	custom := latchkey.OAuthProvider{
		Type: latchkey.OAuthOAuth2, ClientID: "c", ClientSecret: "s",
		AuthURL: "https://idp.example/authorize", TokenURL: "https://idp.example/token", UserInfoURL: "https://idp.example/me",
		Mapping: latchkey.OAuthFieldMapping{ID: "id", Email: "email"},
	}
	edit := func(p latchkey.OAuthProvider, f func(*latchkey.OAuthProvider)) latchkey.OAuthProvider {
		f(&p)
		return p
	}
	tests := []struct {
		name  string
		cfg   latchkey.OAuthProvider
		opts  Options
		code  latchkey.Code
		param string
	}{
		{"unknown type", edit(google, func(p *latchkey.OAuthProvider) { p.Type = "myspace" }), Options{}, latchkey.CodeFormParamValue, "provider"},
		{"empty type", edit(google, func(p *latchkey.OAuthProvider) { p.Type = "" }), Options{}, latchkey.CodeFormParamValue, "provider"},
		{"no client id", edit(google, func(p *latchkey.OAuthProvider) { p.ClientID = " " }), Options{}, latchkey.CodeFormParamMissing, "client_id"},
		{"no client secret", edit(google, func(p *latchkey.OAuthProvider) { p.ClientSecret = "" }), Options{}, latchkey.CodeFormParamMissing, "client_secret"},
		{"scope with a space", edit(google, func(p *latchkey.OAuthProvider) { p.Scopes = []string{"openid email"} }), Options{}, latchkey.CodeFormParamInvalid, "scopes"},
		{"override not https", google, Options{Endpoints: Endpoints{TokenURL: "http://idp.example/token"}}, latchkey.CodeFormParamInvalid, "token_url"},
		{"bad tenant", latchkey.OAuthProvider{Type: latchkey.OAuthMicrosoft, Tenant: "contoso.com", ClientID: "c", ClientSecret: "s"}, Options{}, latchkey.CodeFormParamInvalid, "tenant"},
		{"oidc without issuer", latchkey.OAuthProvider{Type: latchkey.OAuthOIDC, ClientID: "c", ClientSecret: "s"}, Options{}, latchkey.CodeFormParamMissing, "issuer"},
		{"oidc http issuer", latchkey.OAuthProvider{Type: latchkey.OAuthOIDC, Issuer: "http://idp.example", ClientID: "c", ClientSecret: "s"}, Options{}, latchkey.CodeFormParamInvalid, "issuer"},
		{"oidc issuer not a URL", latchkey.OAuthProvider{Type: latchkey.OAuthOIDC, Issuer: "idp.example", ClientID: "c", ClientSecret: "s"}, Options{}, latchkey.CodeFormParamInvalid, "issuer"},
		{"oidc issuer with fragment", latchkey.OAuthProvider{Type: latchkey.OAuthOIDC, Issuer: "https://idp.example/#x", ClientID: "c", ClientSecret: "s"}, Options{}, latchkey.CodeFormParamInvalid, "issuer"},
		{"oauth2 without auth url", edit(custom, func(p *latchkey.OAuthProvider) { p.AuthURL = "" }), Options{}, latchkey.CodeFormParamMissing, "auth_url"},
		{"oauth2 without token url", edit(custom, func(p *latchkey.OAuthProvider) { p.TokenURL = "" }), Options{}, latchkey.CodeFormParamMissing, "token_url"},
		{"oauth2 without userinfo url", edit(custom, func(p *latchkey.OAuthProvider) { p.UserInfoURL = "" }), Options{}, latchkey.CodeFormParamMissing, "userinfo_url"},
		{"oauth2 bad token url", edit(custom, func(p *latchkey.OAuthProvider) { p.TokenURL = "ftp://idp.example/token" }), Options{}, latchkey.CodeFormParamInvalid, "token_url"},
		{"oauth2 userinfo with credentials", edit(custom, func(p *latchkey.OAuthProvider) { p.UserInfoURL = "https://u:p@idp.example/me" }), Options{}, latchkey.CodeFormParamInvalid, "userinfo_url"},
		{"mapping without id", edit(custom, func(p *latchkey.OAuthProvider) { p.Mapping.ID = "" }), Options{}, latchkey.CodeFormParamMissing, "mapping.id"},
		{"mapping without email", edit(custom, func(p *latchkey.OAuthProvider) { p.Mapping.Email = "" }), Options{}, latchkey.CodeFormParamMissing, "mapping.email"},
		{"mapping empty segment", edit(custom, func(p *latchkey.OAuthProvider) { p.Mapping.Name = "data..name" }), Options{}, latchkey.CodeFormParamInvalid, "mapping.name"},
		{"test idp without base url", latchkey.OAuthProvider{Type: latchkey.OAuthTestIdP, ClientID: "c", ClientSecret: "s"}, Options{}, latchkey.CodeFormParamMissing, "test_idp_base_url"},
		{"test idp on a public http host", latchkey.OAuthProvider{Type: latchkey.OAuthTestIdP, ClientID: "c", ClientSecret: "s"}, Options{TestIdPBaseURL: "http://dev.example"}, latchkey.CodeFormParamInvalid, "auth_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, tt.opts)
			if e := wantCode(t, err, tt.code); e.Param != tt.param {
				t.Errorf("param = %q, want %q (%v)", e.Param, tt.param, e)
			}
		})
	}
	for _, cfg := range []latchkey.OAuthProvider{google, custom} {
		if _, err := New(cfg, Options{}); err != nil {
			t.Errorf("New(%s): %v", cfg.Type, err)
		}
	}
}

func TestScopes(t *testing.T) {
	p, err := New(latchkey.OAuthProvider{Type: latchkey.OAuthGitLab, ClientID: "c", ClientSecret: "s", Scopes: []string{"email", "read_user", "email"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := p.Definition().Scopes
	if len(got) != 3 || got[0] != "openid" || got[1] != "email" || got[2] != "read_user" {
		t.Errorf("scopes = %v, want openid added and duplicates dropped", got)
	}
}

func TestStartAndFinishArguments(t *testing.T) {
	p, err := New(latchkey.OAuthProvider{Type: latchkey.OAuthGitHub, ClientID: "c", ClientSecret: "s"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{"", "/relative", "javascript:alert(1)", "https://app.example/cb#frag", "ftp://app.example/cb"} {
		if _, err := p.Start(context.Background(), uri); latchkey.ErrorCode(err) != latchkey.CodeFormParamMissing && latchkey.ErrorCode(err) != latchkey.CodeFormParamInvalid {
			t.Errorf("Start(%q) = %v, want a redirect_uri error", uri, err)
		}
	}
	tests := []struct {
		fp    FinishParams
		param string
	}{
		{FinishParams{Code: "c", CodeVerifier: "v"}, "redirect_uri"},
		{FinishParams{RedirectURI: testRedirectURI, CodeVerifier: "v"}, "code"},
		{FinishParams{RedirectURI: testRedirectURI, Code: "c"}, "code_verifier"},
	}
	for _, tt := range tests {
		_, err := p.Finish(context.Background(), tt.fp)
		if e := wantCode(t, err, latchkey.CodeFormParamMissing); e.Param != tt.param {
			t.Errorf("param = %q, want %q", e.Param, tt.param)
		}
	}
	g, _ := New(latchkey.OAuthProvider{Type: latchkey.OAuthGoogle, ClientID: "c", ClientSecret: "s"}, Options{})
	_, err = g.Finish(context.Background(), FinishParams{RedirectURI: testRedirectURI, Code: "c", CodeVerifier: "v"})
	if e := wantCode(t, err, latchkey.CodeFormParamMissing); e.Param != "nonce" {
		t.Errorf("param = %q, want nonce", e.Param)
	}
	fb, _ := New(latchkey.OAuthProvider{Type: latchkey.OAuthFacebook, ClientID: "c", ClientSecret: "s"}, Options{})
	_, err = fb.Refresh(context.Background(), "rt")
	wantCode(t, err, latchkey.CodeOAuthProviderError)
}

func TestDiscoveryFailure(t *testing.T) {
	f := startFakeOP(t)
	p, err := New(latchkey.OAuthProvider{Type: latchkey.OAuthOIDC, Issuer: f.URL + "/other-tenant", ClientID: "c", ClientSecret: "s"}, Options{HTTPClient: loopbackClient()})
	if err != nil {
		t.Fatal(err)
	}
	// The discovery document names another issuer: refused.
	_, err = p.Start(context.Background(), testRedirectURI)
	wantCode(t, err, latchkey.CodeOAuthProviderError)
}
