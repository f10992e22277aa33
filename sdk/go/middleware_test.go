package latchkey

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testFrontendAPI = "https://app.example.com/__latchkey/v1"

// request builds a request to the app. kind is "document", "api" or
// "html" (a browser without Sec-Fetch-Dest).
func request(method, target, kind string, cookies map[string]string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	switch kind {
	case "document":
		r.Header.Set("Sec-Fetch-Dest", "document")
		r.Header.Set("Accept", "text/html,application/xhtml+xml")
	case "html":
		r.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	case "api":
		r.Header.Set("Sec-Fetch-Dest", "empty")
		r.Header.Set("Accept", "application/json")
	}
	for k, v := range cookies {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	return r
}

// recorder runs h on r and reports what the inner handler saw.
type outcome struct {
	resp   *http.Response
	body   string
	called bool
	auth   Auth
}

func serve(h func(http.Handler) http.Handler, r *http.Request) outcome {
	var o outcome
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.called = true
		o.auth = AuthFromContext(r.Context())
		w.Write([]byte("inner"))
	})
	w := httptest.NewRecorder()
	h(inner).ServeHTTP(w, r)
	o.resp = w.Result()
	o.body = w.Body.String()
	return o
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := f.clock.Now()
	valid := f.token(t)
	expired := sign(t, f.key, with(claimsAt(now.Add(-2*time.Minute))))
	uat := strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)
	stale := sign(t, f.key, with(claimsAt(now.Add(-10*time.Second))))
	uatNow := strconv.FormatInt(now.Unix(), 10)
	forged := sign(t, newSigningKey(t, "kid_current"), claimsAt(now))

	tests := []struct {
		name          string
		r             *http.Request
		want          Reason
		wantHandshake bool
	}{
		{"signed out visitor", request("GET", "/", "document", nil), ReasonSessionTokenMissing, false},
		{"signed out, uat 0", request("GET", "/", "document", map[string]string{ClientUATCookie: "0"}), ReasonSessionTokenMissing, false},
		{"cookie token", request("GET", "/", "document", map[string]string{SessionCookie: valid, ClientUATCookie: uat}), ReasonSessionTokenValid, false},
		{"cookie token without uat", request("GET", "/", "api", map[string]string{SessionCookie: valid}), ReasonSessionTokenValid, false},
		{"cookie token, uat garbage", request("GET", "/", "api", map[string]string{SessionCookie: valid, ClientUATCookie: "soon"}), ReasonSessionTokenValid, false},
		{"expired, document", request("GET", "/", "document", map[string]string{SessionCookie: expired, ClientUATCookie: uat}), ReasonExpired, true},
		{"expired, html without fetch metadata", request("GET", "/", "html", map[string]string{SessionCookie: expired, ClientUATCookie: uat}), ReasonExpired, true},
		{"expired, HEAD document", request("HEAD", "/", "document", map[string]string{SessionCookie: expired, ClientUATCookie: uat}), ReasonExpired, true},
		{"expired, api", request("GET", "/", "api", map[string]string{SessionCookie: expired, ClientUATCookie: uat}), ReasonExpired, false},
		{"expired, POST document", request("POST", "/", "document", map[string]string{SessionCookie: expired, ClientUATCookie: uat}), ReasonExpired, false},
		{"expired, iframe", func() *http.Request {
			r := request("GET", "/", "document", map[string]string{SessionCookie: expired, ClientUATCookie: uat})
			r.Header.Set("Sec-Fetch-Dest", "iframe")
			return r
		}(), ReasonExpired, false},
		{"expired, signed out", request("GET", "/", "document", map[string]string{SessionCookie: expired, ClientUATCookie: "0"}), ReasonExpired, false},
		{"missing token, uat set", request("GET", "/", "document", map[string]string{ClientUATCookie: uat}), ReasonSessionTokenMissing, true},
		{"iat before uat, api", request("GET", "/", "api", map[string]string{SessionCookie: stale, ClientUATCookie: uatNow}), ReasonIATBeforeClientUAT, false},
		{"iat before uat, document", request("GET", "/", "document", map[string]string{SessionCookie: stale, ClientUATCookie: uatNow}), ReasonIATBeforeClientUAT, true},
		{"iat equals uat", request("GET", "/", "api", map[string]string{SessionCookie: valid, ClientUATCookie: uatNow}), ReasonSessionTokenValid, false},
		{"forged token is not refreshed", request("GET", "/", "document", map[string]string{SessionCookie: forged, ClientUATCookie: uat}), ReasonSignatureInvalid, false},
		{"handshake loop", request("GET", "/?x=1&__lk_hs=1", "document", map[string]string{SessionCookie: expired, ClientUATCookie: uat}), ReasonHandshakeLoop, false},
		{"back from handshake, signed in", request("GET", "/?__lk_hs=1", "document", map[string]string{SessionCookie: valid, ClientUATCookie: uat}), ReasonSessionTokenValid, false},
		{"back from handshake, signed out", request("GET", "/?__lk_hs=1", "document", map[string]string{ClientUATCookie: "0"}), ReasonSessionTokenMissing, false},
		{"bearer", func() *http.Request {
			r := request("GET", "/", "api", nil)
			r.Header.Set("Authorization", "Bearer "+valid)
			return r
		}(), ReasonSessionTokenValid, false},
		{"bearer wins over cookie and ignores uat", func() *http.Request {
			r := request("GET", "/", "document", map[string]string{SessionCookie: expired, ClientUATCookie: strconv.FormatInt(now.Add(time.Hour).Unix(), 10)})
			r.Header.Set("Authorization", "bearer "+valid)
			return r
		}(), ReasonSessionTokenValid, false},
		{"expired bearer is not a handshake", func() *http.Request {
			r := request("GET", "/", "document", map[string]string{ClientUATCookie: uat})
			r.Header.Set("Authorization", "Bearer "+expired)
			return r
		}(), ReasonExpired, false},
		{"other scheme falls back to cookie", func() *http.Request {
			r := request("GET", "/", "api", map[string]string{SessionCookie: valid})
			r.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
			return r
		}(), ReasonSessionTokenValid, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, reason := f.v.Authenticate(tt.r)
			if reason != tt.want || a.Reason != tt.want {
				t.Fatalf("reason = %s (Auth.Reason %s), want %s", reason, a.Reason, tt.want)
			}
			if a.Handshake != tt.wantHandshake {
				t.Errorf("Handshake = %v, want %v", a.Handshake, tt.wantHandshake)
			}
			signedIn := tt.want == ReasonSessionTokenValid
			if a.SignedIn != signedIn || (a.Claims != nil) != signedIn {
				t.Errorf("SignedIn = %v, Claims = %v", a.SignedIn, a.Claims)
			}
			if signedIn && (a.UserID != testUser || a.SessionID != testSess) {
				t.Errorf("UserID, SessionID = %q, %q", a.UserID, a.SessionID)
			}
		})
	}
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := f.clock.Now()
	valid := f.token(t)
	expired := sign(t, f.key, claimsAt(now.Add(-2*time.Minute)))
	uat := strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)
	opts := MiddlewareOptions{FrontendAPIURL: testFrontendAPI, SignInURL: "https://app.example.com/sign-in"}

	t.Run("document with a valid token reaches the handler with Auth", func(t *testing.T) {
		o := serve(Middleware(f.v, opts), request("GET", "https://app.example.com/", "document",
			map[string]string{SessionCookie: valid, ClientUATCookie: uat}))
		if !o.called || !o.auth.SignedIn || o.auth.UserID != testUser || o.auth.SessionID != testSess || o.auth.Claims.AuthorizedParty != testApp {
			t.Fatalf("handler called %v with %+v", o.called, o.auth)
		}
		if h := o.resp.Header.Get(AuthReasonHeader); h != "" {
			t.Errorf("%s = %q outside debug mode", AuthReasonHeader, h)
		}
	})

	t.Run("signed-out request reaches the handler signed out", func(t *testing.T) {
		o := serve(Middleware(f.v, opts), request("GET", "/", "api", nil))
		if !o.called || o.auth.SignedIn || o.auth.Reason != ReasonSessionTokenMissing {
			t.Fatalf("handler called %v with %+v", o.called, o.auth)
		}
	})

	t.Run("expired document of a signed-in client goes through the handshake", func(t *testing.T) {
		target := "https://app.example.com/docs/a%2Fb?b=2&a=1&a=0&__lk_hs=0"
		o := serve(Middleware(f.v, opts), request("GET", target, "document",
			map[string]string{SessionCookie: expired, ClientUATCookie: uat}))
		if o.called {
			t.Fatal("handler called")
		}
		if o.resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status = %d, want 303", o.resp.StatusCode)
		}
		loc, err := url.Parse(o.resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testFrontendAPI+"/client/handshake" {
			t.Errorf("handshake endpoint = %s", got)
		}
		back := loc.Query().Get("redirect_url")
		// The page's URL comes back exactly, other parameters in their
		// order and spelling, with the loop guard added.
		if want := "https://app.example.com/docs/a%2Fb?b=2&a=1&a=0&__lk_hs=1"; back != want {
			t.Errorf("redirect_url = %s, want %s", back, want)
		}
		if cc := o.resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q", cc)
		}

		// The server sends the browser back; the token is still expired
		// (say the client was revoked meanwhile): no second redirect.
		o = serve(Middleware(f.v, opts), request("GET", back, "document",
			map[string]string{SessionCookie: expired, ClientUATCookie: uat}))
		if !o.called || o.auth.SignedIn || o.auth.Reason != ReasonHandshakeLoop {
			t.Fatalf("after the handshake: handler called %v with %+v, status %d", o.called, o.auth, o.resp.StatusCode)
		}
	})

	t.Run("expired API request is not redirected", func(t *testing.T) {
		o := serve(Middleware(f.v, opts), request("GET", "/api/me", "api",
			map[string]string{SessionCookie: expired, ClientUATCookie: uat}))
		if !o.called || o.auth.Reason != ReasonExpired {
			t.Fatalf("handler called %v with %+v", o.called, o.auth)
		}
	})

	t.Run("no FrontendAPIURL means no handshake", func(t *testing.T) {
		o := serve(Middleware(f.v, MiddlewareOptions{}), request("GET", "/", "document",
			map[string]string{SessionCookie: expired, ClientUATCookie: uat}))
		if !o.called || o.auth.Handshake || o.auth.Reason != ReasonExpired {
			t.Fatalf("handler called %v with %+v", o.called, o.auth)
		}
	})

	t.Run("relative FrontendAPIURL", func(t *testing.T) {
		o := serve(Middleware(f.v, MiddlewareOptions{FrontendAPIURL: "/__latchkey/v1/"}), request("GET", "http://localhost:3000/x", "document",
			map[string]string{ClientUATCookie: uat}))
		want := "/__latchkey/v1/client/handshake?redirect_url=" + url.QueryEscape("http://localhost:3000/x?__lk_hs=1")
		if o.resp.StatusCode != http.StatusSeeOther || o.resp.Header.Get("Location") != want {
			t.Fatalf("status %d, Location %s, want %s", o.resp.StatusCode, o.resp.Header.Get("Location"), want)
		}
	})
}

