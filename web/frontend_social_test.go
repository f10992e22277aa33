package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Social sign-in scenarios with the development test provider, which the
// server itself serves in dev mode: every round trip below is real HTTP
// through the provider's authorize page, token and userinfo endpoints and
// the callback.

const testIdPStrategy = "oauth_latchkey_test"

// idpPerson is who the developer signs in as on the test provider's page.
type idpPerson struct {
	Email, First, Last string
	Verified           bool
	Deny               bool // press "Deny access" instead
}

// appURL is the allow-listed page the callback returns to.
func appURL(ts *testServer) string { return ts.url + "/app/after" }

// startSocialSignIn starts a sign-in with the test provider and returns the
// sign-in and the provider's URL.
func (b *browser) startSocialSignIn() (signInJSON, string) {
	b.t.Helper()
	si, _ := b.signIn("POST", "/v1/client/sign_ins", map[string]any{"strategy": testIdPStrategy, "redirect_url": appURL(b.ts)})
	v := si.FirstFactorVerification
	if v == nil || v.Status != "unverified" || v.Strategy != testIdPStrategy || v.Attempts != nil || v.ExpireAt == nil ||
		v.ExternalVerificationRedirectURL == nil || *v.ExternalVerificationRedirectURL == nil {
		b.t.Fatalf("social sign-in verification: %+v", v)
	}
	return si, **v.ExternalVerificationRedirectURL
}

// startSocialSignUp starts a sign-up with the test provider and returns the
// sign-up and the provider's URL.
func (b *browser) startSocialSignUp() (*signUpView, string) {
	b.t.Helper()
	su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"strategy": testIdPStrategy, "redirect_url": appURL(b.ts)})
	v := su.Verifications.ExternalAccount
	if v == nil || v.Status != "unverified" || v.Strategy != testIdPStrategy || v.ExternalVerificationRedirectURL == nil {
		b.t.Fatalf("social sign-up verification: %+v", v)
	}
	return su, *v.ExternalVerificationRedirectURL
}

