package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// signUpView is a sign-up as the Frontend API returns it.
type signUpView struct {
	Object           string   `json:"object"`
	ID               string   `json:"id"`
	Status           string   `json:"status"`
	RequiredFields   []string `json:"required_fields"`
	OptionalFields   []string `json:"optional_fields"`
	MissingFields    []string `json:"missing_fields"`
	UnverifiedFields []string `json:"unverified_fields"`
	Verifications    struct {
		EmailAddress *struct {
			Status     string `json:"status"`
			Strategy   string `json:"strategy"`
			Attempts   *int   `json:"attempts"`
			ExpireAt   *int64 `json:"expire_at"`
			VerifiedAt *int64 `json:"verified_at"`
		} `json:"email_address"`
		ExternalAccount *socialVerificationJSON `json:"external_account"`
	} `json:"verifications"`
	Username         *string         `json:"username"`
	EmailAddress     *string         `json:"email_address"`
	PhoneNumber      *string         `json:"phone_number"`
	FirstName        *string         `json:"first_name"`
	LastName         *string         `json:"last_name"`
	HasPassword      bool            `json:"has_password"`
	UnsafeMetadata   json.RawMessage `json:"unsafe_metadata"`
	LegalAcceptedAt  *int64          `json:"legal_accepted_at"`
	CreatedUserID    *string         `json:"created_user_id"`
	CreatedSessionID *string         `json:"created_session_id"`
	AbandonAt        int64           `json:"abandon_at"`
	ExpireAt         int64           `json:"expire_at"`
	CreatedAt        int64           `json:"created_at"`
	UpdatedAt        int64           `json:"updated_at"`
}

// signUp sends a sign-up request, wants status 200 and returns the sign-up
// and the envelope.
func (b *browser) signUp(method, path string, body any) (*signUpView, *envelope) {
	b.t.Helper()
	env := b.call(method, path, body, http.StatusOK)
	var su signUpView
	dec := json.NewDecoder(bytes.NewReader(env.Response))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&su); err != nil {
		b.t.Fatalf("%s %s: decode sign-up: %v; body: %s", method, path, err, env.Response)
	}
	if su.Object != "sign_up" || su.ID == "" {
		b.t.Fatalf("%s %s: not a sign-up: %s", method, path, env.Response)
	}
	return &su, env
}