func TestRedirectURLScheme(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	uat := strconv.FormatInt(f.clock.Now().Unix(), 10)
	tests := []struct {
		name    string
		appURL  string
		headers map[string]string
		want    string
	}{
		{"plain http", "", nil, "http://app.internal:8080/p?__lk_hs=1"},
		{"behind a TLS proxy", "", map[string]string{"X-Forwarded-Proto": "https"}, "https://app.internal:8080/p?__lk_hs=1"},
		{"AppURL wins", "https://app.example.com/ignored/path", map[string]string{"X-Forwarded-Proto": "http"}, "https://app.example.com/p?__lk_hs=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request("GET", "http://app.internal:8080/p", "document", map[string]string{ClientUATCookie: uat})
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			o := serve(Middleware(f.v, MiddlewareOptions{FrontendAPIURL: testFrontendAPI, AppURL: tt.appURL}), r)
			loc, _ := url.Parse(o.resp.Header.Get("Location"))
			if got := loc.Query().Get("redirect_url"); got != tt.want {
				t.Errorf("redirect_url = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRequireSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := f.clock.Now()
	valid := f.token(t)
	expired := sign(t, f.key, claimsAt(now.Add(-2*time.Minute)))
	uat := strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)
	opts := MiddlewareOptions{FrontendAPIURL: testFrontendAPI, SignInURL: "https://app.example.com/sign-in?theme=dark"}

	t.Run("signed-out API request gets 401 JSON", func(t *testing.T) {
		o := serve(RequireSession(f.v, opts), request("GET", "/api/me", "api", nil))
		if o.called {
			t.Fatal("handler called")
		}
		if o.resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status = %d, want 401", o.resp.StatusCode)
		}
		if ct := o.resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		var body struct {
			Errors []struct {
				Code, Message string
				Meta          map[string]any
			}
		}
		if err := json.Unmarshal([]byte(o.body), &body); err != nil {
			t.Fatalf("body %s: %v", o.body, err)
		}
		if len(body.Errors) != 1 || body.Errors[0].Code != "unauthenticated" || body.Errors[0].Message == "" {
			t.Errorf("body = %s", o.body)
		}
		if body.Errors[0].Meta != nil {
			t.Errorf("reason in the body outside debug mode: %s", o.body)
		}
	})

	t.Run("expired API request gets 401, not a redirect", func(t *testing.T) {
		o := serve(RequireSession(f.v, opts), request("POST", "/api/things", "api",
			map[string]string{SessionCookie: expired, ClientUATCookie: uat}))
		if o.called || o.resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("called %v, status %d", o.called, o.resp.StatusCode)
		}
	})

	t.Run("signed-out document goes to sign-in", func(t *testing.T) {
		o := serve(RequireSession(f.v, opts), request("GET", "https://app.example.com/dashboard?tab=2", "document", nil))
		if o.called || o.resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("called %v, status %d", o.called, o.resp.StatusCode)
		}
		want := "https://app.example.com/sign-in?theme=dark&redirect_url=" + url.QueryEscape("https://app.example.com/dashboard?tab=2")
		if got := o.resp.Header.Get("Location"); got != want {
			t.Errorf("Location = %s, want %s", got, want)
		}
	})

	t.Run("expired document goes through the handshake, then to sign-in without the guard", func(t *testing.T) {
		o := serve(RequireSession(f.v, opts), request("GET", "https://app.example.com/dashboard", "document",
			map[string]string{SessionCookie: expired, ClientUATCookie: uat}))
		if !strings.HasPrefix(o.resp.Header.Get("Location"), testFrontendAPI+"/client/handshake?") {
			t.Fatalf("Location = %s", o.resp.Header.Get("Location"))
		}
		o = serve(RequireSession(f.v, opts), request("GET", "https://app.example.com/dashboard?__lk_hs=1", "document",
			map[string]string{SessionCookie: expired, ClientUATCookie: uat}))
		want := "https://app.example.com/sign-in?theme=dark&redirect_url=" + url.QueryEscape("https://app.example.com/dashboard")
		if o.called || o.resp.Header.Get("Location") != want {
			t.Fatalf("called %v, Location %s, want %s", o.called, o.resp.Header.Get("Location"), want)
		}
	})

	t.Run("signed in passes with Auth", func(t *testing.T) {
		r := request("GET", "/api/me", "api", nil)
		r.Header.Set("Authorization", "Bearer "+valid)
		o := serve(RequireSession(f.v, opts), r)
		if !o.called || o.auth.UserID != testUser {
			t.Fatalf("called %v with %+v", o.called, o.auth)
		}
	})

	t.Run("behind Middleware it reuses the Auth", func(t *testing.T) {
		// An Auth already in the context is trusted as is: the request
		// carries no token at all.
		inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(AuthFromContext(r.Context()).UserID))
		})
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r = r.WithContext(WithAuth(r.Context(), Auth{SignedIn: true, UserID: "user_ctx", Reason: ReasonSessionTokenValid}))
			RequireSession(f.v, opts)(inner).ServeHTTP(w, r)
		})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, request("GET", "/", "api", nil))
		if w.Code != http.StatusOK || w.Body.String() != "user_ctx" {
			t.Fatalf("status %d, body %q", w.Code, w.Body.String())
		}
	})

	t.Run("no SignInURL: documents get 401 too", func(t *testing.T) {
		o := serve(RequireSession(f.v, MiddlewareOptions{}), request("GET", "/", "document", nil))
		if o.called || o.resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("called %v, status %d", o.called, o.resp.StatusCode)
		}
	})
}

