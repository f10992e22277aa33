package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/oauth/oauthtest"
)

const testRedirectURI = "http://127.0.0.1:1/v1/oauth_callback"

var testUser = oauthtest.User{
	ID: "user-4711", Email: "Ada.Lovelace@Example.COM", EmailVerified: true,
	GivenName: "Ada", FamilyName: "Lovelace", Username: "ada", Picture: "https://example.com/ada.png",
}

// startOP runs the real OpenID provider with the test client and user.
func startOP(t *testing.T, user oauthtest.User, deny bool) *oauthtest.Server {
	t.Helper()
	return oauthtest.Start(t, oauthtest.Config{
		ClientID: "latchkey-client", ClientSecret: "s3cret-of-the-client",
		RedirectURI: testRedirectURI, User: user, Deny: deny,
	})
}

// opProviders are the two ways the tests configure the OP: as a custom OIDC
// provider found by discovery, and as "google" with its endpoints pointed
// at the OP.
func opProviders(t *testing.T, op *oauthtest.Server, scopes ...string) map[string]*Provider {
	t.Helper()
	resp, err := http.Get(op.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var disc struct {
		Auth     string `json:"authorization_endpoint"`
		Token    string `json:"token_endpoint"`
		UserInfo string `json:"userinfo_endpoint"`
		JWKS     string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&disc); err != nil {
		t.Fatal(err)
	}
	base := latchkey.OAuthProvider{ClientID: "latchkey-client", ClientSecret: "s3cret-of-the-client", Scopes: scopes}
	custom := base
	custom.ID, custom.Type, custom.Issuer = "custom_op", latchkey.OAuthOIDC, op.Issuer
	google := base
	google.ID, google.Type = "google", latchkey.OAuthGoogle
	out := map[string]*Provider{}
	for name, cfg := range map[string]latchkey.OAuthProvider{"custom_oidc": custom, "google": google} {
		p, err := New(cfg, Options{HTTPClient: loopbackClient(), Endpoints: Endpoints{
			Issuer: op.Issuer, AuthURL: disc.Auth, TokenURL: disc.Token, UserInfoURL: disc.UserInfo, JWKSURL: disc.JWKS,
		}})
		if err != nil {
			t.Fatalf("New %s: %v", name, err)
		}
		out[name] = p
	}
	return out
}

// authorize runs Start and the browser round trip, checking the request.
func authorize(t *testing.T, op *oauthtest.Server, p *Provider) (*Start, string) {
	t.Helper()
	st, err := p.Start(context.Background(), testRedirectURI)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	cb := op.Authorize(t, st.URL)
	if cb.Get("state") != st.State {
		t.Fatalf("callback state = %q, want the one sent", cb.Get("state"))
	}
	code, err := ParseCallback(cb)
	if err != nil {
		t.Fatalf("ParseCallback: %v", err)
	}
	return st, code
}

func TestStartAuthorizationRequest(t *testing.T) {
	op := startOP(t, testUser, false)
	for name, p := range opProviders(t, op) {
		t.Run(name, func(t *testing.T) {
			st, err := p.Start(context.Background(), testRedirectURI)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(st.URL)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			want := map[string]string{
				"response_type":         "code",
				"client_id":             "latchkey-client",
				"redirect_uri":          testRedirectURI,
				"scope":                 "openid email profile",
				"state":                 st.State,
				"nonce":                 st.Nonce,
				"code_challenge":        s256(st.CodeVerifier),
				"code_challenge_method": "S256",
			}
			for k, v := range want {
				if q.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, q.Get(k), v)
				}
			}
			for name, v := range map[string]string{"state": st.State, "nonce": st.Nonce} {
				b, err := base64.RawURLEncoding.DecodeString(v)
				if err != nil || len(b) < 16 {
					t.Errorf("%s %q is not at least 128 bits of base64url", name, v)
				}
			}
			st2, _ := p.Start(context.Background(), testRedirectURI)
			if st2.State == st.State || st2.Nonce == st.Nonce || st2.CodeVerifier == st.CodeVerifier {
				t.Error("two Starts share a state, nonce or verifier")
			}
		})
	}
}

func TestFinishWithRealOP(t *testing.T) {
	op := startOP(t, testUser, false)
	for name, p := range opProviders(t, op) {
		t.Run(name, func(t *testing.T) {
			st, code := authorize(t, op, p)
			res, err := p.Finish(context.Background(), FinishParams{RedirectURI: testRedirectURI, Code: code, CodeVerifier: st.CodeVerifier, Nonce: st.Nonce})
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			want := Profile{
				ProviderUserID: "user-4711", Email: "Ada.Lovelace@example.com", EmailVerified: true,
				FirstName: "Ada", LastName: "Lovelace", Name: "Ada Lovelace", Username: "ada", AvatarURL: "https://example.com/ada.png",
			}
			if diff := cmp.Diff(want, res.Profile); diff != "" {
				t.Errorf("profile (-want +got):\n%s", diff)
			}
			if res.Token.AccessToken == "" || res.Token.IDToken == "" || res.Token.Expiry.IsZero() {
				t.Errorf("token lacks access token, id_token or expiry: %v", res.Token)
			}
			if s := res.Token.String(); strings.Contains(s, res.Token.AccessToken) {
				t.Errorf("Token.String shows the access token: %s", s)
			}
		})
	}
}

