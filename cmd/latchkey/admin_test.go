package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"version", "--version"} {
		out := mustRunCmd(t, envFunc(nil), arg)
		if want := "latchkey " + latchkey.Version + "\n"; out != want {
			t.Errorf("latchkey %s printed %q, want %q", arg, out, want)
		}
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	t.Run("unknown command", func(t *testing.T) {
		t.Parallel()
		stdout, stderr, err := runCmd(t, envFunc(nil), "frobnicate")
		if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
			t.Errorf("err = %v, want unknown command \"frobnicate\"", err)
		}
		if !strings.Contains(stderr, "Usage:") || !strings.Contains(stderr, "latchkey dev") {
			t.Errorf("stderr lacks the usage:\n%s", stderr)
		}
		if stdout != "" {
			t.Errorf("stdout = %q, want nothing", stdout)
		}
	})
	t.Run("no command", func(t *testing.T) {
		t.Parallel()
		_, stderr, err := runCmd(t, envFunc(nil))
		if err == nil || !strings.Contains(stderr, "Usage:") {
			t.Errorf("err = %v, stderr:\n%s\nwant an error and the usage", err, stderr)
		}
	})
	t.Run("help", func(t *testing.T) {
		t.Parallel()
		out := mustRunCmd(t, envFunc(nil), "help")
		for _, cmd := range []string{"dev", "serve", "migrate", "keys rotate", "keys list", "api-keys create", "version"} {
			if !strings.Contains(out, "latchkey "+cmd) {
				t.Errorf("help lacks %q", "latchkey "+cmd)
			}
		}
	})
	t.Run("command help", func(t *testing.T) {
		t.Parallel()
		// -h asks for help: the flags on stderr, and success, as with any
		// Go program using the flag package.
		stdout, stderr, err := runCmd(t, envFunc(nil), "dev", "-h")
		if err != nil {
			t.Errorf("latchkey dev -h: err = %v, want nil", err)
		}
		if !strings.Contains(stderr, "-data-dir") || stdout != "" {
			t.Errorf("latchkey dev -h: stdout %q, stderr:\n%s\nwant the flags on stderr", stdout, stderr)
		}
	})
	t.Run("unknown flag", func(t *testing.T) {
		t.Parallel()
		_, stderr, err := runCmd(t, envFunc(nil), "dev", "--bogus")
		if err == nil || !strings.Contains(err.Error(), "bogus") || !strings.Contains(stderr, "-data-dir") {
			t.Errorf("latchkey dev --bogus: err = %v, stderr:\n%s\nwant an error and the flags", err, stderr)
		}
	})
	t.Run("keys without a subcommand", func(t *testing.T) {
		t.Parallel()
		_, _, err := runCmd(t, envFunc(nil), "keys")
		if err == nil || !strings.Contains(err.Error(), "rotate|list") {
			t.Errorf("err = %v, want the keys usage", err)
		}
	})
}

