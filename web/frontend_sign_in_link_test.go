package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// visit opens a link as a browser navigation: no Origin, Accept naming
// HTML. The answer is a redirect or an HTML page, so the JSON invariants
// of client.do do not apply.
func (b *browser) visit(link string) *response {
	b.t.Helper()
	req, err := http.NewRequest("GET", link, nil)
	if err != nil {
		b.t.Fatalf("visit: %v", err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	req.Header.Set("Sec-Fetch-Site", "none")
	req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1")
	res, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatalf("visit %s: %v", link, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return &response{Status: res.StatusCode, Header: res.Header, Body: body}
}

// visitRedirect opens a link that must redirect and returns the target.
func (b *browser) visitRedirect(link string) *url.URL {
	b.t.Helper()
	res := b.visit(link)
	if res.Status != http.StatusSeeOther {
		b.t.Fatalf("visit: status %d, want 303; body %s", res.Status, res.Body)
	}
	u, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		b.t.Fatalf("Location %q: %v", res.Header.Get("Location"), err)
	}
	return u
}

// wantPage checks an HTML error page: status, the error code it carries,
// a strict CSP and no echo of the token.
func wantPage(t *testing.T, res *response, status int, code latchkey.Code, link string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("page status %d, want %d; body %s", res.Status, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("page Content-Type %q", ct)
	}
	body := string(res.Body)
	if !strings.Contains(body, `data-code="`+string(code)+`"`) {
		t.Errorf("page does not carry code %s:\n%s", code, body)
	}
	// The CSP allows exactly the page's style sheet, by its hash.
	_, style, _ := strings.Cut(body, "<style>")
	style, _, _ = strings.Cut(style, "</style>")
	sum := sha256.Sum256([]byte(style))
	want := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if csp := res.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, want) {
		t.Errorf("page CSP %q, want it to start with %q", csp, want)
	}
	if u, err := url.Parse(link); err == nil {
		if tok := u.Query().Get("token"); tok != "" && strings.Contains(body, tok) {
			t.Errorf("page echoes the token")
		}
	}
}

// prepareLink asks for a link for the sign-in and returns it from the mail.
func (b *browser) prepareLink(siID, strategy, kind, email, redirect string) string {
	b.t.Helper()
	body := map[string]any{"strategy": strategy}
	if redirect != "" {
		body["redirect_url"] = redirect
	}
	prep, _ := b.signIn("POST", "/v1/client/sign_ins/"+siID+"/prepare_first_factor", body)
	if v := prep.FirstFactorVerification; v == nil || v.Status != "unverified" || v.Attempts != nil || v.ExpireAt == nil {
		b.t.Errorf("after preparing a link: %+v", v)
	}
	m := signInMail(b.t, b.ts, email, kind)
	link := m.Data["link"]
	if !strings.HasPrefix(link, b.ts.url+"/v1/verify?token=") || m.Data["expires_in_minutes"] != "10" {
		b.t.Fatalf("mailed link %q (data %v)", link, m.Data)
	}
	return link
}

func TestMagicLinkSameBrowser(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.signInUser(t, siEmail, "")
		b := newBrowser(t, ts)
		si := b.startSignIn(siEmail)
		link := b.prepareLink(si.ID, "email_link", "magic_link", siEmail, ts.url+"/after?x=1")
		// A mail client's HEAD probe does not use the link.
		req, _ := http.NewRequest("HEAD", link, nil)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("HEAD: %v %v", res, err)
		}
		before := b.cookie(cookieClient)
		to := b.visitRedirect(link)
		if to.Path != "/after" || to.Query().Get("x") != "1" || to.Query().Get("lk_status") != "verified" {
			t.Errorf("redirected to %s", to)
		}
		if after := b.cookie(cookieClient); after == "" || after == before || b.cookie(cookieSession) == "" {
			t.Errorf("cookies after the link: client rotated %v, session %q", after != before, b.cookie(cookieSession))
		}
		env := b.call("GET", "/v1/client", nil, http.StatusOK)
		if len(env.Client.Sessions) != 1 || env.Client.Sessions[0].User.ID != u.ID || string(env.Client.SignIn) != "null" {
			t.Errorf("client after the link: %+v", env.Client)
		}
		got, _ := b.signIn("GET", "/v1/client/sign_ins/"+si.ID, nil)
		if got.Status != latchkey.SignInComplete || got.FirstFactorVerification.Strategy != "email_link" {
			t.Errorf("sign-in after the link: %+v", got)
		}
		// Single use: the page says so, a script gets JSON.
		wantPage(t, b.visit(link), http.StatusGone, latchkey.CodeVerificationUsed, link)
		res := b.do("GET", strings.TrimPrefix(link, ts.url), nil)
		res.wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationUsed, "code")
		// Unknown and malformed tokens.
		wantPage(t, b.visit(ts.url+"/v1/verify?token=nope"), http.StatusBadRequest, latchkey.CodeVerificationMissing, "")
		wantPage(t, b.visit(ts.url+"/v1/verify"), http.StatusBadRequest, latchkey.CodeVerificationMissing, "")
		wantPage(t, b.visit(ts.url+"/v1/verify?token="+strings.Repeat("a", 500)), http.StatusBadRequest, latchkey.CodeVerificationMissing, "")
		b.do("GET", "/v1/verify?token=%3Cscript%3E", nil).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationMissing, "token")
		if strings.Contains(string(b.visit(ts.url+"/v1/verify?token=%3Cscript%3E").Body), "<script>") {
			t.Errorf("the page echoes the token")
		}
	})
}

