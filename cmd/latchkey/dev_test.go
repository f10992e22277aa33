package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// TestDevEndToEnd runs `latchkey dev` through run on port 0, uses the keys
// it writes to dev-keys.json to create and list a user, shuts it down
// gracefully, starts it again on the same data and finds the same key and
// user. On PostgreSQL too when LATCHKEY_TEST_POSTGRES_URL is set.
func TestDevEndToEnd(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			dataDir := filepath.Join(t.TempDir(), "data") // dev creates it
			var extra []string
			if engine == "postgres" {
				extra = []string{"--database-url", storetest.URL(t, engine)}
			}
			testDevEndToEnd(t, dataDir, extra...)
		})
	}
}

func testDevEndToEnd(t *testing.T, dataDir string, extra ...string) {
	dev := startDev(t, dataDir, extra...)
	k := dev.keys
	if !strings.HasPrefix(k.PublishableKey, "pk_test_") {
		t.Errorf("publishable_key = %q, want pk_test_...", k.PublishableKey)
	}
	if !strings.HasPrefix(k.SecretKey, "sk_test_") {
		t.Errorf("secret_key = %q, want sk_test_...", k.SecretKey)
	}
	if want := dev.base + "/v1"; k.FrontendAPIURL != want {
		t.Errorf("frontend_api_url = %q, want %q", k.FrontendAPIURL, want)
	}
	if u, err := url.Parse(k.BackendAPIURL); err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" ||
		u.Port() == "" || u.Port() == "0" || u.Path != "/api/v1" {
		t.Errorf("backend_api_url = %q, want http://127.0.0.1:PORT/api/v1", k.BackendAPIURL)
	}
	if m := fileMode(t, dataDir); m != 0o700 {
		t.Errorf("data directory has mode %v, want 0700", m)
	}
	for _, name := range []string{"dev-keys.json", "master.key"} {
		if m := fileMode(t, filepath.Join(dataDir, name)); m != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, m)
		}
	}
	banner := dev.stdout.String()
	for _, want := range []string{k.FrontendAPIURL, k.BackendAPIURL, k.PublishableKey, k.SecretKey,
		dev.base + "/.well-known/jwks.json", filepath.Join(dataDir, "dev-keys.json")} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}

	// The secret key works, and only it.
	if st := call(t, "GET", k.BackendAPIURL+"/users", "", nil, nil); st != http.StatusUnauthorized {
		t.Errorf("list users without a key: status %d, want 401", st)
	}
	created := createUser(t, k.BackendAPIURL, k.SecretKey, "ada@example.com")
	var list apiUserList
	if st := call(t, "GET", k.BackendAPIURL+"/users", k.SecretKey, nil, &list); st != http.StatusOK {
		t.Fatalf("list users: status %d", st)
	}
	if list.TotalCount != 1 || len(list.Data) != 1 || list.Data[0].ID != created.ID {
		t.Fatalf("list users = %+v, want just %s", list, created.ID)
	}

	if err := dev.stop(); err != nil {
		t.Fatalf("run returned %v after its context ended, want nil (graceful shutdown)\nstderr:\n%s", err, dev.stderr.String())
	}
	if _, err := httpClient.Get(dev.base + "/healthz"); err == nil {
		t.Errorf("%s still answers after run returned", dev.base)
	}

	// Again on the same data: same keys, same user.
	dev2 := startDev(t, dataDir, extra...)
	k2 := dev2.keys
	if k2.SecretKey != k.SecretKey {
		t.Errorf("restart replaced the secret key in dev-keys.json; it should reuse the valid one")
	}
	if k2.PublishableKey != k.PublishableKey {
		t.Errorf("publishable key changed across restarts: %q then %q", k.PublishableKey, k2.PublishableKey)
	}
	var got apiUser
	if st := call(t, "GET", k2.BackendAPIURL+"/users/"+created.ID, k.SecretKey, nil, &got); st != http.StatusOK {
		t.Fatalf("get user after restart with the first secret key: status %d", st)
	}
	if got.ID != created.ID || got.email() != "ada@example.com" {
		t.Errorf("user after restart = %+v", got)
	}
	list = apiUserList{}
	if st := call(t, "GET", k2.BackendAPIURL+"/users?email_address=ada@example.com", k.SecretKey, nil, &list); st != http.StatusOK {
		t.Fatalf("list users after restart: status %d", st)
	}
	if list.TotalCount != 1 || len(list.Data) != 1 || list.Data[0].ID != created.ID {
		t.Errorf("list users after restart = %+v, want just %s", list, created.ID)
	}
	if err := dev2.stop(); err != nil {
		t.Errorf("second run returned %v, want nil", err)
	}
}
