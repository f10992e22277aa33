package latchkey_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	latchkey "github.com/latchkeyhq/latchkey/sdk/go"
)

// TestEndToEnd runs the real latchkey binary and a net/http app protected
// by this SDK: sign up, the code from the dev inbox, the session cookie
// reaches the app, the token expires, a refresh fixes it, a page load goes
// through the handshake and back, and after sign-out the SDK refuses with
// the right reason.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	base := startLatchkey(t)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// Sign up with an email code from the dev inbox.
	email := fmt.Sprintf("e2e-%d@example.com", time.Now().UnixNano())
	var su struct {
		Response struct{ ID, Status string } `json:"response"`
	}
	post(t, browser, base, "/v1/client/sign_ups", map[string]any{"email_address": email, "password": "quiet-lantern-harbor-77"}, &su)
	if su.Response.Status != "missing_requirements" {
		t.Fatalf("sign-up status %q", su.Response.Status)
	}
	post(t, browser, base, "/v1/client/sign_ups/"+su.Response.ID+"/prepare_verification", map[string]any{"strategy": "email_code"}, nil)
	code := inboxCode(t, base, email)
	raw := post(t, browser, base, "/v1/client/sign_ups/"+su.Response.ID+"/attempt_verification",
		map[string]any{"strategy": "email_code", "code": code}, nil)
	var resp struct {
		Response map[string]any `json:"response"`
	}
	json.Unmarshal(raw, &resp)
	sid, _ := resp.Response["created_session_id"].(string)
	uid, _ := resp.Response["created_user_id"].(string)
	if resp.Response["status"] != "complete" || sid == "" || uid == "" {
		t.Fatalf("sign-up did not complete: %s", raw)
	}

	// An app on the same host (cookies are per host, not per port) trusts
	// the session cookie through the SDK.
	var skew atomic.Int64
	v, err := latchkey.NewVerifier(latchkey.Options{JWKSURL: base + "/.well-known/jwks.json", Issuer: base,
		Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	app := httptest.NewServer(latchkey.RequireSession(v, latchkey.MiddlewareOptions{FrontendAPIURL: base + "/v1", Debug: true})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a := latchkey.AuthFromContext(r.Context())
			fmt.Fprintf(w, "hello %s in %s", a.UserID, a.SessionID)
		})))
	defer app.Close()
	appGet := func(page bool, path string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", app.URL+path, nil)
		if page {
			req.Header.Set("Sec-Fetch-Dest", "document")
			req.Header.Set("Accept", "text/html")
		}
		res, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := appGet(false, "/api/me")
	body := readAll(t, res)
	if res.StatusCode != 200 || body != "hello "+uid+" in "+sid {
		t.Fatalf("app with a fresh session: %d %q", res.StatusCode, body)
	}

	// Two minutes later the token has expired: the API answer says so.
	skew.Store(int64(2 * time.Minute))
	res = appGet(false, "/api/me")
	readAll(t, res)
	if res.StatusCode != http.StatusUnauthorized || res.Header.Get("Latchkey-Auth-Reason") != string(latchkey.ReasonExpired) {
		t.Fatalf("expired token: %d reason %q", res.StatusCode, res.Header.Get("Latchkey-Auth-Reason"))
	}
	// A page load goes through the handshake: to Latchkey, which sets a fresh
	// cookie and sends the browser back with the loop guard.
	res = appGet(true, "/dashboard")
	readAll(t, res)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, base+"/v1/client/handshake?") {
		t.Fatalf("page load with an expired token: %d to %q", res.StatusCode, loc)
	}
	skew.Store(0) // the browser's refreshed token is real-time fresh
	res, err = browser.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, res)
	back := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(back, app.URL+"/dashboard") || !strings.Contains(back, "__lk_hs=1") {
		t.Fatalf("handshake answered %d to %q", res.StatusCode, back)
	}
	res, _ = browser.Get(back)
	if body := readAll(t, res); res.StatusCode != 200 || !strings.HasPrefix(body, "hello "+uid) {
		t.Fatalf("back from the handshake: %d %q", res.StatusCode, body)
	}

	// A background refresh also gives a working token.
	skew.Store(int64(2 * time.Minute))
	post(t, browser, base, "/v1/client/sessions/"+sid+"/tokens", nil, nil)
	skew.Store(0)
	res = appGet(false, "/api/me")
	if body := readAll(t, res); res.StatusCode != 200 {
		t.Fatalf("after a refresh: %d %q", res.StatusCode, body)
	}

	// Sign out: the session cookie is gone and the SDK says why it refuses.
	post(t, browser, base, "/v1/client/sessions/"+sid+"/end", nil, nil)
	res = appGet(false, "/api/me")
	readAll(t, res)
	if res.StatusCode != http.StatusUnauthorized || res.Header.Get("Latchkey-Auth-Reason") != string(latchkey.ReasonSessionTokenMissing) {
		t.Fatalf("after sign-out: %d reason %q", res.StatusCode, res.Header.Get("Latchkey-Auth-Reason"))
	}
	// And the ended session cannot mint a token any more.
	st, raw := postStatus(t, browser, base, "/v1/client/sessions/"+sid+"/tokens", nil)
	if st != http.StatusUnauthorized || !strings.Contains(string(raw), "session_not_active") {
		t.Fatalf("token for an ended session: %d %s", st, raw)
	}
}

// startLatchkey builds the server and runs `latchkey dev` on a free port.
func startLatchkey(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "latchkey")
	build := exec.Command("go", "build", "-o", bin, "./cmd/latchkey")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build latchkey: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	cmd := exec.Command(bin, "dev", "--addr", "127.0.0.1:0", "--data-dir", data)
	cmd.Env = append(os.Environ(), "LATCHKEY_DATABASE_URL=", "LATCHKEY_MASTER_KEY=", "LATCHKEY_SMTP_URL=", "LATCHKEY_CONFIG=")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("latchkey output:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		raw, err := os.ReadFile(filepath.Join(data, "dev-keys.json"))
		if err == nil {
			var keys struct {
				BackendAPIURL string `json:"backend_api_url"`
			}
			if json.Unmarshal(raw, &keys) == nil && keys.BackendAPIURL != "" {
				base := strings.TrimSuffix(keys.BackendAPIURL, "/api/v1")
				if res, err := http.Get(base + "/readyz"); err == nil {
					res.Body.Close()
					if res.StatusCode == 200 {
						return base
					}
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("latchkey did not become ready")
	return ""
}

func postStatus(t *testing.T, hc *http.Client, base, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest("POST", base+path, rd)
	req.Header.Set("Origin", base)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, raw
}

func post(t *testing.T, hc *http.Client, base, path string, body, out any) []byte {
	t.Helper()
	st, raw := postStatus(t, hc, base, path, body)
	if st != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, st, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
	}
	return raw
}

func inboxCode(t *testing.T, base, to string) string {
	t.Helper()
	res, err := http.Get(base + "/dev/inbox.json?to=" + url.QueryEscape(to))
	if err != nil {
		t.Fatal(err)
	}
	var inbox struct {
		Data []struct {
			Codes []string `json:"codes"`
		} `json:"data"`
	}
	json.NewDecoder(res.Body).Decode(&inbox)
	res.Body.Close()
	if len(inbox.Data) == 0 || len(inbox.Data[0].Codes) == 0 {
		t.Fatalf("no code in the dev inbox for %s", to)
	}
	return inbox.Data[0].Codes[0]
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