// atProvider goes through the test provider's page as p and returns the
// provider's redirect to the callback.
func (b *browser) atProvider(authURL string, p idpPerson) string {
	b.t.Helper()
	u, err := url.Parse(authURL)
	if err != nil || !strings.HasPrefix(authURL, b.ts.url+"/dev/test_idp/authorize?") {
		b.t.Fatalf("provider URL %q", authURL)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("state") == "" || q.Get("redirect_uri") != b.ts.url+"/v1/oauth_callback" {
		b.t.Fatalf("authorization request lacks PKCE, state or the callback: %s", authURL)
	}
	page, err := b.hc.Get(authURL)
	if err != nil {
		b.t.Fatalf("GET provider page: %v", err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	csp := page.Header.Get("Content-Security-Policy")
	if page.StatusCode != http.StatusOK || !strings.Contains(string(body), `name="email"`) ||
		!strings.Contains(csp, "default-src 'none'") || strings.Contains(string(body), "<script") {
		b.t.Fatalf("provider page: %d, CSP %q: %s", page.StatusCode, csp, body)
	}
	form := url.Values{}
	for _, k := range []string{"response_type", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope"} {
		form.Set(k, q.Get(k))
	}
	form.Set("action", "allow")
	if p.Deny {
		form.Set("action", "deny")
	}
	form.Set("email", p.Email)
	form.Set("first_name", p.First)
	form.Set("last_name", p.Last)
	if p.Verified {
		form.Set("email_verified", "true")
	}
	res, err := b.hc.PostForm(b.ts.url+"/dev/test_idp/authorize", form)
	if err != nil {
		b.t.Fatalf("POST provider form: %v", err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, b.ts.url+"/v1/oauth_callback?") {
		b.t.Fatalf("provider answered %d to %q", res.StatusCode, loc)
	}
	return loc
}

// callback opens the callback URL as a browser navigation and returns where
// it sends the browser (failing unless it is the app's page).
func (b *browser) callback(callbackURL string) url.Values {
	b.t.Helper()
	res := b.navigate(callbackURL)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, appURL(b.ts)+"?") {
		b.t.Fatalf("callback answered %d to %q", res.StatusCode, loc)
	}
	u, _ := url.Parse(loc)
	return u.Query()
}

// navigate GETs the URL as a page load (Accept: text/html, no Origin).
func (b *browser) navigate(rawURL string) *http.Response {
	b.t.Helper()
	req, _ := http.NewRequest("GET", rawURL, nil)
	req.Header.Set("Accept", "text/html")
	res, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatalf("GET %s: %v", rawURL, err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// socialSignIn runs a whole sign-in with the test provider as p and
// returns the outcome parameters.
func (b *browser) socialSignIn(p idpPerson) url.Values {
	b.t.Helper()
	_, authURL := b.startSocialSignIn()
	return b.callback(b.atProvider(authURL, p))
}

// socialSignUp runs a whole sign-up with the test provider as p.
func (b *browser) socialSignUp(p idpPerson) url.Values {
	b.t.Helper()
	_, authURL := b.startSocialSignUp()
	return b.callback(b.atProvider(authURL, p))
}

// me returns the signed-in user, with external accounts.
func (b *browser) me() userJSON {
	b.t.Helper()
	return meView(b.t, b.call("GET", "/v1/me", nil, http.StatusOK))
}

func wantOutcome(t *testing.T, got url.Values, key, value string) {
	t.Helper()
	if got.Get(key) != value {
		t.Fatalf("outcome %v, want %s=%s", got, key, value)
	}
}

func TestSocialTestIdPListed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, "sqlite")
	var env environmentJSON
	res := newBrowser(t, ts).do("GET", "/v1/environment", nil)
	res.wantStatus(t, http.StatusOK)
	res.decode(t, &env)
	if len(env.Social) != 1 || env.Social[0] != (environmentSocial{Provider: "latchkey_test", Strategy: testIdPStrategy, Name: "Latchkey Test IdP"}) {
		t.Fatalf("dev social = %+v", env.Social)
	}
	// Outside dev mode the provider neither is listed nor works, and its
	// endpoints do not exist.
	prod := newTestServer(t, "sqlite", withoutDev())
	b := newBrowser(t, prod)
	b.do("POST", "/v1/client/sign_ins", map[string]any{"strategy": testIdPStrategy, "redirect_url": prod.url + "/x"}).
		wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "strategy")
	prod.do("GET", "/dev/test_idp/authorize", nil).wantError(t, http.StatusNotFound, latchkey.CodeRouteNotFound, "")
	prod.do("POST", "/dev/test_idp/token", nil).wantError(t, http.StatusNotFound, latchkey.CodeRouteNotFound, "")
}

func TestSocialSignUpThenSignIn(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ada := idpPerson{Email: "ada@example.com", First: "Ada", Last: "Lovelace", Verified: true}

		b := newBrowser(t, ts)
		wantOutcome(t, b.socialSignUp(ada), "lk_status", "verified")
		u := b.me()
		if u.FirstName == nil || *u.FirstName != "Ada" || u.LastName == nil || *u.LastName != "Lovelace" || u.PasswordEnabled {
			t.Errorf("new user: %+v", u)
		}
		if len(u.EmailAddresses) != 1 || u.EmailAddresses[0].EmailAddress != "ada@example.com" ||
			u.EmailAddresses[0].Verification.Status != "verified" || u.EmailAddresses[0].Verification.Strategy != testIdPStrategy {
			t.Errorf("email addresses: %+v", u.EmailAddresses)
		}
		if len(u.ExternalAccounts) != 1 {
			t.Fatalf("external accounts: %+v", u.ExternalAccounts)
		}
		ea := u.ExternalAccounts[0]
		if ea.Object != "external_account" || ea.Provider != "latchkey_test" || ea.EmailAddress != "ada@example.com" ||
			ea.ProviderUserID == "" || ea.Verification.Status != "verified" || ea.Verification.Strategy != testIdPStrategy {
			t.Errorf("external account: %+v", ea)
		}
		// The provider's tokens are kept.
		if st := ts.storedAccount(t, u.ID); st.AccessToken == "" || st.RefreshToken == "" || st.TokenExpiry.IsZero() {
			t.Errorf("stored tokens: access %t, refresh %t, expiry %v", st.AccessToken != "", st.RefreshToken != "", st.TokenExpiry)
		}
		// The Backend API shows the same list.
		var bu userJSON
		ts.do("GET", "/api/v1/users/"+u.ID, nil).decode(t, &bu)
		if len(bu.ExternalAccounts) != 1 || bu.ExternalAccounts[0].ID != ea.ID {
			t.Errorf("backend user external accounts: %+v", bu.ExternalAccounts)
		}
		// And the user list, for the whole page at once.
		meUser(t, ts, "grace@example.com")
		var list listJSON[userJSON]
		ts.do("GET", "/api/v1/users?limit=10", nil).decode(t, &list)
		for _, lu := range list.Data {
			want := 0
			if lu.ID == u.ID {
				want = 1
			}
			if len(lu.ExternalAccounts) != want {
				t.Errorf("listed user %s has %d external accounts, want %d", lu.ID, len(lu.ExternalAccounts), want)
			}
		}
		if len(list.Data) != 2 {
			t.Errorf("listed %d users, want 2", len(list.Data))
		}

		// Another browser signs in with the same identity: the same user.
		b2 := newBrowser(t, ts)
		wantOutcome(t, b2.socialSignIn(ada), "lk_status", "verified")
		if got := b2.me(); got.ID != u.ID || len(got.ExternalAccounts) != 1 {
			t.Errorf("signed in as %s with %d accounts, want %s", got.ID, len(got.ExternalAccounts), u.ID)
		}
		env := b2.call("GET", "/v1/client", nil, http.StatusOK)
		if env.Client == nil || len(env.Client.Sessions) != 1 || env.Client.Sessions[0].User.ID != u.ID {
			t.Fatalf("client after social sign-in: %+v", env.Client)
		}
		if b2.cookie(cookieSession) == "" {
			t.Error("no session cookie after the callback")
		}
	})
}

