package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
	"github.com/latchkeyhq/latchkey/delivery"
	"github.com/latchkeyhq/latchkey/geoip"
	"github.com/latchkeyhq/latchkey/instance"
	"github.com/latchkeyhq/latchkey/netguard"
	"github.com/latchkeyhq/latchkey/oauth"
	"github.com/latchkeyhq/latchkey/password"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
	"github.com/latchkeyhq/latchkey/token"
)

// The HTTP scenario suite: every test starts the real server (wired as
// cmd/latchkey/app.go wires it) on a fresh database, on every engine, and
// talks to it over HTTP. Invariants every response must keep (trace id,
// error shape, no internal error text) are checked on every request by
// client.do, so each scenario checks them without saying so.

// testServer is a running server with its parts, for scenarios that look
// behind the API (the stored password hash, the log).
type testServer struct {
	*client
	engine string
	store  *sqlstore.Store
	inst   *instance.Service
	users  *auth.Users
	keys   *token.Keyring
	srv    *Server
	logs   *syncBuffer

	sessions *auth.Sessions
	signIns  *auth.SignIns
	signUps  *auth.SignUps
	mails    *captureMailer
	url      string // the public URL (the httptest server)
	webhooks *delivery.Dispatcher
}

type serverConfig struct {
	env   string
	dev   bool
	file  *instance.File
	geoip *geoip.DB
	oauth func(publicURL string) oauth.Options
}

type serverOption func(*serverConfig)

// withFile seeds the settings from a declarative file, as --config does.
func withFile(f *instance.File) serverOption { return func(c *serverConfig) { c.file = f } }

// withProduction makes the instance a production one (sk_live_ keys).
func withProduction() serverOption { return func(c *serverConfig) { c.env = latchkey.EnvProduction } }

// withoutDev turns off development conveniences (Deps.Dev), as in serve.
func withoutDev() serverOption { return func(c *serverConfig) { c.dev = false } }

// withGeoIP places client addresses with db, as --geoip-file does.
func withGeoIP(db *geoip.DB) serverOption { return func(c *serverConfig) { c.geoip = db } }

// withOAuth gives the server's social sign-in providers the options f
// returns for the server's public URL (tests point providers at loopback
// servers that must know the callback URL).
func withOAuth(f func(publicURL string) oauth.Options) serverOption {
	return func(c *serverConfig) { c.oauth = f }
}

// eachEngine runs fn as a parallel subtest on every engine.
func eachEngine(t *testing.T, fn func(t *testing.T, engine string)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			fn(t, engine)
		})
	}
}

// newTestServer builds the server exactly as cmd/latchkey/app.go does, on a
// fresh database of engine, starts it on a loopback port and creates a
// secret key for the returned client.
func newTestServer(t *testing.T, engine string, opts ...serverOption) *testServer {
	t.Helper()
	cfg := serverConfig{env: latchkey.EnvDevelopment, dev: true}
	for _, o := range opts {
		o(&cfg)
	}
	ctx := context.Background()
	store := storetest.Open(t, engine)
	// Strictly increasing milliseconds, so rows created one after another
	// sort in that order and list scenarios are deterministic.
	store.SetClock(steadyClock())

	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	inst, err := instance.Open(ctx, store, cfg.env, cfg.file, log)
	if err != nil {
		t.Fatalf("open instance: %v", err)
	}
	master := make([]byte, seal.KeySize)
	rand.Read(master)
	box, err := seal.New(master)
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	keys := token.NewKeyring(store, box)
	if err := keys.Init(ctx); err != nil {
		t.Fatalf("init signing keys: %v", err)
	}
	hasher := password.NewPool(0, 0)
	users := auth.NewUsers(store, hasher, inst.Settings)
	hs := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + hs.Listener.Addr().String()
	var oauthOpts oauth.Options
	if cfg.oauth != nil {
		oauthOpts = cfg.oauth(publicURL)
	}
	mails := &captureMailer{}
	limiter := auth.NewLimiter(store)
	sessions := auth.NewSessions(store, keys, inst.Settings, publicURL, log)
	signIns := auth.NewSignIns(store, sessions, users, mails, limiter, inst.Settings, publicURL, log)
	signUps := auth.NewSignUps(store, sessions, users, mails, limiter, inst.Settings, publicURL, log)
	// Webhooks may reach the loopback receivers of the tests, as in dev mode.
	webhookNet := netguard.Options{AllowLoopback: true, AllowHTTP: true}
	webhooks := delivery.New(delivery.Config{Store: store, Box: box, Client: netguard.NewClient(webhookNet, nil),
		InstanceID: func() string { return inst.Instance().ID }, Log: log})
	srv := NewServer(Deps{
		Store: store, Users: users, Instance: inst, Keys: keys, Hasher: hasher,
		Sessions: sessions, SignIns: signIns, SignUps: signUps, Limiter: limiter,
		Me:  auth.NewMe(store, sessions, users, mails, limiter, inst.Settings, log),
		Log: log, Dev: cfg.dev, PublicURL: publicURL, GeoIP: cfg.geoip, Box: box, OAuth: oauthOpts,
		Webhooks: webhooks, WebhookNet: webhookNet,
	})
	hs.Config.Handler = srv
	hs.Start()
	secret, key := instance.NewAPIKey(inst.Instance(), "test")
	if err := store.CreateAPIKey(ctx, key); err != nil {
		t.Fatalf("create api key: %v", err)
	}
	ts := &testServer{
		client: newClient(t, hs, secret),
		engine: engine, store: store, inst: inst, users: users, keys: keys, srv: srv, logs: logs,
		sessions: sessions, signIns: signIns, signUps: signUps, mails: mails, url: publicURL,
		webhooks: webhooks,
	}
	// Cleanups run last-in first-out: the HTTP server stops (waiting for
	// requests in flight) before the store closes, and then the log is read.
	t.Cleanup(func() {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the server log contains the secret key")
		}
		if t.Failed() {
			t.Logf("server log (%s):\n%s", engine, logs.String())
		}
	})
	t.Cleanup(hs.Close)
	return ts
}

