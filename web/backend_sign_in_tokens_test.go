package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
)

func TestSignInTokens(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.signInUser(t, siEmail, "")
		api := ts.as(t)

		res := api.do("POST", "/api/v1/sign_in_tokens", map[string]any{"user_id": u.ID, "expires_in_seconds": 3600})
		res.wantStatus(t, http.StatusOK)
		var tok signInTokenJSON
		res.decode(t, &tok)
		if tok.Object != "sign_in_token" || tok.UserID != u.ID || tok.Status != "pending" || tok.Token == "" ||
			tok.URL != ts.url+"/v1/verify?token="+tok.Token || tok.ID == "" {
			t.Fatalf("token: %+v", tok)
		}
		if d := time.UnixMilli(tok.ExpiresAt).Sub(time.UnixMilli(tok.CreatedAt)); d != time.Hour {
			t.Errorf("token lives %s, want 1h", d)
		}
		// Any browser, even one that never talked to the Frontend API, is
		// signed in.
		b := newBrowser(t, ts)
		to := b.visitRedirect(tok.URL)
		if to.Query().Get("lk_status") != "verified" || b.cookie(cookieSession) == "" || b.cookie(cookieClient) == "" {
			t.Fatalf("after the token: redirected to %s, cookies client %v session %v", to, b.cookie(cookieClient) != "", b.cookie(cookieSession) != "")
		}
		env := b.call("GET", "/v1/client", nil, http.StatusOK)
		if len(env.Client.Sessions) != 1 || env.Client.Sessions[0].User.ID != u.ID {
			t.Fatalf("client after the token: %+v", env.Client)
		}
		// Single use.
		wantPage(t, newBrowser(t, ts).visit(tok.URL), http.StatusGone, latchkey.CodeVerificationUsed, tok.URL)

		// The default lifetime is 30 days; a redirect_url is honoured.
		ts.patchSettings(t, `{"redirect_urls":["https://app.example/"]}`)
		res = api.do("POST", "/api/v1/sign_in_tokens", map[string]any{"user_id": u.ID, "redirect_url": "https://app.example/home"})
		res.wantStatus(t, http.StatusOK)
		res.decode(t, &tok)
		if d := time.UnixMilli(tok.ExpiresAt).Sub(time.UnixMilli(tok.CreatedAt)); d != 30*24*time.Hour {
			t.Errorf("default lifetime %s, want 30 days", d)
		}
		// A banned user's token is refused when opened; unbanned, it works.
		api.do("POST", "/api/v1/users/"+u.ID+"/ban", nil).wantStatus(t, http.StatusOK)
		wantPage(t, newBrowser(t, ts).visit(tok.URL), http.StatusForbidden, latchkey.CodeUserBanned, tok.URL)
		api.do("POST", "/api/v1/sign_in_tokens", map[string]any{"user_id": u.ID}).wantError(t, http.StatusForbidden, latchkey.CodeUserBanned, "user_id")
		api.do("POST", "/api/v1/users/"+u.ID+"/unban", nil).wantStatus(t, http.StatusOK)
		if to := newBrowser(t, ts).visitRedirect(tok.URL); to.String() != "https://app.example/home?lk_status=verified" {
			t.Errorf("redirected to %s", to)
		}
		// A new token voids the user's earlier unused one.
		var first, second signInTokenJSON
		api.do("POST", "/api/v1/sign_in_tokens", map[string]any{"user_id": u.ID}).decode(t, &first)
		api.do("POST", "/api/v1/sign_in_tokens", map[string]any{"user_id": u.ID}).decode(t, &second)
		wantPage(t, newBrowser(t, ts).visit(first.URL), http.StatusGone, latchkey.CodeVerificationFailed, first.URL)
		newBrowser(t, ts).visitRedirect(second.URL)

		tests := []struct {
			name   string
			body   any
			status int
			code   latchkey.Code
			param  string
		}{
			{"no body", nil, 400, latchkey.CodeRequestBodyInvalid, ""},
			{"no user", map[string]any{}, 400, latchkey.CodeFormParamMissing, "user_id"},
			{"unknown user", map[string]any{"user_id": "user_nope"}, 404, latchkey.CodeResourceNotFound, "user_id"},
			{"zero lifetime", map[string]any{"user_id": u.ID, "expires_in_seconds": 0}, 400, latchkey.CodeFormParamValue, "expires_in_seconds"},
			{"too long", map[string]any{"user_id": u.ID, "expires_in_seconds": 2592001}, 400, latchkey.CodeFormParamValue, "expires_in_seconds"},
			{"lifetime not a number", map[string]any{"user_id": u.ID, "expires_in_seconds": "60"}, 400, latchkey.CodeFormParamInvalid, "expires_in_seconds"},
			{"unknown field", map[string]any{"user_id": u.ID, "actor": "x"}, 400, latchkey.CodeFormParamUnknown, "actor"},
			{"redirect not allowed", map[string]any{"user_id": u.ID, "redirect_url": "https://evil.example/"}, 400, latchkey.CodeRedirectNotAllowed, "redirect_url"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ts.as(t).do("POST", "/api/v1/sign_in_tokens", tc.body).wantError(t, tc.status, tc.code, tc.param)
			})
		}
		ts.as(t).do("POST", "/api/v1/sign_in_tokens", map[string]any{"user_id": u.ID}, "Authorization", "").
			wantError(t, http.StatusUnauthorized, latchkey.CodeAuthHeaderMissing, "")
		// The token never reaches the log.
		if strings.Contains(ts.logs.String(), second.Token) {
			t.Errorf("the log contains a sign-in token")
		}
	})
}