func TestDebugMode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := f.clock.Now()
	valid := f.token(t)
	expired := sign(t, f.key, claimsAt(now.Add(-2*time.Minute)))
	uat := strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)
	var logs bytes.Buffer
	opts := MiddlewareOptions{FrontendAPIURL: testFrontendAPI, Debug: true,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))}

	tests := []struct {
		name       string
		h          func(http.Handler) http.Handler
		r          *http.Request
		wantReason Reason
		wantStatus string
		wantCode   int
	}{
		{"signed in", Middleware(f.v, opts), request("GET", "/", "document", map[string]string{SessionCookie: valid}), ReasonSessionTokenValid, "signed-in", 200},
		{"handshake", Middleware(f.v, opts), request("GET", "/", "document", map[string]string{SessionCookie: expired, ClientUATCookie: uat}), ReasonExpired, "handshake", 303},
		{"loop", Middleware(f.v, opts), request("GET", "/?__lk_hs=1", "document", map[string]string{SessionCookie: expired, ClientUATCookie: uat}), ReasonHandshakeLoop, "signed-out", 200},
		{"malformed", RequireSession(f.v, opts), request("GET", "/", "api", map[string]string{SessionCookie: "abc.def.ghi"}), ReasonSessionTokenMalformed, "signed-out", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs.Reset()
			o := serve(tt.h, tt.r)
			if o.resp.StatusCode != tt.wantCode {
				t.Errorf("status = %d, want %d", o.resp.StatusCode, tt.wantCode)
			}
			if got := o.resp.Header.Get(AuthReasonHeader); got != string(tt.wantReason) {
				t.Errorf("%s = %q, want %q", AuthReasonHeader, got, tt.wantReason)
			}
			if got := o.resp.Header.Get(AuthStatusHeader); got != tt.wantStatus {
				t.Errorf("%s = %q, want %q", AuthStatusHeader, got, tt.wantStatus)
			}
			var entry map[string]any
			if err := json.Unmarshal(logs.Bytes(), &entry); err != nil {
				t.Fatalf("log %q: %v", logs.String(), err)
			}
			if entry["reason"] != string(tt.wantReason) || entry["status"] != tt.wantStatus {
				t.Errorf("log entry = %v", entry)
			}
			for _, secret := range []string{valid, expired} {
				if strings.Contains(logs.String(), secret) {
					t.Error("a token was logged")
				}
			}
			if tt.wantCode == 401 && !strings.Contains(o.body, string(tt.wantReason)) {
				t.Errorf("401 body lacks the reason in debug mode: %s", o.body)
			}
		})
	}
}

