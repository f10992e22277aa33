package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Scenario tests of sessions and session tokens on the Frontend API: the
// cookies a sign-in sets, token refresh, credential rotation and reuse
// detection, revocation, sign-out, multi-session mode, the device list and
// the browser security rules, on every engine.
//
// Only the tests about the password flow itself sign in with a password
// (hashing costs about 220 ms under -race); the others sign in with a
// Backend API sign-in token, which goes through the same session start.

// Desktop and phone browsers, as sessions record them.
const (
	uaChromeWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	uaSafariIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

// withSessionClock gives the store, the sign-in service and the session
// service one adjustable clock; call it before the test's first request.
func withSessionClock(ts *testServer) *offsetClock {
	c := withOffsetClock(ts)
	ts.sessions.SetClock(c.now)
	return c
}

// ticketSignIn signs the browser in as the user by opening a one-time
// sign-in token (POST /api/v1/sign_in_tokens) with the User-Agent ua and
// any extra headers (name, value pairs), and returns the new session's ID.
func (b *browser) ticketSignIn(userID, ua string, headers ...string) string {
	b.t.Helper()
	res := b.ts.as(b.t).do("POST", "/api/v1/sign_in_tokens", map[string]any{"user_id": userID})
	res.wantStatus(b.t, http.StatusOK)
	var tok signInTokenJSON
	res.decode(b.t, &tok)
	req, err := http.NewRequest("GET", tok.URL, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Sec-Fetch-Site", "none")
	req.Header.Set("User-Agent", ua)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	got, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign-in token: status %d; %s", got.StatusCode, body)
	}
	env := b.call("GET", "/v1/client", nil, http.StatusOK)
	if env.Client == nil || env.Client.LastActiveSessionID == "" {
		b.t.Fatalf("no session after the sign-in token: %+v", env.Client)
	}
	return env.Client.LastActiveSessionID
}

// setCookie puts a cookie in the browser's jar, as a copied cookie would be.
func (b *browser) setCookie(name, value string) {
	u, _ := url.Parse(b.ts.url)
	b.hc.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// envelopeOf decodes a Frontend API answer into a fresh envelope.
func envelopeOf(t *testing.T, res *response) *envelope {
	t.Helper()
	var env envelope
	if err := json.Unmarshal(res.Body, &env); err != nil {
		t.Fatalf("decode envelope: %v; %s", err, res.Body)
	}
	return &env
}

// refresh mints a session token for the session and returns the response.
func (b *browser) refresh(sessionID string) *response {
	b.t.Helper()
	return b.do("POST", "/v1/client/sessions/"+sessionID+"/tokens", nil)
}

// mustRefresh mints a session token that must succeed, and returns it.
func (b *browser) mustRefresh(sessionID string) string {
	b.t.Helper()
	res := b.refresh(sessionID)
	res.wantStatus(b.t, http.StatusOK)
	var tok tokenJSON
	res.decode(b.t, &tok)
	if tok.Object != "token" || tok.JWT == "" {
		b.t.Fatalf("token response %s", res.Body)
	}
	return tok.JWT
}

// setCookies returns the cookies a response sets, by name (the last one of
// a name wins, as in a browser).
func setCookies(res *response) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		out[c.Name] = c
	}
	return out
}

// wantCleared checks that the response signs the browser out locally: the
// session cookie deleted and uat "0" (and, when client is set, the client
// cookie deleted too).
func wantCleared(t *testing.T, res *response, client bool) {
	t.Helper()
	cs := setCookies(res)
	if c := cs[cookieSession]; c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("%s not deleted: %+v", cookieSession, c)
	}
	if c := cs[cookieUAT]; c == nil || c.Value != "0" {
		t.Errorf("%s = %+v, want 0", cookieUAT, c)
	}
	if c := cs[cookieClient]; client && (c == nil || c.MaxAge >= 0 || c.Value != "") {
		t.Errorf("%s not deleted: %+v", cookieClient, c)
	}
}

// verifyToken verifies a session JWT against the server's JWKS with
// go-jose (an implementation independent of ours) and returns its claims.
func verifyToken(t *testing.T, ts *testServer, token string) map[string]any {
	t.Helper()
	res := ts.as(t).do("GET", "/.well-known/jwks.json", nil)
	res.wantStatus(t, http.StatusOK)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(res.Body, &set); err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	h := parsed.Headers[0]
	if h.Algorithm != "ES256" || h.KeyID == "" || h.ExtraHeaders["typ"] != "JWT" {
		t.Errorf("token header %+v", h)
	}
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q is not in the JWKS", h.KeyID)
	}
	var std jwt.Claims
	claims := map[string]any{}
	if err := parsed.Claims(keys[0].Key, &std, &claims); err != nil {
		t.Fatalf("token does not verify against the JWKS: %v", err)
	}
	return claims
}

// claimInt returns a numeric claim.
func claimInt(t *testing.T, claims map[string]any, name string) int64 {
	t.Helper()
	v, ok := claims[name].(float64)
	if !ok {
		t.Fatalf("claim %s = %v, want a number", name, claims[name])
	}
	return int64(v)
}

// storedSession reads a session from the database.
func storedSession(t *testing.T, ts *testServer, id string) *latchkey.Session {
	t.Helper()
	sess, err := ts.store.SessionByID(context.Background(), id)
	if err != nil {
		t.Fatalf("session %s: %v", id, err)
	}
	return sess
}

// backendSession reads a session through the Backend API.
func backendSession(t *testing.T, ts *testServer, id string) backendSessionJSON {
	t.Helper()
	res := ts.as(t).do("GET", "/api/v1/sessions/"+id, nil)
	res.wantStatus(t, http.StatusOK)
	var s backendSessionJSON
	res.decode(t, &s)
	return s
}

