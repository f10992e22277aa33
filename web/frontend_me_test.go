package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// meTestPassword passes the default password rules and has nothing in
// common with the test users' details.
const meTestPassword = "vivid-otter-quartz-1987"

// meUser creates a user through the Backend service (verified email,
// password) and returns it.
func meUser(t *testing.T, ts *testServer, email string) *latchkey.User {
	t.Helper()
	u, err := ts.users.CreateUser(context.Background(), auth.CreateUserParams{
		EmailAddresses: []string{email}, Password: meTestPassword, FirstName: "Grace",
	})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// meSignIn returns a new browser signed in as the user, and the session's
// ID. It makes the client and session the way a completed sign-in leaves
// them (a client whose credential is in the __lk_client cookie, an active
// session that is the client's last active one), through the store, so
// these tests exercise /v1/me and nothing of the sign-in flow.
func meSignIn(t *testing.T, ts *testServer, userID string) (*browser, string) {
	t.Helper()
	ctx := context.Background()
	secret, digest := auth.NewCredential()
	var sessionID string
	err := ts.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		c := &latchkey.Client{TokenDigest: digest}
		if err := tx.CreateClient(ctx, c); err != nil {
			return err
		}
		now := tx.Now()
		sess := &latchkey.Session{ClientID: c.ID, UserID: userID, Status: latchkey.SessionActive,
			FirstFactorAt: now, LastActiveAt: now, ExpireAt: now.Add(time.Hour), UserAgent: "test"}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		c.LastActiveSessionID, sessionID = sess.ID, sess.ID
		return tx.UpdateClient(ctx, c)
	})
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	b := newBrowser(t, ts)
	u, _ := url.Parse(ts.url)
	b.hc.Jar.SetCookies(u, []*http.Cookie{{Name: cookieClient, Value: secret, Path: "/"}})
	return b, sessionID
}

// meView decodes an envelope's response as a user, checking that private
// metadata is absent.
func meView(t *testing.T, env *envelope) userJSON {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(env.Response, &raw); err != nil {
		t.Fatalf("decode user: %v; %s", err, env.Response)
	}
	if _, ok := raw["private_metadata"]; ok {
		t.Errorf("the Frontend API sent private_metadata: %s", env.Response)
	}
	var u userJSON
	if err := json.Unmarshal(env.Response, &u); err != nil {
		t.Fatalf("decode user: %v", err)
	}
	return u
}

func meEmail(t *testing.T, env *envelope) identifierJSON {
	t.Helper()
	var e identifierJSON
	if err := json.Unmarshal(env.Response, &e); err != nil {
		t.Fatalf("decode email address: %v; %s", err, env.Response)
	}
	return e
}

func TestMeSignedOut(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := meUser(t, ts, "ada@example.com")
		endpoints := []struct {
			method, path string
			body         any
		}{
			{"GET", "/v1/me", nil},
			{"PATCH", "/v1/me", map[string]any{"first_name": "X"}},
			{"DELETE", "/v1/me", nil},
			{"POST", "/v1/me/email_addresses", map[string]any{"email_address": "x@example.com"}},
			{"POST", "/v1/me/email_addresses/" + u.PrimaryEmailAddressID + "/prepare_verification", map[string]any{"strategy": "email_code"}},
			{"POST", "/v1/me/email_addresses/" + u.PrimaryEmailAddressID + "/attempt_verification", map[string]any{"code": "123456"}},
			{"POST", "/v1/me/email_addresses/" + u.PrimaryEmailAddressID + "/make_primary", nil},
			{"DELETE", "/v1/me/email_addresses/" + u.PrimaryEmailAddressID, nil},
			{"POST", "/v1/me/change_password", map[string]any{"current_password": meTestPassword, "new_password": "another-long-secret-42"}},
		}
		check := func(t *testing.T, b *browser) {
			t.Helper()
			for _, e := range endpoints {
				b.do(e.method, e.path, e.body).wantError(t, http.StatusUnauthorized, latchkey.CodeSignedOut, "")
			}
		}
		t.Run("no client", func(t *testing.T) { check(t, newBrowser(t, ts)) })
		t.Run("signed out", func(t *testing.T) {
			b, sid := meSignIn(t, ts, u.ID)
			b.call("GET", "/v1/me", nil, http.StatusOK)
			b.call("POST", "/v1/client/sessions/"+sid+"/end", nil, http.StatusOK)
			check(t, b)
		})
		t.Run("revoked from elsewhere", func(t *testing.T) {
			b, sid := meSignIn(t, ts, u.ID)
			ts.as(t).do("POST", "/api/v1/sessions/"+sid+"/revoke", nil).wantStatus(t, http.StatusOK)
			check(t, b)
		})
		// Nothing changed behind the refusals.
		got, err := ts.store.UserByID(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Identifiers) != 1 || got.FirstName != "Grace" || got.PasswordHash != u.PasswordHash {
			t.Errorf("the user changed: %+v", got)
		}
	})
}

