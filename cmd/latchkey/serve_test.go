package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/web"
)

// serveEnv is a safe production environment: an https public URL and a
// fresh master key. Tests override or drop entries to make it unsafe.
func serveEnv(over map[string]string) map[string]string {
	env := map[string]string{
		"LATCHKEY_MASTER_KEY": seal.GenerateKey(),
		"LATCHKEY_PUBLIC_URL": "https://auth.example.com",
	}
	for k, v := range over {
		if v == "" {
			delete(env, k)
		} else {
			env[k] = v
		}
	}
	return env
}

// TestServeRefusesUnsafeSettings checks that `latchkey serve` refuses to
// start on settings that are unsafe or wrong, says what to set, and touches
// nothing on disk before it refuses.
func TestServeRefusesUnsafeSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		env    map[string]string
		flags  []string
		want   []string // each must appear in the error
		reject []string // none may appear in the error or on stderr
	}{
		{
			name: "no master key",
			env:  serveEnv(map[string]string{"LATCHKEY_MASTER_KEY": ""}),
			want: []string{"LATCHKEY_MASTER_KEY", "openssl rand -base64 32"},
		},
		{
			name: "no public URL",
			env:  serveEnv(map[string]string{"LATCHKEY_PUBLIC_URL": ""}),
			want: []string{"LATCHKEY_PUBLIC_URL", "https"},
		},
		{
			name: "neither",
			env:  map[string]string{},
			want: []string{"LATCHKEY_MASTER_KEY", "LATCHKEY_PUBLIC_URL"},
		},
		{
			name: "http public URL",
			env:  serveEnv(map[string]string{"LATCHKEY_PUBLIC_URL": "http://auth.example.com"}),
			want: []string{"LATCHKEY_PUBLIC_URL", "must use https"},
		},
		{
			name: "public URL that is not a URL",
			env:  serveEnv(map[string]string{"LATCHKEY_PUBLIC_URL": "auth.example.com"}),
			want: []string{"LATCHKEY_PUBLIC_URL", "https://auth.example.com"},
		},
		{
			name:   "master key not base64",
			env:    serveEnv(map[string]string{"LATCHKEY_MASTER_KEY": "not base64 at all!"}),
			want:   []string{"LATCHKEY_MASTER_KEY", "not valid base64", "openssl rand -base64 32"},
			reject: []string{"not base64 at all!"},
		},
		{
			name:   "master key too short",
			env:    serveEnv(map[string]string{"LATCHKEY_MASTER_KEY": "c2hvcnQga2V5"}), // "short key"
			want:   []string{"LATCHKEY_MASTER_KEY", "9 bytes", "32", "openssl rand -base64 32"},
			reject: []string{"c2hvcnQga2V5"},
		},
		{
			name:  "bad listen address",
			env:   serveEnv(nil),
			flags: []string{"--addr", "localhost"},
			want:  []string{`"localhost"`, "host:port", "--addr", "LATCHKEY_ADDR"},
		},
		{
			name: "bad log level",
			env:  serveEnv(map[string]string{"LATCHKEY_LOG_LEVEL": "chatty"}),
			want: []string{`"chatty"`, "debug, info, warn or error", "LATCHKEY_LOG_LEVEL"},
		},
		{
			name:   "unknown database scheme",
			env:    serveEnv(nil),
			flags:  []string{"--database-url", "mysql://root:hunter2@db.example.com/latchkey"},
			want:   []string{"mysql://root:xxxxx@db.example.com/latchkey", "postgres://", "--database-url"},
			reject: []string{"hunter2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dataDir := filepath.Join(t.TempDir(), "data")
			// Later flags win, so tt.flags may override --addr.
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir}, tt.flags...)
			stdout, stderr, err := runCmd(t, envFunc(tt.env), args...)
			if err == nil {
				t.Fatalf("serve started; want a refusal\nstderr:\n%s", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			for _, r := range tt.reject {
				if strings.Contains(err.Error(), r) || strings.Contains(stderr, r) || strings.Contains(stdout, r) {
					t.Errorf("output reveals %q:\n%v\n%s", r, err, stderr)
				}
			}
			if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
				t.Errorf("refusing serve created %s (stat: %v); it should touch nothing", dataDir, err)
			}
		})
	}
}