// client talks to one server with one secret key.
type client struct {
	t      *testing.T
	base   string
	secret string
	hc     *http.Client
}

// as returns a copy of c that reports to t (a subtest's own t).
func (c *client) as(t *testing.T) *client {
	cc := *c
	cc.t = t
	return &cc
}

// withKey returns a copy of c that sends secret instead.
func (c *client) withKey(secret string) *client {
	cc := *c
	cc.secret = secret
	return &cc
}

func newClient(t *testing.T, hs *httptest.Server, secret string) *client {
	hc := hs.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &client{t: t, base: hs.URL, secret: secret, hc: hc}
}

// response is what came back.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends a request and checks the invariants of every response. body is
// sent as is when a string or []byte, as JSON otherwise, and not at all
// when nil. A JSON body gets Content-Type: application/json and every
// request gets the client's secret key, unless headers (name, value pairs)
// say otherwise; an empty value removes the header.
func (c *client) do(method, path string, body any, headers ...string) *response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("encode request body: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.secret)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if len(headers)%2 != 0 {
		c.t.Fatalf("do: headers must be name, value pairs")
	}
	for i := 0; i < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	r := &response{Status: res.StatusCode, Header: res.Header, Body: raw}
	checkInvariants(c.t, method+" "+path, r)
	return r
}

var (
	traceIDPattern = regexp.MustCompile(`^req_[0-9A-Za-z]{27}$`)
	randomRun      = regexp.MustCompile(`[0-9A-Za-z_-]{20,}`) // IDs, keys, base64url tokens
)

// leaks are fragments of Go, driver and runtime error text that must never
// reach a client.
var leaks = []string{"sql:", "pq:", "pgx", "pgconn", "SQLSTATE", "sqlite", "SQLITE", "runtime error",
	"goroutine ", "panic:", "json: ", "%!", "<nil>", "context canceled", "deadline exceeded",
	"connection refused", "database is closed", "constraint failed", "duplicate key"}