// send is do for other goroutines: no test helpers, errors returned.
func (b *browser) send(method, path string, body any) (int, []byte, error) {
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

// prepareCode asks for an email code and returns it from the mail.
func (b *browser) prepareCode(id, email string) string {
	b.t.Helper()
	b.signUp("POST", "/v1/client/sign_ups/"+id+"/prepare_verification", map[string]any{"strategy": "email_code"})
	code := b.ts.mails.last(b.t, email).Data["code"]
	if !sixDigits.MatchString(code) || len(code) != 6 {
		b.t.Fatalf("mailed code %q is not 6 digits", code)
	}
	return code
}

// testPassword passes every rule: long enough, not common, nothing personal.
const testPassword = "violet-harbor-sunrise-42"

// noPassword makes passwords optional, so scenarios that are not about them
// spend no time hashing.
const noPassword = `{"password":{"required":false}}`

func TestSignUpEmailCode(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		b := newBrowser(t, ts)
		su, env := b.signUp("POST", "/v1/client/sign_ups", map[string]any{
			"email_address": "Ada@Example.com", "password": testPassword, "first_name": " Ada ",
			"unsafe_metadata": map[string]any{"plan": "pro"},
		})
		if su.Status != "missing_requirements" || *su.EmailAddress != "Ada@example.com" || !su.HasPassword ||
			*su.FirstName != "Ada" || string(su.UnsafeMetadata) != `{"plan":"pro"}` {
			t.Fatalf("created sign-up: %+v", su)
		}
		if strings.Join(su.RequiredFields, ",") != "email_address,password" ||
			strings.Join(su.OptionalFields, ",") != "first_name,last_name" ||
			len(su.MissingFields) != 0 || strings.Join(su.UnverifiedFields, ",") != "email_address" ||
			su.Verifications.EmailAddress != nil {
			t.Errorf("fields: required %v optional %v missing %v unverified %v verification %+v",
				su.RequiredFields, su.OptionalFields, su.MissingFields, su.UnverifiedFields, su.Verifications.EmailAddress)
		}
		if d := time.Duration(su.ExpireAt-su.CreatedAt) * time.Millisecond; d < auth.SignUpLifetime-5*time.Second ||
			d > auth.SignUpLifetime+5*time.Second || su.AbandonAt != su.ExpireAt {
			t.Errorf("expire_at %d, created_at %d", su.ExpireAt, su.CreatedAt)
		}
		// Only the hash is kept, and it never leaves the server.
		stored, err := ts.store.SignUpByID(context.Background(), su.ID)
		if err != nil || !strings.HasPrefix(stored.PasswordHash, "$argon2id$") {
			t.Fatalf("stored sign-up: %v %+v", err, stored)
		}
		if bytes.Contains(env.Response, []byte("argon2")) || bytes.Contains(env.Response, []byte(testPassword)) {
			t.Errorf("the response shows the password or its hash: %s", env.Response)
		}
		// The new client holds the sign-up; nobody is signed in yet.
		if env.Client == nil || len(env.Client.Sessions) != 0 || !bytes.Contains(env.Client.SignUp, []byte(su.ID)) {
			t.Fatalf("client after create: %+v", env.Client)
		}
		credential := b.cookie(cookieClient)
		if credential == "" || b.cookie(cookieUAT) != "0" {
			t.Fatalf("cookies after create: client %q uat %q", credential, b.cookie(cookieUAT))
		}

		code := b.prepareCode(su.ID, "ada@example.com")
		mail := ts.mails.last(t, "ada@example.com")
		if mail.Kind != auth.MailVerificationCode || mail.To != "Ada@example.com" ||
			mail.Data["expires_in_minutes"] != "10" || mail.Data["purpose"] != "sign_up" {
			t.Errorf("mail: %+v", mail)
		}
		got, _ := b.signUp("GET", "/v1/client/sign_ups/"+su.ID, nil)
		if v := got.Verifications.EmailAddress; v == nil || v.Status != "unverified" || v.Strategy != "email_code" ||
			*v.Attempts != 0 || v.ExpireAt == nil || *v.ExpireAt <= got.UpdatedAt {
			t.Errorf("verification after prepare: %+v", v)
		}

		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		res := b.do("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification", map[string]any{"strategy": "email_code", "code": wrong})
		res.wantError(t, http.StatusUnprocessableEntity, latchkey.CodeCodeIncorrect, "code")
		if e := res.firstError(t); !strings.Contains(e.LongMessage, "2 attempts left") {
			t.Errorf("long message %q", e.LongMessage)
		}

		done, env := b.signUp("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification", map[string]any{"strategy": "email_code", "code": " " + code + " "})
		if done.Status != "complete" || done.CreatedUserID == nil || done.CreatedSessionID == nil ||
			len(done.UnverifiedFields) != 0 || len(done.MissingFields) != 0 {
			t.Fatalf("after the right code: %+v", done)
		}
		if v := done.Verifications.EmailAddress; v == nil || v.Status != "verified" || v.Strategy != "email_code" || *v.Attempts != 1 {
			t.Errorf("verification after attempt: %+v", v)
		}
		userID, sessionID := *done.CreatedUserID, *done.CreatedSessionID
		if env.Client.LastActiveSessionID != sessionID || len(env.Client.Sessions) != 1 ||
			env.Client.Sessions[0].User.ID != userID || string(env.Client.SignUp) != "null" {
			t.Errorf("client after completion: %+v", env.Client)
		}
		checkSignedInCookies(t, b, credential, userID, sessionID)
		checkSignedUpUser(t, ts, b, userID, "Ada@example.com", "email_code")

		// The person is signed in: nothing more to do on this sign-up.
		b.do("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"first_name": "X"}).
			wantError(t, http.StatusForbidden, latchkey.CodeForbidden, "")
		b.do("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification", map[string]any{"strategy": "email_code", "code": code}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationUsed, "code")
		b.do("POST", "/v1/client/sign_ups/"+su.ID+"/prepare_verification", map[string]any{"strategy": "email_code"}).
			wantError(t, http.StatusForbidden, latchkey.CodeForbidden, "")
		// Its record stays readable, complete.
		if again, _ := b.signUp("GET", "/v1/client/sign_ups/"+su.ID, nil); again.Status != "complete" {
			t.Errorf("GET after completion: %s", again.Status)
		}
		// In single-session mode, a signed-in browser cannot start another.
		b.do("POST", "/v1/client/sign_ups", map[string]any{"email_address": "other@example.com"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeSessionExists, "")

		events, err := ts.store.AuditEvents(context.Background(), userID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var completed *sqlstore.AuditEvent
		for _, e := range events {
			if e.Type == "sign_up.completed" {
				completed = e
			}
		}
		if completed == nil || completed.SessionID != sessionID || completed.Data["sign_up_id"] != su.ID ||
			completed.Data["verification_strategy"] != "email_code" {
			t.Errorf("audit: %+v", completed)
		}
	})
}

// checkSignedInCookies checks the cookies of a browser that just signed in:
// a rotated client credential, a session JWT for the user and session, and
// a uat marker.
func checkSignedInCookies(t *testing.T, b *browser, before, userID, sessionID string) {
	t.Helper()
	after := b.cookie(cookieClient)
	if after == "" || after == before {
		t.Errorf("__lk_client not rotated at sign-up (before %q, after %q)", before, after)
	}
	if uat, err := strconv.ParseInt(b.cookie(cookieUAT), 10, 64); err != nil || uat <= 0 {
		t.Errorf("__lk_uat = %q, want a positive Unix time", b.cookie(cookieUAT))
	}
	jwt := b.cookie(cookieSession)
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("__lk_session = %q, want a JWT", jwt)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var claims struct {
		Sub string `json:"sub"`
		Sid string `json:"sid"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Sub != userID || claims.Sid != sessionID {
		t.Errorf("JWT claims %s, want sub %s sid %s", payload, userID, sessionID)
	}
}

// checkSignedUpUser checks GET /v1/client shows the new user in the session,
// without private metadata, with its email verified by strategy.
func checkSignedUpUser(t *testing.T, ts *testServer, b *browser, userID, email, strategy string) {
	t.Helper()
	res := b.do("GET", "/v1/client", nil)
	res.wantStatus(t, http.StatusOK)
	if bytes.Contains(res.Body, []byte("private_metadata")) {
		t.Errorf("GET /v1/client shows private_metadata: %s", res.Body)
	}
	var env struct {
		Response struct {
			Sessions []struct {
				ID   string `json:"id"`
				User struct {
					ID             string `json:"id"`
					EmailAddresses []struct {
						EmailAddress string `json:"email_address"`
						Verification struct {
							Status   string `json:"status"`
							Strategy string `json:"strategy"`
						} `json:"verification"`
					} `json:"email_addresses"`
					PrimaryEmailAddressID *string `json:"primary_email_address_id"`
				} `json:"user"`
			} `json:"sessions"`
		} `json:"response"`
	}
	if err := json.Unmarshal(res.Body, &env); err != nil {
		t.Fatal(err)
	}
	ss := env.Response.Sessions
	if len(ss) != 1 || ss[0].User.ID != userID || len(ss[0].User.EmailAddresses) != 1 || ss[0].User.PrimaryEmailAddressID == nil {
		t.Fatalf("GET /v1/client: %s", res.Body)
	}
	e := ss[0].User.EmailAddresses[0]
	if e.EmailAddress != email || e.Verification.Status != "verified" || e.Verification.Strategy != strategy {
		t.Errorf("email address: %+v", e)
	}
	u, err := ts.store.UserByID(context.Background(), userID)
	if err != nil || u.LastSignInAt.IsZero() {
		t.Errorf("stored user: %v %+v", err, u)
	}
}

func TestSignUpEmailLink(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.patchSettings(t, `{"password":{"required":false},"redirect_urls":["https://app.example/welcome"]}`)
		ctx := context.Background()

		t.Run("same browser", func(t *testing.T) {
			b := newBrowser(t, ts)
			su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "link@example.com",
				"redirect_url": "https://app.example/welcome"})
			before := b.cookie(cookieClient)
			b.signUp("POST", "/v1/client/sign_ups/"+su.ID+"/prepare_verification", map[string]any{"strategy": "email_link"})
			mail := ts.mails.last(t, "link@example.com")
			if mail.Kind != auth.MailMagicLink || !strings.HasPrefix(mail.Data["link"], ts.url+"/v1/verify?token=") {
				t.Fatalf("mail: %+v", mail)
			}
			// A link is not attempted with a code.
			b.do("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification", map[string]any{"strategy": "email_link", "code": "123456"}).
				wantError(t, http.StatusUnprocessableEntity, latchkey.CodeStrategyNotAllowed, "strategy")
			to := b.openLink(mail.Data["link"])
			if to != "https://app.example/welcome" {
				t.Errorf("redirected to %q", to)
			}
			got, env := b.signUp("GET", "/v1/client/sign_ups/"+su.ID, nil)
			if got.Status != "complete" || got.Verifications.EmailAddress.Strategy != "email_link" {
				t.Fatalf("after the link: %+v", got)
			}
			if len(env.Client.Sessions) != 1 {
				t.Fatalf("client: %+v", env.Client)
			}
			checkSignedInCookies(t, b, before, *got.CreatedUserID, *got.CreatedSessionID)
			checkSignedUpUser(t, ts, b, *got.CreatedUserID, "link@example.com", "email_link")
			// Single use.
			if code := b.openLinkError(mail.Data["link"]); code != latchkey.CodeVerificationUsed {
				t.Errorf("second use: %s", code)
			}
		})

		t.Run("another device", func(t *testing.T) {
			desk, phone := newBrowser(t, ts), newBrowser(t, ts)
			su, _ := desk.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "far@example.com"})
			desk.signUp("POST", "/v1/client/sign_ups/"+su.ID+"/prepare_verification",
				map[string]any{"strategy": "email_link", "redirect_url": "https://app.example/welcome"})
			credential := desk.cookie(cookieClient)
			to := phone.openLink(ts.mails.last(t, "far@example.com").Data["link"])
			if to != "https://app.example/welcome" {
				t.Errorf("redirected to %q", to)
			}
			// The phone is not signed in; the desktop tab finds its session
			// by polling, with the credential it already has.
			if env := phone.call("GET", "/v1/client", nil, http.StatusOK); env.Client != nil && len(env.Client.Sessions) != 0 {
				t.Errorf("the phone got a session: %+v", env.Client)
			}
			env := desk.call("GET", "/v1/client", nil, http.StatusOK)
			if env.Client == nil || len(env.Client.Sessions) != 1 || env.Client.LastActiveSessionID != env.Client.Sessions[0].ID {
				t.Fatalf("desktop client: %+v", env.Client)
			}
			c, previous, err := ts.store.ClientByDigest(ctx, auth.CredentialDigest(credential))
			if err != nil || previous || c.Revoked() {
				t.Errorf("the desktop's credential must stay current: previous %v, err %v", previous, err)
			}
			got, _ := desk.signUp("GET", "/v1/client/sign_ups/"+su.ID, nil)
			if got.Status != "complete" || *got.CreatedSessionID != env.Client.Sessions[0].ID {
				t.Errorf("sign-up: %+v", got)
			}
			// The desktop can mint tokens for its new session.
			res := desk.do("POST", "/v1/client/sessions/"+*got.CreatedSessionID+"/tokens", nil)
			res.wantStatus(t, http.StatusOK)
		})

		t.Run("same browser required", func(t *testing.T) {
			ts.patchSettings(t, `{"sign_in":{"magic_link_same_client":true}}`)
			defer ts.patchSettings(t, `{"sign_in":{"magic_link_same_client":false}}`)
			desk, phone := newBrowser(t, ts), newBrowser(t, ts)
			su, _ := desk.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "same@example.com"})
			desk.signUp("POST", "/v1/client/sign_ups/"+su.ID+"/prepare_verification", map[string]any{"strategy": "email_link"})
			link := ts.mails.last(t, "same@example.com").Data["link"]
			if code := phone.openLinkError(link); code != latchkey.CodeForbidden {
				t.Errorf("link on another browser: %s", code)
			}
			desk.openLink(link)
			if got, _ := desk.signUp("GET", "/v1/client/sign_ups/"+su.ID, nil); got.Status != "complete" {
				t.Errorf("after opening it in the same browser: %s", got.Status)
			}
		})

		t.Run("address changed", func(t *testing.T) {
			b := newBrowser(t, ts)
			su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "old@example.com"})
			b.signUp("POST", "/v1/client/sign_ups/"+su.ID+"/prepare_verification", map[string]any{"strategy": "email_link"})
			link := ts.mails.last(t, "old@example.com").Data["link"]
			b.signUp("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"email_address": "new@example.com"})
			if code := b.openLinkError(link); code != latchkey.CodeVerificationFailed {
				t.Errorf("link to the old address: %s", code)
			}
			if got, _ := b.signUp("GET", "/v1/client/sign_ups/"+su.ID, nil); got.Status != "missing_requirements" ||
				strings.Join(got.UnverifiedFields, ",") != "email_address" || got.Verifications.EmailAddress != nil {
				t.Errorf("after the stale link: %+v", got)
			}
		})
	})
}

// openLink opens a magic link (GET /v1/verify) and returns where it
// redirects.
func (b *browser) openLink(link string) string {
	b.t.Helper()
	res := b.do("GET", strings.TrimPrefix(link, b.ts.url), nil)
	if res.Status != http.StatusSeeOther && res.Status != http.StatusFound {
		b.t.Fatalf("open link: status %d; body %s", res.Status, res.Body)
	}
	return res.Header.Get("Location")
}

// openLinkError opens a magic link that must fail and returns the error
// code it reports, from the JSON error or from the redirect's query.
func (b *browser) openLinkError(link string) latchkey.Code {
	b.t.Helper()
	res := b.do("GET", strings.TrimPrefix(link, b.ts.url), nil, "Accept", "application/json")
	if res.Status >= 400 {
		return res.firstError(b.t).Code
	}
	loc := res.Header.Get("Location")
	for _, key := range []string{"__lk_error=", "error="} {
		if i := strings.Index(loc, key); i >= 0 {
			v := loc[i+len(key):]
			if j := strings.IndexByte(v, '&'); j >= 0 {
				v = v[:j]
			}
			return latchkey.Code(v)
		}
	}
	b.t.Fatalf("open link: no error; status %d, location %q, body %s", res.Status, loc, res.Body)
	return ""
}

func TestSignUpConcurrentCode(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.patchSettings(t, noPassword)
		b := newBrowser(t, ts)
		su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "race@example.com"})
		code := b.prepareCode(su.ID, "race@example.com")

		const n = 6
		var wg sync.WaitGroup
		type result struct {
			status int
			body   []byte
			err    error
		}
		results := make([]result, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				st, body, err := b.send("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification",
					map[string]any{"strategy": "email_code", "code": code})
				results[i] = result{st, body, err}
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		sessionIDs := map[string]bool{}
		for _, r := range results {
			switch {
			case r.err != nil:
				t.Fatalf("attempt: %v", r.err)
			case r.status == http.StatusOK:
				ok++
				var env struct {
					Response signUpView `json:"response"`
				}
				if err := json.Unmarshal(r.body, &env); err != nil || env.Response.Status != "complete" {
					t.Fatalf("200 without completion: %s", r.body)
				}
				sessionIDs[*env.Response.CreatedSessionID] = true
			case r.status == http.StatusUnprocessableEntity && bytes.Contains(r.body, []byte(latchkey.CodeVerificationUsed)):
			default:
				t.Fatalf("attempt: %d %s", r.status, r.body)
			}
		}
		if ok == 0 || len(sessionIDs) != 1 {
			t.Errorf("%d successes naming sessions %v; want at least one, all naming the same session", ok, sessionIDs)
		}
		ctx := context.Background()
		total, err := ts.store.CountUsers(ctx, sqlstore.UserFilter{})
		if err != nil || total != 1 {
			t.Errorf("users: %d (%v), want exactly 1", total, err)
		}
		stored, _ := ts.store.SignUpByID(ctx, su.ID)
		sessions, _, err := ts.store.Sessions(ctx, sqlstore.SessionFilter{ClientID: stored.ClientID})
		if err != nil || len(sessions) != 1 {
			t.Errorf("sessions on the client: %d (%v), want exactly 1", len(sessions), err)
		}
	})
}

func TestSignUpCodeLimits(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.patchSettings(t, noPassword)
		attempt := func(b *browser, id, code string) *response {
			return b.do("POST", "/v1/client/sign_ups/"+id+"/attempt_verification", map[string]any{"strategy": "email_code", "code": code})
		}
		wrongOf := func(code string) string {
			if code == "999999" {
				return "999998"
			}
			return "999999"
		}

		t.Run("attempts", func(t *testing.T) {
			b := newBrowser(t, ts)
			su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "guess@example.com"})
			attempt(b, su.ID, "123456").wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationMissing, "code")
			code := b.prepareCode(su.ID, "guess@example.com")
			attempt(b, su.ID, wrongOf(code)).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeCodeIncorrect, "code")
			attempt(b, su.ID, wrongOf(code)).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeCodeIncorrect, "code")
			attempt(b, su.ID, wrongOf(code)).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationFailed, "code")
			attempt(b, su.ID, code).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationFailed, "code")
			if got, _ := b.signUp("GET", "/v1/client/sign_ups/"+su.ID, nil); got.Verifications.EmailAddress.Status != "failed" ||
				*got.Verifications.EmailAddress.Attempts != 3 {
				t.Errorf("verification: %+v", got.Verifications.EmailAddress)
			}
			// A new code replaces the spent one and works.
			code2 := b.prepareCode(su.ID, "guess@example.com")
			if done, _ := b.signUp("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification",
				map[string]any{"strategy": "email_code", "code": code2}); done.Status != "complete" {
				t.Errorf("with a new code: %s", done.Status)
			}
		})

		t.Run("newer code", func(t *testing.T) {
			b := newBrowser(t, ts)
			su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "twice@example.com"})
			first := b.prepareCode(su.ID, "twice@example.com")
			second := b.prepareCode(su.ID, "twice@example.com")
			if first != second {
				attempt(b, su.ID, first).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeCodeIncorrect, "code")
			}
			if done, _ := b.signUp("POST", "/v1/client/sign_ups/"+su.ID+"/attempt_verification",
				map[string]any{"strategy": "email_code", "code": second}); done.Status != "complete" {
				t.Errorf("with the newer code: %s", done.Status)
			}
		})

		t.Run("code expiry", func(t *testing.T) {
			b := newBrowser(t, ts)
			su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "late@example.com"})
			code := b.prepareCode(su.ID, "late@example.com")
			ts.signUps.SetClock(func() time.Time { return time.Now().Add(auth.ChallengeLifetime + time.Second) })
			defer ts.signUps.SetClock(time.Now)
			attempt(b, su.ID, code).wantError(t, http.StatusUnprocessableEntity, latchkey.CodeVerificationExpired, "code")
			if got, _ := b.signUp("GET", "/v1/client/sign_ups/"+su.ID, nil); got.Verifications.EmailAddress.Status != "expired" {
				t.Errorf("verification: %+v", got.Verifications.EmailAddress)
			}
		})

		t.Run("sign-up expiry", func(t *testing.T) {
			b := newBrowser(t, ts)
			su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "slow@example.com"})
			code := b.prepareCode(su.ID, "slow@example.com")
			ts.signUps.SetClock(func() time.Time { return time.Now().Add(auth.SignUpLifetime) })
			defer ts.signUps.SetClock(time.Now)
			for _, res := range []*response{
				attempt(b, su.ID, code),
				b.do("PATCH", "/v1/client/sign_ups/"+su.ID, map[string]any{"first_name": "Slow"}),
				b.do("POST", "/v1/client/sign_ups/"+su.ID+"/prepare_verification", map[string]any{"strategy": "email_code"}),
			} {
				res.wantError(t, http.StatusUnprocessableEntity, latchkey.CodeAttemptExpired, "")
			}
			if got, _ := b.signUp("GET", "/v1/client/sign_ups/"+su.ID, nil); got.Status != "abandoned" {
				t.Errorf("status %s, want abandoned", got.Status)
			}
		})

		t.Run("send rate limit", func(t *testing.T) {
			b := newBrowser(t, ts)
			su, _ := b.signUp("POST", "/v1/client/sign_ups", map[string]any{"email_address": "flood@example.com"})
			// Per address, 5 sends in 10 minutes; a fixed window may start
			// during the loop, so the 429 comes by the 11th send at the latest.
			var limited *response
			for i := 0; i < 2*auth.LimitSendPerIdentifier.Max+1 && limited == nil; i++ {
				res := b.do("POST", "/v1/client/sign_ups/"+su.ID+"/prepare_verification", map[string]any{"strategy": "email_code"})
				if res.Status == http.StatusTooManyRequests {
					limited = res
				} else {
					res.wantStatus(t, http.StatusOK)
				}
			}
			if limited == nil {
				t.Fatal("never rate limited")
			}
			limited.wantError(t, http.StatusTooManyRequests, latchkey.CodeRateLimited, "")
			if n := ts.mails.count("flood@example.com"); n > 2*auth.LimitSendPerIdentifier.Max {
				t.Errorf("%d mails sent", n)
			}
		})
	})
}