func TestSessionSignInCookiesAndTokens(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		clock := withSessionClock(ts)
		u := ts.signInUser(t, siEmail, siPassword)
		b := newBrowser(t, ts)

		// The real flow: identifier and password in one request.
		res := b.do("POST", "/v1/client/sign_ins", map[string]any{"identifier": siEmail, "password": siPassword})
		res.wantStatus(t, http.StatusOK)
		var env envelope
		if err := json.Unmarshal(res.Body, &env); err != nil || env.Client == nil {
			t.Fatalf("sign-in answer: %v %s", err, res.Body)
		}
		sid := env.Client.LastActiveSessionID
		cs := setCookies(res)
		client := cs[cookieClient]
		if client == nil || client.Value == "" || !client.HttpOnly || client.SameSite != http.SameSiteLaxMode ||
			client.Path != "/" || client.Domain != "" || client.Secure || client.MaxAge != 365*24*3600 {
			t.Errorf("%s cookie %+v: want HttpOnly, SameSite=Lax, Path=/, host-only, not Secure in dev over http, a year", cookieClient, client)
		}
		session := cs[cookieSession]
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" ||
			session.Domain != "" || session.Secure {
			t.Fatalf("%s cookie %+v", cookieSession, session)
		}
		uat := cs[cookieUAT]
		if uat == nil || uat.HttpOnly || uat.SameSite != http.SameSiteLaxMode || uat.Path != "/" || uat.Domain != "" {
			t.Errorf("%s cookie %+v: want readable by scripts", cookieUAT, uat)
		}
		uatValue, err := strconv.ParseInt(uat.Value, 10, 64)
		if err != nil || uatValue <= 0 {
			t.Errorf("%s = %q, want a positive Unix time", cookieUAT, uat.Value)
		}

		claims := verifyToken(t, ts, session.Value)
		iat, nbf, exp := claimInt(t, claims, "iat"), claimInt(t, claims, "nbf"), claimInt(t, claims, "exp")
		if claims["iss"] != ts.url || claims["sub"] != u.ID || claims["sid"] != sid || claims["azp"] != b.origin ||
			claims["v"] != float64(1) || exp-iat != 60 || nbf > iat || iat < uatValue {
			t.Errorf("claims %v: want iss %s sub %s sid %s azp %s v 1, a 60 s lifetime, nbf <= iat, iat >= uat %d",
				claims, ts.url, u.ID, sid, b.origin, uatValue)
		}
		if d := time.Unix(iat, 0).Sub(clock.now()); d > time.Second || d < -10*time.Second {
			t.Errorf("iat is %s from now", d)
		}
		if fva, _ := claims["fva"].([]any); len(fva) != 2 || fva[0] != float64(0) || fva[1] != float64(-1) {
			t.Errorf("fva = %v, want [0, -1] right after a password sign-in", claims["fva"])
		}
		if jti, _ := claims["jti"].(string); len(jti) < 16 {
			t.Errorf("jti = %v", claims["jti"])
		}

		// Refreshing: a new token each time (new jti), the cookie follows,
		// and the database is not written.
		before := storedSession(t, ts, sid)
		clientBefore, err := ts.store.ClientByID(context.Background(), env.Client.ID)
		if err != nil {
			t.Fatal(err)
		}
		clock.advance(2 * time.Second)
		seen := map[string]bool{claims["jti"].(string): true}
		var last string
		for range 3 {
			rr := b.refresh(sid)
			rr.wantStatus(t, http.StatusOK)
			var tok tokenJSON
			rr.decode(t, &tok) // strictly {"object","jwt"}
			if tok.Object != "token" {
				t.Errorf("token object %q", tok.Object)
			}
			c := verifyToken(t, ts, tok.JWT)
			if seen[c["jti"].(string)] {
				t.Errorf("jti %v repeated", c["jti"])
			}
			seen[c["jti"].(string)] = true
			if c["sid"] != sid || c["azp"] != b.origin {
				t.Errorf("refreshed claims %v", c)
			}
			if got := setCookies(rr)[cookieSession]; got == nil || got.Value != tok.JWT || !got.HttpOnly {
				t.Errorf("refresh did not set the session cookie to the new token: %+v", got)
			}
			last = tok.JWT
		}
		after := storedSession(t, ts, sid)
		if !after.LastActiveAt.Equal(before.LastActiveAt) || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("a token refresh wrote the session: last_active_at %v -> %v", before.LastActiveAt, after.LastActiveAt)
		}
		if c, _ := ts.store.ClientByID(context.Background(), env.Client.ID); !c.UpdatedAt.Equal(clientBefore.UpdatedAt) {
			t.Errorf("a token refresh wrote the client")
		}
		if err := ts.sessions.FlushActivity(context.Background()); err != nil {
			t.Fatal(err)
		}
		flushed := storedSession(t, ts, sid)
		iatLast := claimInt(t, verifyToken(t, ts, last), "iat")
		if !flushed.LastActiveAt.After(before.LastActiveAt) || flushed.LastActiveAt.Unix() != iatLast {
			t.Errorf("after the flush last_active_at = %v, want the last refresh (iat %d)", flushed.LastActiveAt, iatLast)
		}

		// The token lifetime is a setting.
		ts.patchSettings(t, `{"session":{"token_lifetime_seconds":300}}`)
		c := verifyToken(t, ts, b.mustRefresh(sid))
		if d := claimInt(t, c, "exp") - claimInt(t, c, "iat"); d != 300 {
			t.Errorf("token lifetime %d s, want 300", d)
		}

		// Custom claims from the template, fresh on every refresh. (The
		// template is written straight to the stored settings here, so
		// this checks the tokens whatever the settings API accepts;
		// TestSessionClaimsSettings checks the API.)
		setClaims(t, ts, map[string]any{"role": "{{user.public_metadata.role}}", "email": "{{user.primary_email_address}}",
			"app": "latchkey-test", "meta": map[string]any{"n": 42, "who": "{{user.id}}"}})
		ts.as(t).do("PATCH", "/api/v1/users/"+u.ID, map[string]any{"public_metadata": map[string]any{"role": "admin"}}).wantStatus(t, http.StatusOK)
		c = verifyToken(t, ts, b.mustRefresh(sid))
		meta, _ := c["meta"].(map[string]any)
		if c["role"] != "admin" || c["email"] != siEmail || c["app"] != "latchkey-test" || meta["n"] != float64(42) || meta["who"] != u.ID {
			t.Errorf("custom claims: %v", c)
		}
		if c["sub"] != u.ID || c["sid"] != sid {
			t.Errorf("custom claims disturbed the registered ones: %v", c)
		}
		ts.as(t).do("PATCH", "/api/v1/users/"+u.ID, map[string]any{"public_metadata": map[string]any{"role": "owner"}}).wantStatus(t, http.StatusOK)
		if c = verifyToken(t, ts, b.mustRefresh(sid)); c["role"] != "owner" {
			t.Errorf("role after the metadata changed: %v, want owner (no stale claims)", c["role"])
		}
	})
}

