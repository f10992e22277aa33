package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/oauth"
	"github.com/latchkeyhq/latchkey/oauth/oauthtest"
)

// Social sign-in against a real, OpenID-certified provider (zitadel's OP on
// loopback) configured as "google" through the Backend API, its endpoints
// pointed at the OP.

const (
	opClientID     = "latchkey-client"
	opClientSecret = "s3cret-of-the-client"
)

// newOIDCServer starts the server with an OP standing in for Google whose
// one user is user, and configures the provider.
func newOIDCServer(t *testing.T, engine string, user oauthtest.User) (*testServer, *oauthtest.Server) {
	t.Helper()
	var op *oauthtest.Server
	ts := newTestServer(t, engine, withOAuth(func(publicURL string) oauth.Options {
		op = oauthtest.Start(t, oauthtest.Config{ClientID: opClientID, ClientSecret: opClientSecret,
			RedirectURI: publicURL + "/v1/oauth_callback", User: user})
		res, err := http.Get(op.Issuer + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var d struct {
			Auth     string `json:"authorization_endpoint"`
			Token    string `json:"token_endpoint"`
			UserInfo string `json:"userinfo_endpoint"`
			JWKS     string `json:"jwks_uri"`
		}
		if err := json.NewDecoder(res.Body).Decode(&d); err != nil {
			t.Fatal(err)
		}
		return oauth.Options{Endpoints: oauth.Endpoints{Issuer: op.Issuer, AuthURL: d.Auth, TokenURL: d.Token, UserInfoURL: d.UserInfo, JWKSURL: d.JWKS}}
	}))
	ts.do("POST", "/api/v1/oauth_providers", map[string]any{"provider": "google", "client_id": opClientID,
		"client_secret": opClientSecret, "scopes": []string{"openid", "email", "profile", "offline_access"}}).wantStatus(t, http.StatusOK)
	return ts, op
}

// googleSignIn signs in with "google": start, the OP's login, the callback.
func (b *browser) googleSignIn(op *oauthtest.Server) url.Values {
	b.t.Helper()
	si, _ := b.signIn("POST", "/v1/client/sign_ins", map[string]any{"strategy": "oauth_google", "redirect_url": appURL(b.ts)})
	v := si.FirstFactorVerification
	if v == nil || v.ExternalVerificationRedirectURL == nil || *v.ExternalVerificationRedirectURL == nil ||
		!strings.HasPrefix(**v.ExternalVerificationRedirectURL, op.Issuer) {
		b.t.Fatalf("google sign-in: %+v", v)
	}
	cb := op.Authorize(b.t, **v.ExternalVerificationRedirectURL)
	return b.callback(b.ts.url + "/v1/oauth_callback?" + cb.Encode())
}

func TestSocialRealOIDCProvider(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		// Verified at Google, which the instance trusts: an existing user
		// with that verified address is linked and signed in.
		ts, op := newOIDCServer(t, engine, oauthtest.User{ID: "g-4711", Email: "Ada@Example.com", EmailVerified: true, GivenName: "Ada", FamilyName: "Lovelace"})
		clock := withOffsetClock(ts)
		ts.sessions.SetClock(clock.now)
		owner := ts.signInUser(t, "ada@example.com", "correct horse battery staple")
		b := newBrowser(t, ts)
		wantOutcome(t, b.googleSignIn(op), "lk_status", "verified")
		u := b.me()
		if u.ID != owner.ID || len(u.ExternalAccounts) != 1 || u.ExternalAccounts[0].ProviderUserID != "g-4711" ||
			u.ExternalAccounts[0].Provider != "google" || u.ExternalAccounts[0].FirstName != "Ada" {
			t.Fatalf("after google: %+v", u)
		}
		// Again, now as a known identity.
		wantOutcome(t, newBrowser(t, ts).googleSignIn(op), "lk_status", "verified")

		// The access token, refreshed at the OP once expired.
		get := func() oauthAccessTokenJSON {
			t.Helper()
			var out []oauthAccessTokenJSON
			ts.do("GET", "/api/v1/users/"+owner.ID+"/oauth_access_tokens/google", nil).decode(t, &out)
			if len(out) != 1 || out[0].Token == "" || out[0].ExpiresAt == nil {
				t.Fatalf("google tokens: %+v", out)
			}
			return out[0]
		}
		first := get()
		clock.advance(10 * time.Minute)
		if fresh := get(); fresh.Token == first.Token {
			t.Error("an expired token was not refreshed")
		} else if st := ts.storedAccount(t, owner.ID); st.AccessToken != fresh.Token {
			t.Error("the refreshed token was not stored")
		}
	})
}

func TestSocialRealOIDCProviderUnverifiedEmail(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		// The must-not-link case with a real provider: it does not vouch for
		// the address, which belongs to a user.
		ts, op := newOIDCServer(t, engine, oauthtest.User{ID: "g-666", Email: "bea@example.com", EmailVerified: false})
		owner := ts.signInUser(t, "bea@example.com", "correct horse battery staple")
		wantOutcome(t, newBrowser(t, ts).googleSignIn(op), "lk_error", "oauth_email_unverified")
		var u userJSON
		ts.do("GET", "/api/v1/users/"+owner.ID, nil).decode(t, &u)
		if len(u.ExternalAccounts) != 0 {
			t.Fatalf("linked on an unverified address: %+v", u.ExternalAccounts)
		}
	})
}