// storedAccount reads the external account through the store (tokens
// opened with the master key; sqlstore's tests check they are sealed).
func (ts *testServer) storedAccount(t *testing.T, userID string) *latchkey.ExternalAccount {
	t.Helper()
	accts, err := ts.store.ExternalAccountsByUser(context.Background(), ts.srv.box, userID)
	if err != nil || len(accts) != 1 {
		t.Fatalf("stored external accounts: %v, %d", err, len(accts))
	}
	return accts[0]
}

func TestSocialTransferSignInToSignUp(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		b := newBrowser(t, ts)
		si, authURL := b.startSocialSignIn()
		wantOutcome(t, b.callback(b.atProvider(authURL, idpPerson{Email: "new@example.com", First: "Nia", Last: "New", Verified: true})),
			"lk_status", "transferable")
		got, _ := b.signIn("GET", "/v1/client/sign_ins/"+si.ID, nil)
		if v := got.FirstFactorVerification; v == nil || v.Status != "transferable" || got.Status != latchkey.SignInNeedsFirstFactor {
			t.Fatalf("sign-in after an unknown identity: %+v", got)
		}
		// No user yet: the identity is only pending.
		if n := ts.do("GET", "/api/v1/users/count", nil).object(t)["total_count"]; fmt.Sprint(n) != "0" {
			t.Fatalf("%v users before the transfer", n)
		}
		su, env := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"transfer": true})
		if su.Status != "complete" || su.CreatedUserID == nil || su.CreatedSessionID == nil ||
			su.Verifications.ExternalAccount == nil || su.Verifications.ExternalAccount.Status != "verified" {
			t.Fatalf("transferred sign-up: %+v", su)
		}
		if env.Client == nil || len(env.Client.Sessions) != 1 {
			t.Fatalf("client after transfer: %+v", env.Client)
		}
		u := b.me()
		if len(u.ExternalAccounts) != 1 || u.EmailAddresses[0].Verification.Status != "verified" || *u.FirstName != "Nia" {
			t.Errorf("user after transfer: %+v", u)
		}
		// The transfer is used up.
		b.do("POST", "/v1/client/sign_ups", map[string]any{"transfer": true}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamValue, "transfer")
	})
}