func TestMeProfile(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := meUser(t, ts, "ada@example.com")
		other := meUser(t, ts, "bob@example.com")
		ts.do("PATCH", "/api/v1/users/"+u.ID+"/metadata", map[string]any{
			"private_metadata": map[string]any{"stripe_id": "cus_SECRET"},
			"public_metadata":  map[string]any{"plan": "pro"},
		}).wantStatus(t, http.StatusOK)
		b, _ := meSignIn(t, ts, u.ID)

		res := b.do("GET", "/v1/me", nil)
		res.wantStatus(t, http.StatusOK)
		if strings.Contains(string(res.Body), "cus_SECRET") {
			t.Fatalf("GET /v1/me leaks private metadata: %s", res.Body)
		}
		env := b.call("GET", "/v1/me", nil, http.StatusOK)
		me := meView(t, env)
		if me.ID != u.ID || len(me.EmailAddresses) != 1 || me.EmailAddresses[0].EmailAddress != "ada@example.com" ||
			!me.PasswordEnabled || string(me.PublicMetadata) != `{"plan":"pro"}` {
			t.Fatalf("GET /v1/me = %s", env.Response)
		}
		if env.Client == nil || env.Client.LastActiveSessionID == "" {
			t.Fatalf("no client in the envelope")
		}

		env = b.call("PATCH", "/v1/me", map[string]any{
			"first_name": "  Ada ", "last_name": "Lovelace", "unsafe_metadata": map[string]any{"theme": "dark"},
		}, http.StatusOK)
		me = meView(t, env)
		if meDeref(me.FirstName) != "Ada" || meDeref(me.LastName) != "Lovelace" || string(me.UnsafeMetadata) != `{"theme":"dark"}` {
			t.Fatalf("PATCH /v1/me = %s", env.Response)
		}
		// Unsafe metadata replaces; what was not sent stays.
		env = b.call("PATCH", "/v1/me", map[string]any{"unsafe_metadata": map[string]any{"lang": "fr"}}, http.StatusOK)
		me = meView(t, env)
		if string(me.UnsafeMetadata) != `{"lang":"fr"}` || meDeref(me.FirstName) != "Ada" || meDeref(me.LastName) != "Lovelace" {
			t.Fatalf("second PATCH = %s", env.Response)
		}
		stored, _ := ts.store.UserByID(context.Background(), u.ID)
		if stored.FirstName != "Ada" || string(stored.UnsafeMetadata) != `{"lang":"fr"}` || string(stored.PrivateMetadata) != `{"stripe_id":"cus_SECRET"}` {
			t.Fatalf("stored user: %+v", stored)
		}

		bad := []struct {
			name   string
			body   any
			status int
			code   latchkey.Code
			param  string
		}{
			{"public metadata is not writable", `{"public_metadata":{"plan":"free"}}`, 400, latchkey.CodeFormParamUnknown, "public_metadata"},
			{"private metadata is not writable", `{"private_metadata":{}}`, 400, latchkey.CodeFormParamUnknown, "private_metadata"},
			{"metadata not an object", `{"unsafe_metadata":[1]}`, 400, latchkey.CodeFormParamInvalid, "unsafe_metadata"},
			{"metadata too large", map[string]any{"unsafe_metadata": map[string]any{"x": strings.Repeat("y", 9000)}}, 400, latchkey.CodeFormParamValue, "unsafe_metadata"},
			{"name with control characters", `{"first_name":"A\u0000da"}`, 400, latchkey.CodeFormParamInvalid, "first_name"},
			{"name too long", map[string]any{"last_name": strings.Repeat("n", 257)}, 400, latchkey.CodeFormParamInvalid, "last_name"},
			{"name of the wrong type", `{"first_name":7}`, 400, latchkey.CodeFormParamInvalid, "first_name"},
			{"usernames disabled", `{"username":"ada_l"}`, 422, latchkey.CodeIdentifierDisabled, "username"},
			{"empty body", "", 400, latchkey.CodeRequestBodyInvalid, ""},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				b.do("PATCH", "/v1/me", tt.body).wantError(t, tt.status, tt.code, tt.param)
			})
		}

		t.Run("usernames", func(t *testing.T) {
			ts.patchSettings(t, `{"username":{"enabled":true,"used_for_sign_in":true}}`)
			me := meView(t, b.call("PATCH", "/v1/me", map[string]any{"username": "Ada_L"}, http.StatusOK))
			if meDeref(me.Username) != "ada_l" { // usernames are lower-cased
				t.Fatalf("username = %v", me.Username)
			}
			ob, _ := meSignIn(t, ts, other.ID)
			ob.do("PATCH", "/v1/me", map[string]any{"username": "ada_l"}).wantError(t, http.StatusConflict, latchkey.CodeIdentifierExists, "username")
			ob.do("PATCH", "/v1/me", map[string]any{"username": "ab"}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamInvalid, "username")
			me = meView(t, b.call("PATCH", "/v1/me", map[string]any{"username": ""}, http.StatusOK))
			if me.Username != nil {
				t.Fatalf("username not removed: %v", *me.Username)
			}
			ts.patchSettings(t, `{"username":{"required":true}}`)
			b.call("PATCH", "/v1/me", map[string]any{"username": "ada_l"}, http.StatusOK)
			b.do("PATCH", "/v1/me", map[string]any{"username": ""}).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeIdentifierRequired, "username")
		})

		t.Run("name rules", func(t *testing.T) {
			ts.patchSettings(t, `{"name":{"enabled":true,"required":true}}`)
			b.do("PATCH", "/v1/me", map[string]any{"first_name": " "}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamMissing, "first_name")
			ts.patchSettings(t, `{"name":{"enabled":false,"required":false}}`)
			b.do("PATCH", "/v1/me", map[string]any{"last_name": "L"}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamValue, "last_name")
			// Clearing a name is always allowed when names are off.
			me := meView(t, b.call("PATCH", "/v1/me", map[string]any{"first_name": ""}, http.StatusOK))
			if me.FirstName != nil {
				t.Fatalf("first name not cleared")
			}
		})
	})
}

