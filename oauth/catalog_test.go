package oauth

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/latchkeyhq/latchkey"
)

func TestCatalog(t *testing.T) {
	type entry struct {
		Kind                                            Kind
		Issuer, AuthURL, TokenURL, UserInfoURL, JWKSURL string
		Scopes                                          []string
		ResponseMode                                    string
		Refresh                                         bool
	}
	want := map[string]entry{
		latchkey.OAuthGoogle: {KindOIDC, "https://accounts.google.com", "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
			"https://openidconnect.googleapis.com/v1/userinfo", "https://www.googleapis.com/oauth2/v3/certs", []string{"openid", "email", "profile"}, "", true},
		latchkey.OAuthGitHub: {KindOAuth2, "", "https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token",
			"https://api.github.com/user", "", []string{"read:user", "user:email"}, "", true},
		latchkey.OAuthMicrosoft: {KindOIDC, "https://login.microsoftonline.com/{tenantid}/v2.0", "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
			"https://login.microsoftonline.com/common/oauth2/v2.0/token", "https://graph.microsoft.com/oidc/userinfo",
			"https://login.microsoftonline.com/common/discovery/v2.0/keys", []string{"openid", "profile", "email", "offline_access"}, "", true},
		latchkey.OAuthApple: {KindOIDC, "https://appleid.apple.com", "https://appleid.apple.com/auth/authorize", "https://appleid.apple.com/auth/token",
			"", "https://appleid.apple.com/auth/keys", []string{"name", "email"}, "form_post", true},
		latchkey.OAuthGitLab: {KindOIDC, "https://gitlab.com", "https://gitlab.com/oauth/authorize", "https://gitlab.com/oauth/token",
			"https://gitlab.com/oauth/userinfo", "https://gitlab.com/oauth/discovery/keys", []string{"openid", "profile", "email"}, "", true},
		latchkey.OAuthDiscord: {KindOAuth2, "", "https://discord.com/oauth2/authorize", "https://discord.com/api/oauth2/token",
			"https://discord.com/api/users/@me", "", []string{"identify", "email"}, "", true},
		latchkey.OAuthLinkedIn: {KindOIDC, "https://www.linkedin.com/oauth", "https://www.linkedin.com/oauth/v2/authorization", "https://www.linkedin.com/oauth/v2/accessToken",
			"https://api.linkedin.com/v2/userinfo", "https://www.linkedin.com/oauth/openid/jwks", []string{"openid", "profile", "email"}, "", false},
		latchkey.OAuthSlack: {KindOIDC, "https://slack.com", "https://slack.com/openid/connect/authorize", "https://slack.com/api/openid.connect.token",
			"https://slack.com/api/openid.connect.userInfo", "https://slack.com/openid/connect/keys", []string{"openid", "profile", "email"}, "", false},
		latchkey.OAuthFacebook: {KindOAuth2, "", "https://www.facebook.com/v22.0/dialog/oauth", "https://graph.facebook.com/v22.0/oauth/access_token",
			"https://graph.facebook.com/v22.0/me?fields=id,name,first_name,last_name,email,picture", "", []string{"email", "public_profile"}, "", false},
		latchkey.OAuthX: {KindOAuth2, "", "https://x.com/i/oauth2/authorize", "https://api.x.com/2/oauth2/token",
			"https://api.x.com/2/users/me?user.fields=profile_image_url", "", []string{"users.read", "tweet.read", "offline.access"}, "", true},
	}
	got := map[string]entry{}
	for typ, d := range Catalog() {
		if d.Type != typ || d.Name == "" || d.profile == nil {
			t.Errorf("%s: type %q, name %q, profile set %t", typ, d.Type, d.Name, d.profile != nil)
		}
		got[typ] = entry{d.Kind, d.Issuer, d.AuthURL, d.TokenURL, d.UserInfoURL, d.JWKSURL, d.Scopes, d.ResponseMode, d.Refresh}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("catalog (-want +got):\n%s", diff)
	}

	for typ, d := range Catalog() {
		want := oauth2.AuthStyleInParams
		if typ == latchkey.OAuthX {
			want = oauth2.AuthStyleInHeader // X wants HTTP Basic from confidential clients
		}
		if d.authStyle != want {
			t.Errorf("%s: token endpoint auth style %d, want %d", typ, d.authStyle, want)
		}
	}

	// Catalog hands out copies.
	c := Catalog()
	c[latchkey.OAuthGoogle].Scopes[0] = "changed"
	if Catalog()[latchkey.OAuthGoogle].Scopes[0] != "openid" {
		t.Error("changing a Catalog result changed the catalog")
	}
}

func TestMicrosoftTenantEndpoints(t *testing.T) {
	for tenant, base := range map[string]string{
		"":                                     "https://login.microsoftonline.com/common",
		"organizations":                        "https://login.microsoftonline.com/organizations",
		"consumers":                            "https://login.microsoftonline.com/consumers",
		"0F8FAD5B-D9CB-469F-A165-70867728950E": "https://login.microsoftonline.com/0f8fad5b-d9cb-469f-a165-70867728950e",
	} {
		p, err := New(latchkey.OAuthProvider{Type: latchkey.OAuthMicrosoft, Tenant: tenant, ClientID: "c", ClientSecret: "s"}, Options{})
		if err != nil {
			t.Fatalf("tenant %q: %v", tenant, err)
		}
		d := p.Definition()
		if d.AuthURL != base+"/oauth2/v2.0/authorize" || d.TokenURL != base+"/oauth2/v2.0/token" || d.JWKSURL != base+"/discovery/v2.0/keys" {
			t.Errorf("tenant %q: endpoints %s %s %s", tenant, d.AuthURL, d.TokenURL, d.JWKSURL)
		}
	}
}

func TestTestIdPDefinition(t *testing.T) {
	d := TestIdP("http://localhost:8421/v1/test_idp/")
	if d.Kind != KindOAuth2 || d.AuthURL != "http://localhost:8421/v1/test_idp/authorize" ||
		d.TokenURL != "http://localhost:8421/v1/test_idp/token" || d.UserInfoURL != "http://localhost:8421/v1/test_idp/userinfo" {
		t.Errorf("definition %+v", d)
	}
}

// TestRefreshTokenRequested: Google and Microsoft issue refresh tokens only
// when asked (access_type=offline, the offline_access scope), and the
// access-token endpoint needs them to refresh.
func TestRefreshTokenRequested(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{latchkey.OAuthGoogle, latchkey.OAuthMicrosoft} {
		p, err := New(latchkey.OAuthProvider{ID: typ, Type: typ, ClientID: "client", ClientSecret: "secret"}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		st, err := p.Start(context.Background(), "https://app.example/__latchkey/v1/oauth_callback")
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(st.URL)
		q := u.Query()
		if typ == latchkey.OAuthGoogle && q.Get("access_type") != "offline" {
			t.Errorf("google: access_type = %q, want offline (%s)", q.Get("access_type"), st.URL)
		}
		if typ == latchkey.OAuthMicrosoft && !strings.Contains(" "+q.Get("scope")+" ", " offline_access ") {
			t.Errorf("microsoft: scope = %q, want offline_access", q.Get("scope"))
		}
	}
}