func TestSocialTransferMissingFields(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.patchSettings(t, `{"username":{"enabled":true,"required":true}}`)

		// Verified at the provider: only the username is missing.
		b := newBrowser(t, ts)
		_, authURL := b.startSocialSignIn()
		wantOutcome(t, b.callback(b.atProvider(authURL, idpPerson{Email: "una@example.com", Verified: true})), "lk_status", "transferable")
		su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"transfer": true})
		if su.Status != "missing_requirements" || len(su.MissingFields) != 1 || su.MissingFields[0] != "username" ||
			len(su.UnverifiedFields) != 0 || su.HasPassword {
			t.Fatalf("transfer needing a username: %+v", su)
		}
		done, _ := b.signUp("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"username": "una_l"})
		if done.Status != "complete" || done.CreatedUserID == nil {
			t.Fatalf("after the username: %+v", done)
		}
		if u := b.me(); len(u.ExternalAccounts) != 1 || u.Username == nil || *u.Username != "una_l" {
			t.Errorf("user: %+v", u)
		}

		// Unverified at the provider: the address must be verified here
		// (email code) before the user exists.
		b2 := newBrowser(t, ts)
		_, authURL = b2.startSocialSignIn()
		wantOutcome(t, b2.callback(b2.atProvider(authURL, idpPerson{Email: "uno@example.com"})), "lk_status", "transferable")
		su2, _ := b2.signUp("POST", "/v1/client/sign_ups", map[string]any{"transfer": true, "username": "uno_t"})
		if su2.Status != "missing_requirements" || len(su2.UnverifiedFields) != 1 || su2.UnverifiedFields[0] != "email_address" {
			t.Fatalf("transfer with an unverified address: %+v", su2)
		}
		code := b2.prepareCode(su2.ID, "uno@example.com")
		fin, _ := b2.signUp("POST", "/v1/client/sign_ups/"+su2.ID+"/attempt_verification", map[string]any{"strategy": "email_code", "code": code})
		if fin.Status != "complete" {
			t.Fatalf("after the code: %+v", fin)
		}
		if u := b2.me(); len(u.ExternalAccounts) != 1 || u.EmailAddresses[0].Verification.Strategy != "email_code" {
			t.Errorf("user: %+v", u)
		}
	})
}

func TestSocialTransferSignUpToSignIn(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		bo := idpPerson{Email: "bo@example.com", First: "Bo", Verified: true}
		first := newBrowser(t, ts)
		wantOutcome(t, first.socialSignUp(bo), "lk_status", "verified")
		userID := first.me().ID

		b := newBrowser(t, ts)
		su, authURL := b.startSocialSignUp()
		wantOutcome(t, b.callback(b.atProvider(authURL, bo)), "lk_status", "transferable")
		got, _ := b.signUp("GET", "/v1/client/sign_ups/"+su.ID, nil)
		if v := got.Verifications.ExternalAccount; v == nil || v.Status != "transferable" || got.Status != "missing_requirements" {
			t.Fatalf("sign-up with a known identity: %+v", got)
		}
		si, _ := b.signIn("POST", "/v1/client/sign_ins", map[string]any{"transfer": true})
		if si.Status != latchkey.SignInComplete || si.CreatedSessionID == nil || si.FirstFactorVerification == nil ||
			si.FirstFactorVerification.Status != "verified" {
			t.Fatalf("transferred sign-in: %+v", si)
		}
		if b.me().ID != userID {
			t.Error("the transfer signed in someone else")
		}
	})
}