func TestMiddlewareOptionsChecked(t *testing.T) {
	f := newFixture(t)
	for _, opts := range []MiddlewareOptions{
		{FrontendAPIURL: "app.example.com/__latchkey/v1"},
		{FrontendAPIURL: "//evil.example/v1"},
		{FrontendAPIURL: "javascript:alert(1)"},
		{SignInURL: "sign-in"},
		{AppURL: "/relative"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%+v: no panic", opts)
				}
			}()
			Middleware(f.v, opts)
		}()
	}
}

func TestSetHandshakeParam(t *testing.T) {
	tests := []struct {
		in   string
		add  bool
		want string
	}{
		{"", true, "__lk_hs=1"},
		{"a=1", true, "a=1&__lk_hs=1"},
		{"__lk_hs=0&a=1&%5F_lk_hs=2", true, "a=1&__lk_hs=1"},
		{"a=1&__lk_hs=1&b=%20", false, "a=1&b=%20"},
		{"__lk_hs", false, ""},
		{"a&&b", false, "a&b"},
	}
	for _, tt := range tests {
		if got := setHandshakeParam(tt.in, tt.add); got != tt.want {
			t.Errorf("setHandshakeParam(%q, %v) = %q, want %q", tt.in, tt.add, got, tt.want)
		}
	}
}

func TestAuthFromContextOutsideMiddleware(t *testing.T) {
	a := AuthFromContext(httptest.NewRequest("GET", "/", nil).Context())
	if a.SignedIn || a.Reason != "" {
		t.Errorf("Auth = %+v", a)
	}
}