// setClaims writes a custom claims template into the stored settings and
// reloads them, bypassing the settings API.
func setClaims(t *testing.T, ts *testServer, claims map[string]any) {
	t.Helper()
	ctx := context.Background()
	_, _, err := ts.store.UpdateSettings(ctx, func(cur []byte) ([]byte, error) {
		var doc map[string]any
		if err := json.Unmarshal(cur, &doc); err != nil {
			return nil, err
		}
		doc["session"].(map[string]any)["claims"] = claims
		return json.Marshal(doc)
	})
	if err != nil {
		t.Fatalf("store claims: %v", err)
	}
	if err := ts.inst.Reload(ctx); err != nil {
		t.Fatalf("reload settings: %v", err)
	}
}

// TestSessionClaimsSettings checks that the custom claims template is a
// setting of the Backend API like any other, and that it cannot set the
// claims Latchkey sets itself.
func TestSessionClaimsSettings(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		res := ts.as(t).do("PATCH", "/api/v1/instance", `{"settings":{"session":{"claims":{"role":"{{user.public_metadata.role}}","app":"x"}}}}`)
		if res.Status != http.StatusOK {
			// instance/settings_patch.go checkKeys walks into the free-form
			// claims object and finds no "known" key in it.
			t.Errorf("PATCH /api/v1/instance refused a custom claims template: %d %s", res.Status, res.Body)
		} else if got := ts.inst.Settings().Session.Claims; got["role"] != "{{user.public_metadata.role}}" || got["app"] != "x" {
			t.Errorf("claims after PATCH: %v", got)
		}
		// Registered claim names cannot be templated.
		var wrong []string
		for _, name := range []string{"sub", "sid", "exp", "azp", "fva", "act", "o"} {
			res := ts.as(t).do("PATCH", "/api/v1/instance", `{"settings":{"session":{"claims":{"`+name+`":"{{user.id}}"}}}}`)
			if e := res.firstError(t); res.Status != http.StatusBadRequest || e.Code != latchkey.CodeFormParamValue ||
				e.Meta == nil || e.Meta.ParamName != "session.claims" {
				wrong = append(wrong, fmt.Sprintf("%s: %d %s", name, res.Status, res.Body))
			}
		}
		if len(wrong) > 0 {
			t.Errorf("reserved claim names not refused as form_param_value_invalid (session.claims):\n%s", strings.Join(wrong, "\n"))
		}
		if got := ts.inst.Settings().Session.Claims; got["sub"] != nil {
			t.Errorf("a reserved claim reached the settings: %v", got)
		}
	})
}

// TestSessionCookiesSecure checks that outside dev mode every cookie is
// Secure, even when the public URL is plain http (behind a TLS proxy).
func TestSessionCookiesSecure(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine, withoutDev())
		b := newBrowser(t, ts)
		// Starting a sign-in creates the client and sets its cookies.
		res := b.do("POST", "/v1/client/sign_ins", map[string]any{"identifier": "nobody@example.com"})
		res.wantStatus(t, http.StatusOK)
		cs := setCookies(res)
		for _, name := range []string{cookieClient, cookieSession, cookieUAT} {
			c := cs[name]
			if c == nil || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
				t.Errorf("%s cookie %+v: want Secure, SameSite=Lax, Path=/, host-only", name, c)
			}
		}
		if c := cs[cookieClient]; c == nil || c.Value == "" || !c.HttpOnly {
			t.Errorf("client cookie %+v", c)
		}
	})
}