func TestSocialLinking(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		owner := ts.signInUser(t, "cy@example.com", "correct horse battery staple")
		accounts := func() int {
			var u userJSON
			ts.do("GET", "/api/v1/users/"+owner.ID, nil).decode(t, &u)
			return len(u.ExternalAccounts)
		}

		// The must-not-link case: the provider does not vouch for
		// the address, which belongs to a user.
		b := newBrowser(t, ts)
		wantOutcome(t, b.socialSignIn(idpPerson{Email: "cy@example.com"}), "lk_error", "oauth_email_unverified")
		if n := accounts(); n != 0 {
			t.Fatalf("an unverified address linked %d accounts", n)
		}
		if env := b.call("GET", "/v1/client", nil, http.StatusOK); env.Client != nil && len(env.Client.Sessions) != 0 {
			t.Fatal("an unverified address signed someone in")
		}
		// On a sign-up it is refused the same way (no second account).
		wantOutcome(t, newBrowser(t, ts).socialSignUp(idpPerson{Email: "cy@example.com"}), "lk_error", "oauth_email_unverified")

		// A provider the instance does not trust for addresses never links,
		// verified or not.
		ts.do("POST", "/api/v1/oauth_providers", map[string]any{"provider": "latchkey_test", "trust_verified_email": false}).wantStatus(t, http.StatusOK)
		wantOutcome(t, newBrowser(t, ts).socialSignIn(idpPerson{Email: "cy@example.com", Verified: true}), "lk_error", "oauth_email_unverified")
		if n := accounts(); n != 0 {
			t.Fatalf("an untrusted provider linked %d accounts", n)
		}

		// Verified and trusted: linked, and signed in as the owner.
		ts.do("PATCH", "/api/v1/oauth_providers/latchkey_test", map[string]any{"trust_verified_email": true}).wantStatus(t, http.StatusOK)
		b3 := newBrowser(t, ts)
		wantOutcome(t, b3.socialSignIn(idpPerson{Email: "cy@example.com", Verified: true}), "lk_status", "verified")
		if got := b3.me(); got.ID != owner.ID || len(got.ExternalAccounts) != 1 {
			t.Fatalf("after linking: %+v", got)
		}
		if !strings.Contains(ts.auditTypes(t, owner.ID), "external_account.linked") {
			t.Error("the link was not audited")
		}

		// An unverified claim on someone's account neither receives the
		// identity nor blocks the address's owner, whose sign-up releases it.
		claimer := meUser(t, ts, "zed.claimer@example.com")
		cb, _ := meSignIn(t, ts, claimer.ID)
		cb.call("POST", "/v1/me/email_addresses", map[string]any{"email_address": "zed@example.com"}, http.StatusOK)
		zb := newBrowser(t, ts)
		wantOutcome(t, zb.socialSignIn(idpPerson{Email: "zed@example.com", Verified: true}), "lk_status", "transferable")
		su, _ := zb.signUp("POST", "/v1/client/sign_ups", map[string]any{"transfer": true})
		if su.Status != "complete" || *su.CreatedUserID == claimer.ID {
			t.Fatalf("owner's sign-up past an unverified claim: %+v", su)
		}
		if got := cb.me(); len(got.EmailAddresses) != 1 || len(got.ExternalAccounts) != 0 {
			t.Errorf("the claimer kept the address or got the identity: %+v", got)
		}
	})
}

// auditTypes lists the user's audit event types.
func (ts *testServer) auditTypes(t *testing.T, userID string) string {
	t.Helper()
	events, err := ts.store.AuditEvents(context.Background(), userID, 100)
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	var out []string
	for _, e := range events {
		out = append(out, e.Type)
	}
	return strings.Join(out, ",")
}