// TestMigrate migrates a fresh SQLite database, twice, and checks that
// nothing is left pending.
func TestMigrate(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	for i, want := range []string{
		"applied 0001_init.sql\napplied 0002_sessions.sql\napplied 0003_profile_images.sql\napplied 0004_oauth.sql\napplied 0005_oauth_pending.sql\napplied 0006_events.sql\napplied 0007_webhooks.sql\ndatabase is up to date (sqlite, 7 migrations applied now)\n",
		"database is up to date (sqlite, 0 migrations applied now)\n",
	} {
		out := mustRunCmd(t, envFunc(nil), "migrate", "--data-dir", dataDir)
		if out != want {
			t.Errorf("migrate run %d printed %q, want %q", i+1, out, want)
		}
	}
	store, err := sqlstore.Open(context.Background(), filepath.Join(dataDir, "latchkey.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if n, err := store.PendingMigrations(context.Background()); err != nil || n != 0 {
		t.Errorf("after migrate: %d pending, err %v; want 0", n, err)
	}

	// The environment configures it too, and flags win over it.
	envDir, flagDir := t.TempDir(), t.TempDir()
	env := envFunc(map[string]string{"LATCHKEY_DATA_DIR": envDir})
	mustRunCmd(t, env, "migrate")
	if _, err := os.Stat(filepath.Join(envDir, "latchkey.db")); err != nil {
		t.Errorf("migrate with LATCHKEY_DATA_DIR: %v", err)
	}
	dbURL := filepath.Join(flagDir, "custom.db")
	env = envFunc(map[string]string{"LATCHKEY_DATA_DIR": envDir, "LATCHKEY_DATABASE_URL": filepath.Join(envDir, "other.db")})
	mustRunCmd(t, env, "migrate", "--database-url", dbURL)
	if _, err := os.Stat(dbURL); err != nil {
		t.Errorf("migrate --database-url over LATCHKEY_DATABASE_URL: %v", err)
	}
	if _, err := os.Stat(filepath.Join(envDir, "other.db")); !os.IsNotExist(err) {
		t.Errorf("migrate used LATCHKEY_DATABASE_URL although --database-url was given (stat: %v)", err)
	}
}

var keyRowRE = regexp.MustCompile(`(?m)^(\S+)\s+(current|next|retired)\s+ES256\s+\S+$`)

// parseKeysList returns the kids that `latchkey keys list` shows, by state.
func parseKeysList(t *testing.T, out string) map[string][]string {
	t.Helper()
	byState := map[string][]string{}
	for _, m := range keyRowRE.FindAllStringSubmatch(out, -1) {
		byState[m[2]] = append(byState[m[2]], m[1])
	}
	if len(byState["current"]) != 1 || len(byState["next"]) != 1 {
		t.Fatalf("keys list shows %v, want one current and one next key:\n%s", byState, out)
	}
	return byState
}

func jwksKids(t *testing.T, base string) []string {
	t.Helper()
	resp, err := httpClient.Get(base + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Alg string `json:"alg"`
			Kty string `json:"kty"`
			D   string `json:"d"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET jwks: status %d, decode err %v", resp.StatusCode, err)
	}
	var kids []string
	for _, k := range set.Keys {
		if k.Alg != "ES256" || k.Kty != "EC" || k.D != "" {
			t.Errorf("jwks key %s: alg %q kty %q private part present %v", k.Kid, k.Alg, k.Kty, k.D != "")
		}
		kids = append(kids, k.Kid)
	}
	return kids
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestKeysRotate rotates the signing keys of a dev instance with the CLI
// while a server runs on it: the key that becomes current was already in the
// JWKS that server published (so verifiers that cached it log no one out),
// and after a restart the JWKS holds the new current, the new next and the
// just-retired key.
func TestKeysRotate(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	dev := startDev(t, dataDir)
	before := parseKeysList(t, mustRunCmd(t, envFunc(nil), "keys", "list", "--data-dir", dataDir))
	oldCurrent, oldNext := before["current"][0], before["next"][0]
	published := jwksKids(t, dev.base)
	if len(published) != 2 || !contains(published, oldCurrent) || !contains(published, oldNext) {
		t.Fatalf("jwks before rotation = %v, want exactly current %s and next %s", published, oldCurrent, oldNext)
	}

	out := mustRunCmd(t, envFunc(nil), "keys", "rotate", "--data-dir", dataDir)
	if !strings.Contains(out, "rotated") {
		t.Errorf("keys rotate printed:\n%s", out)
	}
	after := parseKeysList(t, out) // rotate prints the list too
	if after["current"][0] != oldNext {
		t.Errorf("after rotate the current key is %s, want the previous next key %s", after["current"][0], oldNext)
	}
	newNext := after["next"][0]
	if newNext == oldCurrent || newNext == oldNext {
		t.Errorf("after rotate the next key is %s, want a new one", newNext)
	}
	if !contains(after["retired"], oldCurrent) {
		t.Errorf("after rotate the old current key %s is not listed as retired: %v", oldCurrent, after)
	}
	// The server started before the rotation already publishes the key that
	// now signs.
	if kids := jwksKids(t, dev.base); !contains(kids, after["current"][0]) {
		t.Errorf("running server's jwks %v lacks the newly current key %s", kids, after["current"][0])
	}
	if err := dev.stop(); err != nil {
		t.Fatal(err)
	}

	dev2 := startDev(t, dataDir)
	kids := jwksKids(t, dev2.base)
	for _, kid := range []string{oldCurrent, oldNext, newNext} {
		if !contains(kids, kid) {
			t.Errorf("jwks after restart = %v, lacks %s", kids, kid)
		}
	}
	if len(kids) != 3 {
		t.Errorf("jwks after restart has %d keys, want 3 (retired, current, next): %v", len(kids), kids)
	}
}

// TestAPIKeys creates a secret key with the CLI, uses it against a running
// server, lists it (prefix only) and revokes it.
func TestAPIKeys(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	dev := startDev(t, dataDir)
	env := envFunc(nil)

	out := mustRunCmd(t, env, "api-keys", "create", "--name", "ci", "--data-dir", dataDir)
	m := regexp.MustCompile(`^(sk_test_\w+)\n\nThis is key (\S+)\.`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("api-keys create printed:\n%s\nwant the sk_test_ secret first, then its id", out)
	}
	secret, id := m[1], m[2]
	usersURL := dev.keys.BackendAPIURL + "/users"
	if st := call(t, "GET", usersURL, secret, nil, nil); st != http.StatusOK {
		t.Fatalf("list users with the new key: status %d, want 200", st)
	}

	list := mustRunCmd(t, env, "api-keys", "list", "--data-dir", dataDir)
	var ciLine string
	for _, line := range strings.Split(list, "\n") {
		if strings.HasPrefix(line, id+" ") {
			ciLine = line
		}
	}
	if !strings.Contains(ciLine, secret[:len("sk_test_")+4]+"...") || !strings.Contains(ciLine, " ci ") ||
		!strings.HasSuffix(ciLine, "active") {
		t.Errorf("api-keys list line for %s = %q, want its prefix, name ci and active:\n%s", id, ciLine, list)
	}
	for _, sk := range []string{secret, dev.keys.SecretKey} {
		if strings.Contains(list, sk) || strings.Contains(list, sk[len("sk_test_")+4:]) {
			t.Errorf("api-keys list shows a full secret:\n%s", list)
		}
	}
	if !strings.Contains(list, " dev ") {
		t.Errorf("api-keys list lacks the dev key:\n%s", list)
	}

	out = mustRunCmd(t, env, "api-keys", "revoke", "--data-dir", dataDir, id)
	if !strings.Contains(out, "revoked "+id) || strings.Contains(out, secret) {
		t.Errorf("api-keys revoke printed %q", out)
	}
	if st := call(t, "GET", usersURL, secret, nil, nil); st != http.StatusUnauthorized {
		t.Errorf("list users with the revoked key: status %d, want 401", st)
	}
	if st := call(t, "GET", usersURL, dev.keys.SecretKey, nil, nil); st != http.StatusOK {
		t.Errorf("the dev key stopped working after revoking another: status %d", st)
	}
	list = mustRunCmd(t, env, "api-keys", "list", "--data-dir", dataDir)
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(id) + `\s.*revoked \S+$`).MatchString(list) {
		t.Errorf("api-keys list does not show %s as revoked:\n%s", id, list)
	}

	// A revoked dev key in dev-keys.json is replaced on the next start.
	devID := ""
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[2] == "dev" {
			devID = f[0]
		}
	}
	mustRunCmd(t, env, "api-keys", "revoke", devID, "--data-dir", dataDir) // ID before the flags works too
	if err := dev.stop(); err != nil {
		t.Fatal(err)
	}
	dev2 := startDev(t, dataDir)
	if dev2.keys.SecretKey == dev.keys.SecretKey {
		t.Fatalf("dev kept the revoked secret key in dev-keys.json")
	}
	if st := call(t, "GET", dev2.keys.BackendAPIURL+"/users", dev2.keys.SecretKey, nil, nil); st != http.StatusOK {
		t.Errorf("list users with the replacement dev key: status %d", st)
	}

	t.Run("errors", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"api-keys"}, "usage"},
			{[]string{"api-keys", "revoke", "--data-dir", dataDir}, "usage: latchkey api-keys revoke ID"},
			{[]string{"api-keys", "rename", "--data-dir", dataDir}, "use create, list or revoke"},
			{[]string{"api-keys", "create", "--data-dir", t.TempDir()}, "no database at"},
		} {
			if _, _, err := runCmd(t, env, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("latchkey %s: err = %v, want one mentioning %q", strings.Join(tt.args, " "), err, tt.want)
			}
		}
	})
}

// TestKeysRotateWrongMasterKey checks that `keys rotate` with a master key
// that cannot open the stored keys changes nothing: a next key sealed under
// the wrong master key would become current at the following rotation and
// leave every server unable to sign.
func TestKeysRotateWrongMasterKey(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	dev := startDev(t, dataDir)
	if err := dev.stop(); err != nil {
		t.Fatal(err)
	}
	before := mustRunCmd(t, envFunc(nil), "keys", "list", "--data-dir", dataDir)

	wrong := envFunc(map[string]string{"LATCHKEY_MASTER_KEY": seal.GenerateKey()})
	_, _, err := runCmd(t, wrong, "keys", "rotate", "--data-dir", dataDir)
	if err == nil || !strings.Contains(err.Error(), "LATCHKEY_MASTER_KEY") {
		t.Errorf("keys rotate with the wrong master key: err = %v, want one naming LATCHKEY_MASTER_KEY", err)
	}
	if after := mustRunCmd(t, envFunc(nil), "keys", "list", "--data-dir", dataDir); after != before {
		t.Fatalf("keys rotate with the wrong master key changed the keys:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// Two good rotations later, the server still signs (readyz checks that
	// the current private key opens).
	for range 2 {
		mustRunCmd(t, envFunc(nil), "keys", "rotate", "--data-dir", dataDir)
	}
	startDev(t, dataDir)
}