// TestServeRefusesDevDatabase checks that a production server will not run
// on the database of a development instance.
func TestServeRefusesDevDatabase(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	dev := startDev(t, dataDir)
	if err := dev.stop(); err != nil {
		t.Fatalf("stop dev: %v", err)
	}
	_, stderr, err := runCmd(t, envFunc(serveEnv(nil)), "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir)
	if err == nil {
		t.Fatalf("serve started on a dev database\nstderr:\n%s", stderr)
	}
	for _, w := range []string{"development", "production", "separate database"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
}

// TestServe starts `latchkey serve` with safe settings and checks that it
// serves, guards /metrics with a secret key, and logs JSON with trace ids.
func TestServe(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	getenv := envFunc(serveEnv(nil))
	srv := startRun(t, getenv, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir)

	// serve prints no banner: the address is in the "latchkey ready" log line.
	var base string
	waitFor(t, 30*time.Second, "the ready log line", func() bool {
		select {
		case <-srv.done:
			t.Fatalf("serve exited early: %v\nstderr:\n%s", srv.err, srv.stderr.String())
		default:
		}
		for _, line := range strings.Split(srv.stderr.String(), "\n") {
			var rec struct{ Msg, Addr, Mode string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "latchkey ready" {
				if rec.Mode != "serve" {
					t.Errorf("ready line has mode %q, want serve", rec.Mode)
				}
				base = "http://" + rec.Addr
				return true
			}
		}
		return false
	})
	waitReady(t, base)
	if out := srv.stdout.String(); out != "" {
		t.Errorf("serve wrote to stdout (no banner with keys in production):\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "dev-keys.json")); !os.IsNotExist(err) {
		t.Errorf("serve wrote dev-keys.json (stat: %v)", err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "master.key")); !os.IsNotExist(err) {
		t.Errorf("serve wrote master.key (stat: %v); production keys come from LATCHKEY_MASTER_KEY", err)
	}

	// /metrics is not public in production.
	resp, err := httpClient.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /metrics without a key: status %d, want 401", resp.StatusCode)
	}
	metricsTrace := resp.Header.Get(web.TraceHeader)

	// With a live secret key made by the CLI, it is readable.
	out := mustRunCmd(t, getenv, "api-keys", "create", "--name", "prometheus", "--data-dir", dataDir)
	sk := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
	if !strings.HasPrefix(sk, "sk_live_") {
		t.Fatalf("api-keys create on a production database printed %q, want sk_live_...", sk)
	}
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+sk)
	resp, err = httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "latchkey_http_requests_total") {
		t.Errorf("GET /metrics with a secret key: status %d, body lacks latchkey_http_requests_total", resp.StatusCode)
	}

	if err := srv.stop(); err != nil {
		t.Fatalf("serve returned %v after its context ended, want nil", err)
	}

	// The database is production's: serve with another master key, or dev,
	// refuses it.
	other := envFunc(serveEnv(nil))
	if _, _, err := runCmd(t, other, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir); err == nil ||
		!strings.Contains(err.Error(), "LATCHKEY_MASTER_KEY") {
		t.Errorf("serve with a different master key: err = %v, want one naming LATCHKEY_MASTER_KEY", err)
	}
	if _, _, err := runCmd(t, envFunc(nil), "dev", "--addr", "127.0.0.1:0", "--data-dir", dataDir); err == nil ||
		!strings.Contains(err.Error(), "production") {
		t.Errorf("dev on a production database: err = %v, want a refusal naming production", err)
	}

	// Every stderr line is a JSON log record; request lines carry trace ids.
	lines := strings.Split(strings.TrimSpace(srv.stderr.String()), "\n")
	var requests int
	foundMetricsTrace := false
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("stderr line is not JSON: %q", line)
			continue
		}
		for _, k := range []string{"time", "level", "msg"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("log line lacks %q: %s", k, line)
			}
		}
		if strings.Contains(line, sk) || strings.Contains(line, getenv("LATCHKEY_MASTER_KEY")) {
			t.Errorf("log line contains a secret: %s", line)
		}
		if rec["msg"] != "request" {
			continue
		}
		requests++
		id, _ := rec["trace_id"].(string)
		if !strings.HasPrefix(id, "req_") {
			t.Errorf("request log line without a trace_id: %s", line)
		}
		if id == metricsTrace {
			foundMetricsTrace = true
			if rec["status"] != float64(401) || rec["route"] != "GET /metrics" {
				t.Errorf("log line of the refused /metrics request: %s", line)
			}
		}
	}
	if requests < 3 {
		t.Errorf("found %d request log lines, want at least 3 (readyz, metrics twice):\n%s", requests, srv.stderr.String())
	}
	if !foundMetricsTrace {
		t.Errorf("no request log line carries the trace id %q sent on the response", metricsTrace)
	}
}

// TestCookieDomainSetting checks LATCHKEY_COOKIE_DOMAIN must cover the
// public URL's host, or browsers would drop the cookies.
func TestCookieDomainSetting(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		public, domain string
		ok             bool
	}{
		{"https://auth.example.com", "example.com", true},
		{"https://auth.example.com", ".example.com", true},
		{"https://auth.example.com", "auth.example.com", true},
		{"https://auth.example.com", "other.com", false},
		{"https://auth.example.com", "com", false},
		{"https://auth.example.com", "ample.com", false},
		{"", "example.com", false},
	} {
		env := map[string]string{"LATCHKEY_COOKIE_DOMAIN": tt.domain, "LATCHKEY_PUBLIC_URL": tt.public}
		_, _, err := parseConfig(modeDev, "dev", []string{"--data-dir", t.TempDir()}, envFunc(env), io.Discard)
		if (err == nil) != tt.ok {
			t.Errorf("public %q, cookie domain %q: err = %v, want ok=%v", tt.public, tt.domain, err, tt.ok)
		}
	}
}