func TestSessionCredentialReuse(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		ts := newTestServer(t, engine)
		clock := withSessionClock(ts)
		ts.signInUser(t, siEmail, siPassword)
		b := newBrowser(t, ts)
		si := b.startSignIn(siEmail)
		stolen := b.cookie(cookieClient) // copied before the sign-in
		_, env := b.signIn("POST", "/v1/client/sign_ins/"+si.ID+"/attempt_first_factor",
			map[string]any{"strategy": "password", "password": siPassword})
		current, sid, clientID := b.cookie(cookieClient), env.Client.LastActiveSessionID, env.Client.ID
		if stolen == "" || current == "" || current == stolen || sid == "" {
			t.Fatalf("credential before %q, after %q, session %q", stolen, current, sid)
		}

		// Within the grace window the old credential is the same client
		// (a request in flight from another tab).
		thief := newBrowser(t, ts)
		thief.setCookie(cookieClient, stolen)
		got := thief.call("GET", "/v1/client", nil, http.StatusOK)
		if got.Client == nil || got.Client.ID != clientID || len(got.Client.Sessions) != 1 {
			t.Fatalf("old credential within the grace window: %+v", got.Client)
		}
		thief.mustRefresh(sid)

		// After it, presenting the old credential revokes the client: the
		// answer is an ordinary signed-out one that clears the cookies.
		clock.advance(11 * time.Second)
		res := thief.do("GET", "/v1/client", nil)
		res.wantStatus(t, http.StatusOK)
		if !bytes.Contains(res.Body, []byte(`"response":null`)) || !bytes.Contains(res.Body, []byte(`"client":null`)) {
			t.Errorf("reused credential answer: %s", res.Body)
		}
		wantCleared(t, res, true)
		if thief.cookie(cookieClient) != "" {
			t.Errorf("the thief's browser kept the client cookie")
		}
		// Every session of the client is revoked ...
		list := ts.as(t).do("GET", "/api/v1/sessions?client_id="+clientID, nil)
		list.wantStatus(t, http.StatusOK)
		var sessions listJSON[backendSessionJSON]
		list.decode(t, &sessions)
		if len(sessions.Data) != 1 || sessions.Data[0].Status != latchkey.SessionRevoked || sessions.Data[0].EndedAt == nil {
			t.Errorf("client's sessions after reuse: %+v", sessions.Data)
		}
		var bc backendClientJSON
		ts.as(t).do("GET", "/api/v1/clients/"+clientID, nil).decode(t, &bc)
		if !bc.Revoked {
			t.Errorf("client not revoked: %+v", bc)
		}
		// ... so the owner's current credential stops working as well.
		res = b.refresh(sid)
		res.wantError(t, http.StatusUnauthorized, latchkey.CodeSignedOut, "")
		wantCleared(t, res, true) // even an error answer signs the browser out
		res = b.do("GET", "/v1/client", nil)
		if res.Status != http.StatusOK || !bytes.Contains(res.Body, []byte(`"response":null`)) {
			t.Errorf("owner after revocation: %d %s", res.Status, res.Body)
		}
		if b.cookie(cookieClient) != "" || b.cookie(cookieSession) != "" || b.cookie(cookieUAT) != "0" {
			t.Errorf("owner's cookies after revocation: client %q session %q uat %q", b.cookie(cookieClient), b.cookie(cookieSession), b.cookie(cookieUAT))
		}
		// The reuse is audited, once.
		events, err := ts.store.AuditEvents(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var reused []*sqlstore.AuditEvent
		for _, e := range events {
			if e.Type == "client.credential_reused" {
				reused = append(reused, e)
			}
		}
		if len(reused) != 1 || reused[0].ClientID != clientID || reused[0].IP != "127.0.0.1" {
			t.Errorf("reuse audit events: %+v", reused)
		}
		// The owner can sign in again on a new client.
		b.startSignIn(siEmail)
		if c := b.cookie(cookieClient); c == "" || c == current || c == stolen {
			t.Errorf("new client credential %q", c)
		}

		// A native app: the credential travels in the Latchkey-Client
		// header both ways (empty until it has one), never in cookies.
		native := func(method, path string, body any, credential string) *response {
			t.Helper()
			var rd io.Reader
			if body != nil {
				raw, _ := json.Marshal(body)
				rd = bytes.NewReader(raw)
			}
			req, _ := http.NewRequest(method, ts.url+path, rd)
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header[ClientHeader] = []string{credential}
			hres, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer hres.Body.Close()
			raw, _ := io.ReadAll(hres.Body)
			r := &response{Status: hres.StatusCode, Header: hres.Header, Body: raw}
			checkInvariants(t, method+" "+path, r)
			if sc := hres.Header.Values("Set-Cookie"); len(sc) > 0 && r.Status < 400 {
				t.Errorf("%s %s: a native client got cookies %q", method, path, sc)
			}
			return r
		}
		res = native("POST", "/v1/client/sign_ins", map[string]any{"identifier": siEmail, "password": siPassword}, "")
		res.wantStatus(t, http.StatusOK)
		n1 := res.Header.Get(ClientHeader)
		var nenv envelope
		json.Unmarshal(res.Body, &nenv)
		if n1 == "" || nenv.Client == nil || nenv.Client.LastActiveSessionID == "" {
			t.Fatalf("native sign-in: credential %q, body %s", n1, res.Body)
		}
		nsid := nenv.Client.LastActiveSessionID
		res = native("POST", "/v1/client/sessions/"+nsid+"/tokens", nil, n1)
		res.wantStatus(t, http.StatusOK)
		var tok tokenJSON
		res.decode(t, &tok)
		if c := verifyToken(t, ts, tok.JWT); c["sid"] != nsid || c["azp"] != nil {
			t.Errorf("native token claims %v (no Origin: no azp)", c)
		}
		if res.Header.Get(ClientHeader) != "" {
			t.Errorf("a refresh rotated the native credential")
		}
		res = native("POST", "/v1/client/sessions/"+nsid+"/end", nil, n1)
		res.wantStatus(t, http.StatusOK)
		n2 := res.Header.Get(ClientHeader)
		if n2 == "" || n2 == n1 {
			t.Fatalf("sign-out did not rotate the native credential: %q", n2)
		}
		res = native("GET", "/v1/client", nil, n1) // within the grace window
		if !bytes.Contains(res.Body, []byte(nenv.Client.ID)) {
			t.Errorf("old native credential within the grace window: %s", res.Body)
		}
		clock.advance(11 * time.Second)
		for _, cred := range []string{n1, n2} {
			req, _ := http.NewRequest("GET", ts.url+"/v1/client", nil)
			req.Header.Set(ClientHeader, cred)
			hres, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(hres.Body)
			hres.Body.Close()
			if !bytes.Contains(raw, []byte(`"client":null`)) {
				t.Errorf("native credential after reuse: %s", raw)
			}
		}
	})
}