func TestFinishUnverifiedEmail(t *testing.T) {
	u := testUser
	u.EmailVerified = false
	op := startOP(t, u, false)
	p := opProviders(t, op)["google"]
	st, code := authorize(t, op, p)
	res, err := p.Finish(context.Background(), FinishParams{RedirectURI: testRedirectURI, Code: code, CodeVerifier: st.CodeVerifier, Nonce: st.Nonce})
	if err != nil {
		t.Fatal(err)
	}
	if res.Profile.EmailVerified || res.Profile.Email != "Ada.Lovelace@example.com" {
		t.Errorf("profile = %+v, want the email, unverified", res.Profile)
	}
}

func TestFinishWrongNonce(t *testing.T) {
	op := startOP(t, testUser, false)
	for name, p := range opProviders(t, op) {
		t.Run(name, func(t *testing.T) {
			st, code := authorize(t, op, p)
			other, _ := p.Start(context.Background(), testRedirectURI)
			_, err := p.Finish(context.Background(), FinishParams{RedirectURI: testRedirectURI, Code: code, CodeVerifier: st.CodeVerifier, Nonce: other.Nonce})
			wantCode(t, err, latchkey.CodeOAuthIDTokenInvalid)
		})
	}
}

func TestFinishReplayedCode(t *testing.T) {
	op := startOP(t, testUser, false)
	p := opProviders(t, op)["custom_oidc"]
	st, code := authorize(t, op, p)
	fp := FinishParams{RedirectURI: testRedirectURI, Code: code, CodeVerifier: st.CodeVerifier, Nonce: st.Nonce}
	if _, err := p.Finish(context.Background(), fp); err != nil {
		t.Fatalf("first Finish: %v", err)
	}
	_, err := p.Finish(context.Background(), fp)
	e := wantCode(t, err, latchkey.CodeOAuthTokenExchange)
	if strings.Contains(e.Error(), code) || strings.Contains(e.Error(), "s3cret") {
		t.Errorf("error shows the code or the client secret: %v", e)
	}
}

func TestFinishPKCE(t *testing.T) {
	op := startOP(t, testUser, false)
	p := opProviders(t, op)["google"]

	t.Run("wrong verifier", func(t *testing.T) {
		st, code := authorize(t, op, p)
		other, _ := p.Start(context.Background(), testRedirectURI)
		_, err := p.Finish(context.Background(), FinishParams{RedirectURI: testRedirectURI, Code: code, CodeVerifier: other.CodeVerifier, Nonce: st.Nonce})
		wantCode(t, err, latchkey.CodeOAuthTokenExchange)
	})
	t.Run("missing verifier refused locally", func(t *testing.T) {
		_, code := authorize(t, op, p)
		_, err := p.Finish(context.Background(), FinishParams{RedirectURI: testRedirectURI, Code: code, Nonce: "n"})
		if e := wantCode(t, err, latchkey.CodeFormParamMissing); e.Param != "code_verifier" {
			t.Errorf("param = %q, want code_verifier", e.Param)
		}
	})
	t.Run("missing verifier refused by the OP", func(t *testing.T) {
		_, code := authorize(t, op, p)
		def := p.Definition()
		cfg := p.oauth2Config(def, testRedirectURI, "")
		_, err := cfg.Exchange(context.WithValue(context.Background(), oauth2.HTTPClient, loopbackClient()), code)
		re, ok := err.(*oauth2.RetrieveError)
		if !ok || re.ErrorCode != "invalid_request" {
			t.Fatalf("exchange without code_verifier: %v, want the OP's invalid_request", err)
		}
	})
	t.Run("redirect uri differs", func(t *testing.T) {
		st, code := authorize(t, op, p)
		_, err := p.Finish(context.Background(), FinishParams{RedirectURI: testRedirectURI + "/other", Code: code, CodeVerifier: st.CodeVerifier, Nonce: st.Nonce})
		wantCode(t, err, latchkey.CodeOAuthTokenExchange)
	})
}

func TestAccessDeniedFromRealOP(t *testing.T) {
	op := startOP(t, testUser, true)
	p := opProviders(t, op)["custom_oidc"]
	st, err := p.Start(context.Background(), testRedirectURI)
	if err != nil {
		t.Fatal(err)
	}
	cb := op.Authorize(t, st.URL)
	_, err = ParseCallback(cb)
	e := wantCode(t, err, latchkey.CodeOAuthAccessDenied)
	if !strings.Contains(e.LongMessage, "The user said no.") {
		t.Errorf("long message %q lacks the provider's description", e.LongMessage)
	}
}

func TestRefreshWithRealOP(t *testing.T) {
	op := startOP(t, testUser, false)
	p := opProviders(t, op, "openid", "email", "profile", "offline_access")["google"]
	st, code := authorize(t, op, p)
	res, err := p.Finish(context.Background(), FinishParams{RedirectURI: testRedirectURI, Code: code, CodeVerifier: st.CodeVerifier, Nonce: st.Nonce})
	if err != nil {
		t.Fatal(err)
	}
	if res.Token.RefreshToken == "" {
		t.Fatal("no refresh token for offline_access")
	}
	if !slices.Contains(p.Definition().Scopes, "offline_access") {
		t.Fatal("configured scopes were not used")
	}
	tok, err := p.Refresh(context.Background(), res.Token.RefreshToken)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if tok.AccessToken == "" || tok.AccessToken == res.Token.AccessToken {
		t.Errorf("refresh gave no new access token")
	}
	// The OP rotates refresh tokens: the old one is spent.
	_, err = p.Refresh(context.Background(), res.Token.RefreshToken)
	wantCode(t, err, latchkey.CodeOAuthTokenExchange)
	_, err = p.Refresh(context.Background(), "")
	wantCode(t, err, latchkey.CodeFormParamMissing)
}