func TestMagicLinkOtherBrowser(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.signInUser(t, siEmail, "")
		a := newBrowser(t, ts)
		si := a.startSignIn(siEmail)
		link := a.prepareLink(si.ID, "email_link", "magic_link", siEmail, "")
		credential := a.cookie(cookieClient)

		phone := newBrowser(t, ts)
		to := phone.visitRedirect(link)
		if to.Scheme+"://"+to.Host != ts.url || to.Query().Get("lk_status") != "verified_switch_tab" {
			t.Errorf("other device redirected to %s, want the public URL with lk_status=verified_switch_tab", to)
		}
		if phone.cookie(cookieClient) != "" || phone.cookie(cookieSession) != "" {
			t.Errorf("the other device got cookies")
		}
		// The browser that asked finds its sign-in complete and a session,
		// with its credential unchanged (it could not receive a new one).
		env := a.call("GET", "/v1/client", nil, http.StatusOK)
		if len(env.Client.Sessions) != 1 || env.Client.Sessions[0].User.ID != u.ID ||
			!strings.Contains(string(env.Client.SignIn), `"status":"complete"`) {
			t.Fatalf("asking browser after the link: %+v", env.Client)
		}
		if a.cookie(cookieClient) != credential {
			t.Errorf("the asking browser's credential changed")
		}
		got, _ := a.signIn("GET", "/v1/client/sign_ins/"+si.ID, nil)
		if got.Status != latchkey.SignInComplete || got.CreatedSessionID == nil || *got.CreatedSessionID != env.Client.Sessions[0].ID {
			t.Errorf("polled sign-in: %+v", got)
		}
		// It can use the session, long after the reuse grace window would
		// have revoked a rotated credential.
		sessionID := env.Client.Sessions[0].ID
		res := a.do("POST", "/v1/client/sessions/"+sessionID+"/tokens", nil)
		res.wantStatus(t, http.StatusOK)
		stored, _ := ts.store.SessionByID(context.Background(), sessionID)
		if stored.UserAgent != "" {
			t.Errorf("the session records the other device's user agent %q", stored.UserAgent)
		}
		// The new-device notice describes no device (it was another one).
		if n := mailCount(ts, siEmail); n != 1 {
			t.Errorf("%d mails, want only the link (first sign-in ever)", n)
		}
	})
}

func TestMagicLinkSameClientRequired(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.patchSettings(t, `{"sign_in":{"magic_link_same_client":true}}`)
		ts.signInUser(t, siEmail, "")
		a := newBrowser(t, ts)
		si := a.startSignIn(siEmail)
		link := a.prepareLink(si.ID, "email_link", "magic_link", siEmail, "")
		phone := newBrowser(t, ts)
		wantPage(t, phone.visit(link), http.StatusForbidden, latchkey.CodeForbidden, link)
		if phone.cookie(cookieSession) != "" {
			t.Errorf("refused browser got a session cookie")
		}
		env := a.call("GET", "/v1/client", nil, http.StatusOK)
		if len(env.Client.Sessions) != 0 {
			t.Fatalf("a refused link signed someone in")
		}
		// The refusal did not use the link up: the right browser can.
		to := a.visitRedirect(link)
		if to.Query().Get("lk_status") != "verified" || a.cookie(cookieSession) == "" {
			t.Errorf("same browser after a refusal elsewhere: %s", to)
		}
	})
}

