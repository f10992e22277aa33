package web

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
)

// applePEM returns a fresh .p8-style PEM (PKCS #8) for an EC key on curve.
func applePEM(t *testing.T, curve elliptic.Curve) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// secretsKept collects every secret sent to the server and every response
// body, so the test can check that no secret ever comes back.
type secretsKept struct {
	secrets []string
	bodies  []string
}

func (k *secretsKept) do(t *testing.T, ts *testServer, method, path string, body map[string]any) *response {
	t.Helper()
	for _, f := range []string{"client_secret", "apple_private_key"} {
		if v, ok := body[f].(string); ok && v != "" {
			k.secrets = append(k.secrets, v)
		}
	}
	var res *response
	if body == nil {
		res = ts.do(method, path, nil)
	} else {
		res = ts.do(method, path, body)
	}
	k.bodies = append(k.bodies, string(res.Body))
	return res
}

func (k *secretsKept) check(t *testing.T, where string, texts ...string) {
	t.Helper()
	for _, s := range k.secrets {
		// The PEM's base64 body is the secret part; look for a slice of it.
		needle := s
		if strings.HasPrefix(s, "-----BEGIN") {
			needle = strings.Split(s, "\n")[1]
		}
		for _, text := range texts {
			if strings.Contains(text, needle) {
				t.Errorf("%s contains the secret %.12q...", where, needle)
			}
		}
	}
}

