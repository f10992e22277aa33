package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Scenario tests of the sign-in flows of the Frontend API, on every engine.

const (
	siPassword = "correct horse battery staple"
	siEmail    = "ada@example.com"
)

// signInUser creates a user who signs in with an email address and, unless
// pw is empty, a password.
func (ts *testServer) signInUser(t *testing.T, email, pw string) userJSON {
	t.Helper()
	fields := map[string]any{"email_address": []string{email}}
	if pw != "" {
		fields["password"] = pw
	}
	return ts.createUser(t, fields)
}

// signIn sends a sign-in request that must succeed and decodes the sign-in
// strictly.
func (b *browser) signIn(method, path string, body any) (signInJSON, *envelope) {
	b.t.Helper()
	env := b.call(method, path, body, http.StatusOK)
	var si signInJSON
	dec := json.NewDecoder(bytes.NewReader(env.Response))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&si); err != nil {
		b.t.Fatalf("%s %s: decode sign-in: %v; body: %s", method, path, err, env.Response)
	}
	if si.Object != "sign_in" || si.ID == "" {
		b.t.Fatalf("%s %s: not a sign-in: %s", method, path, env.Response)
	}
	return si, env
}

// startSignIn creates a sign-in for identifier.
func (b *browser) startSignIn(identifier string) signInJSON {
	b.t.Helper()
	si, _ := b.signIn("POST", "/v1/client/sign_ins", map[string]any{"identifier": identifier})
	return si
}

// sendSignIn is do for other goroutines: it returns the status and body.
func (b *browser) sendSignIn(method, path string, body any) (int, []byte, error) {
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(method, b.ts.url+path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", b.origin)
	res, err := b.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}

// signInMail returns the newest mail of kind to the address (sign-in mail
// goes out in the background; notices may follow it in any order).
func signInMail(t *testing.T, ts *testServer, to, kind string) sentMail {
	t.Helper()
	ts.signIns.WaitMail()
	ts.mails.mu.Lock()
	defer ts.mails.mu.Unlock()
	for i := len(ts.mails.sent) - 1; i >= 0; i-- {
		if m := ts.mails.sent[i]; strings.EqualFold(m.To, to) && m.Kind == kind {
			return m
		}
	}
	t.Fatalf("no %s mail to %s", kind, to)
	return sentMail{}
}

func mailCount(ts *testServer, to string) int {
	ts.signIns.WaitMail()
	return ts.mails.count(to)
}

func errorCodeOf(body []byte) latchkey.Code {
	var e errorBody
	json.Unmarshal(body, &e)
	if len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].Code
}

// offsetClock is real time plus an adjustable offset, for expiry tests.
type offsetClock struct {
	base func() time.Time
	off  atomic.Int64
}

func (c *offsetClock) now() time.Time          { return c.base().Add(time.Duration(c.off.Load())) }
func (c *offsetClock) advance(d time.Duration) { c.off.Add(int64(d)) }

// withOffsetClock gives the store and the sign-in service one adjustable
// clock; call it before the test's first request.
func withOffsetClock(ts *testServer) *offsetClock {
	c := &offsetClock{base: steadyClock()}
	ts.store.SetClock(c.now)
	ts.signIns.SetClock(c.now)
	return c
}