func meDeref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func TestMeEmailAddresses(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := meUser(t, ts, "ada@example.com")
		other := meUser(t, ts, "bob@example.com")
		b, _ := meSignIn(t, ts, u.ID)
		ctx := context.Background()

		// Add: unverified, not primary.
		e := meEmail(t, b.call("POST", "/v1/me/email_addresses", map[string]any{"email_address": " Ada.Work@Example.ORG "}, http.StatusOK))
		if e.Object != "email_address" || e.ID == "" || e.EmailAddress != "Ada.Work@example.org" ||
			e.Verification.Status != latchkey.VerificationUnverified || e.Verification.Strategy != "" {
			t.Fatalf("added = %+v", e)
		}
		me := meView(t, b.call("GET", "/v1/me", nil, http.StatusOK))
		if len(me.EmailAddresses) != 2 || meDeref(me.PrimaryEmailAddressID) != u.PrimaryEmailAddressID {
			t.Fatalf("after add: %+v", me)
		}

		addBad := []struct {
			name   string
			body   any
			status int
			code   latchkey.Code
			param  string
		}{
			{"taken by another user", map[string]any{"email_address": "BOB@example.com"}, 409, latchkey.CodeIdentifierExists, "email_address"},
			{"already mine", map[string]any{"email_address": "ada.work@EXAMPLE.org"}, 409, latchkey.CodeIdentifierExists, "email_address"},
			{"not an address", map[string]any{"email_address": "ada at example"}, 400, latchkey.CodeFormParamInvalid, "email_address"},
			{"missing", map[string]any{}, 400, latchkey.CodeFormParamMissing, "email_address"},
			{"unknown field", map[string]any{"email_address": "x@example.com", "verified": true}, 400, latchkey.CodeFormParamUnknown, "verified"},
		}
		for _, tt := range addBad {
			t.Run("add "+tt.name, func(t *testing.T) {
				b.do("POST", "/v1/me/email_addresses", tt.body).wantError(t, tt.status, tt.code, tt.param)
			})
		}
		t.Run("add blocked", func(t *testing.T) {
			ts.patchSettings(t, `{"sign_up":{"blocked_email_domains":["blocked.example"],"blocked_email_addresses":["nope@example.net"]}}`)
			for _, addr := range []string{"me@blocked.example", "me@mail.blocked.example", "NOPE@example.net"} {
				b.do("POST", "/v1/me/email_addresses", map[string]any{"email_address": addr}).
					wantError(t, http.StatusUnprocessableEntity, latchkey.CodeEmailNotAllowed, "email_address")
			}
			ts.patchSettings(t, `{"sign_up":{"allowed_email_domains":["example.com"]}}`)
			b.do("POST", "/v1/me/email_addresses", map[string]any{"email_address": "me@elsewhere.example"}).
				wantError(t, http.StatusUnprocessableEntity, latchkey.CodeEmailNotAllowed, "email_address")
			ts.patchSettings(t, `{"sign_up":{"allowed_email_domains":[],"blocked_email_domains":[],"blocked_email_addresses":[]}}`)
		})

		base := "/v1/me/email_addresses/" + e.ID
		// An unverified address cannot be primary, nor be "verified" without
		// a code.
		b.do("POST", base+"/make_primary", nil).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamValue, "")
		b.do("POST", base+"/attempt_verification", map[string]any{"code": "123456"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationMissing, "code")

		// Prepare.
		b.do("POST", base+"/prepare_verification", map[string]any{}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamMissing, "strategy")
		b.do("POST", base+"/prepare_verification", map[string]any{"strategy": "email_link"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "strategy")
		b.do("POST", "/v1/me/email_addresses/"+u.PrimaryEmailAddressID+"/prepare_verification", map[string]any{"strategy": "email_code"}).
			wantError(t, http.StatusBadRequest, latchkey.CodeFormParamValue, "")
		p := meEmail(t, b.call("POST", base+"/prepare_verification", map[string]any{"strategy": "email_code"}, http.StatusOK))
		if p.Verification.Status != "unverified" || p.Verification.Strategy != "email_code" || p.Verification.Attempts == nil ||
			*p.Verification.Attempts != 0 || p.Verification.ExpireAt == nil || *p.Verification.ExpireAt < time.Now().Add(9*time.Minute).UnixMilli() {
			t.Fatalf("prepared = %+v", p.Verification)
		}
		m := ts.mails.last(t, "Ada.Work@example.org")
		if m.Kind != auth.MailVerificationCode || m.Data["purpose"] != "verify_email" || m.Data["expires_in_minutes"] != "10" ||
			!sixDigits.MatchString(m.Data["code"]) {
			t.Fatalf("mail = %+v", m)
		}
		code := m.Data["code"]

		// Attempt: a wrong code, then the right one, then again.
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		res := b.do("POST", base+"/attempt_verification", map[string]any{"code": wrong})
		res.wantError(t, http.StatusUnprocessableEntity, latchkey.CodeCodeIncorrect, "code")
		if !strings.Contains(res.firstError(t).LongMessage, "2 attempts left") {
			t.Errorf("wrong code: %+v", res.firstError(t))
		}
		b.do("POST", base+"/attempt_verification", map[string]any{}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamMissing, "code")
		v := meEmail(t, b.call("POST", base+"/attempt_verification", map[string]any{"code": " " + code + " "}, http.StatusOK))
		if v.ID != e.ID || v.Verification.Status != "verified" || v.Verification.Strategy != "email_code" || v.Verification.VerifiedAt == nil {
			t.Fatalf("verified = %+v", v)
		}
		b.do("POST", base+"/attempt_verification", map[string]any{"code": code}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationUsed, "code")

		// Make primary, then remove the old primary.
		me = meView(t, b.call("POST", base+"/make_primary", nil, http.StatusOK))
		if meDeref(me.PrimaryEmailAddressID) != e.ID {
			t.Fatalf("primary = %v, want %s", me.PrimaryEmailAddressID, e.ID)
		}
		res = b.do("DELETE", base, nil)
		res.wantError(t, http.StatusBadRequest, latchkey.CodeFormParamValue, "")
		if msg := res.firstError(t).LongMessage; !strings.Contains(msg, "primary") {
			t.Errorf("removing the primary: long_message %q does not say why", msg)
		}
		env := b.call("DELETE", "/v1/me/email_addresses/"+u.PrimaryEmailAddressID, nil, http.StatusOK)
		var del deletedJSON
		if err := json.Unmarshal(env.Response, &del); err != nil || del != (deletedJSON{Object: "email_address", ID: u.PrimaryEmailAddressID, Deleted: true}) {
			t.Fatalf("delete = %s", env.Response)
		}
		stored, _ := ts.store.UserByID(ctx, u.ID)
		if len(stored.Identifiers) != 1 || stored.Identifiers[0].ID != e.ID || stored.PrimaryEmailAddressID != e.ID ||
			!stored.Identifiers[0].Verification.Verified() || stored.Identifiers[0].Verification.Strategy != latchkey.VerifyEmailCode {
			t.Fatalf("stored identifiers: %+v", stored.Identifiers[0])
		}
		// The freed address can be added again (by anyone); an unverified
		// address can always be removed.
		e2 := meEmail(t, b.call("POST", "/v1/me/email_addresses", map[string]any{"email_address": "ada@example.com"}, http.StatusOK))
		b.call("DELETE", "/v1/me/email_addresses/"+e2.ID, nil, http.StatusOK)
		b.do("DELETE", "/v1/me/email_addresses/"+e2.ID, nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")

		t.Run("another user's address is not found", func(t *testing.T) {
			oid := other.PrimaryEmailAddressID
			for _, c := range []struct {
				method, path string
				body         any
			}{
				{"POST", "/v1/me/email_addresses/" + oid + "/prepare_verification", map[string]any{"strategy": "email_code"}},
				{"POST", "/v1/me/email_addresses/" + oid + "/attempt_verification", map[string]any{"code": "123456"}},
				{"POST", "/v1/me/email_addresses/" + oid + "/make_primary", nil},
				{"DELETE", "/v1/me/email_addresses/" + oid, nil},
				{"DELETE", "/v1/me/email_addresses/idn_email_nope", nil},
			} {
				b.do(c.method, c.path, c.body).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
			}
			got, _ := ts.store.UserByID(ctx, other.ID)
			if len(got.Identifiers) != 1 || got.PrimaryEmailAddressID != oid {
				t.Fatalf("the other user changed: %+v", got)
			}
			if n := ts.mails.count("bob@example.com"); n != 0 {
				t.Fatalf("%d mails went to the other user", n)
			}
		})

		events, err := ts.store.AuditEvents(ctx, u.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, ev := range events {
			seen[ev.Type] = true
		}
		for _, want := range []string{"user.email_address_added", "user.email_address_verified", "user.primary_email_address_changed", "user.email_address_removed"} {
			if !seen[want] {
				t.Errorf("no %s audit event (have %v)", want, seen)
			}
		}
	})
}

func TestMeEmailCodeLimits(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := meUser(t, ts, "ada@example.com")
		b, _ := meSignIn(t, ts, u.ID)
		e := meEmail(t, b.call("POST", "/v1/me/email_addresses", map[string]any{"email_address": "new@example.com"}, http.StatusOK))
		base := "/v1/me/email_addresses/" + e.ID
		prepare := func() string {
			t.Helper()
			b.call("POST", base+"/prepare_verification", map[string]any{"strategy": "email_code"}, http.StatusOK)
			return ts.mails.last(t, "new@example.com").Data["code"]
		}
		wrongFor := func(code string) string {
			if code == "000000" {
				return "111111"
			}
			return "000000"
		}

		// Three wrong guesses spend the code, even the right one after.
		code := prepare()
		for i, want := range []latchkey.Code{latchkey.CodeCodeIncorrect, latchkey.CodeCodeIncorrect, latchkey.CodeVerificationFailed} {
			res := b.do("POST", base+"/attempt_verification", map[string]any{"code": wrongFor(code)})
			if got := res.firstError(t).Code; got != want {
				t.Fatalf("wrong guess %d: %s, want %s", i+1, got, want)
			}
		}
		b.do("POST", base+"/attempt_verification", map[string]any{"code": code}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationFailed, "code")

		// A new code replaces the old one: the old one is just wrong now.
		old := prepare()
		code = prepare()
		if old != code {
			b.do("POST", base+"/attempt_verification", map[string]any{"code": old}).
				wantError(t, http.StatusUnprocessableEntity, latchkey.CodeCodeIncorrect, "code")
		}

		// A code expires after ten minutes (by the store's clock).
		ts.store.SetClock(func() time.Time { return time.Now().Add(auth.ChallengeLifetime + time.Minute) })
		b.do("POST", base+"/attempt_verification", map[string]any{"code": code}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationExpired, "code")
		ts.store.SetClock(steadyClock())

		// Sending is rate-limited per address (5 per 10 minutes).
		var last *response
		for i := 0; i < 4; i++ {
			last = b.do("POST", base+"/prepare_verification", map[string]any{"strategy": "email_code"})
		}
		last.wantError(t, http.StatusTooManyRequests, latchkey.CodeRateLimited, "")

		got, _ := ts.store.UserByID(context.Background(), u.ID)
		for _, idn := range got.Identifiers {
			if idn.ID == e.ID && idn.Verification.Verified() {
				t.Fatalf("the address was verified without its code")
			}
		}
	})
}

