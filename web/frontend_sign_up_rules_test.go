package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

func TestSignUpBadInput(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		b := newBrowser(t, ts)
		ts.createUser(t, map[string]any{"email_address": []string{"taken@example.com"}})
		cases := []struct {
			name   string
			body   any
			status int
			code   latchkey.Code
			param  string
		}{
			{"not json", "{", 400, latchkey.CodeRequestBodyInvalid, ""},
			{"unknown field", map[string]any{"email": "a@example.com"}, 400, latchkey.CodeFormParamUnknown, "email"},
			{"wrong type", map[string]any{"email_address": 5}, 400, latchkey.CodeFormParamInvalid, "email_address"},
			{"bad email", map[string]any{"email_address": "not-an-email"}, 400, latchkey.CodeFormParamInvalid, "email_address"},
			{"phone disabled", map[string]any{"phone_number": "+14155550100"}, 422, latchkey.CodeIdentifierDisabled, "phone_number"},
			{"username disabled", map[string]any{"username": "ada"}, 422, latchkey.CodeIdentifierDisabled, "username"},
			{"control character in name", map[string]any{"first_name": "A\x00da"}, 400, latchkey.CodeFormParamInvalid, "first_name"},
			{"long name", map[string]any{"last_name": strings.Repeat("n", 257)}, 400, latchkey.CodeFormParamInvalid, "last_name"},
			{"metadata not an object", map[string]any{"unsafe_metadata": []int{1}}, 400, latchkey.CodeFormParamInvalid, "unsafe_metadata"},
			{"metadata too large", map[string]any{"unsafe_metadata": map[string]string{"x": strings.Repeat("x", 9000)}}, 400, latchkey.CodeFormParamValue, "unsafe_metadata"},
			{"legal not a boolean", map[string]any{"legal_accepted": "yes"}, 400, latchkey.CodeFormParamInvalid, "legal_accepted"},
			{"redirect not allowed", map[string]any{"email_address": "a@example.com", "redirect_url": "https://evil.example/x"}, 400, latchkey.CodeRedirectNotAllowed, "redirect_url"},
			{"short password", map[string]any{"password": "short"}, 422, latchkey.CodePasswordTooShort, "password"},
			{"long password", map[string]any{"password": strings.Repeat("p", 1025)}, 422, latchkey.CodePasswordTooLong, "password"},
			{"breached password", map[string]any{"email_address": "a@example.com", "password": "Password123"}, 422, latchkey.CodePasswordPwned, "password"},
			{"personal password", map[string]any{"email_address": "grace.hopper@example.com", "password": "hopper-cobol-1906"}, 422, latchkey.CodePasswordPersonal, "password"},
			{"password with own name", map[string]any{"first_name": "Marguerite", "password": "i-am-marguerite!"}, 422, latchkey.CodePasswordPersonal, "password"},
			{"email taken", map[string]any{"email_address": "TAKEN@example.com"}, 409, latchkey.CodeIdentifierExists, "email_address"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b := &browser{t: t, ts: ts, hc: b.hc, origin: b.origin}
				b.do("POST", "/v1/client/sign_ups", c.body).wantError(t, c.status, c.code, c.param)
			})
		}
		// Nothing was created by any of them, not even a client.
		if env := b.call("GET", "/v1/client", nil, http.StatusOK); env.Client != nil {
			t.Errorf("a refused sign-up left a client: %+v", env.Client)
		}
		b.do("POST", "/v1/client/sign_ups", `{"email_address":"a@example.com"}`, "Content-Type", "text/plain").
			wantError(t, http.StatusUnsupportedMediaType, latchkey.CodeUnsupportedMediaType, "")
		// A state change from a foreign origin is refused before anything else.
		evil := &browser{t: t, ts: ts, hc: b.hc, origin: "https://evil.example"}
		evil.do("POST", "/v1/client/sign_ups", map[string]any{"email_address": "a@example.com"}).
			wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")

		// The same rules hold on update, and on other endpoints' bodies.
		su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "ok@example.com"})
		b.do("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"password": "password123"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodePasswordPwned, "password")
		b.do("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"email_address": "taken@EXAMPLE.com"}).
			wantError(t, http.StatusConflict, latchkey.CodeIdentifierExists, "email_address")
		// The personal details already on the sign-up count too.
		b.do("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"password": "big-example-horse-42"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodePasswordPersonal, "password")
		prep := "/v1/client/sign_ups/" + su.ID + "/prepare_verification"
		b.do("POST", prep, map[string]any{}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamMissing, "strategy")
		b.do("POST", prep, map[string]any{"strategy": "phone_code"}).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "strategy")
		b.do("POST", prep, map[string]any{"strategy": "email_link", "redirect_url": "javascript:alert(1)"}).
			wantError(t, http.StatusBadRequest, latchkey.CodeRedirectNotAllowed, "redirect_url")
		b.do("POST", prep, nil).wantError(t, http.StatusBadRequest, latchkey.CodeRequestBodyInvalid, "")
		att := "/v1/client/sign_ups/" + su.ID + "/attempt_verification"
		b.do("POST", att, map[string]any{"strategy": "email_code"}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamMissing, "code")
		b.do("POST", att, map[string]any{"code": "123456"}).wantError(t, http.StatusBadRequest, latchkey.CodeFormParamMissing, "strategy")
		b.do("POST", att, map[string]any{"strategy": "email_code", "code": "1", "extra": 1}).
			wantError(t, http.StatusBadRequest, latchkey.CodeFormParamUnknown, "extra")
		// Another browser cannot see or touch this sign-up.
		other := newBrowser(t, ts)
		for _, r := range []struct{ method, path string }{
			{"GET", "/v1/client/sign_ups/" + su.ID}, {"PATCH", "/v1/client/sign_ups/" + su.ID},
			{"POST", prep}, {"POST", att},
		} {
			var body any
			switch r.path {
			case prep:
				body = map[string]any{"strategy": "email_code"}
			case att:
				body = map[string]any{"strategy": "email_code", "code": "123456"}
			}
			other.do(r.method, r.path, body).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		}
		// Strategies turned off in the settings are refused.
		ts.patchSettings(t, `{"sign_in":{"email_code":false,"email_link":false}}`)
		b.do("POST", prep, map[string]any{"strategy": "email_code"}).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "strategy")
		b.do("POST", prep, map[string]any{"strategy": "email_link"}).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "strategy")
		b.do("POST", att, map[string]any{"strategy": "email_code", "code": "123456"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "strategy")

		b.do("GET", "/v1/client/sign_ups/sua_nope", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
	})
}

