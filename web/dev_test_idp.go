package web

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// The development test provider ("Latchkey Test IdP", dev mode only): a
// plain OAuth 2.0 provider served by Latchkey itself, so social buttons and
// account linking can be tried without registering an app anywhere. Its
// authorize page lets the developer type or pick the identity it vouches
// for, email verified or not. It speaks the protocol for real: codes are
// single-use and short-lived, PKCE (S256) is required and checked, and the
// redirect URI must be Latchkey's callback, so it cannot be made an open
// redirect. State lives in memory, bounded.

const (
	testIdPCodeLifetime  = time.Minute
	testIdPTokenLifetime = time.Hour
	testIdPMaxEntries    = 10000 // codes and tokens each
	testIdPMaxForm       = 16 << 10
)

type testIdPIdentity struct {
	ID, Email, FirstName, LastName string
	EmailVerified                  bool
}

type testIdPGrant struct {
	identity    testIdPIdentity
	redirectURI string
	challenge   string
	expires     time.Time
}

type testIdP struct {
	callback string // the only redirect URI accepted

	mu      sync.Mutex
	codes   map[string]*testIdPGrant // code -> grant
	access  map[string]*testIdPGrant // access token -> grant
	refresh map[string]*testIdPGrant // refresh token -> grant
}

func newTestIdP(callback string) *testIdP {
	return &testIdP{callback: callback, codes: map[string]*testIdPGrant{},
		access: map[string]*testIdPGrant{}, refresh: map[string]*testIdPGrant{}}
}

// put stores g under a new random key in m, dropping expired entries (and,
// when still full, the table) first so memory stays bounded.
func (p *testIdP) put(m map[string]*testIdPGrant, g *testIdPGrant) string {
	if len(m) >= testIdPMaxEntries {
		now := time.Now()
		for k, v := range m {
			if !now.Before(v.expires) {
				delete(m, k)
			}
		}
		if len(m) >= testIdPMaxEntries {
			clear(m)
		}
	}
	key := latchkey.RandomString(32)
	m[key] = g
	return key
}

// testIdPID derives a stable subject from the email address, so the same
// test person is the same identity every time.
func testIdPID(email string) string {
	d := sha256.Sum256([]byte(strings.ToLower(email)))
	return "test_" + hex.EncodeToString(d[:10])
}

// authorizeRequest is what the authorize endpoint needs, from the query
// (GET) or the form (POST).
type authorizeRequest struct {
	RedirectURI, State, Challenge, Scope string
}

func (p *testIdP) authorizeRequest(v url.Values) (authorizeRequest, string) {
	a := authorizeRequest{RedirectURI: v.Get("redirect_uri"), State: v.Get("state"), Challenge: v.Get("code_challenge"), Scope: v.Get("scope")}
	switch {
	case a.RedirectURI != p.callback:
		return a, "The redirect_uri must be Latchkey's callback, " + p.callback + "."
	case a.State == "" || len(a.State) > 512:
		return a, "The state parameter is missing."
	case v.Get("response_type") != "code":
		return a, "Only response_type=code is supported."
	case v.Get("code_challenge_method") != "S256" || len(a.Challenge) != 43:
		return a, "PKCE is required: send code_challenge with code_challenge_method=S256."
	}
	return a, ""
}