// TestMeEmailCodeConcurrentUse: of many concurrent attempts with the right
// code, exactly one verifies.
func TestMeEmailCodeConcurrentUse(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := meUser(t, ts, "ada@example.com")
		b, _ := meSignIn(t, ts, u.ID)
		e := meEmail(t, b.call("POST", "/v1/me/email_addresses", map[string]any{"email_address": "new@example.com"}, http.StatusOK))
		base := ts.url + "/v1/me/email_addresses/" + e.ID
		b.call("POST", "/v1/me/email_addresses/"+e.ID+"/prepare_verification", map[string]any{"strategy": "email_code"}, http.StatusOK)
		code := ts.mails.last(t, "new@example.com").Data["code"]

		const n = 8
		var wg sync.WaitGroup
		statuses := make([]int, n)
		bodies := make([]string, n)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				req, _ := http.NewRequest("POST", base+"/attempt_verification", strings.NewReader(`{"code":"`+code+`"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Origin", ts.url)
				<-start
				res, err := b.hc.Do(req)
				if err != nil {
					bodies[i] = err.Error()
					return
				}
				defer res.Body.Close()
				var buf strings.Builder
				_, _ = io.Copy(&buf, res.Body)
				statuses[i], bodies[i] = res.StatusCode, buf.String()
			}(i)
		}
		close(start)
		wg.Wait()
		ok := 0
		for i := range statuses {
			switch {
			case statuses[i] == http.StatusOK:
				ok++
			case statuses[i] == http.StatusUnprocessableEntity && strings.Contains(bodies[i], string(latchkey.CodeVerificationUsed)):
			default:
				t.Errorf("attempt %d: %d %s", i, statuses[i], bodies[i])
			}
		}
		if ok != 1 {
			t.Fatalf("%d attempts verified, want exactly 1", ok)
		}
		events, _ := ts.store.AuditEvents(context.Background(), u.ID, 50)
		verified := 0
		for _, ev := range events {
			if ev.Type == "user.email_address_verified" {
				verified++
			}
		}
		if verified != 1 {
			t.Fatalf("%d verification audit events, want 1", verified)
		}
	})
}

func TestMeRemoveLastWayToSignIn(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ctx := context.Background()
		u := meUser(t, ts, "ada@example.com")
		b, _ := meSignIn(t, ts, u.ID)
		// A user whose only email address is verified but not primary (an
		// imported account, say): removing it would leave no way in.
		if _, err := ts.store.UpdateUser(ctx, u.ID, func(u *latchkey.User) error {
			u.PrimaryEmailAddressID = ""
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		path := "/v1/me/email_addresses/" + u.PrimaryEmailAddressID
		b.do("DELETE", path, nil).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeIdentifierRequired, "email_address")
		ts.patchSettings(t, `{"email_address":{"required":false}}`)
		b.do("DELETE", path, nil).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeLastIdentifier, "email_address")
		// With another verified way to sign in, it may go.
		ts.patchSettings(t, `{"username":{"enabled":true,"used_for_sign_in":true}}`)
		b.call("PATCH", "/v1/me", map[string]any{"username": "ada_l"}, http.StatusOK)
		b.call("DELETE", path, nil, http.StatusOK)
		// Now the username is the only way in; an unverified address does
		// not count as another.
		b.do("PATCH", "/v1/me", map[string]any{"username": ""}).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeLastIdentifier, "username")
		b.call("POST", "/v1/me/email_addresses", map[string]any{"email_address": "ada@example.org"}, http.StatusOK)
		b.do("PATCH", "/v1/me", map[string]any{"username": ""}).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeLastIdentifier, "username")
		got, _ := ts.store.UserByID(ctx, u.ID)
		if got.Username() != "ada_l" {
			t.Fatalf("username = %q", got.Username())
		}
	})
}

func TestMeChangePassword(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ctx := context.Background()
		u := meUser(t, ts, "ada@example.com")
		b1, s1 := meSignIn(t, ts, u.ID)
		b2, s2 := meSignIn(t, ts, u.ID)
		const newPassword = "brisk-lantern-meadow-2024"

		bad := []struct {
			name   string
			body   any
			status int
			code   latchkey.Code
			param  string
		}{
			{"no current password", map[string]any{"new_password": newPassword}, 400, latchkey.CodeFormParamMissing, "current_password"},
			{"no new password", map[string]any{"current_password": meTestPassword}, 400, latchkey.CodeFormParamMissing, "new_password"},
			{"too short", map[string]any{"current_password": meTestPassword, "new_password": "short"}, 422, latchkey.CodePasswordTooShort, "new_password"},
			{"too long", map[string]any{"current_password": meTestPassword, "new_password": strings.Repeat("x", 1025)}, 422, latchkey.CodePasswordTooLong, "new_password"},
			{"common", map[string]any{"current_password": meTestPassword, "new_password": "password123"}, 422, latchkey.CodePasswordPwned, "new_password"},
			{"unknown field", map[string]any{"password": newPassword}, 400, latchkey.CodeFormParamUnknown, "password"},
			{"wrong type", `{"sign_out_of_other_sessions":"yes"}`, 400, latchkey.CodeFormParamInvalid, "sign_out_of_other_sessions"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				b1.do("POST", "/v1/me/change_password", tt.body).wantError(t, tt.status, tt.code, tt.param)
			})
		}
		stored, _ := ts.store.UserByID(ctx, u.ID)
		if stored.FailedSignIns != 0 || stored.PasswordHash != u.PasswordHash {
			t.Fatalf("refused requests changed the user (failed %d)", stored.FailedSignIns)
		}

		// A wrong current password counts towards lockout.
		b1.do("POST", "/v1/me/change_password", map[string]any{"current_password": "not-my-password-at-all", "new_password": newPassword}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodePasswordIncorrect, "current_password")
		stored, _ = ts.store.UserByID(ctx, u.ID)
		if stored.FailedSignIns != 1 {
			t.Fatalf("failed sign-ins = %d, want 1", stored.FailedSignIns)
		}

		before := ts.mails.count("ada@example.com")
		me := meView(t, b1.call("POST", "/v1/me/change_password", map[string]any{
			"current_password": meTestPassword, "new_password": newPassword,
		}, http.StatusOK))
		if !me.PasswordEnabled || me.PasswordLastUpdatedAt == nil {
			t.Fatalf("after change: %+v", me)
		}
		stored, _ = ts.store.UserByID(ctx, u.ID)
		if ok, _ := ts.users.VerifyPassword(ctx, stored, newPassword); !ok {
			t.Fatalf("the new password does not verify")
		}
		if ok, _ := ts.users.VerifyPassword(ctx, stored, meTestPassword); ok {
			t.Fatalf("the old password still verifies")
		}
		if stored.FailedSignIns != 0 {
			t.Errorf("failed sign-ins = %d after a proven password", stored.FailedSignIns)
		}
		if n := ts.mails.count("ada@example.com"); n != before+1 || ts.mails.last(t, "ada@example.com").Kind != auth.MailPasswordChanged {
			t.Fatalf("no password-changed mail (%d mails)", n-before)
		}
		// This browser stays signed in; the other one is signed out.
		b1.call("POST", "/v1/client/sessions/"+s1+"/tokens", nil, http.StatusOK)
		b1.call("GET", "/v1/me", nil, http.StatusOK)
		b2.do("POST", "/v1/client/sessions/"+s2+"/tokens", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")
		b2.do("GET", "/v1/me", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSignedOut, "")
		events, _ := ts.store.AuditEvents(ctx, u.ID, 50)
		var audit *sqlstore.AuditEvent
		for _, ev := range events {
			if ev.Type == "user.password_changed" {
				audit = ev
				break
			}
		}
		if audit == nil || audit.SessionID != s1 || !strings.Contains(meJSON(t, audit.Data), s2) {
			t.Fatalf("audit event: %+v", audit)
		}

		t.Run("keep other sessions", func(t *testing.T) {
			b3, s3 := meSignIn(t, ts, u.ID)
			b1.call("POST", "/v1/me/change_password", map[string]any{
				"current_password": newPassword, "new_password": meTestPassword, "sign_out_of_other_sessions": false,
			}, http.StatusOK)
			b3.call("POST", "/v1/client/sessions/"+s3+"/tokens", nil, http.StatusOK)
		})
	})
}

func meJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMeChangePasswordLockout(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.patchSettings(t, `{"sign_in":{"lockout_threshold":3,"lockout_seconds":600}}`)
		u := meUser(t, ts, "ada@example.com")
		b, _ := meSignIn(t, ts, u.ID)
		body := map[string]any{"current_password": "not-my-password-at-all", "new_password": "brisk-lantern-meadow-2024"}
		b.do("POST", "/v1/me/change_password", body).wantError(t, http.StatusUnprocessableEntity, latchkey.CodePasswordIncorrect, "current_password")
		b.do("POST", "/v1/me/change_password", body).wantError(t, http.StatusUnprocessableEntity, latchkey.CodePasswordIncorrect, "current_password")
		b.do("POST", "/v1/me/change_password", body).wantError(t, http.StatusForbidden, latchkey.CodeUserLocked, "")
		// Locked: even the right password is refused.
		body["current_password"] = meTestPassword
		b.do("POST", "/v1/me/change_password", body).wantError(t, http.StatusForbidden, latchkey.CodeUserLocked, "")
		stored, _ := ts.store.UserByID(context.Background(), u.ID)
		if !stored.Locked || stored.PasswordHash != u.PasswordHash {
			t.Fatalf("locked = %v, password changed = %v", stored.Locked, stored.PasswordHash != u.PasswordHash)
		}
	})
}

// TestMeSetFirstPassword: a user who signs in without a password may set
// one without a current password.
func TestMeSetFirstPassword(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		created := ts.createUser(t, map[string]any{"email_address": []string{"ada@example.com"}})
		b, _ := meSignIn(t, ts, created.ID)
		me := meView(t, b.call("GET", "/v1/me", nil, http.StatusOK))
		if me.PasswordEnabled {
			t.Fatal("the user has a password")
		}
		me = meView(t, b.call("POST", "/v1/me/change_password", map[string]any{"new_password": meTestPassword}, http.StatusOK))
		if !me.PasswordEnabled {
			t.Fatal("no password after setting one")
		}
		// From now on the current password is required.
		b.do("POST", "/v1/me/change_password", map[string]any{"new_password": "brisk-lantern-meadow-2024"}).
			wantError(t, http.StatusBadRequest, latchkey.CodeFormParamMissing, "current_password")

		ts.patchSettings(t, `{"password":{"enabled":false,"required":false}}`)
		b.do("POST", "/v1/me/change_password", map[string]any{"current_password": meTestPassword, "new_password": "brisk-lantern-meadow-2024"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodePasswordNotAllowed, "new_password")
	})
}

func TestMeDelete(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ctx := context.Background()
		u := meUser(t, ts, "ada@example.com")
		b1, _ := meSignIn(t, ts, u.ID)
		b2, s2 := meSignIn(t, ts, u.ID)

		ts.patchSettings(t, `{"user":{"delete_self_enabled":false}}`)
		b1.do("DELETE", "/v1/me", nil).wantError(t, http.StatusForbidden, latchkey.CodeDeleteSelfDisabled, "")
		if _, err := ts.store.UserByID(ctx, u.ID); err != nil {
			t.Fatalf("user gone while deleting was disabled: %v", err)
		}
		ts.patchSettings(t, `{"user":{"delete_self_enabled":true}}`)

		// A foreign page cannot delete the account (CSRF).
		evil := &browser{t: t, ts: ts, hc: b1.hc, origin: "https://evil.example"}
		evil.do("DELETE", "/v1/me", nil).wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
		b1.do("DELETE", "/v1/me", `{"confirm":true}`).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamUnknown, "confirm")
		clientBefore := b1.cookie(cookieClient)
		env := b1.call("DELETE", "/v1/me", nil, http.StatusOK)
		var del deletedJSON
		if err := json.Unmarshal(env.Response, &del); err != nil || del != (deletedJSON{Object: "user", ID: u.ID, Deleted: true}) {
			t.Fatalf("delete = %s", env.Response)
		}
		if env.Client == nil || env.Client.LastActiveSessionID != "" || len(env.Client.Sessions) != 0 {
			t.Fatalf("client after delete: %+v", env.Client)
		}
		if c := b1.cookie(cookieClient); c == "" || c == clientBefore {
			t.Errorf("the client credential did not rotate")
		}
		if b1.cookie(cookieSession) != "" {
			t.Errorf("the session cookie was not cleared")
		}
		if _, err := ts.store.UserByID(ctx, u.ID); err == nil {
			t.Fatal("the user still exists")
		}
		ts.do("GET", "/api/v1/users/"+u.ID, nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		b1.do("GET", "/v1/me", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSignedOut, "")
		// The client stays.
		c := b1.call("GET", "/v1/client", nil, http.StatusOK)
		if c.Client == nil || c.Client.ID != env.Client.ID {
			t.Fatalf("client gone: %+v", c.Client)
		}
		// The user's other devices are signed out too.
		b2.do("GET", "/v1/me", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSignedOut, "")
		if res := b2.do("POST", "/v1/client/sessions/"+s2+"/tokens", nil); res.Status < 400 {
			t.Fatalf("a deleted user's session refreshed: %d", res.Status)
		}
		events, _ := ts.store.AuditEvents(ctx, u.ID, 50)
		found := false
		for _, ev := range events {
			found = found || ev.Type == "user.deleted"
		}
		if !found {
			t.Errorf("no user.deleted audit event")
		}
		// The address is free again.
		meUser(t, ts, "ada@example.com")
	})
}

// TestMeDeleteMultiSession: in multi-session mode, deleting the active
// account leaves the browser signed in to its other account.
func TestMeDeleteMultiSession(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ctx := context.Background()
		ts.patchSettings(t, `{"session":{"multi_session":true}}`)
		ada := meUser(t, ts, "ada@example.com")
		bob := meUser(t, ts, "bob@example.com")
		b, _ := meSignIn(t, ts, ada.ID)
		clientID := b.call("GET", "/v1/client", nil, http.StatusOK).Client.ID
		var bobSession string
		err := ts.store.InTx(ctx, func(tx *sqlstore.Tx) error {
			sess := &latchkey.Session{ClientID: clientID, UserID: bob.ID, Status: latchkey.SessionActive,
				FirstFactorAt: tx.Now(), ExpireAt: tx.Now().Add(time.Hour)}
			err := tx.CreateSession(ctx, sess)
			bobSession = sess.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		env := b.call("DELETE", "/v1/me", nil, http.StatusOK)
		if env.Client == nil || env.Client.LastActiveSessionID != bobSession || len(env.Client.Sessions) != 1 {
			t.Fatalf("client after delete: %+v", env.Client)
		}
		if b.cookie(cookieSession) == "" {
			t.Errorf("no session cookie for the remaining account")
		}
		me := meView(t, b.call("GET", "/v1/me", nil, http.StatusOK))
		if me.ID != bob.ID {
			t.Fatalf("signed in as %s, want %s", me.ID, bob.ID)
		}
	})
}

// TestMeThroughRealSignIn runs the account endpoints in a browser signed in
// through POST /v1/client/sign_ins, and checks that a changed password is
// the one sign-in then accepts.
func TestMeThroughRealSignIn(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := meUser(t, ts, "ada@example.com")
		signIn := func(pw string) (*browser, *response) {
			b := newBrowser(t, ts)
			return b, b.do("POST", "/v1/client/sign_ins", map[string]any{"identifier": "ada@example.com", "strategy": "password", "password": pw})
		}
		b, res := signIn(meTestPassword)
		res.wantStatus(t, http.StatusOK)
		if me := meView(t, b.call("GET", "/v1/me", nil, http.StatusOK)); me.ID != u.ID {
			t.Fatalf("signed in as %s, want %s", me.ID, u.ID)
		}
		const newPassword = "brisk-lantern-meadow-2024"
		b.call("POST", "/v1/me/change_password", map[string]any{"current_password": meTestPassword, "new_password": newPassword}, http.StatusOK)
		b.call("GET", "/v1/me", nil, http.StatusOK)
		if _, res := signIn(meTestPassword); res.Status == http.StatusOK {
			t.Fatalf("the old password still signs in: %s", res.Body)
		}
		b2, res := signIn(newPassword)
		res.wantStatus(t, http.StatusOK)
		b2.call("GET", "/v1/me", nil, http.StatusOK)
	})
}