func TestMagicLinkExpiredAndSuperseded(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		clock := withOffsetClock(ts)
		ts.signInUser(t, siEmail, "")
		b := newBrowser(t, ts)
		si := b.startSignIn(siEmail)
		old := b.prepareLink(si.ID, "email_link", "magic_link", siEmail, "")
		link := b.prepareLink(si.ID, "email_link", "magic_link", siEmail, "")
		wantPage(t, b.visit(old), http.StatusGone, latchkey.CodeVerificationFailed, old)
		clock.advance(10*time.Minute + time.Second)
		wantPage(t, b.visit(link), http.StatusGone, latchkey.CodeVerificationExpired, link)
		got, _ := b.signIn("GET", "/v1/client/sign_ins/"+si.ID, nil)
		if got.Status != latchkey.SignInNeedsFirstFactor || got.FirstFactorVerification.Status != "expired" {
			t.Errorf("after an expired link: %+v", got)
		}
	})
}

func TestMagicLinkRedirectAllowList(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.patchSettings(t, `{"redirect_urls":["https://app.example/welcome"]}`)
		ts.signInUser(t, siEmail, "")
		b := newBrowser(t, ts)
		// The sign-in's redirect_url is used when prepare names none.
		si, _ := b.signIn("POST", "/v1/client/sign_ins", map[string]any{"identifier": siEmail, "redirect_url": "https://app.example/welcome"})
		link := b.prepareLink(si.ID, "email_link", "magic_link", siEmail, "")
		// The allow-list changed since the link was mailed: the public URL.
		ts.patchSettings(t, `{"redirect_urls":[]}`)
		to := b.visitRedirect(link)
		if to.Host == "app.example" {
			t.Errorf("redirected to %s, which is no longer allowed", to)
		}
		// Allowed: it is used.
		ts.patchSettings(t, `{"redirect_urls":["https://app.example/"]}`)
		b2 := newBrowser(t, ts)
		si2, _ := b2.signIn("POST", "/v1/client/sign_ins", map[string]any{"identifier": siEmail, "strategy": "email_link", "redirect_url": "https://app.example/in"})
		if si2.FirstFactorVerification == nil || si2.FirstFactorVerification.Strategy != "email_link" {
			t.Fatalf("one-step email_link: %+v", si2)
		}
		link2 := signInMail(t, ts, siEmail, "magic_link").Data["link"]
		if to := b2.visitRedirect(link2); to.String() != "https://app.example/in?lk_status=verified" {
			t.Errorf("redirected to %s", to)
		}
	})
}

func TestPasswordResetByCode(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.signInUser(t, siEmail, siPassword)
		ctx := context.Background()
		// Signed in elsewhere twice: one session will be kept, one not.
		other := newBrowser(t, ts)
		other.signIn("POST", "/v1/client/sign_ins", map[string]any{"strategy": "password", "identifier": siEmail, "password": siPassword})

		reset := func(signOut *bool) (*browser, signInJSON) {
			b := newBrowser(t, ts)
			si := b.startSignIn(siEmail)
			p := "/v1/client/sign_ins/" + si.ID
			b.signIn("POST", p+"/prepare_first_factor", map[string]any{"strategy": "reset_password_email_code"})
			code := signInMail(t, ts, siEmail, "password_reset_code").Data["code"]
			if len(code) != 6 {
				t.Fatalf("reset code %q", code)
			}
			b.do("POST", p+"/reset_password", map[string]any{"password": "a brand new password"}).
				wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "")
			got, _ := b.signIn("POST", p+"/attempt_first_factor", map[string]any{"strategy": "reset_password_email_code", "code": code})
			if got.Status != latchkey.SignInNeedsNewPassword || got.FirstFactorVerification.Status != "verified" {
				t.Fatalf("after the reset code: %+v", got)
			}
			b.do("POST", p+"/attempt_first_factor", map[string]any{"strategy": "reset_password_email_code", "code": code}).
				wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationUsed, "code")
			b.do("POST", p+"/attempt_first_factor", map[string]any{"strategy": "password", "password": siPassword}).
				wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "strategy")
			for _, bad := range []struct {
				pw   string
				code latchkey.Code
			}{{"short", latchkey.CodePasswordTooShort}, {"password123", latchkey.CodePasswordPwned}, {"example-dot-com-rocks", latchkey.CodePasswordPersonal}} {
				b.do("POST", p+"/reset_password", map[string]any{"password": bad.pw}).wantError(t, http.StatusUnprocessableEntity, bad.code, "password")
			}
			b.do("POST", p+"/reset_password", map[string]any{}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamMissing, "password")
			body := map[string]any{"password": "a brand new password"}
			if signOut != nil {
				body["sign_out_of_other_sessions"] = *signOut
			}
			done, _ := b.signIn("POST", p+"/reset_password", body)
			if done.Status != latchkey.SignInComplete || done.CreatedSessionID == nil {
				t.Fatalf("after reset_password: %+v", done)
			}
			signInMail(t, ts, siEmail, "password_changed")
			return b, done
		}

		keep := false
		_, done := reset(&keep)
		env := other.call("GET", "/v1/client", nil, http.StatusOK)
		if len(env.Client.Sessions) != 1 {
			t.Errorf("sign_out_of_other_sessions=false ended the other session")
		}
		// Old password gone, new one works.
		b := newBrowser(t, ts)
		si := b.startSignIn(siEmail)
		b.do("POST", "/v1/client/sign_ins/"+si.ID+"/attempt_first_factor", map[string]any{"strategy": "password", "password": siPassword}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodePasswordIncorrect, "password")
		b.signIn("POST", "/v1/client/sign_ins/"+si.ID+"/attempt_first_factor", map[string]any{"strategy": "password", "password": "a brand new password"})

		// By default a reset signs out everywhere else.
		_, done2 := reset(nil)
		env = other.call("GET", "/v1/client", nil, http.StatusOK)
		if len(env.Client.Sessions) != 0 {
			t.Errorf("the default reset left the other device signed in")
		}
		all, _, _ := ts.store.Sessions(ctx, sqlstore.SessionFilter{UserID: u.ID, Status: latchkey.SessionActive})
		if len(all) != 1 || all[0].ID != *done2.CreatedSessionID {
			t.Errorf("active sessions after the reset: %d, want only the new one", len(all))
		}
		if s, _ := ts.store.SessionByID(ctx, *done.CreatedSessionID); s.Status != latchkey.SessionRevoked {
			t.Errorf("earlier session status %s, want revoked", s.Status)
		}
	})
}