func TestOAuthProvidersAPI(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ctx := t.Context()
		var k secretsKept

		res := k.do(t, ts, "POST", "/api/v1/oauth_providers", map[string]any{
			"provider": "google", "client_id": "1234.apps.googleusercontent.com", "client_secret": "GOCSPX-google-secret-1",
			"scopes": []string{"openid", "email", "profile"}, "enabled": true})
		res.wantStatus(t, http.StatusOK)
		golden(t, "oauth_providers_create", res.Body)
		var g oauthProviderJSON
		res.decode(t, &g)
		if g.ID != "google" || g.Strategy != "oauth_google" || g.Name != "Google" || !g.ClientSecretSet ||
			!g.TrustVerifiedEmail || !g.Enabled || g.ManagedByFile {
			t.Errorf("created google = %+v", g)
		}
		k.do(t, ts, "POST", "/api/v1/oauth_providers", map[string]any{"provider": "google", "client_id": "x", "client_secret": "dup-secret-y"}).
			wantError(t, http.StatusConflict, latchkey.CodeOAuthProviderExists, "id")

		// GitHub does not verify emails the same way: not trusted by default.
		res = k.do(t, ts, "POST", "/api/v1/oauth_providers", map[string]any{
			"provider": "github", "client_id": "Iv1.abc", "client_secret": "gh-secret-2", "enabled": false})
		res.wantStatus(t, http.StatusOK)
		var gh oauthProviderJSON
		res.decode(t, &gh)
		if gh.TrustVerifiedEmail || gh.Enabled || len(gh.Scopes) != 0 {
			t.Errorf("created github = %+v, want untrusted, disabled, default scopes", gh)
		}

		// Custom OIDC (http on loopback is fine in dev) and OAuth 2.0.
		res = k.do(t, ts, "POST", "/api/v1/oauth_providers", map[string]any{
			"type": "oidc", "id": "custom_corp", "name": "Corp SSO", "client_id": "corp", "client_secret": "corp-secret-3",
			"issuer": "http://127.0.0.1:9999/realms/corp"})
		res.wantStatus(t, http.StatusOK)
		res = k.do(t, ts, "POST", "/api/v1/oauth_providers", map[string]any{
			"type": "oauth2", "id": "custom_acme", "client_id": "acme", "client_secret": "acme-secret-4",
			"auth_url": "https://acme.example/oauth/authorize", "token_url": "https://acme.example/oauth/token",
			"userinfo_url": "https://acme.example/api/me", "mapping": map[string]any{"id": "data.id", "email": "data.email"}})
		res.wantStatus(t, http.StatusOK)
		var acme oauthProviderJSON
		res.decode(t, &acme)
		if acme.Name != "custom_acme" || acme.Mapping.Email != "data.email" || acme.TrustVerifiedEmail {
			t.Errorf("created acme = %+v", acme)
		}
		// Apple with a real .p8-style key.
		res = k.do(t, ts, "POST", "/api/v1/oauth_providers", map[string]any{
			"provider": "apple", "client_id": "com.example.web", "apple_team_id": "TEAM123456", "apple_key_id": "KEY1234567",
			"apple_private_key": applePEM(t, elliptic.P256())})
		res.wantStatus(t, http.StatusOK)
		var apple oauthProviderJSON
		res.decode(t, &apple)
		if !apple.ApplePrivateKeySet || apple.ClientSecretSet || !apple.TrustVerifiedEmail {
			t.Errorf("created apple = %+v", apple)
		}

		res = k.do(t, ts, "GET", "/api/v1/oauth_providers", nil)
		res.wantStatus(t, http.StatusOK)
		golden(t, "oauth_providers_list", res.Body)
		var list listJSON[oauthProviderJSON]
		res.decode(t, &list)
		var ids []string
		for _, p := range list.Data {
			ids = append(ids, p.ID)
		}
		if strings.Join(ids, ",") != "google,github,custom_corp,custom_acme,apple" || list.TotalCount != 5 {
			t.Errorf("listed %v (total %d), want the creation order", ids, list.TotalCount)
		}
		k.do(t, ts, "GET", "/api/v1/oauth_providers/github", nil).wantStatus(t, http.StatusOK)
		k.do(t, ts, "GET", "/api/v1/oauth_providers/gitlab", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")

		// PATCH merges: the secret stays unless sent.
		res = k.do(t, ts, "PATCH", "/api/v1/oauth_providers/google", map[string]any{"enabled": false, "scopes": []string{"openid"}})
		res.wantStatus(t, http.StatusOK)
		stored, err := ts.store.OAuthProviderByID(ctx, ts.srv.box, "google")
		if err != nil {
			t.Fatal(err)
		}
		if stored.ClientSecret != "GOCSPX-google-secret-1" || stored.Enabled || strings.Join(stored.Scopes, " ") != "openid" ||
			stored.ClientID != "1234.apps.googleusercontent.com" {
			t.Errorf("after PATCH without a secret: %+v", stored)
		}
		k.do(t, ts, "PATCH", "/api/v1/oauth_providers/google", map[string]any{"client_secret": "GOCSPX-google-secret-5"}).
			wantStatus(t, http.StatusOK)
		if stored, _ = ts.store.OAuthProviderByID(ctx, ts.srv.box, "google"); stored.ClientSecret != "GOCSPX-google-secret-5" {
			t.Errorf("the secret was not replaced")
		}
		k.do(t, ts, "PATCH", "/api/v1/oauth_providers/google", map[string]any{"type": "github"}).
			wantError(t, http.StatusBadRequest, latchkey.CodeFormParamValue, "type")
		k.do(t, ts, "PATCH", "/api/v1/oauth_providers/google", map[string]any{"issuer": "https://accounts.google.com"}).
			wantError(t, http.StatusBadRequest, latchkey.CodeFormParamValue, "issuer")
		k.do(t, ts, "PATCH", "/api/v1/oauth_providers/nope", map[string]any{"enabled": true}).
			wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")

		// Delete.
		res = k.do(t, ts, "DELETE", "/api/v1/oauth_providers/github", nil)
		res.wantStatus(t, http.StatusOK)
		golden(t, "oauth_providers_delete", res.Body)
		k.do(t, ts, "DELETE", "/api/v1/oauth_providers/github", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")

		// A provider declared by the configuration file cannot be changed here.
		file := &latchkey.OAuthProvider{ID: "gitlab", Type: latchkey.OAuthGitLab, Name: "GitLab", ClientID: "gl",
			ClientSecret: "gitlab-secret-6", Enabled: true}
		k.secrets = append(k.secrets, file.ClientSecret)
		if err := ts.store.SyncFileOAuthProviders(ctx, ts.srv.box, []*latchkey.OAuthProvider{file}); err != nil {
			t.Fatal(err)
		}
		res = k.do(t, ts, "GET", "/api/v1/oauth_providers/gitlab", nil)
		res.wantStatus(t, http.StatusOK)
		if !strings.Contains(string(res.Body), `"managed_by_file":true`) {
			t.Errorf("file provider not reported as managed: %s", res.Body)
		}
		k.do(t, ts, "PATCH", "/api/v1/oauth_providers/gitlab", map[string]any{"enabled": false}).
			wantError(t, http.StatusConflict, latchkey.CodeSettingManaged, "id")
		k.do(t, ts, "DELETE", "/api/v1/oauth_providers/gitlab", nil).
			wantError(t, http.StatusConflict, latchkey.CodeSettingManaged, "id")

		// No secret in any response, the audit log or the server log.
		k.check(t, "a response", k.bodies...)
		events, err := ts.store.AuditEvents(ctx, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(events)
		k.check(t, "the audit log", string(raw))
		if !strings.Contains(string(raw), "oauth_provider.created") || !strings.Contains(string(raw), "oauth_provider.deleted") {
			t.Errorf("the audit log lacks the provider changes: %s", raw)
		}
		k.check(t, "the server log", ts.logs.String())
	})
}

func TestOAuthProvidersValidation(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		dev := newTestServer(t, engine)
		prod := newTestServer(t, engine, withoutDev())
		google := func(extra map[string]any) map[string]any {
			m := map[string]any{"provider": "google", "client_id": "cid", "client_secret": "s"}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		oauth2 := func(extra map[string]any) map[string]any {
			m := map[string]any{"type": "oauth2", "id": "custom_x", "client_id": "cid", "client_secret": "s",
				"auth_url": "https://x.example/a", "token_url": "https://x.example/t", "userinfo_url": "https://x.example/u",
				"mapping": map[string]any{"id": "id", "email": "email"}}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		apple := func(extra map[string]any) map[string]any {
			m := map[string]any{"provider": "apple", "client_id": "com.example"}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		tests := []struct {
			name  string
			ts    *testServer
			body  any
			code  latchkey.Code
			param string
		}{
			{"no provider", dev, map[string]any{"client_id": "x"}, latchkey.CodeFormParamMissing, "provider"},
			{"unknown provider", dev, map[string]any{"provider": "myspace", "client_id": "x"}, latchkey.CodeFormParamValue, "provider"},
			{"provider and type disagree", dev, map[string]any{"provider": "google", "type": "oidc"}, latchkey.CodeFormParamValue, "type"},
			{"built-in with another id", dev, google(map[string]any{"id": "custom_google"}), latchkey.CodeFormParamValue, "id"},
			{"no client_id", dev, map[string]any{"provider": "google", "client_secret": "s"}, latchkey.CodeFormParamMissing, "client_id"},
			{"enabled without secret", dev, map[string]any{"provider": "google", "client_id": "c"}, latchkey.CodeFormParamMissing, "client_secret"},
			{"scope with a space", dev, google(map[string]any{"scopes": []string{"openid email"}}), latchkey.CodeFormParamInvalid, "scopes"},
			{"scopes wrong type", dev, google(map[string]any{"scopes": "openid"}), latchkey.CodeFormParamInvalid, "scopes"},
			{"unknown field", dev, google(map[string]any{"secret": "s"}), latchkey.CodeFormParamUnknown, "secret"},
			{"name too long", dev, google(map[string]any{"name": strings.Repeat("n", 101)}), latchkey.CodeFormParamValue, "name"},
			{"tenant on google", dev, google(map[string]any{"tenant": "common"}), latchkey.CodeFormParamValue, "tenant"},
			{"custom without id", dev, map[string]any{"type": "oidc", "client_id": "c", "client_secret": "s", "issuer": "https://i.example"}, latchkey.CodeFormParamInvalid, "id"},
			{"custom id format", dev, oauth2(map[string]any{"id": "acme"}), latchkey.CodeFormParamInvalid, "id"},
			{"custom id upper case", dev, oauth2(map[string]any{"id": "custom_ACME"}), latchkey.CodeFormParamInvalid, "id"},
			{"oidc without issuer", dev, map[string]any{"type": "oidc", "id": "custom_o", "client_id": "c", "client_secret": "s"}, latchkey.CodeFormParamMissing, "issuer"},
			{"http issuer off loopback", dev, map[string]any{"type": "oidc", "id": "custom_o", "client_id": "c", "client_secret": "s", "issuer": "http://idp.example"}, latchkey.CodeFormParamInvalid, "issuer"},
			{"http loopback outside dev", prod, map[string]any{"type": "oidc", "id": "custom_o", "client_id": "c", "client_secret": "s", "issuer": "http://127.0.0.1:8080"}, latchkey.CodeFormParamInvalid, "issuer"},
			{"relative token_url", dev, oauth2(map[string]any{"token_url": "/token"}), latchkey.CodeFormParamInvalid, "token_url"},
			{"mapping without email", dev, oauth2(map[string]any{"mapping": map[string]any{"id": "id"}}), latchkey.CodeFormParamMissing, "mapping.email"},
			{"mapping without id", dev, oauth2(map[string]any{"mapping": map[string]any{"email": "e"}}), latchkey.CodeFormParamMissing, "mapping.id"},
			{"mapping bad path", dev, oauth2(map[string]any{"mapping": map[string]any{"id": "id", "email": "a..b"}}), latchkey.CodeFormParamInvalid, "mapping.email"},
			{"mapping on google", dev, google(map[string]any{"mapping": map[string]any{"id": "id", "email": "e"}}), latchkey.CodeFormParamValue, "mapping"},
			{"apple key without ids", dev, apple(map[string]any{"apple_private_key": applePEM(t, elliptic.P256())}), latchkey.CodeFormParamMissing, "apple_team_id"},
			{"apple ids without key", dev, apple(map[string]any{"apple_team_id": "T", "apple_key_id": "K"}), latchkey.CodeFormParamMissing, "apple_private_key"},
			{"apple key not PEM", dev, apple(map[string]any{"apple_team_id": "T", "apple_key_id": "K", "apple_private_key": "MIGTAgEA"}), latchkey.CodeFormParamInvalid, "apple_private_key"},
			{"apple key on P-384", dev, apple(map[string]any{"apple_team_id": "T", "apple_key_id": "K", "apple_private_key": applePEM(t, elliptic.P384())}), latchkey.CodeFormParamInvalid, "apple_private_key"},
			{"test provider outside dev", prod, map[string]any{"provider": "latchkey_test"}, latchkey.CodeFormParamValue, "provider"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.ts.as(t).do("POST", "/api/v1/oauth_providers", tt.body).wantError(t, http.StatusBadRequest, tt.code, tt.param)
			})
		}
		// Nothing was stored by any of them.
		res := dev.do("GET", "/api/v1/oauth_providers", nil)
		if !strings.Contains(string(res.Body), `"total_count":0`) {
			t.Errorf("a refused provider was stored: %s", res.Body)
		}
		// The test provider is fine in dev mode, without a client.
		dev.do("POST", "/api/v1/oauth_providers", map[string]any{"provider": "latchkey_test"}).wantStatus(t, http.StatusOK)
	})
}