var testIdPPage = template.Must(template.New("idp").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Latchkey Test IdP</title><style>` + testIdPStyle + `</style></head>
<body><main class="lk-idp">
<h1>Latchkey Test IdP</h1>
{{if .Error}}<p class="lk-idp-error" role="alert">{{.Error}}</p>{{else}}
<p>Development only. Choose who to sign in as; nothing leaves this machine.</p>
<form method="post" action="authorize" class="lk-idp-form">
{{template "hidden" .}}
<label>Email address <input type="email" name="email" required autocomplete="off" value="{{.Email}}"></label>
<label class="lk-idp-check"><input type="checkbox" name="email_verified" value="true" checked> The provider says this email address is verified</label>
<label>First name <input type="text" name="first_name" autocomplete="off"></label>
<label>Last name <input type="text" name="last_name" autocomplete="off"></label>
<button type="submit" name="action" value="allow">Continue</button>
</form>
<h2>Or pick a test identity</h2>
{{range .Presets}}<form method="post" action="authorize" class="lk-idp-preset">{{template "hidden" $}}
<input type="hidden" name="email" value="{{.Email}}"><input type="hidden" name="first_name" value="{{.FirstName}}">
<input type="hidden" name="last_name" value="{{.LastName}}">{{if .EmailVerified}}<input type="hidden" name="email_verified" value="true">{{end}}
<button type="submit" name="action" value="allow">{{.FirstName}} {{.LastName}} &lt;{{.Email}}&gt;{{if not .EmailVerified}} (unverified){{end}}</button></form>
{{end}}
<form method="post" action="authorize">{{template "hidden" .}}<button type="submit" name="action" value="deny" class="lk-idp-deny">Deny access</button></form>
{{end}}</main></body></html>
{{define "hidden"}}<input type="hidden" name="response_type" value="code"><input type="hidden" name="redirect_uri" value="{{.Req.RedirectURI}}">
<input type="hidden" name="state" value="{{.Req.State}}"><input type="hidden" name="code_challenge" value="{{.Req.Challenge}}">
<input type="hidden" name="code_challenge_method" value="S256"><input type="hidden" name="scope" value="{{.Req.Scope}}">{{end}}`))

const testIdPStyle = `body{font-family:system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#fafafa;color:#111}` +
	`.lk-idp{max-width:30rem;padding:2rem;background:#fff;border:1px solid #e5e5e5;border-radius:.75rem}` +
	`label{display:block;margin:.75rem 0}input[type=email],input[type=text]{display:block;width:100%;padding:.5rem;box-sizing:border-box}` +
	`button{margin:.25rem 0;padding:.5rem 1rem;cursor:pointer}.lk-idp-error{color:#b00020}.lk-idp-deny{background:none;border:none;color:#666;text-decoration:underline}`

var testIdPPresets = []testIdPIdentity{
	{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", EmailVerified: true},
	{Email: "grace@example.com", FirstName: "Grace", LastName: "Hopper", EmailVerified: true},
	{Email: "unverified@example.com", FirstName: "Alan", LastName: "Turing"},
}

// testIdPCSP allows the page's one style sheet by hash, forms to itself
// and, because a form's redirects count too, to the callback's onward
// redirect to a local app.
func (s *Server) testIdPCSP() string {
	d := sha256.Sum256([]byte(testIdPStyle))
	targets := []string{"'self'", "http://localhost:*", "http://127.0.0.1:*", "https://localhost:*"}
	for _, o := range s.instance.Settings().AllowedOrigins {
		if !strings.ContainsAny(o, " ;,'\"") {
			targets = append(targets, o)
		}
	}
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(d[:]) +
		"'; form-action " + strings.Join(targets, " ") + "; frame-ancestors 'none'; base-uri 'none'"
}

func (s *Server) testIdPRender(w http.ResponseWriter, status int, req authorizeRequest, msg, email string) error {
	var buf bytes.Buffer
	data := struct {
		Req          authorizeRequest
		Error, Email string
		Presets      []testIdPIdentity
	}{req, msg, email, testIdPPresets}
	if err := testIdPPage.Execute(&buf, data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", s.testIdPCSP())
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

// testIdPAuthorize is GET /dev/test_idp/authorize: the page.
func (s *Server) testIdPAuthorize(w http.ResponseWriter, r *http.Request) error {
	req, problem := s.testIdP.authorizeRequest(r.URL.Query())
	if problem != "" {
		return s.testIdPRender(w, http.StatusBadRequest, req, problem, "")
	}
	return s.testIdPRender(w, http.StatusOK, req, "", "")
}

// testIdPAuthorizePost is POST /dev/test_idp/authorize: the developer's
// choice, answered like a provider: a redirect to the callback with a code,
// or with error=access_denied.
func (s *Server) testIdPAuthorizePost(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, testIdPMaxForm)
	if err := r.ParseForm(); err != nil {
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, "", "The form could not be read.")
	}
	req, problem := s.testIdP.authorizeRequest(r.PostForm)
	if problem != "" {
		return s.testIdPRender(w, http.StatusBadRequest, req, problem, "")
	}
	q := url.Values{"state": {req.State}}
	if r.PostForm.Get("action") == "deny" {
		q.Set("error", "access_denied")
		q.Set("error_description", "The developer denied access on the test provider.")
		http.Redirect(w, r, req.RedirectURI+"?"+q.Encode(), http.StatusSeeOther)
		return nil
	}
	email, _, err := latchkey.NormalizeEmail(strings.TrimSpace(r.PostForm.Get("email")))
	if err != nil {
		return s.testIdPRender(w, http.StatusBadRequest, req, "Enter a valid email address.", "")
	}
	id := testIdPIdentity{ID: testIdPID(email), Email: email, EmailVerified: r.PostForm.Get("email_verified") == "true",
		FirstName: clipText(r.PostForm.Get("first_name"), 100), LastName: clipText(r.PostForm.Get("last_name"), 100)}
	p := s.testIdP
	p.mu.Lock()
	code := p.put(p.codes, &testIdPGrant{identity: id, redirectURI: req.RedirectURI, challenge: req.Challenge,
		expires: time.Now().Add(testIdPCodeLifetime)})
	p.mu.Unlock()
	q.Set("code", code)
	http.Redirect(w, r, req.RedirectURI+"?"+q.Encode(), http.StatusSeeOther)
	return nil
}

func clipText(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// testIdPError answers the token endpoint's errors as RFC 6749 says.
func testIdPError(w http.ResponseWriter, code, description string) error {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": description})
	return nil
}

// testIdPToken is POST /dev/test_idp/token: the code (single-use, PKCE
// checked) or a refresh token for tokens.
func (s *Server) testIdPToken(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, testIdPMaxForm)
	if err := r.ParseForm(); err != nil {
		return testIdPError(w, "invalid_request", "The form could not be read.")
	}
	f := r.PostForm
	p := s.testIdP
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	var g *testIdPGrant
	switch f.Get("grant_type") {
	case "authorization_code":
		code := f.Get("code")
		g = p.codes[code]
		delete(p.codes, code) // single-use, whatever happens next
		if g == nil || !now.Before(g.expires) {
			return testIdPError(w, "invalid_grant", "The code is unknown, expired or was already used.")
		}
		if f.Get("redirect_uri") != g.redirectURI {
			return testIdPError(w, "invalid_grant", "The redirect_uri differs from the authorization request's.")
		}
		d := sha256.Sum256([]byte(f.Get("code_verifier")))
		if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(d[:])), []byte(g.challenge)) != 1 {
			return testIdPError(w, "invalid_grant", "The PKCE code_verifier does not match the code_challenge.")
		}
	case "refresh_token":
		g = p.refresh[f.Get("refresh_token")]
		if g == nil {
			return testIdPError(w, "invalid_grant", "The refresh token is unknown.")
		}
	default:
		return testIdPError(w, "unsupported_grant_type", "Use authorization_code or refresh_token.")
	}
	access := p.put(p.access, &testIdPGrant{identity: g.identity, expires: now.Add(testIdPTokenLifetime)})
	out := map[string]any{"access_token": access, "token_type": "Bearer",
		"expires_in": int(testIdPTokenLifetime / time.Second), "scope": "profile email"}
	if f.Get("grant_type") == "authorization_code" {
		out["refresh_token"] = p.put(p.refresh, &testIdPGrant{identity: g.identity, expires: now.Add(30 * 24 * time.Hour)})
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
	return nil
}

// testIdPUserinfo is GET /dev/test_idp/userinfo: the identity behind the
// bearer token.
func (s *Server) testIdPUserinfo(w http.ResponseWriter, r *http.Request) error {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p := s.testIdP
	p.mu.Lock()
	g := p.access[tok]
	p.mu.Unlock()
	if !ok || g == nil || !time.Now().Before(g.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return nil
	}
	id := g.identity
	writeJSON(w, http.StatusOK, map[string]any{"id": id.ID, "email": id.Email, "email_verified": id.EmailVerified,
		"name": strings.TrimSpace(id.FirstName + " " + id.LastName), "given_name": id.FirstName, "family_name": id.LastName})
	return nil
}
