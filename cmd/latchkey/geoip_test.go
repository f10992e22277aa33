package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/geoip/geoiptest"
)

// TestGeoIPFileRefused checks that a GeoIP file that cannot be used stops
// the server before it touches anything, with a message naming the setting.
func TestGeoIPFileRefused(t *testing.T) {
	t.Parallel()
	text := filepath.Join(t.TempDir(), "GeoLite2-City.mmdb")
	if err := os.WriteFile(text, []byte("not a database\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "GeoLite2-City.mmdb")
	tests := []struct {
		name  string
		env   map[string]string
		flags []string
		want  []string
	}{
		{"missing file (flag)", serveEnv(nil), []string{"--geoip-file", missing},
			[]string{missing, "no such file", "--geoip-file", "LATCHKEY_GEOIP_FILE", "GeoLite2-City.mmdb", "leave it unset"}},
		{"not a database (environment)", serveEnv(map[string]string{"LATCHKEY_GEOIP_FILE": text}), nil,
			[]string{text, "invalid MaxMind DB", "LATCHKEY_GEOIP_FILE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dataDir := filepath.Join(t.TempDir(), "data")
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir}, tt.flags...)
			_, stderr, err := runCmd(t, envFunc(tt.env), args...)
			if err == nil {
				t.Fatalf("serve started; want a refusal\nstderr:\n%s", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
				t.Errorf("refusing serve created %s (stat: %v); it should touch nothing", dataDir, err)
			}
		})
	}
}

// TestGeoIPDeviceList runs `latchkey dev --geoip-file` end to end: a
// session started through a loopback proxy for 10.1.2.3 is in Lisbon in the
// device list, and the server stops cleanly (closing the file).
func TestGeoIPDeviceList(t *testing.T) {
	t.Parallel()
	dev := startDev(t, t.TempDir(), "--geoip-file", geoiptest.Lisbon(t))
	u := createUser(t, dev.keys.BackendAPIURL, dev.keys.SecretKey, "lisbon@example.com")
	var tok struct {
		URL string `json:"url"`
	}
	if st := call(t, "POST", dev.keys.BackendAPIURL+"/sign_in_tokens", dev.keys.SecretKey, map[string]any{"user_id": u.ID}, &tok); st != http.StatusOK {
		t.Fatalf("create sign-in token: status %d", st)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(url string, headers ...string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, body
	}
	if st, body := get(tok.URL, "Accept", "text/html", "Sec-Fetch-Site", "none", "X-Forwarded-For", "10.1.2.3"); st != http.StatusSeeOther {
		t.Fatalf("open sign-in token: %d %s", st, body)
	}
	st, body := get(dev.keys.FrontendAPIURL + "/me/sessions")
	var env struct {
		Response struct {
			Data []struct {
				IPAddress string `json:"ip_address"`
				City      string `json:"city"`
				Country   string `json:"country"`
			} `json:"data"`
		} `json:"response"`
	}
	if err := json.Unmarshal(body, &env); st != http.StatusOK || err != nil {
		t.Fatalf("GET /v1/me/sessions: %d %s (%v)", st, body, err)
	}
	if d := env.Response.Data; len(d) != 1 || d[0].IPAddress != "10.1.2.3" || d[0].City != "Lisbon" || d[0].Country != "PT" {
		t.Errorf("device list %s, want one session from 10.1.2.3 in Lisbon, PT", body)
	}
	if err := dev.stop(); err != nil {
		t.Errorf("stop: %v\nstderr:\n%s", err, dev.stderr.String())
	}
}
