package web

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEnvironmentSocial checks that the environment lists exactly the
// enabled social providers, in the order they were configured, and follows
// changes at once.
func TestEnvironmentSocial(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		// Outside dev mode: dev mode always lists the test provider
		// (TestSocialTestIdPListed).
		ts := newTestServer(t, engine, withoutDev())
		b := newBrowser(t, ts)
		social := func() []environmentSocial {
			t.Helper()
			res := b.do("GET", "/v1/environment", nil)
			res.wantStatus(t, http.StatusOK)
			var env environmentJSON
			res.decode(t, &env)
			return env.Social
		}
		if got := social(); got == nil || len(got) != 0 {
			t.Fatalf("social with no provider = %#v, want []", got)
		}
		for _, body := range []map[string]any{
			{"provider": "google", "client_id": "g", "client_secret": "gs"},
			{"provider": "github", "client_id": "h", "client_secret": "hs", "enabled": false},
			{"type": "oidc", "id": "custom_corp", "name": "Corp SSO", "client_id": "c", "client_secret": "cs", "issuer": "https://sso.corp.example"},
			{"provider": "discord", "client_id": "d", "client_secret": "ds"},
		} {
			ts.do("POST", "/api/v1/oauth_providers", body).wantStatus(t, http.StatusOK)
		}
		want := []environmentSocial{
			{Provider: "google", Strategy: "oauth_google", Name: "Google"},
			{Provider: "custom_corp", Strategy: "oauth_custom_corp", Name: "Corp SSO"},
			{Provider: "discord", Strategy: "oauth_discord", Name: "Discord"},
		}
		if diff := cmp.Diff(want, social()); diff != "" {
			t.Errorf("social (-want +got):\n%s", diff)
		}
		// Enabling GitHub puts it in its place; disabling Google removes it.
		ts.do("PATCH", "/api/v1/oauth_providers/github", map[string]any{"enabled": true}).wantStatus(t, http.StatusOK)
		ts.do("PATCH", "/api/v1/oauth_providers/google", map[string]any{"enabled": false}).wantStatus(t, http.StatusOK)
		want = []environmentSocial{
			{Provider: "github", Strategy: "oauth_github", Name: "GitHub"},
			{Provider: "custom_corp", Strategy: "oauth_custom_corp", Name: "Corp SSO"},
			{Provider: "discord", Strategy: "oauth_discord", Name: "Discord"},
		}
		if diff := cmp.Diff(want, social()); diff != "" {
			t.Errorf("social after changes (-want +got):\n%s", diff)
		}
	})
}
