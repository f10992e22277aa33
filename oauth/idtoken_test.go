package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"runtime"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/latchkeyhq/latchkey"
)

var fakeNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

const (
	fakeNonce  = "nonce-from-start"
	fakeSecret = "secret-of-client-1-long-enough-for-hs256"
)

// fakeProvider configures the fake OP as a custom OIDC provider.
func fakeProvider(t *testing.T, f *fakeOP) *Provider {
	t.Helper()
	p, err := New(latchkey.OAuthProvider{ID: "custom_fake", Type: latchkey.OAuthOIDC, Issuer: f.URL, ClientID: "client-1", ClientSecret: fakeSecret},
		Options{HTTPClient: loopbackClient(), Now: func() time.Time { return fakeNow }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func goodClaims(f *fakeOP) map[string]any {
	return map[string]any{
		"iss": f.URL, "aud": "client-1", "sub": "sub-1", "nonce": fakeNonce,
		"iat": fakeNow.Add(-time.Minute).Unix(), "exp": fakeNow.Add(10 * time.Minute).Unix(),
		"email": "grace@example.com", "email_verified": true, "name": "Grace Hopper",
	}
}

func finishFake(p *Provider) (*Result, error) {
	return p.Finish(context.Background(), FinishParams{RedirectURI: testRedirectURI, Code: "code-1", CodeVerifier: "verifier-1", Nonce: fakeNonce})
}

func with(m map[string]any, kv ...any) map[string]any {
	out := maps.Clone(m)
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func TestIDTokenChecks(t *testing.T) {
	f := startFakeOP(t)
	k1 := newRSAKey(t, "k1")
	f.publish(k1.public())
	good := goodClaims(f)
	goodInfo := map[string]any{"sub": "sub-1", "given_name": "Grace"}
	b64 := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(good)

	tampered := func() string {
		parts := strings.Split(k1.sign(t, good), ".")
		evil, _ := json.Marshal(with(good, "sub", "admin"))
		return parts[0] + "." + b64(evil) + "." + parts[2]
	}

	tests := []struct {
		name     string
		token    string
		userinfo map[string]any
		ok       bool
	}{
		{"valid", k1.sign(t, good), goodInfo, true},
		{"expired within leeway", k1.sign(t, with(good, "exp", fakeNow.Add(-30*time.Second).Unix())), goodInfo, true},
		{"expired", k1.sign(t, with(good, "exp", fakeNow.Add(-2*time.Minute).Unix())), goodInfo, false},
		{"iss mismatch", k1.sign(t, with(good, "iss", "https://evil.example")), goodInfo, false},
		{"aud mismatch", k1.sign(t, with(good, "aud", "another-client")), goodInfo, false},
		{"several audiences without azp", k1.sign(t, with(good, "aud", []string{"client-1", "another-client"})), goodInfo, false},
		{"several audiences with azp", k1.sign(t, with(good, "aud", []string{"client-1", "another-client"}, "azp", "client-1")), goodInfo, true},
		{"wrong nonce", k1.sign(t, with(good, "nonce", "other")), goodInfo, false},
		{"no nonce", k1.sign(t, with(good, "nonce", nil)), goodInfo, false},
		{"alg none", b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64(payload) + ".", goodInfo, false},
		{"alg HS256 keyed with the client secret", hs256(t, fakeSecret, good), goodInfo, false},
		{"unknown kid", newRSAKey(t, "k-unknown").sign(t, good), goodInfo, false},
		{"signed by another key under a known kid", newRSAKey(t, "k1").sign(t, good), goodInfo, false},
		{"tampered payload", tampered(), goodInfo, false},
		{"no id_token", "", goodInfo, false},
		{"userinfo sub mismatch", k1.sign(t, good), map[string]any{"sub": "someone-else"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fakeProvider(t, f)
			f.set(tt.token, tt.userinfo)
			res, err := finishFake(p)
			if tt.ok {
				if err != nil {
					t.Fatalf("Finish: %v", err)
				}
				if res.Profile.ProviderUserID != "sub-1" || res.Profile.Email != "grace@example.com" || !res.Profile.EmailVerified || res.Profile.FirstName != "Grace" {
					t.Errorf("profile = %+v", res.Profile)
				}
				return
			}
			e := wantCode(t, err, latchkey.CodeOAuthIDTokenInvalid)
			if tt.token != "" && strings.Contains(e.Error(), tt.token) {
				t.Error("the error contains the id_token")
			}
		})
	}
}

// hs256 signs claims with a shared secret: an algorithm the allow-list
// refuses, so a client secret can never stand in for the provider's key.
func hs256(t *testing.T, secret string, claims map[string]any) string {
	t.Helper()
	return testKey{kid: "k1", alg: jose.HS256, key: []byte(secret)}.sign(t, claims)
}

func TestUnknownKidRefetchesKeys(t *testing.T) {
	f := startFakeOP(t)
	k1, k2 := newRSAKey(t, "k1"), newECKey(t, "k2")
	f.publish(k1.public())
	p := fakeProvider(t, f)

	f.set(k1.sign(t, goodClaims(f)), map[string]any{"sub": "sub-1"})
	if _, err := finishFake(p); err != nil {
		t.Fatal(err)
	}
	before := f.jwksserved.Load()

	// The provider rotates to k2: an unknown kid makes the keys be fetched
	// again, and the new key is accepted. go-oidc shares one fetch between
	// callers until its goroutine has stored the result, so a verification
	// right after the previous fetch may still see that fetch's keys: retry,
	// boundedly, until a fetch of its own has happened.
	f.publish(k1.public(), k2.public())
	f.set(k2.sign(t, goodClaims(f)), map[string]any{"sub": "sub-1"})
	var err error
	for range 100 {
		if _, err = finishFake(p); err == nil {
			break
		}
		runtime.Gosched()
	}
	if err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	if f.jwksserved.Load() <= before {
		t.Error("the JWKS was not fetched again for an unknown kid")
	}

	// A kid still unknown after the refetch fails, every time.
	before = f.jwksserved.Load()
	f.set(newECKey(t, "k3").sign(t, goodClaims(f)), map[string]any{"sub": "sub-1"})
	for range 100 {
		_, err := finishFake(p)
		wantCode(t, err, latchkey.CodeOAuthIDTokenInvalid)
		if f.jwksserved.Load() > before {
			break
		}
		runtime.Gosched()
	}
	if f.jwksserved.Load() <= before {
		t.Error("the JWKS was not fetched again for an unknown kid")
	}
}

func TestMicrosoftTenantIssuer(t *testing.T) {
	f := startFakeOP(t)
	k1 := newRSAKey(t, "k1")
	f.publish(k1.public())
	const (
		tenantA   = "0f8fad5b-d9cb-469f-a165-70867728950e"
		tenantB   = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
		consumers = "9188040d-6c67-4c5b-b112-36a304b66dad"
	)
	claims := func(tid, iss string) map[string]any {
		return with(goodClaims(f), "tid", tid, "iss", iss)
	}
	iss := func(tid string) string { return f.URL + "/" + tid + "/v2.0" }
	tests := []struct {
		tenant string
		claims map[string]any
		ok     bool
	}{
		{"", claims(tenantA, iss(tenantA)), true},
		{"common", claims(consumers, iss(consumers)), true},
		{"common", claims(tenantA, iss(tenantB)), false},
		{"common", with(claims(tenantA, iss(tenantA)), "tid", nil), false},
		{"organizations", claims(tenantA, iss(tenantA)), true},
		{"organizations", claims(consumers, iss(consumers)), false},
		{"consumers", claims(consumers, iss(consumers)), true},
		{"consumers", claims(tenantA, iss(tenantA)), false},
		{tenantA, claims(tenantA, iss(tenantA)), true},
		{strings.ToUpper(tenantA), claims(tenantA, iss(tenantA)), true},
		{tenantA, claims(tenantB, iss(tenantB)), false},
		{tenantA, claims(tenantA, "https://evil.example/"+tenantA+"/v2.0"), false},
		{tenantA, with(claims(tenantA, iss(tenantA)), "xms_edov", true), true},
	}
	for _, tt := range tests {
		t.Run(tt.tenant+" "+asString(tt.claims["tid"])+" "+asString(tt.claims["iss"]), func(t *testing.T) {
			p, err := New(latchkey.OAuthProvider{ID: "microsoft", Type: latchkey.OAuthMicrosoft, Tenant: tt.tenant, ClientID: "client-1", ClientSecret: fakeSecret},
				Options{HTTPClient: loopbackClient(), Now: func() time.Time { return fakeNow }, Endpoints: Endpoints{
					Issuer: f.URL + "/{tenantid}/v2.0", AuthURL: f.URL + "/authorize", TokenURL: f.URL + "/token",
					UserInfoURL: f.URL + "/userinfo", JWKSURL: f.URL + "/jwks",
				}})
			if err != nil {
				t.Fatal(err)
			}
			f.set(k1.sign(t, tt.claims), map[string]any{"sub": "sub-1"})
			res, err := finishFake(p)
			if !tt.ok {
				wantCode(t, err, latchkey.CodeOAuthIDTokenInvalid)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Microsoft's email claim is not proof of ownership, unless
			// xms_edov says the domain's owner verified it.
			verified := tt.claims["xms_edov"] == true
			if res.Profile.Email != "grace@example.com" || res.Profile.EmailVerified != verified {
				t.Errorf("profile = %+v, want the email, verified %t", res.Profile, verified)
			}
		})
	}
}