func TestSocialCallbackState(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		dee := idpPerson{Email: "dee@example.com", Verified: true}

		// Another browser (another __lk_client) cannot use the state.
		b := newBrowser(t, ts)
		_, authURL := b.startSocialSignIn()
		cb := b.atProvider(authURL, dee)
		thief := newBrowser(t, ts)
		thief.do("GET", strings.TrimPrefix(cb, ts.url), nil).wantError(t, http.StatusBadRequest, latchkey.CodeOAuthStateInvalid, "state")
		// The state was consumed by that try: the owner starts again.
		b.do("GET", strings.TrimPrefix(cb, ts.url), nil).wantError(t, http.StatusBadRequest, latchkey.CodeOAuthStateInvalid, "state")

		// A replayed callback is refused, as a page for browsers. (A HEAD
		// probe first does not use the state.)
		_, authURL = b.startSocialSignIn()
		cb = b.atProvider(authURL, dee)
		b.do("HEAD", strings.TrimPrefix(cb, ts.url), nil).wantStatus(t, http.StatusOK)
		wantOutcome(t, b.callback(cb), "lk_status", "transferable")
		res := b.navigate(cb)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("replayed callback: %d %v", res.StatusCode, res.Header)
		}

		// Missing or unknown state.
		b.do("GET", "/v1/oauth_callback?code=x", nil).wantError(t, http.StatusBadRequest, latchkey.CodeOAuthStateInvalid, "state")
		b.do("GET", "/v1/oauth_callback?code=x&state=nope", nil).wantError(t, http.StatusBadRequest, latchkey.CodeOAuthStateInvalid, "state")

		// The provider says access_denied: a stable code for the app.
		_, authURL = b.startSocialSignIn()
		wantOutcome(t, b.callback(b.atProvider(authURL, idpPerson{Deny: true})), "lk_error", "oauth_access_denied")

		// A forged code (the state is good): the token exchange fails, and
		// the app hears so.
		_, authURL = b.startSocialSignIn()
		u, _ := url.Parse(authURL)
		wantOutcome(t, b.callback(ts.url+"/v1/oauth_callback?state="+url.QueryEscape(u.Query().Get("state"))+"&code=forged"),
			"lk_error", "oauth_token_exchange_failed")

		// Apple-style form_post: redirected to the GET callback, which the
		// browser's cookie then binds.
		_, authURL = b.startSocialSignIn()
		cbu, _ := url.Parse(b.atProvider(authURL, dee))
		post, err := b.hc.PostForm(ts.url+"/v1/oauth_callback", cbu.Query())
		if err != nil {
			t.Fatal(err)
		}
		post.Body.Close()
		if loc := post.Header.Get("Location"); post.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/v1/oauth_callback?") {
			t.Fatalf("form_post callback: %d %q", post.StatusCode, loc)
		}
		wantOutcome(t, b.callback(ts.url+post.Header.Get("Location")), "lk_status", "transferable")

		// Starting: the redirect URL is required and allow-listed, the
		// provider must exist.
		b.do("POST", "/v1/client/sign_ins", map[string]any{"strategy": testIdPStrategy}).
			wantError(t, http.StatusBadRequest, latchkey.CodeFormParamMissing, "redirect_url")
		b.do("POST", "/v1/client/sign_ins", map[string]any{"strategy": testIdPStrategy, "redirect_url": "https://evil.example/x"}).
			wantError(t, http.StatusBadRequest, latchkey.CodeRedirectNotAllowed, "redirect_url")
		b.do("POST", "/v1/client/sign_ups", map[string]any{"strategy": testIdPStrategy, "redirect_url": "https://evil.example/x"}).
			wantError(t, http.StatusBadRequest, latchkey.CodeRedirectNotAllowed, "redirect_url")
		b.do("POST", "/v1/client/sign_ins", map[string]any{"strategy": "oauth_google", "redirect_url": appURL(ts)}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "strategy")
		b.do("POST", "/v1/client/sign_ups", map[string]any{"strategy": "oauth_nope", "redirect_url": appURL(ts)}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "strategy")

		// The test provider's own checks: only Latchkey's callback, PKCE.
		page := b.navigate(ts.url + "/dev/test_idp/authorize?response_type=code&state=s&code_challenge_method=S256&code_challenge=" +
			strings.Repeat("a", 43) + "&redirect_uri=" + url.QueryEscape("https://evil.example/cb"))
		if page.StatusCode != http.StatusBadRequest {
			t.Errorf("test provider accepted a foreign redirect_uri: %d", page.StatusCode)
		}
		res2, err := b.hc.PostForm(ts.url+"/dev/test_idp/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}})
		if err != nil {
			t.Fatal(err)
		}
		var tokErr struct {
			Error string `json:"error"`
		}
		json.NewDecoder(res2.Body).Decode(&tokErr)
		res2.Body.Close()
		if res2.StatusCode != http.StatusBadRequest || tokErr.Error != "invalid_grant" {
			t.Errorf("token endpoint with a bad code: %d %+v", res2.StatusCode, tokErr)
		}
	})
}