func TestSessionRevocationStopsRefresh(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		clock := withSessionClock(ts)
		api := ts.as(t)
		signedIn := func(email string) (*browser, string, string) {
			u := ts.signInUser(t, email, "")
			b := newBrowser(t, ts)
			sid := b.ticketSignIn(u.ID, uaChromeWindows)
			b.mustRefresh(sid)
			return b, sid, u.ID
		}

		// Revoked by the Backend API: the very next refresh fails.
		b, sid, _ := signedIn("revoked@example.com")
		res := api.do("POST", "/api/v1/sessions/"+sid+"/revoke", nil)
		res.wantStatus(t, http.StatusOK)
		b.refresh(sid).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")
		b.do("POST", "/v1/client/sessions/"+sid+"/touch", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")

		// Banned: the same, and the session is removed.
		b, sid, uid := signedIn("banned@example.com")
		api.do("POST", "/api/v1/users/"+uid+"/ban", nil).wantStatus(t, http.StatusOK)
		b.refresh(sid).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")
		if s := backendSession(t, ts, sid); s.Status != latchkey.SessionRemoved {
			t.Errorf("banned user's session %s, want removed", s.Status)
		}
		// Unbanning does not bring the session back.
		api.do("POST", "/api/v1/users/"+uid+"/unban", nil).wantStatus(t, http.StatusOK)
		b.refresh(sid).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")

		// Deleted: the session went with the user.
		b, sid, uid = signedIn("deleted@example.com")
		api.do("DELETE", "/api/v1/users/"+uid, nil).wantStatus(t, http.StatusOK)
		b.refresh(sid).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "session_id")
		env := b.call("GET", "/v1/client", nil, http.StatusOK)
		if len(env.Client.Sessions) != 0 {
			t.Errorf("client of a deleted user lists sessions: %+v", env.Client.Sessions)
		}

		// The maximum lifetime (a setting when the session starts).
		ts.patchSettings(t, `{"session":{"lifetime_seconds":600}}`)
		b, sid, _ = signedIn("lifetime@example.com")
		if s := backendSession(t, ts, sid); s.ExpireAt-s.CreatedAt != 600_000 || s.AbandonAt != nil {
			t.Errorf("session expire_at - created_at = %d ms, abandon_at %v; want 600000, null", s.ExpireAt-s.CreatedAt, s.AbandonAt)
		}
		clock.advance(9 * time.Minute)
		b.mustRefresh(sid)
		clock.advance(time.Minute)
		b.refresh(sid).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")
		if s := storedSession(t, ts, sid); s.Status != latchkey.SessionExpired || s.EndedAt.IsZero() {
			t.Errorf("session past its lifetime: status %s, ended %v", s.Status, s.EndedAt)
		}
		if s := backendSession(t, ts, sid); s.Status != latchkey.SessionExpired {
			t.Errorf("Backend API status %s, want expired", s.Status)
		}

		// The inactivity timeout: activity (batched, then flushed) keeps
		// the session alive; idleness ends it.
		ts.patchSettings(t, `{"session":{"lifetime_seconds":86400,"inactivity_timeout_seconds":300}}`)
		b, sid, _ = signedIn("idle@example.com")
		if s := backendSession(t, ts, sid); s.AbandonAt == nil || *s.AbandonAt-s.LastActiveAt != 300_000 {
			t.Errorf("abandon_at %v, want 5 minutes after last_active_at %d", s.AbandonAt, s.LastActiveAt)
		}
		for range 3 {
			clock.advance(4 * time.Minute)
			b.mustRefresh(sid)
			if err := ts.sessions.FlushActivity(context.Background()); err != nil {
				// On PostgreSQL: sqlstore.TouchSessions's "CASE WHEN
				// abandon_at = 0 THEN 0 ELSE ? END" types the parameter int4.
				t.Fatalf("flush activity with an inactivity timeout: %v", err)
			}
		}
		clock.advance(5 * time.Minute)
		b.refresh(sid).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")
		if s := storedSession(t, ts, sid); s.Status != latchkey.SessionExpired {
			t.Errorf("idle session status %s, want expired", s.Status)
		}
		// The signed-out browser is told so by GET /v1/client.
		if env := b.call("GET", "/v1/client", nil, http.StatusOK); len(env.Client.Sessions) != 0 {
			t.Errorf("expired session still listed: %+v", env.Client.Sessions)
		}
	})
}

