package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/latchkeyhq/latchkey"
)

// captureMailer records the mail the auth flows send (the real templates
// and SMTP delivery are tested in package mail).
type captureMailer struct {
	mu   sync.Mutex
	sent []sentMail
}

type sentMail struct {
	Kind, To string
	Data     map[string]string
}

func (m *captureMailer) Send(_ context.Context, kind, to string, data map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, sentMail{Kind: kind, To: to, Data: data})
	return nil
}

// last returns the newest mail to the address, failing the test if none.
func (m *captureMailer) last(t *testing.T, to string) sentMail {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.sent) - 1; i >= 0; i-- {
		if strings.EqualFold(m.sent[i].To, to) {
			return m.sent[i]
		}
	}
	t.Fatalf("no mail to %s (sent: %d)", to, len(m.sent))
	return sentMail{}
}

// count returns how many mails went to the address.
func (m *captureMailer) count(to string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, s := range m.sent {
		if strings.EqualFold(s.To, to) {
			n++
		}
	}
	return n
}

// browser is one browser profile talking to the Frontend API: a cookie jar
// and an Origin header, like a page on the public URL.
type browser struct {
	t      *testing.T
	ts     *testServer
	hc     *http.Client
	origin string
}

func newBrowser(t *testing.T, ts *testServer) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, ts: ts, hc: hc, origin: ts.url}
}

// envelope is a Frontend API answer.
type envelope struct {
	Response json.RawMessage `json:"response"`
	Client   *clientView     `json:"client"`
}

type clientView struct {
	ID                  string `json:"id"`
	LastActiveSessionID string `json:"last_active_session_id"`
	Sessions            []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		User   struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"sessions"`
	SignIn json.RawMessage `json:"sign_in"`
	SignUp json.RawMessage `json:"sign_up"`
}

// do sends a request as the browser (JSON body, Origin set) and returns the
// raw response.
func (b *browser) do(method, path string, body any, headers ...string) *response {
	b.t.Helper()
	c := &client{t: b.t, base: b.ts.url, hc: b.hc}
	h := append([]string{"Origin", b.origin}, headers...)
	return c.do(method, path, body, h...)
}

// call sends a request and decodes the envelope, failing unless the status
// is want.
func (b *browser) call(method, path string, body any, want int) *envelope {
	b.t.Helper()
	res := b.do(method, path, body)
	if res.Status != want {
		b.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, res.Status, want, res.Body)
	}
	var env envelope
	if err := json.Unmarshal(res.Body, &env); err != nil {
		b.t.Fatalf("%s %s: decode envelope: %v; body: %s", method, path, err, res.Body)
	}
	return &env
}

// cookie returns the value of a cookie the browser holds for the server.
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.ts.url)
	for _, c := range b.hc.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// TestFrontendHarness checks the plumbing every Frontend API test relies on:
// environment, an empty client, origin checks and CORS preflight.
func TestFrontendHarness(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		b := newBrowser(t, ts)
		res := b.do("GET", "/v1/environment", nil)
		if res.Status != 200 || !strings.Contains(string(res.Body), `"first_factors":["password","email_code","email_link"`) {
			t.Fatalf("environment: %d %s", res.Status, res.Body)
		}
		res = b.do("GET", "/v1/client", nil)
		if res.Status != 200 || !strings.Contains(string(res.Body), `"response":null`) {
			t.Fatalf("client before anything: %d %s", res.Status, res.Body)
		}
		// A state change from a foreign origin is refused, with no CORS grant.
		evil := &browser{t: t, ts: ts, hc: b.hc, origin: "https://evil.example"}
		res = evil.do("DELETE", "/v1/client", nil)
		res.wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
		if res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("foreign origin got CORS header %q", res.Header.Get("Access-Control-Allow-Origin"))
		}
		// Dev mode allows localhost origins, with credentials.
		local := &browser{t: t, ts: ts, hc: b.hc, origin: "http://localhost:3000"}
		res = local.do("OPTIONS", "/v1/client", nil, "Access-Control-Request-Method", "DELETE")
		if res.Status != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
			res.Header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("preflight: %d %v", res.Status, res.Header)
		}
		res = evil.do("OPTIONS", "/v1/client", nil)
		if res.Status != http.StatusForbidden {
			t.Errorf("foreign preflight: %d", res.Status)
		}
		// Cross-site fetch metadata without Origin is refused too.
		res = (&client{t: t, base: ts.url, hc: b.hc}).do("DELETE", "/v1/client", nil, "Sec-Fetch-Site", "cross-site")
		res.wantError(t, http.StatusForbidden, latchkey.CodeOriginNotAllowed, "")
	})
}