func TestSignInPassword(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.signInUser(t, siEmail, siPassword)
		b := newBrowser(t, ts)

		si := b.startSignIn("Ada@Example.com")
		if si.Status != latchkey.SignInNeedsFirstFactor || si.Identifier == nil || *si.Identifier != "Ada@example.com" {
			t.Fatalf("created: %+v", si)
		}
		var strategies []string
		for _, f := range si.SupportedFirstFactors {
			strategies = append(strategies, f.Strategy)
			if f.Strategy != "password" && f.SafeIdentifier != "A***@example.com" {
				t.Errorf("factor %s safe_identifier %q", f.Strategy, f.SafeIdentifier)
			}
			if f.EmailAddressID != "" {
				t.Errorf("factor %s reveals email_address_id under enumeration protection", f.Strategy)
			}
		}
		want := []string{"password", "email_code", "email_link", "reset_password_email_code", "reset_password_email_link"}
		if diff := cmp.Diff(want, strategies); diff != "" {
			t.Errorf("supported_first_factors (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"email_address"}, si.SupportedIdentifiers); diff != "" {
			t.Errorf("supported_identifiers (-want +got):\n%s", diff)
		}
		if si.FirstFactorVerification != nil || si.CreatedSessionID != nil {
			t.Errorf("fresh sign-in has verification or session: %+v", si)
		}
		if d := time.UnixMilli(si.ExpireAt).Sub(time.UnixMilli(si.CreatedAt)); d != 30*time.Minute {
			t.Errorf("sign-in lives %s, want 30m", d)
		}
		// The client now points at the sign-in.
		env := b.call("GET", "/v1/client", nil, http.StatusOK)
		if !strings.Contains(string(env.Client.SignIn), si.ID) {
			t.Errorf("client.sign_in = %s, want the sign-in", env.Client.SignIn)
		}
		before := b.cookie(cookieClient)
		path := "/v1/client/sign_ins/" + si.ID

		res := b.do("POST", path+"/attempt_first_factor", map[string]any{"strategy": "password", "password": "wrong password"})
		res.wantError(t, http.StatusUnprocessableEntity, latchkey.CodePasswordIncorrect, "password")

		done, env := b.signIn("POST", path+"/attempt_first_factor", map[string]any{"strategy": "password", "password": siPassword})
		if done.Status != latchkey.SignInComplete || done.CreatedSessionID == nil {
			t.Fatalf("after the right password: %+v", done)
		}
		if v := done.FirstFactorVerification; v == nil || v.Status != "verified" || v.Strategy != "password" {
			t.Errorf("first_factor_verification = %+v", v)
		}
		if env.Client == nil || len(env.Client.Sessions) != 1 || env.Client.Sessions[0].ID != *done.CreatedSessionID ||
			env.Client.Sessions[0].User.ID != u.ID || env.Client.LastActiveSessionID != *done.CreatedSessionID {
			t.Errorf("client after sign-in: %+v", env.Client)
		}
		if string(env.Client.SignIn) != "null" {
			t.Errorf("client.sign_in after completion = %s, want null", env.Client.SignIn)
		}
		if after := b.cookie(cookieClient); after == "" || after == before {
			t.Errorf("client credential not rotated at sign-in")
		}
		if b.cookie(cookieSession) == "" {
			t.Errorf("no session cookie after sign-in")
		}
		// The session works.
		b.call("GET", "/v1/me/sessions", nil, http.StatusOK)
		// The failed attempt was counted, and the success reset the count.
		if got, _ := ts.store.UserByID(context.Background(), u.ID); got.FailedSignIns != 0 || got.LastSignInAt.IsZero() {
			t.Errorf("after success: failed_sign_ins %d, last_sign_in_at %v", got.FailedSignIns, got.LastSignInAt)
		}
		events, _ := ts.store.AuditEvents(context.Background(), u.ID, 20)
		found := false
		for _, e := range events {
			found = found || (e.Type == "sign_in.completed" && e.Data["strategy"] == "password")
		}
		if !found {
			t.Errorf("no sign_in.completed audit event")
		}
		// The attempt is over.
		res = b.do("POST", path+"/attempt_first_factor", map[string]any{"strategy": "password", "password": siPassword})
		res.wantError(t, http.StatusUnprocessableEntity, latchkey.CodeSessionExists, "")
		// Single-session mode: a signed-in browser cannot start another.
		res = b.do("POST", "/v1/client/sign_ins", map[string]any{"identifier": siEmail})
		res.wantError(t, http.StatusUnprocessableEntity, latchkey.CodeSessionExists, "")
		// The first sign-in ever sends no new-device notice.
		if n := mailCount(ts, siEmail); n != 0 {
			t.Errorf("%d mails after the first sign-in, want none", n)
		}

		// One step, from another browser: a new device.
		b2 := newBrowser(t, ts)
		done2, env2 := b2.signIn("POST", "/v1/client/sign_ins", map[string]any{"strategy": "password", "identifier": siEmail, "password": siPassword})
		if done2.Status != latchkey.SignInComplete || len(env2.Client.Sessions) != 1 {
			t.Fatalf("one-step sign-in: %+v", done2)
		}
		m := signInMail(t, ts, siEmail, "new_device_sign_in")
		if m.Data["ip"] != "127.0.0.1" || m.Data["time"] == "" {
			t.Errorf("new-device mail data %v", m.Data)
		}
		// A password alone implies the strategy; a wrong one in one step
		// still leaves the browser its client and sign-in.
		b3 := newBrowser(t, ts)
		res = b3.do("POST", "/v1/client/sign_ins", map[string]any{"identifier": siEmail, "password": "not it at all"})
		res.wantError(t, http.StatusUnprocessableEntity, latchkey.CodePasswordIncorrect, "password")
		env3 := b3.call("GET", "/v1/client", nil, http.StatusOK)
		if env3.Client == nil || !strings.Contains(string(env3.Client.SignIn), `"needs_first_factor"`) {
			t.Errorf("after a failed one-step sign-in the browser has no client or sign-in: %+v", env3.Client)
		}
	})
}