func TestSessionSignOut(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.signInUser(t, siEmail, "")

		// End one session: the credential rotates and the cookies say
		// signed out.
		b := newBrowser(t, ts)
		sid := b.ticketSignIn(u.ID, uaChromeWindows)
		before := b.cookie(cookieClient)
		res := b.do("POST", "/v1/client/sessions/"+sid+"/end", nil)
		res.wantStatus(t, http.StatusOK)
		env := envelopeOf(t, res)
		var ended sessionJSON
		json.Unmarshal(env.Response, &ended)
		if ended.ID != sid || ended.Status != latchkey.SessionEnded {
			t.Errorf("ended session %+v", ended)
		}
		if env.Client == nil || len(env.Client.Sessions) != 0 || env.Client.LastActiveSessionID != "" {
			t.Errorf("client after sign-out: %+v", env.Client)
		}
		wantCleared(t, res, false)
		if c := setCookies(res)[cookieClient]; c == nil || c.Value == "" || c.Value == before || c.MaxAge <= 0 {
			t.Errorf("client credential not rotated at sign-out: %+v", c)
		}
		b.refresh(sid).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")
		b.do("POST", "/v1/client/sessions/"+sid+"/end", nil).wantStatus(t, http.StatusOK) // twice is harmless
		b.do("POST", "/v1/client/sessions/sess_nope/end", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "session_id")
		newBrowser(t, ts).do("POST", "/v1/client/sessions/"+sid+"/end", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSignedOut, "")

		// Another browser's session cannot be ended from here.
		other := newBrowser(t, ts)
		osid := other.ticketSignIn(u.ID, uaSafariIPhone)
		b.do("POST", "/v1/client/sessions/"+osid+"/end", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "session_id")
		other.mustRefresh(osid)

		// DELETE /v1/client signs out of everything on the device.
		before = other.cookie(cookieClient)
		res = other.do("DELETE", "/v1/client", nil)
		res.wantStatus(t, http.StatusOK)
		wantCleared(t, res, false)
		if after := other.cookie(cookieClient); after == "" || after == before {
			t.Errorf("DELETE /v1/client did not rotate the credential")
		}
		if s := backendSession(t, ts, osid); s.Status != latchkey.SessionEnded {
			t.Errorf("session after DELETE /v1/client: %s", s.Status)
		}
		other.refresh(osid).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")
		// Without a client it only clears cookies.
		res = newBrowser(t, ts).do("DELETE", "/v1/client", nil)
		res.wantStatus(t, http.StatusOK)
		wantCleared(t, res, true)
	})
}

// sessionSub returns the sub claim of the browser's __lk_session cookie.
func sessionSub(t *testing.T, ts *testServer, b *browser) any {
	t.Helper()
	tok := b.cookie(cookieSession)
	if tok == "" {
		return nil
	}
	return verifyToken(t, ts, tok)["sub"]
}

func TestSessionMultiSession(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		clock := withSessionClock(ts)
		ts.patchSettings(t, `{"session":{"multi_session":true}}`)
		users := map[string]string{}
		for _, name := range []string{"ada", "grace", "edsger", "barbara", "ken"} {
			users[name] = ts.signInUser(t, name+"@example.com", "").ID
		}

		// Two accounts on one browser; the newest is active.
		b := newBrowser(t, ts)
		sa := b.ticketSignIn(users["ada"], uaChromeWindows)
		sg := b.ticketSignIn(users["grace"], uaChromeWindows)
		env := b.call("GET", "/v1/client", nil, http.StatusOK)
		if len(env.Client.Sessions) != 2 || env.Client.LastActiveSessionID != sg || sessionSub(t, ts, b) != users["grace"] {
			t.Fatalf("two accounts: %+v, cookie for %v", env.Client, sessionSub(t, ts, b))
		}
		// Both can mint tokens; only the active one's goes to the cookie.
		b.mustRefresh(sa)
		if sessionSub(t, ts, b) != users["grace"] {
			t.Errorf("refreshing the inactive session changed the cookie")
		}
		// Touch switches the active session, and the cookies with it.
		credential := b.cookie(cookieClient)
		res := b.do("POST", "/v1/client/sessions/"+sa+"/touch", nil)
		res.wantStatus(t, http.StatusOK)
		env = envelopeOf(t, res)
		if env.Client.LastActiveSessionID != sa || sessionSub(t, ts, b) != users["ada"] {
			t.Errorf("after touch: active %s, cookie for %v; want ada", env.Client.LastActiveSessionID, sessionSub(t, ts, b))
		}
		if b.cookie(cookieClient) != credential {
			t.Errorf("switching accounts rotated the credential")
		}
		uat, _ := strconv.ParseInt(b.cookie(cookieUAT), 10, 64)
		if iat := claimInt(t, verifyToken(t, ts, b.cookie(cookieSession)), "iat"); uat <= 0 || iat < uat {
			t.Errorf("after a switch uat %d, token iat %d: a fresh token must not look older than the client", uat, iat)
		}
		// Touching the active session again changes no cookie.
		res = b.do("POST", "/v1/client/sessions/"+sa+"/touch", nil)
		res.wantStatus(t, http.StatusOK)
		if sc := res.Header.Values("Set-Cookie"); len(sc) != 0 {
			t.Errorf("touching the active session set cookies %q", sc)
		}
		// Ending the active one leaves the other, now active.
		res = b.do("POST", "/v1/client/sessions/"+sa+"/end", nil)
		res.wantStatus(t, http.StatusOK)
		env = envelopeOf(t, res)
		if env.Client.LastActiveSessionID != sg || len(env.Client.Sessions) != 1 || sessionSub(t, ts, b) != users["grace"] {
			t.Errorf("after ending ada: %+v, cookie for %v", env.Client, sessionSub(t, ts, b))
		}
		if v := b.cookie(cookieUAT); v == "0" || v == "" {
			t.Errorf("uat %q with a session left", v)
		}
		b.mustRefresh(sg)
		b.refresh(sa).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")

		// DELETE /v1/client ends every account.
		sa = b.ticketSignIn(users["ada"], uaChromeWindows)
		res = b.do("DELETE", "/v1/client", nil)
		res.wantStatus(t, http.StatusOK)
		wantCleared(t, res, false)
		for _, id := range []string{sa, sg} {
			if s := backendSession(t, ts, id); s.Status != latchkey.SessionEnded {
				t.Errorf("session %s after DELETE /v1/client: %s", id, s.Status)
			}
		}

		// Signing out of an account that is not the active one keeps the
		// active one, even when another was more recently written.
		b2 := newBrowser(t, ts)
		s1 := b2.ticketSignIn(users["ada"], uaChromeWindows)
		s2 := b2.ticketSignIn(users["grace"], uaChromeWindows)
		b2.ticketSignIn(users["edsger"], uaChromeWindows) // the newest, most recently written
		b2.do("POST", "/v1/client/sessions/"+s1+"/touch", nil).wantStatus(t, http.StatusOK)
		res = b2.do("POST", "/v1/client/sessions/"+s2+"/end", nil)
		res.wantStatus(t, http.StatusOK)
		env = envelopeOf(t, res)
		if env.Client.LastActiveSessionID != s1 || sessionSub(t, ts, b2) != users["ada"] {
			t.Errorf("ending grace switched the browser to %s (cookie for %v), want ada's %s", env.Client.LastActiveSessionID, sessionSub(t, ts, b2), s1)
		}

		// An account whose session is past its lifetime (but not yet
		// marked expired) is not chosen as the next active one: signing out
		// of the last usable account signs the browser out.
		ts.patchSettings(t, `{"session":{"lifetime_seconds":300}}`)
		b3 := newBrowser(t, ts)
		idle := b3.ticketSignIn(users["barbara"], uaChromeWindows)
		ts.patchSettings(t, `{"session":{"lifetime_seconds":86400}}`)
		busy := b3.ticketSignIn(users["ken"], uaChromeWindows)
		clock.advance(6 * time.Minute)
		res = b3.do("POST", "/v1/client/sessions/"+busy+"/end", nil)
		res.wantStatus(t, http.StatusOK)
		env = envelopeOf(t, res)
		if env.Client.LastActiveSessionID != "" || len(env.Client.Sessions) != 0 {
			t.Errorf("after the last usable session ended: %+v (idle session %s)", env.Client, idle)
		}
		wantCleared(t, res, false)
		if c := setCookies(res)[cookieClient]; c == nil || c.Value == "" {
			t.Errorf("the rotated credential did not reach the browser")
		}
		// The browser still works with its new credential.
		b3.call("GET", "/v1/client", nil, http.StatusOK)
		b3.ticketSignIn(users["ken"], uaChromeWindows)
	})
}