func TestSignUpModes(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		b := newBrowser(t, ts)
		ts.patchSettings(t, `{"sign_up":{"mode":"restricted"}}`)
		b.do("POST", "/v1/client/sign_ups", map[string]any{"email_address": "a@example.com"}).
			wantError(t, http.StatusForbidden, latchkey.CodeSignUpRestricted, "")
		ts.patchSettings(t, `{"sign_up":{"mode":"waitlist"}}`)
		b.do("POST", "/v1/client/sign_ups", map[string]any{"email_address": "a@example.com"}).
			wantError(t, http.StatusForbidden, latchkey.CodeSignUpWaitlist, "")
		ts.patchSettings(t, `{"sign_up":{"mode":"public"}}`)
		b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "a@example.com"})
	})
}

func TestSignUpEmailPolicy(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		b := newBrowser(t, ts)
		try := func(email string) *response {
			t.Helper()
			return b.do("POST", "/v1/client/sign_ups", map[string]any{"email_address": email})
		}
		refused := func(email string) {
			t.Helper()
			try(email).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeEmailNotAllowed, "email_address")
		}
		allowed := func(email string) {
			t.Helper()
			try(email).wantStatus(t, http.StatusOK)
		}

		allowed("someone@mailinator.com") // the option is off by default
		ts.patchSettings(t, `{"sign_up":{"block_disposable_emails":true}}`)
		refused("someone@Mailinator.com")
		refused("x@sub.33mail.com") // a wildcard entry covers subdomains
		allowed("x@gmail.com")

		ts.patchSettings(t, `{"sign_up":{"blocked_email_domains":["blocked.example"],"blocked_email_addresses":["Bad.Person@example.com"]}}`)
		refused("a@blocked.example")
		refused("a@eu.blocked.example")
		refused("bad.person@EXAMPLE.com")
		allowed("good.person@example.com")

		ts.patchSettings(t, `{"sign_up":{"allowed_email_domains":["acme.example"],"blocked_email_domains":["corp.acme.example"]}}`)
		refused("a@example.com")
		refused("a@notacme.example")
		allowed("a@acme.example")
		allowed("a@eng.acme.example")
		refused("a@corp.acme.example") // blocked wins over allowed

		// An update is held to the same lists.
		su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "b@acme.example"})
		b.do("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"email_address": "b@example.com"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeEmailNotAllowed, "email_address")
	})
}