func TestSignInMultiSession(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.patchSettings(t, `{"session":{"multi_session":true}}`)
		ts.signInUser(t, siEmail, siPassword)
		ts.signInUser(t, "grace@example.com", siPassword)
		b := newBrowser(t, ts)
		body := func(email string) map[string]any {
			return map[string]any{"strategy": "password", "identifier": email, "password": siPassword}
		}
		b.signIn("POST", "/v1/client/sign_ins", body(siEmail))
		_, env := b.signIn("POST", "/v1/client/sign_ins", body("grace@example.com"))
		if len(env.Client.Sessions) != 2 {
			t.Fatalf("multi-session: %d sessions, want 2", len(env.Client.Sessions))
		}
		// The same account twice on one browser is refused.
		res := b.do("POST", "/v1/client/sign_ins", body(siEmail))
		res.wantError(t, http.StatusUnprocessableEntity, latchkey.CodeSessionExists, "")
	})
}

func TestSignInNeedsIdentifierAndGet(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		b := newBrowser(t, ts)
		si, _ := b.signIn("POST", "/v1/client/sign_ins", nil)
		if si.Status != latchkey.SignInNeedsIdentifier || si.Identifier != nil || len(si.SupportedFirstFactors) != 0 {
			t.Fatalf("without identifier: %+v", si)
		}
		got, _ := b.signIn("GET", "/v1/client/sign_ins/"+si.ID, nil)
		if got.ID != si.ID {
			t.Errorf("GET returned %s", got.ID)
		}
		res := b.do("POST", "/v1/client/sign_ins/"+si.ID+"/prepare_first_factor", map[string]any{"strategy": "email_code"})
		res.wantError(t, http.StatusUnprocessableEntity, latchkey.CodeIdentifierRequired, "identifier")
		res = b.do("POST", "/v1/client/sign_ins/"+si.ID+"/attempt_first_factor", map[string]any{"strategy": "password", "password": "x"})
		res.wantError(t, http.StatusUnprocessableEntity, latchkey.CodeIdentifierRequired, "identifier")
		// Another browser cannot see or use it.
		other := newBrowser(t, ts)
		other.do("GET", "/v1/client/sign_ins/"+si.ID, nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		other.startSignIn(siEmail)
		other.do("GET", "/v1/client/sign_ins/"+si.ID, nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		other.do("POST", "/v1/client/sign_ins/"+si.ID+"/attempt_first_factor", map[string]any{"strategy": "password", "password": "x"}).
			wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
	})
}