func TestPasswordResetByLink(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.signInUser(t, siEmail, siPassword)
		// Same browser.
		b := newBrowser(t, ts)
		si := b.startSignIn(siEmail)
		link := b.prepareLink(si.ID, "reset_password_email_link", "password_reset_link", siEmail, ts.url+"/reset")
		to := b.visitRedirect(link)
		if to.Path != "/reset" || to.Query().Get("lk_status") != "verified" || b.cookie(cookieSession) != "" {
			t.Errorf("reset link redirected to %s (session cookie %q)", to, b.cookie(cookieSession))
		}
		got, _ := b.signIn("GET", "/v1/client/sign_ins/"+si.ID, nil)
		if got.Status != latchkey.SignInNeedsNewPassword {
			t.Fatalf("after the reset link: %+v", got)
		}
		done, _ := b.signIn("POST", "/v1/client/sign_ins/"+si.ID+"/reset_password", map[string]any{"password": "another new password"})
		if done.Status != latchkey.SignInComplete || b.cookie(cookieSession) == "" {
			t.Errorf("after reset_password: %+v", done)
		}
		// Other browser: the one that asked continues.
		a := newBrowser(t, ts)
		si2 := a.startSignIn(siEmail)
		link2 := a.prepareLink(si2.ID, "reset_password_email_link", "password_reset_link", siEmail, "")
		phone := newBrowser(t, ts)
		if to := phone.visitRedirect(link2); to.Query().Get("lk_status") != "verified_switch_tab" {
			t.Errorf("other device redirected to %s", to)
		}
		got2, _ := a.signIn("GET", "/v1/client/sign_ins/"+si2.ID, nil)
		if got2.Status != latchkey.SignInNeedsNewPassword {
			t.Fatalf("asking browser after the reset link elsewhere: %+v", got2)
		}
		a.signIn("POST", "/v1/client/sign_ins/"+si2.ID+"/reset_password", map[string]any{"password": "yet another new password", "sign_out_of_other_sessions": true})
		wantPage(t, phone.visit(link2), http.StatusGone, latchkey.CodeVerificationUsed, link2)
	})
}

func TestMagicLinkRefusesLockedAndBanned(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.signInUser(t, siEmail, "")
		b := newBrowser(t, ts)
		si := b.startSignIn(siEmail)
		link := b.prepareLink(si.ID, "email_link", "magic_link", siEmail, "")
		ts.as(t).do("POST", "/api/v1/users/"+u.ID+"/lock", nil).wantStatus(t, http.StatusOK)
		wantPage(t, b.visit(link), http.StatusForbidden, latchkey.CodeUserLocked, link)
		ts.as(t).do("POST", "/api/v1/users/"+u.ID+"/unlock", nil).wantStatus(t, http.StatusOK)
		ts.as(t).do("POST", "/api/v1/users/"+u.ID+"/ban", nil).wantStatus(t, http.StatusOK)
		wantPage(t, b.visit(link), http.StatusForbidden, latchkey.CodeUserBanned, link)
		ts.as(t).do("POST", "/api/v1/users/"+u.ID+"/unban", nil).wantStatus(t, http.StatusOK)
		// Neither refusal used the link.
		b.visitRedirect(link)
		if b.cookie(cookieSession) == "" {
			t.Errorf("no session after the link")
		}
	})
}