func TestSignUpRequirements(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ctx := context.Background()
		// Through the settings service, as an operator's dashboard would.
		if _, err := ts.inst.Patch(ctx, []byte(`{"name":{"required":true},"sign_up":{"legal_consent_required":true},
			"username":{"enabled":true}}`)); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, ts)
		su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "req@example.com", "username": "Req.User"})
		if strings.Join(su.RequiredFields, ",") != "email_address,password,first_name,last_name,legal_accepted" ||
			strings.Join(su.OptionalFields, ",") != "username" ||
			strings.Join(su.MissingFields, ",") != "password,first_name,last_name,legal_accepted" || *su.Username != "req.user" {
			t.Fatalf("sign-up: required %v optional %v missing %v", su.RequiredFields, su.OptionalFields, su.MissingFields)
		}
		code := b.prepareCode(su.ID, "req@example.com")
		got, env := b.signUp("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification", map[string]any{"strategy": "email_code", "code": code})
		if got.Status != "missing_requirements" || len(got.UnverifiedFields) != 0 || got.Verifications.EmailAddress.Status != "verified" {
			t.Fatalf("after verification: %+v", got)
		}
		if len(env.Client.Sessions) != 0 {
			t.Fatalf("a session before the requirements are met")
		}
		// Trying the code again changes nothing.
		b.do("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification", map[string]any{"strategy": "email_code", "code": code}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationUsed, "code")
		b.do("POST", "/v1/client/sign_ups/"+su.ID+"/prepare_verification", map[string]any{"strategy": "email_code"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationUsed, "email_address")
		// Declining the terms leaves them missing; the same address keeps
		// its verification whatever its case.
		got, _ = b.signUp("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"first_name": "Rita", "last_name": "Quire",
			"legal_accepted": false, "email_address": "REQ@example.com", "password": testPassword})
		if got.Status != "missing_requirements" || strings.Join(got.MissingFields, ",") != "legal_accepted" ||
			len(got.UnverifiedFields) != 0 || got.LegalAcceptedAt != nil {
			t.Fatalf("after names: %+v", got)
		}
		done, env := b.signUp("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"legal_accepted": true})
		if done.Status != "complete" || done.LegalAcceptedAt == nil || len(env.Client.Sessions) != 1 {
			t.Fatalf("after consent: %+v", done)
		}
		u, err := ts.store.UserByID(ctx, *done.CreatedUserID)
		if err != nil || u.FirstName != "Rita" || u.LastName != "Quire" || u.Username() != "req.user" ||
			!strings.HasPrefix(u.PasswordHash, "$argon2id$") || u.PasswordUpdatedAt.IsZero() {
			t.Fatalf("user: %v %+v", err, u)
		}
		events, _ := ts.store.AuditEvents(ctx, u.ID, 10)
		found := false
		for _, e := range events {
			if e.Type == "sign_up.completed" {
				found = e.Data["legal_accepted_at"] == float64(*done.LegalAcceptedAt)
			}
		}
		if !found {
			t.Errorf("no legal_accepted_at in the sign_up.completed audit event: %+v", events)
		}
	})
}

func TestSignUpWithoutEmail(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.patchSettings(t, `{"email_address":{"enabled":false,"required":false,"used_for_sign_in":false},
			"username":{"enabled":true,"required":true,"used_for_sign_in":true},"phone_number":{"enabled":true}}`)
		b := newBrowser(t, ts)
		su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"phone_number": "+1 415 555 0100"})
		if strings.Join(su.MissingFields, ",") != "username,password" || *su.PhoneNumber != "+14155550100" {
			t.Fatalf("sign-up: %+v", su)
		}
		b.do("POST", "/v1/client/sign_ups/"+su.ID+"/prepare_verification", map[string]any{"strategy": "email_code"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "strategy")
		before := b.cookie(cookieClient)
		done, env := b.signUp("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"username": "linwu", "password": testPassword})
		if done.Status != "complete" || len(env.Client.Sessions) != 1 {
			t.Fatalf("after the last fields: %+v", done)
		}
		checkSignedInCookies(t, b, before, *done.CreatedUserID, *done.CreatedSessionID)
		u, err := ts.store.UserByID(context.Background(), *done.CreatedUserID)
		if err != nil || u.Username() != "linwu" || len(u.PhoneNumbers()) != 1 || u.PhoneNumbers()[0].Verification.Verified() {
			t.Errorf("user: %v %+v", err, u)
		}

		// An instance that requires nothing but a username completes at once.
		ts.patchSettings(t, `{"phone_number":{"enabled":false},"password":{"required":false}}`)
		b2 := newBrowser(t, ts)
		done, env = b2.signUp("POST", "/v1/client/sign_ups", map[string]any{"username": "instant"})
		if done.Status != "complete" || len(env.Client.Sessions) != 1 || b2.cookie(cookieSession) == "" {
			t.Fatalf("instant sign-up: %+v %+v", done, env.Client)
		}
		// A taken username is found before anything is created.
		b3 := newBrowser(t, ts)
		b3.do("POST", "/v1/client/sign_ups", map[string]any{"username": "INSTANT"}).
			wantError(t, http.StatusConflict, latchkey.CodeIdentifierExists, "username")
		if env := b3.call("GET", "/v1/client", nil, http.StatusOK); env.Client != nil {
			t.Errorf("a refused sign-up left a client")
		}
	})
}