func TestSessionSingleSession(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ada := ts.signInUser(t, siEmail, "")
		grace := ts.signInUser(t, "grace@example.com", "")
		b := newBrowser(t, ts)
		first := b.ticketSignIn(ada.ID, uaChromeWindows)
		// The sign-in form refuses a second account ...
		b.do("POST", "/v1/client/sign_ins", map[string]any{"identifier": "grace@example.com"}).
			wantError(t, http.StatusUnprocessableEntity, latchkey.CodeSessionExists, "")
		// ... and a sign-in that completes anyway (a link, a second tab)
		// replaces the first session.
		second := b.ticketSignIn(grace.ID, uaChromeWindows)
		if s := backendSession(t, ts, first); s.Status != latchkey.SessionEnded {
			t.Errorf("first session after a second sign-in on the client: %s, want ended", s.Status)
		}
		env := b.call("GET", "/v1/client", nil, http.StatusOK)
		if len(env.Client.Sessions) != 1 || env.Client.Sessions[0].ID != second || sessionSub(t, ts, b) != grace.ID {
			t.Errorf("client after the second sign-in: %+v", env.Client)
		}
		b.refresh(first).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")
	})
}

func TestMeSessions(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.signInUser(t, siEmail, "")
		other := ts.signInUser(t, "grace@example.com", "")
		desk, phone, theirs := newBrowser(t, ts), newBrowser(t, ts), newBrowser(t, ts)
		sd := desk.ticketSignIn(u.ID, uaChromeWindows)
		sp := phone.ticketSignIn(u.ID, uaSafariIPhone)
		so := theirs.ticketSignIn(other.ID, uaChromeWindows)

		list := func(b *browser) []deviceJSON {
			t.Helper()
			env := b.call("GET", "/v1/me/sessions", nil, http.StatusOK)
			var l listJSON[deviceJSON]
			dec := json.NewDecoder(bytes.NewReader(env.Response))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&l); err != nil {
				t.Fatalf("decode devices: %v; %s", err, env.Response)
			}
			if l.TotalCount != len(l.Data) {
				t.Errorf("total_count %d for %d devices", l.TotalCount, len(l.Data))
			}
			return l.Data
		}
		devices := list(desk)
		byID := map[string]deviceJSON{}
		for _, d := range devices {
			byID[d.ID] = d
		}
		if len(devices) != 2 {
			t.Fatalf("devices %+v, want the desktop and the phone", devices)
		}
		d, p := byID[sd], byID[sp]
		if !d.Current || d.Browser != "Chrome" || d.OS != "Windows" || d.DeviceType != "desktop" || d.IPAddress != "127.0.0.1" ||
			d.Object != "session" || d.Status != "active" || d.LastActiveAt == 0 || d.CreatedAt == 0 {
			t.Errorf("desktop %+v", d)
		}
		if p.Current || p.Browser != "Safari" || p.OS != "iOS" || p.DeviceType != "mobile" {
			t.Errorf("phone %+v", p)
		}
		// From the phone, the phone is current.
		for _, dv := range list(phone) {
			if dv.Current != (dv.ID == sp) {
				t.Errorf("phone's list: %s current %v", dv.ID, dv.Current)
			}
		}

		// Signing the phone out from the desktop.
		res := desk.do("POST", "/v1/me/sessions/"+sp+"/revoke", nil)
		res.wantStatus(t, http.StatusOK)
		env := envelopeOf(t, res)
		var revoked sessionJSON
		json.Unmarshal(env.Response, &revoked)
		if revoked.ID != sp || revoked.Status != latchkey.SessionRevoked {
			t.Errorf("revoked %+v", revoked)
		}
		phone.refresh(sp).wantError(t, http.StatusUnauthorized, latchkey.CodeSessionNotActive, "")
		phone.do("GET", "/v1/me/sessions", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSignedOut, "")
		desk.mustRefresh(sd)
		if devices := list(desk); len(devices) != 1 || devices[0].ID != sd {
			t.Errorf("devices after revoking the phone: %+v", devices)
		}
		// Someone else's session is not yours to see or revoke.
		desk.do("POST", "/v1/me/sessions/"+so+"/revoke", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "session_id")
		desk.do("POST", "/v1/me/sessions/sess_nope/revoke", nil).wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "session_id")
		theirs.mustRefresh(so)
		// Signed out: no list, no revoking.
		stranger := newBrowser(t, ts)
		stranger.do("GET", "/v1/me/sessions", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSignedOut, "")
		stranger.do("POST", "/v1/me/sessions/"+sd+"/revoke", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSignedOut, "")
	})
}