// checkInvariants checks what holds for every response: a trace id, the
// nosniff header, no internal error text, and for errors the wire shape
// of DESIGN.md with the status of the code and the header's trace id.
func checkInvariants(t *testing.T, what string, r *response) {
	t.Helper()
	trace := r.Header.Get(TraceHeader)
	if !traceIDPattern.MatchString(trace) {
		t.Errorf("%s: %s = %q, want req_ + 27 base62 characters", what, TraceHeader, trace)
	}
	if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q, want nosniff", what, got)
	}
	if _, path, _ := strings.Cut(what, " "); strings.HasPrefix(path, "/api/") {
		// Backend API responses may carry secrets and personal data: JSON,
		// never cached.
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type = %q, want application/json", what, ct)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control = %q, want no-store", what, cc)
		}
	}
	// Random IDs, keys and tokens could spell "pgx" by chance (a JWT once
	// did: "...RoH1_qbpgxaB9..."); leave them out.
	text := randomRun.ReplaceAll(r.Body, nil)
	for _, l := range leaks {
		if bytes.Contains(text, []byte(l)) {
			t.Errorf("%s: response body contains internal error text %q:\n%s", what, l, r.Body)
		}
	}
	if r.Status < 400 || strings.HasSuffix(what, " /readyz") {
		return // readyz answers 503 with its checks, for load balancers
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: error Content-Type = %q, want application/json", what, ct)
	}
	var body struct {
		Errors []struct {
			Code        latchkey.Code `json:"code"`
			Message     string        `json:"message"`
			LongMessage string        `json:"long_message"`
			Meta        *struct {
				ParamName string `json:"param_name"`
			} `json:"meta"`
		} `json:"errors"`
		TraceID string `json:"trace_id"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Errorf("%s: error body is not the error shape (%v):\n%s", what, err, r.Body)
		return
	}
	if len(body.Errors) == 0 {
		t.Errorf("%s: error body has no errors:\n%s", what, r.Body)
		return
	}
	e := body.Errors[0]
	if _, ok := latchkey.Messages[e.Code]; !ok {
		t.Errorf("%s: errors[0].code %q is not in the catalog", what, e.Code)
	}
	if e.Message == "" {
		t.Errorf("%s: errors[0].message is empty", what)
	}
	if e.Meta != nil && e.Meta.ParamName == "" {
		t.Errorf("%s: errors[0].meta is present without param_name", what)
	}
	if want := statusOf[e.Code]; want != r.Status {
		t.Errorf("%s: status %d with code %s, whose status is %d", what, r.Status, e.Code, want)
	}
	if body.TraceID == "" || body.TraceID != trace {
		t.Errorf("%s: trace_id %q, want the %s header %q", what, body.TraceID, TraceHeader, trace)
	}
}

// wantStatus fails the test unless the response has status.
func (r *response) wantStatus(t *testing.T, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.Status, status, r.Body)
	}
}

// wantError fails the test unless the response is the error with status,
// code and meta.param_name (none when param is "").
func (r *response) wantError(t *testing.T, status int, code latchkey.Code, param string) {
	t.Helper()
	r.wantStatus(t, status)
	var body errorBody
	r.decode(t, &body)
	if len(body.Errors) == 0 {
		t.Fatalf("no errors in body:\n%s", r.Body)
	}
	e := body.Errors[0]
	var got string
	if e.Meta != nil {
		got = e.Meta.ParamName
	}
	if e.Code != code || got != param {
		t.Errorf("error %s (param %q), want %s (param %q); body:\n%s", e.Code, got, code, param, r.Body)
	}
}

// firstError returns the first error of an error response.
func (r *response) firstError(t *testing.T) errorJSON {
	t.Helper()
	var body errorBody
	r.decode(t, &body)
	if len(body.Errors) == 0 {
		t.Fatalf("no errors in body:\n%s", r.Body)
	}
	return body.Errors[0]
}

// decode decodes the body into v, strictly.
func (r *response) decode(t *testing.T, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %T: %v; body:\n%s", v, err, r.Body)
	}
}

// object decodes the body as a JSON object with exact numbers.
func (r *response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode object: %v; body:\n%s", err, r.Body)
	}
	return m
}

// send is do for other goroutines: it reports failures as an error instead
// of failing the test, and checks no invariants.
func (c *client) send(method, path, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.secret)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res.StatusCode, raw, err
}

// steadyClock returns the wall clock in whole milliseconds, moved forward
// by a millisecond whenever it would not advance.
func steadyClock() func() time.Time {
	var mu sync.Mutex
	var last time.Time
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now().Truncate(time.Millisecond)
		if !now.After(last) {
			now = last.Add(time.Millisecond)
		}
		last = now
		return now
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// createUser creates a user from fields (password-less unless fields say
// otherwise, so no time goes to hashing) and returns it.
func (ts *testServer) createUser(t *testing.T, fields map[string]any) userJSON {
	t.Helper()
	body := map[string]any{}
	for k, v := range fields {
		body[k] = v
	}
	if body["password"] == nil && body["password_digest"] == nil {
		body["skip_password_requirement"] = true
	}
	res := ts.as(t).do("POST", "/api/v1/users", body)
	res.wantStatus(t, http.StatusOK)
	var u userJSON
	res.decode(t, &u)
	return u
}

// patchSettings changes instance settings through the API.
func (ts *testServer) patchSettings(t *testing.T, settings string) {
	t.Helper()
	ts.as(t).do("PATCH", "/api/v1/instance", `{"settings":`+settings+`}`).wantStatus(t, http.StatusOK)
}

// enableAllIdentifiers turns on phone numbers and usernames.
func (ts *testServer) enableAllIdentifiers(t *testing.T) {
	t.Helper()
	ts.patchSettings(t, `{"phone_number":{"enabled":true},"username":{"enabled":true}}`)
}