func TestSignInBadInput(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.signInUser(t, siEmail, "")
		b := newBrowser(t, ts)
		si := b.startSignIn(siEmail)
		p := "/v1/client/sign_ins/" + si.ID
		tests := []struct {
			name   string
			path   string
			body   any
			status int
			code   latchkey.Code
			param  string
		}{
			{"not json", "/v1/client/sign_ins", "{", 400, latchkey.CodeRequestBodyInvalid, ""},
			{"unknown field", "/v1/client/sign_ins", map[string]any{"identifier": siEmail, "remember": true}, 400, latchkey.CodeFormParamUnknown, "remember"},
			{"identifier not a string", "/v1/client/sign_ins", map[string]any{"identifier": 5}, 400, latchkey.CodeFormParamInvalid, "identifier"},
			{"bad email", "/v1/client/sign_ins", map[string]any{"identifier": "a@@b"}, 400, latchkey.CodeFormParamInvalid, "identifier"},
			{"bad phone", "/v1/client/sign_ins", map[string]any{"identifier": "+12x"}, 422, latchkey.CodeIdentifierDisabled, "identifier"},
			{"username disabled", "/v1/client/sign_ins", map[string]any{"identifier": "ada"}, 422, latchkey.CodeIdentifierDisabled, "identifier"},
			{"huge identifier", "/v1/client/sign_ins", map[string]any{"identifier": strings.Repeat("a", 400) + "@x.io"}, 400, latchkey.CodeFormParamInvalid, "identifier"},
			{"unknown strategy", "/v1/client/sign_ins", map[string]any{"identifier": siEmail, "strategy": "oauth_google"}, 422, latchkey.CodeStrategyNotAllowed, "strategy"},
			{"strategy without identifier", "/v1/client/sign_ins", map[string]any{"strategy": "password", "password": "x"}, 422, latchkey.CodeIdentifierRequired, "identifier"},
			{"password strategy without password", "/v1/client/sign_ins", map[string]any{"identifier": siEmail, "strategy": "password"}, 400, latchkey.CodeFormParamMissing, "password"},
			{"password with code strategy", "/v1/client/sign_ins", map[string]any{"identifier": siEmail, "strategy": "email_code", "password": "x"}, 400, latchkey.CodeFormParamValue, "password"},
			{"redirect not allowed", "/v1/client/sign_ins", map[string]any{"identifier": siEmail, "redirect_url": "https://evil.example/x"}, 400, latchkey.CodeRedirectNotAllowed, "redirect_url"},
			{"prepare empty body", p + "/prepare_first_factor", nil, 400, latchkey.CodeRequestBodyInvalid, ""},
			{"prepare without strategy", p + "/prepare_first_factor", map[string]any{}, 400, latchkey.CodeFormParamMissing, "strategy"},
			{"prepare password", p + "/prepare_first_factor", map[string]any{"strategy": "password"}, 422, latchkey.CodeStrategyNotAllowed, "strategy"},
			{"prepare unknown strategy", p + "/prepare_first_factor", map[string]any{"strategy": "phone_code"}, 422, latchkey.CodeStrategyNotAllowed, "strategy"},
			{"prepare bad redirect", p + "/prepare_first_factor", map[string]any{"strategy": "email_link", "redirect_url": "javascript:alert(1)"}, 400, latchkey.CodeRedirectNotAllowed, "redirect_url"},
			{"attempt without strategy", p + "/attempt_first_factor", map[string]any{"code": "123456"}, 400, latchkey.CodeFormParamMissing, "strategy"},
			{"attempt a link", p + "/attempt_first_factor", map[string]any{"strategy": "email_link"}, 422, latchkey.CodeStrategyNotAllowed, "strategy"},
			{"attempt without password", p + "/attempt_first_factor", map[string]any{"strategy": "password"}, 400, latchkey.CodeFormParamMissing, "password"},
			{"attempt without code", p + "/attempt_first_factor", map[string]any{"strategy": "email_code", "code": "  "}, 400, latchkey.CodeFormParamMissing, "code"},
			{"attempt code never sent", p + "/attempt_first_factor", map[string]any{"strategy": "email_code", "code": "123456"}, 422, latchkey.CodeVerificationMissing, "code"},
			{"attempt bad strategy", p + "/attempt_first_factor", map[string]any{"strategy": "ticket"}, 422, latchkey.CodeStrategyNotAllowed, "strategy"},
			{"reset before verifying", p + "/reset_password", map[string]any{"password": "a new long password"}, 422, latchkey.CodeStrategyNotAllowed, ""},
			{"unknown sign-in", "/v1/client/sign_ins/sia_nope/attempt_first_factor", map[string]any{"strategy": "password", "password": "x"}, 404, latchkey.CodeResourceNotFound, "id"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				bb := &browser{t: t, ts: ts, hc: b.hc, origin: b.origin}
				bb.do("POST", tc.path, tc.body).wantError(t, tc.status, tc.code, tc.param)
			})
		}
		// A text body is not JSON.
		res := b.do("POST", "/v1/client/sign_ins", "identifier=x", "Content-Type", "text/plain")
		res.wantError(t, http.StatusUnsupportedMediaType, latchkey.CodeUnsupportedMediaType, "")
		// A foreign origin cannot start a sign-in.
		evil := &browser{t: t, ts: ts, hc: b.hc, origin: "https://evil.example"}
		evil.do("POST", "/v1/client/sign_ins", map[string]any{"identifier": siEmail}).wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
	})
}