func TestFrontendOriginRules(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.signInUser(t, siEmail, "")
		b := newBrowser(t, ts)
		sid := b.ticketSignIn(u.ID, uaChromeWindows)
		path := "/v1/client/sessions/" + sid + "/tokens"
		noCORS := func(res *response) {
			t.Helper()
			if h := res.Header.Get("Access-Control-Allow-Origin"); h != "" {
				t.Errorf("CORS granted to %q", h)
			}
		}

		// A foreign origin may not change state, and gets no CORS grant.
		res := b.do("POST", path, nil, "Origin", "https://evil.example")
		res.wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
		noCORS(res)
		res = b.do("DELETE", "/v1/client", nil, "Origin", "null")
		res.wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
		// It may GET (a navigation), but cannot read the answer.
		res = b.do("GET", "/v1/client", nil, "Origin", "https://evil.example")
		res.wantStatus(t, http.StatusOK)
		noCORS(res)

		// An allowed origin gets CORS with credentials, and becomes azp.
		res = b.do("POST", path, nil, "Origin", "https://app.example")
		res.wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
		ts.patchSettings(t, `{"allowed_origins":["https://app.example"]}`)
		res = b.do("POST", path, nil, "Origin", "https://app.example")
		res.wantStatus(t, http.StatusOK)
		if res.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || res.Header.Get("Access-Control-Allow-Credentials") != "true" ||
			!strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Origin") {
			t.Errorf("CORS for an allowed origin: %v", res.Header)
		}
		var tok tokenJSON
		res.decode(t, &tok)
		if c := verifyToken(t, ts, tok.JWT); c["azp"] != "https://app.example" {
			t.Errorf("azp %v, want the allowed origin", c["azp"])
		}
		res = b.do("OPTIONS", path, nil, "Origin", "https://app.example", "Access-Control-Request-Method", "POST")
		if res.Status != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
			res.Header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("preflight for an allowed origin: %d %v", res.Status, res.Header)
		}
		res = b.do("OPTIONS", path, nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
		res.wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
		noCORS(res)

		// Fetch metadata without Origin: cross-site refused, same-origin
		// allowed.
		b.do("POST", path, nil, "Origin", "", "Sec-Fetch-Site", "cross-site").wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
		b.do("POST", path, nil, "Origin", "", "Sec-Fetch-Site", "same-site").wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
		b.do("POST", path, nil, "Origin", "", "Sec-Fetch-Site", "same-origin").wantStatus(t, http.StatusOK)
		// Neither, but the client cookie: refused (a browser that says
		// nothing about where it comes from is not trusted with it).
		b.do("POST", path, nil, "Origin", "").wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
		b.do("DELETE", "/v1/client", nil, "Origin", "").wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
		b.mustRefresh(sid) // none of that signed the browser out
		// Neither and no cookie: a server or native app, let through.
		bare := &client{t: t, base: ts.url, hc: http.DefaultClient}
		bare.do("POST", path, nil).wantError(t, http.StatusUnauthorized, latchkey.CodeSignedOut, "")

		// The client IP: X-Forwarded-For is believed from a trusted proxy
		// (loopback by default), rightmost untrusted hop first.
		ipOf := func(sid string) string { return backendSession(t, ts, sid).IPAddress }
		viaProxy := newBrowser(t, ts)
		if ip := ipOf(viaProxy.ticketSignIn(u.ID, uaChromeWindows, "X-Forwarded-For", "203.0.113.7")); ip != "203.0.113.7" {
			t.Errorf("behind a loopback proxy the session IP is %s, want 203.0.113.7", ip)
		}
		spoofed := newBrowser(t, ts)
		if ip := ipOf(spoofed.ticketSignIn(u.ID, uaChromeWindows, "X-Forwarded-For", "1.2.3.4, 203.0.113.8, 127.0.0.1")); ip != "203.0.113.8" {
			t.Errorf("with a forged first hop the session IP is %s, want 203.0.113.8", ip)
		}
		// From an untrusted address the header is ignored.
		res = ts.as(t).do("POST", "/api/v1/sign_in_tokens", map[string]any{"user_id": u.ID})
		var link signInTokenJSON
		res.decode(t, &link)
		req := httptest.NewRequest("GET", link.URL, nil)
		req.RemoteAddr = "198.51.100.20:40000"
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		rec := httptest.NewRecorder()
		ts.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("sign-in token from an untrusted address: %d %s", rec.Code, rec.Body)
		}
		all := ts.as(t).do("GET", "/api/v1/sessions?user_id="+u.ID+"&limit=1", nil)
		var latest listJSON[backendSessionJSON]
		all.decode(t, &latest)
		if len(latest.Data) != 1 || latest.Data[0].IPAddress != "198.51.100.20" {
			t.Errorf("from an untrusted address the session IP is %+v, want 198.51.100.20", latest.Data)
		}
	})
}