func TestSocialRestrictions(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		eve := idpPerson{Email: "eve@example.com", Verified: true}
		b := newBrowser(t, ts)
		wantOutcome(t, b.socialSignUp(eve), "lk_status", "verified")
		id := b.me().ID
		ts.do("POST", "/api/v1/users/"+id+"/ban", nil).wantStatus(t, http.StatusOK)
		wantOutcome(t, newBrowser(t, ts).socialSignIn(eve), "lk_error", "user_banned")

		// Blocked domains and closed sign-ups hold for providers too.
		ts.patchSettings(t, `{"sign_up":{"blocked_email_domains":["blocked.example"]}}`)
		wantOutcome(t, newBrowser(t, ts).socialSignUp(idpPerson{Email: "x@blocked.example", Verified: true}), "lk_error", "form_email_address_not_allowed")
		ts.patchSettings(t, `{"sign_up":{"mode":"restricted"}}`)
		newBrowser(t, ts).do("POST", "/v1/client/sign_ups", map[string]any{"strategy": testIdPStrategy, "redirect_url": appURL(ts)}).
			wantError(t, http.StatusForbidden, latchkey.CodeSignUpRestricted, "")
		b2 := newBrowser(t, ts)
		wantOutcome(t, b2.socialSignIn(idpPerson{Email: "late@example.com", Verified: true}), "lk_status", "transferable")
		b2.do("POST", "/v1/client/sign_ups", map[string]any{"transfer": true}).wantError(t, http.StatusForbidden, latchkey.CodeSignUpRestricted, "")
	})
}