// shapeOf replaces the values of a JSON document that legitimately differ
// between two sign-ins (IDs, times, the identifier itself) so two documents
// can be compared for everything else.
func shapeOf(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	var walk func(key string, v any) any
	walk = func(key string, v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				x[k] = walk(k, val)
			}
			return x
		case []any:
			for i, val := range x {
				x[i] = walk(key, val)
			}
			return x
		case string:
			switch key {
			case "id", "identifier", "safe_identifier", "trace_id", "long_message":
				return "<" + key + ">"
			}
			return x
		case float64:
			if strings.HasSuffix(key, "_at") {
				return "<time>"
			}
			return x
		}
		return v
	}
	return walk("", v)
}

// TestSignInEnumerationSafety checks that an unknown email address is
// answered exactly like a known one, step by step: same statuses, same
// shapes, same factors, same errors, and no mail.
func TestSignInEnumerationSafety(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.signInUser(t, siEmail, siPassword)
		ts.patchSettings(t, `{"sign_in":{"lockout_threshold":3}}`)

		type step struct {
			status int
			shape  any
		}
		run := func(email string) []step {
			b := newBrowser(t, ts)
			var steps []step
			record := func(res *response) {
				var env struct {
					Response json.RawMessage `json:"response"`
					Errors   json.RawMessage `json:"errors"`
				}
				json.Unmarshal(res.Body, &env)
				body := env.Response
				if res.Status >= 400 {
					body = env.Errors
				}
				steps = append(steps, step{res.Status, shapeOf(t, body)})
			}
			res := b.do("POST", "/v1/client/sign_ins", map[string]any{"identifier": email})
			record(res)
			id := res.object(t)["response"].(map[string]any)["id"].(string)
			p := "/v1/client/sign_ins/" + id
			record(b.do("POST", p+"/attempt_first_factor", map[string]any{"strategy": "password", "password": "wrong password 1"}))
			record(b.do("POST", p+"/prepare_first_factor", map[string]any{"strategy": "email_code"}))
			record(b.do("POST", p+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": "000000"}))
			record(b.do("GET", p, nil))
			record(b.do("POST", p+"/prepare_first_factor", map[string]any{"strategy": "email_link"}))
			record(b.do("GET", p, nil))
			// The third failure locks (lockout_threshold 3), real or simulated.
			record(b.do("POST", p+"/attempt_first_factor", map[string]any{"strategy": "password", "password": "wrong password 2"}))
			record(b.do("POST", p+"/attempt_first_factor", map[string]any{"strategy": "password", "password": siPassword}))
			return steps
		}
		known, unknown := run(siEmail), run("nobody@example.com")
		if diff := cmp.Diff(known, unknown, cmp.AllowUnexported(step{})); diff != "" {
			t.Errorf("known and unknown identifiers are answered differently (-known +unknown):\n%s", diff)
		}
		if known[0].status != 200 || known[1].status != 422 || known[2].status != 200 || known[3].status != 422 ||
			known[7].status != 403 || known[8].status != 403 {
			t.Errorf("unexpected statuses: %+v", known)
		}
		// Only the real account got mail.
		if n := mailCount(ts, "nobody@example.com"); n != 0 {
			t.Errorf("%d mails to an unknown address", n)
		}
		if n := mailCount(ts, siEmail); n != 2 {
			t.Errorf("%d mails to the known address, want 2 (code, link)", n)
		}

		// With protection off, an unknown identifier is said to be unknown,
		// and the factors name the email address's ID.
		ts.patchSettings(t, `{"sign_in":{"enumeration_protection":false}}`)
		b := newBrowser(t, ts)
		b.do("POST", "/v1/client/sign_ins", map[string]any{"identifier": "nobody@example.com"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeIdentifierNotFound, "identifier")
		si := b.startSignIn(siEmail)
		if si.SupportedFirstFactors[1].EmailAddressID == "" {
			t.Errorf("no email_address_id with protection off: %+v", si.SupportedFirstFactors)
		}
	})
}

func TestSignInEmailCode(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.signInUser(t, siEmail, "")
		b := newBrowser(t, ts)
		si := b.startSignIn(siEmail)
		p := "/v1/client/sign_ins/" + si.ID
		prep, _ := b.signIn("POST", p+"/prepare_first_factor", map[string]any{"strategy": "email_code", "email_address_id": "ignored"})
		v := prep.FirstFactorVerification
		if v == nil || v.Status != "unverified" || v.Strategy != "email_code" || v.Attempts == nil || *v.Attempts != 0 || v.ExpireAt == nil {
			t.Fatalf("after prepare: %+v", v)
		}
		if d := time.Until(time.UnixMilli(*v.ExpireAt)); d < 9*time.Minute || d > 11*time.Minute {
			t.Errorf("code expires in %s, want 10m", d)
		}
		m := signInMail(t, ts, siEmail, "verification_code")
		code := m.Data["code"]
		if len(code) != 6 || !sixDigits.MatchString(code) || m.Data["expires_in_minutes"] != "10" || m.Data["purpose"] != "sign_in" {
			t.Fatalf("mail data %v", m.Data)
		}
		wrong := fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1000000)
		res := b.do("POST", p+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": wrong})
		res.wantError(t, http.StatusUnprocessableEntity, latchkey.CodeCodeIncorrect, "code")
		if e := res.firstError(t); !strings.Contains(e.LongMessage, "2 attempts left") {
			t.Errorf("long_message %q does not say how many attempts are left", e.LongMessage)
		}
		got, _ := b.signIn("GET", p, nil)
		if a := got.FirstFactorVerification.Attempts; a == nil || *a != 1 {
			t.Errorf("attempts after one wrong code: %v", a)
		}
		done, env := b.signIn("POST", p+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": " " + code + " "})
		if done.Status != latchkey.SignInComplete || env.Client.Sessions[0].User.ID != u.ID {
			t.Fatalf("after the right code: %+v", done)
		}
		if done.FirstFactorVerification.Status != "verified" {
			t.Errorf("verification %+v", done.FirstFactorVerification)
		}
		// Single use.
		b.do("POST", p+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": code}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationUsed, "code")
		// The wrong code counted towards lockout; the success reset it.
		if got, _ := ts.store.UserByID(context.Background(), u.ID); got.FailedSignIns != 0 {
			t.Errorf("failed_sign_ins %d after success", got.FailedSignIns)
		}

		// Three wrong codes use the code up; a new code replaces the old.
		b2 := newBrowser(t, ts)
		si2 := b2.startSignIn(siEmail)
		p2 := "/v1/client/sign_ins/" + si2.ID
		b2.signIn("POST", p2+"/prepare_first_factor", map[string]any{"strategy": "email_code"})
		first := signInMail(t, ts, siEmail, "verification_code").Data["code"]
		b2.signIn("POST", p2+"/prepare_first_factor", map[string]any{"strategy": "email_code"})
		second := signInMail(t, ts, siEmail, "verification_code").Data["code"]
		if first != second {
			b2.do("POST", p2+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": first}).
				wantError(t, http.StatusUnprocessableEntity, latchkey.CodeCodeIncorrect, "code")
		} else {
			b2.do("POST", p2+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": "x"}).
				wantError(t, http.StatusUnprocessableEntity, latchkey.CodeCodeIncorrect, "code")
		}
		wrong = fmt.Sprintf("%06d", (mustAtoi(t, second)+1)%1000000)
		b2.do("POST", p2+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": wrong}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeCodeIncorrect, "code")
		b2.do("POST", p2+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": wrong}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationFailed, "code")
		b2.do("POST", p2+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": second}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationFailed, "code")
		got2, _ := b2.signIn("GET", p2, nil)
		if got2.FirstFactorVerification == nil || got2.FirstFactorVerification.Status != "failed" {
			t.Errorf("verification after three wrong codes: %+v", got2.FirstFactorVerification)
		}
		if fresh, _ := ts.store.UserByID(context.Background(), u.ID); fresh.FailedSignIns != 3 {
			t.Errorf("failed_sign_ins %d after three wrong codes, want 3", fresh.FailedSignIns)
		}
		// An email-code attempt on a link challenge is missing its code.
		b2.signIn("POST", p2+"/prepare_first_factor", map[string]any{"strategy": "email_link"})
		b2.do("POST", p2+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": second}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationMissing, "code")
		// And with email codes turned off, the strategy is gone.
		ts.patchSettings(t, `{"sign_in":{"email_code":false}}`)
		b2.do("POST", p2+"/prepare_first_factor", map[string]any{"strategy": "email_code"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "strategy")
	})
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("atoi %q: %v", s, err)
	}
	return n
}

// TestSignInCodeConcurrentUse sends one correct code from many requests at
// once: exactly one completes, the others find it used, and there is one
// session.
func TestSignInCodeConcurrentUse(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.signInUser(t, siEmail, "")
		b := newBrowser(t, ts)
		si := b.startSignIn(siEmail)
		p := "/v1/client/sign_ins/" + si.ID
		b.signIn("POST", p+"/prepare_first_factor", map[string]any{"strategy": "email_code"})
		code := signInMail(t, ts, siEmail, "verification_code").Data["code"]

		const n = 10
		var wg sync.WaitGroup
		statuses := make([]int, n)
		codes := make([]latchkey.Code, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				st, body, err := b.sendSignIn("POST", p+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": code})
				if err != nil {
					t.Errorf("attempt: %v", err)
					return
				}
				statuses[i], codes[i] = st, errorCodeOf(body)
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for i := range n {
			switch {
			case statuses[i] == http.StatusOK:
				ok++
			case statuses[i] == http.StatusUnprocessableEntity && codes[i] == latchkey.CodeVerificationUsed:
			default:
				t.Errorf("attempt %d: %d %s", i, statuses[i], codes[i])
			}
		}
		if ok != 1 {
			t.Errorf("%d attempts succeeded, want exactly 1", ok)
		}
		sessions, total, err := ts.store.Sessions(context.Background(), sqlstore.SessionFilter{UserID: u.ID})
		if err != nil || total != 1 {
			t.Errorf("user has %d sessions (%v), want 1: %v", total, err, sessions)
		}
	})
}

// TestSignInLockoutConcurrent sends many wrong passwords at once across the
// lockout threshold: every failure is counted, the user ends up locked, and
// then even the right password is refused until an operator unlocks.
func TestSignInLockoutConcurrent(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.signInUser(t, siEmail, siPassword)
		b := newBrowser(t, ts)
		si := b.startSignIn(siEmail)
		p := "/v1/client/sign_ins/" + si.ID

		const n = 16 // threshold 10; the per-identifier limit is 20 attempts
		var wg sync.WaitGroup
		var locked, incorrect atomic.Int32
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				st, body, err := b.sendSignIn("POST", p+"/attempt_first_factor", map[string]any{"strategy": "password", "password": fmt.Sprintf("wrong password %d", i)})
				if err != nil {
					t.Errorf("attempt: %v", err)
					return
				}
				switch c := errorCodeOf(body); {
				case st == http.StatusForbidden && c == latchkey.CodeUserLocked:
					locked.Add(1)
				case st == http.StatusUnprocessableEntity && c == latchkey.CodePasswordIncorrect:
					incorrect.Add(1)
				default:
					t.Errorf("wrong password: %d %s", st, body)
				}
			}()
		}
		close(start)
		wg.Wait()
		got, err := ts.store.UserByID(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Locked || got.FailedSignIns < 10 || got.LockoutExpiresAt.IsZero() {
			t.Fatalf("after %d wrong passwords: locked %v, failed %d, until %v", n, got.Locked, got.FailedSignIns, got.LockoutExpiresAt)
		}
		if locked.Load() == 0 || incorrect.Load() > 9 {
			t.Errorf("%d answered user_locked, %d form_password_incorrect; want at most 9 incorrect", locked.Load(), incorrect.Load())
		}
		res := b.do("POST", p+"/attempt_first_factor", map[string]any{"strategy": "password", "password": siPassword})
		res.wantError(t, http.StatusForbidden, latchkey.CodeUserLocked, "")
		if e := res.firstError(t); !strings.Contains(e.LongMessage, "minutes") {
			t.Errorf("user_locked long_message %q does not say when", e.LongMessage)
		}
		// Codes are refused too.
		b.signIn("POST", p+"/prepare_first_factor", map[string]any{"strategy": "email_code"})
		code := signInMail(t, ts, siEmail, "verification_code").Data["code"]
		b.do("POST", p+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": code}).
			wantError(t, http.StatusForbidden, latchkey.CodeUserLocked, "")
		// An operator unlocks; the right password works again.
		ts.as(t).do("POST", "/api/v1/users/"+u.ID+"/unlock", nil).wantStatus(t, http.StatusOK)
		done, _ := b.signIn("POST", p+"/attempt_first_factor", map[string]any{"strategy": "password", "password": siPassword})
		if done.Status != latchkey.SignInComplete {
			t.Errorf("after unlock: %+v", done)
		}
	})
}

// TestSignInLockoutExpiry checks that an automatic lockout ends by itself
// and the count starts again.
func TestSignInLockoutExpiry(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		clock := withOffsetClock(ts)
		ts.patchSettings(t, `{"sign_in":{"lockout_threshold":2,"lockout_seconds":600}}`)
		u := ts.signInUser(t, siEmail, siPassword)
		b := newBrowser(t, ts)
		attempt := func(pw string) *response {
			si := b.startSignIn(siEmail)
			return b.do("POST", "/v1/client/sign_ins/"+si.ID+"/attempt_first_factor", map[string]any{"strategy": "password", "password": pw})
		}
		attempt("wrong one").wantError(t, http.StatusUnprocessableEntity, latchkey.CodePasswordIncorrect, "password")
		attempt("wrong two").wantError(t, http.StatusForbidden, latchkey.CodeUserLocked, "")
		attempt(siPassword).wantError(t, http.StatusForbidden, latchkey.CodeUserLocked, "")
		clock.advance(11 * time.Minute)
		// The lockout has passed: one failure does not lock again at once.
		attempt("wrong three").wantError(t, http.StatusUnprocessableEntity, latchkey.CodePasswordIncorrect, "password")
		if got, _ := ts.store.UserByID(context.Background(), u.ID); got.Locked || got.FailedSignIns != 1 {
			t.Errorf("after the lockout passed and one failure: locked %v, failed %d", got.Locked, got.FailedSignIns)
		}
		si := b.startSignIn(siEmail)
		done, _ := b.signIn("POST", "/v1/client/sign_ins/"+si.ID+"/attempt_first_factor", map[string]any{"strategy": "password", "password": siPassword})
		if done.Status != latchkey.SignInComplete {
			t.Errorf("after the lockout: %+v", done)
		}
	})
}

func TestSignInExpiry(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		clock := withOffsetClock(ts)
		ts.signInUser(t, siEmail, "")
		b := newBrowser(t, ts)
		si := b.startSignIn(siEmail)
		p := "/v1/client/sign_ins/" + si.ID
		b.signIn("POST", p+"/prepare_first_factor", map[string]any{"strategy": "email_code"})
		code := signInMail(t, ts, siEmail, "verification_code").Data["code"]
		clock.advance(11 * time.Minute)
		got, _ := b.signIn("GET", p, nil)
		if got.FirstFactorVerification == nil || got.FirstFactorVerification.Status != "expired" {
			t.Errorf("verification after 11 minutes: %+v", got.FirstFactorVerification)
		}
		b.do("POST", p+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": code}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationExpired, "code")
		clock.advance(20 * time.Minute)
		b.do("POST", p+"/prepare_first_factor", map[string]any{"strategy": "email_code"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeAttemptExpired, "")
		b.do("POST", p+"/attempt_first_factor", map[string]any{"strategy": "email_code", "code": code}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeAttemptExpired, "")
	})
}

func TestSignInRateLimit(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.signInUser(t, siEmail, "")
		b := newBrowser(t, ts)
		si := b.startSignIn(siEmail)
		p := "/v1/client/sign_ins/" + si.ID + "/prepare_first_factor"
		for range 5 { // LimitSendPerIdentifier: 5 per 10 minutes
			b.signIn("POST", p, map[string]any{"strategy": "email_code"})
		}
		res := b.do("POST", p, map[string]any{"strategy": "email_code"})
		res.wantError(t, http.StatusTooManyRequests, latchkey.CodeRateLimited, "")
		if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || n < 1 || n > 600 {
			t.Errorf("Retry-After = %q, want seconds", res.Header.Get("Retry-After"))
		}
		// The limit is per identifier (hashed): another address is not limited.
		b2 := newBrowser(t, ts)
		si2 := b2.startSignIn("grace@example.com")
		b2.signIn("POST", "/v1/client/sign_ins/"+si2.ID+"/prepare_first_factor", map[string]any{"strategy": "email_code"})
		if n := mailCount(ts, siEmail); n != 5 {
			t.Errorf("%d mails, want 5 (the limited request sent none)", n)
		}
	})
}