func TestSignUpIdentifierTakenAtCompletion(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.patchSettings(t, noPassword)
		b := newBrowser(t, ts)
		su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "late@example.com"})
		code := b.prepareCode(su.ID, "late@example.com")
		// Someone else gets the address first (an operator, another sign-up).
		ts.createUser(t, map[string]any{"email_address": []string{"Late@Example.com"}})
		b.do("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification", map[string]any{"strategy": "email_code", "code": code}).
			wantError(t, http.StatusConflict, latchkey.CodeIdentifierExists, "email_address")
		// The sign-up stays open, verified, with no user or session made.
		got, env := b.signUp("GET", "/v1/client/sign_ups/"+su.ID, nil)
		if got.Status != "missing_requirements" || got.CreatedUserID != nil || len(got.UnverifiedFields) != 0 || len(env.Client.Sessions) != 0 {
			t.Fatalf("after the conflict: %+v", got)
		}
		if n, _ := ts.store.CountUsers(context.Background(), sqlstore.UserFilter{}); n != 1 {
			t.Errorf("%d users", n)
		}
		// Another address must be verified again, and then completes.
		got, _ = b.signUp("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"email_address": "late2@example.com"})
		if strings.Join(got.UnverifiedFields, ",") != "email_address" || got.Verifications.EmailAddress != nil {
			t.Fatalf("after changing the address: %+v", got)
		}
		b.do("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification", map[string]any{"strategy": "email_code", "code": code}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationMissing, "code")
		code = b.prepareCode(su.ID, "late2@example.com")
		done, _ := b.signUp("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification", map[string]any{"strategy": "email_code", "code": code})
		if done.Status != "complete" {
			t.Fatalf("after the new address: %+v", done)
		}
	})
}

func TestSignUpMultiSession(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.patchSettings(t, `{"password":{"required":false},"session":{"multi_session":true}}`)
		b := newBrowser(t, ts)
		var sessions []string
		for _, email := range []string{"one@example.com", "two@example.com"} {
			su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": email})
			code := b.prepareCode(su.ID, email)
			done, _ := b.signUp("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification", map[string]any{"strategy": "email_code", "code": code})
			sessions = append(sessions, *done.CreatedSessionID)
		}
		env := b.call("GET", "/v1/client", nil, http.StatusOK)
		if len(env.Client.Sessions) != 2 || env.Client.LastActiveSessionID != sessions[1] {
			t.Errorf("client: %+v, want both sessions, the newest active", env.Client)
		}
	})
}

// TestSignUpRateLimit checks the per-IP limit on creating sign-ups, which
// reveal whether an identifier is taken: probing for accounts is slowed
// down like any other sign-up.
func TestSignUpRateLimit(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.createUser(t, map[string]any{"email_address": []string{"known@example.com"}})
		b := newBrowser(t, ts)
		b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "new@example.com"})
		// A fixed window may start during the loop: the 429 comes by twice
		// the limit at the latest.
		var limited *response
		for i := 0; i < 2*auth.LimitCreatePerIP.Max+1 && limited == nil; i++ {
			res := b.do("POST", "/v1/client/sign_ups", map[string]any{"email_address": "known@example.com"})
			if res.Status == http.StatusTooManyRequests {
				limited = res
			} else {
				res.wantError(t, http.StatusConflict, latchkey.CodeIdentifierExists, "email_address")
			}
		}
		if limited == nil {
			t.Fatal("never rate limited")
		}
		limited.wantError(t, http.StatusTooManyRequests, latchkey.CodeRateLimited, "")
		if ra, err := strconv.Atoi(limited.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 61 {
			t.Errorf("Retry-After = %q, want the seconds left in the minute", limited.Header.Get("Retry-After"))
		}
		// Updates count against the same limit.
		env := b.call("GET", "/v1/client", nil, http.StatusOK)
		var su signUpView
		json.Unmarshal(env.Client.SignUp, &su)
		b.do("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"first_name": "X"}).
			wantError(t, http.StatusTooManyRequests, latchkey.CodeRateLimited, "")
	})
}