func TestSocialConnectedAccounts(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		clock := withOffsetClock(ts)
		ts.sessions.SetClock(clock.now)
		owner := ts.signInUser(t, "fay@example.com", "correct horse battery staple")
		b, _ := meSignIn(t, ts, owner.ID)
		connect := func(b *browser, p idpPerson) url.Values {
			t.Helper()
			env := b.call("POST", "/v1/me/external_accounts", map[string]any{"strategy": testIdPStrategy, "redirect_url": appURL(ts)}, http.StatusOK)
			var c connectJSON
			if err := json.Unmarshal(env.Response, &c); err != nil || c.Verification.ExternalVerificationRedirectURL == nil {
				t.Fatalf("connect: %v %s", err, env.Response)
			}
			return b.callback(b.atProvider(*c.Verification.ExternalVerificationRedirectURL, p))
		}
		// Connecting any identity (another address, even unverified) is
		// fine: the signed-in user proved who they are.
		wantOutcome(t, connect(b, idpPerson{Email: "fay.other@example.com"}), "lk_status", "verified")
		u := b.me()
		if u.ID != owner.ID || len(u.ExternalAccounts) != 1 || u.ExternalAccounts[0].EmailAddress != "fay.other@example.com" {
			t.Fatalf("after connecting: %+v", u)
		}

		// An identity of another user cannot be connected.
		other := newBrowser(t, ts)
		wantOutcome(t, other.socialSignUp(idpPerson{Email: "gus@example.com", Verified: true}), "lk_status", "verified")
		wantOutcome(t, connect(b, idpPerson{Email: "gus@example.com", Verified: true}), "lk_error", "external_account_exists")

		// Disconnect: fine with a password; the last way in is kept. The
		// user's external accounts changed: user.updated says so.
		before, _, err := ts.store.Events(t.Context(), sqlstore.EventFilter{Types: []string{latchkey.EventUserUpdated}, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		b.do("DELETE", "/v1/me/external_accounts/"+u.ExternalAccounts[0].ID, nil).wantStatus(t, http.StatusOK)
		if got := b.me(); len(got.ExternalAccounts) != 0 {
			t.Fatalf("after disconnecting: %+v", got.ExternalAccounts)
		}
		after, _, err := ts.store.Events(t.Context(), sqlstore.EventFilter{Types: []string{latchkey.EventUserUpdated}, After: lastCursor(before), Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != 1 || after[0].ObjectID != u.ID || strings.Contains(string(after[0].Data), u.ExternalAccounts[0].ID) {
			t.Errorf("disconnecting wrote %d user.updated events, want 1 without the account", len(after))
		}
		b.do("DELETE", "/v1/me/external_accounts/eac_nope", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		ts.patchSettings(t, `{"sign_in":{"email_code":false,"email_link":false}}`)
		gus := other.me()
		other.do("DELETE", "/v1/me/external_accounts/"+gus.ExternalAccounts[0].ID, nil).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeLastIdentifier, "id")

		// Connecting needs a sign-in within 10 minutes.
		clock.advance(11 * time.Minute)
		b.do("POST", "/v1/me/external_accounts", map[string]any{"strategy": testIdPStrategy, "redirect_url": appURL(ts)}).
			wantError(t, http.StatusForbidden, latchkey.CodeReverificationRequired, "")
	})
}

func TestSocialAccessTokens(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		clock := withOffsetClock(ts)
		ts.sessions.SetClock(clock.now)
		b := newBrowser(t, ts)
		wantOutcome(t, b.socialSignUp(idpPerson{Email: "hal@example.com", Verified: true}), "lk_status", "verified")
		id := b.me().ID
		get := func() []oauthAccessTokenJSON {
			t.Helper()
			var out []oauthAccessTokenJSON
			res := ts.do("GET", "/api/v1/users/"+id+"/oauth_access_tokens/latchkey_test", nil)
			res.wantStatus(t, http.StatusOK)
			res.decode(t, &out)
			return out
		}
		first := get()
		if len(first) != 1 || first[0].Object != "oauth_access_token" || first[0].Token == "" || first[0].ExpiresAt == nil ||
			len(first[0].Scopes) == 0 {
			t.Fatalf("tokens: %+v", first)
		}
		if again := get(); again[0].Token != first[0].Token {
			t.Error("a fresh token was refreshed")
		}
		// Past its expiry the token is refreshed at the provider.
		clock.advance(2 * time.Hour)
		fresh := get()
		if len(fresh) != 1 || fresh[0].Token == first[0].Token || *fresh[0].ExpiresAt <= *first[0].ExpiresAt {
			t.Fatalf("after expiry: %+v (before %+v)", fresh, first)
		}
		if strings.Contains(ts.logs.String(), fresh[0].Token) || strings.Contains(ts.logs.String(), first[0].Token) {
			t.Error("a provider token reached the log")
		}
		if st := ts.storedAccount(t, id); st.AccessToken != fresh[0].Token {
			t.Error("the refreshed token was not stored")
		}
		ts.do("GET", "/api/v1/users/user_nope/oauth_access_tokens/latchkey_test", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		var none []oauthAccessTokenJSON
		ts.do("GET", "/api/v1/users/"+id+"/oauth_access_tokens/google", nil).decode(t, &none)
		if none == nil || len(none) != 0 {
			t.Errorf("tokens at an unconnected provider: %+v", none)
		}
	})
}

// lastCursor is the cursor of the last of evs, or 0.
func lastCursor(evs []*latchkey.Event) int64 {
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].Cursor
}
