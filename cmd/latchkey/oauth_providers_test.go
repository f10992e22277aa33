package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// environmentSocial fetches the environment's social list from a server.
func environmentSocial(t *testing.T, base string) []map[string]string {
	t.Helper()
	var env struct {
		Social []map[string]string `json:"social"`
	}
	if st := call(t, "GET", base+"/v1/environment", "", nil, &env); st != http.StatusOK {
		t.Fatalf("GET /v1/environment: status %d", st)
	}
	return env.Social
}

func socialIDs(social []map[string]string) string {
	var ids []string
	for _, s := range social {
		ids = append(ids, s["provider"])
	}
	return strings.Join(ids, ",")
}

func TestOAuthProvidersCommand(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	dev := startDev(t, dataDir)
	const secret = "GOCSPX-cli-secret-value"
	env := envFunc(map[string]string{"GOOGLE_SECRET": secret})
	secretFile := filepath.Join(t.TempDir(), "github.secret")
	if err := os.WriteFile(secretFile, []byte("gh-file-secret-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	out := mustRunCmd(t, env, "oauth-providers", "set", "--data-dir", dataDir, "--provider", "google",
		"--client-id", "1234.apps.googleusercontent.com", "--client-secret-env", "GOOGLE_SECRET", "--scopes", "openid, email")
	if !strings.HasPrefix(out, "created google (strategy oauth_google, enabled true, client secret set)") {
		t.Errorf("set google printed %q", out)
	}
	mustRunCmd(t, env, "oauth-providers", "set", "--data-dir", dataDir, "--provider", "github",
		"--client-id", "Iv1.abc", "--client-secret-file", secretFile, "--enabled=false")
	if got := socialIDs(environmentSocial(t, dev.base)); got != "google,latchkey_test" {
		t.Errorf("social after set = %q, want google and dev mode's test provider only (github is disabled)", got)
	}

	// set again merges: enabling github keeps its client ID and secret.
	out = mustRunCmd(t, env, "oauth-providers", "set", "--data-dir", dataDir, "--provider", "github", "--enabled")
	if !strings.HasPrefix(out, "updated github") || !strings.Contains(out, "client secret set") {
		t.Errorf("update github printed %q", out)
	}
	if got := socialIDs(environmentSocial(t, dev.base)); got != "google,github,latchkey_test" {
		t.Errorf("social after enabling github = %q", got)
	}

	list := mustRunCmd(t, env, "oauth-providers", "list", "--data-dir", dataDir)
	for _, want := range []string{"google", "github", "Iv1.abc", "1234.apps.googleusercontent.com"} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}
	for _, leak := range []string{secret, "gh-file-secret-value"} {
		if strings.Contains(list, leak) {
			t.Errorf("list shows a secret:\n%s", list)
		}
	}

	// Errors name the flag; the secret is never a flag.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"set", "--provider", "myspace", "--client-id", "x", "--client-secret-env", "GOOGLE_SECRET"}, "provider: Unknown provider"},
		{[]string{"set", "--provider", "gitlab", "--client-id", "x"}, "client-secret: An enabled gitlab provider needs"},
		{[]string{"set", "--provider", "gitlab", "--client-id", "x", "--client-secret-env", "UNSET_VAR"}, "UNSET_VAR is not set"},
		{[]string{"set", "--provider", "gitlab", "--client-secret", "s"}, "flag provided but not defined"},
		{[]string{"set", "--client-id", "x"}, "usage: latchkey oauth-providers"},
		{[]string{"delete", "nope"}, `no OAuth provider "nope"`},
		{[]string{"frob"}, `unknown oauth-providers command "frob"`},
	} {
		_, _, err := runCmd(t, env, append([]string{"oauth-providers"}, append(tt.args, "--data-dir", dataDir)...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("oauth-providers %v: err = %v, want %q", tt.args, err, tt.want)
		}
	}

	out = mustRunCmd(t, env, "oauth-providers", "delete", "google", "--data-dir", dataDir)
	if out != "deleted google\n" {
		t.Errorf("delete printed %q", out)
	}
	if got := socialIDs(environmentSocial(t, dev.base)); got != "github,latchkey_test" {
		t.Errorf("social after delete = %q", got)
	}
}

func TestOAuthProvidersConfigFile(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	conf := filepath.Join(t.TempDir(), "latchkey.toml")
	const secret = "file-env-secret-value"
	body := "[oauth_providers.google]\nclient_id = \"1234.apps.googleusercontent.com\"\nclient_secret_env = \"GOOGLE_SECRET\"\n\n" +
		"[oauth_providers.custom_corp]\ntype = \"oidc\"\nname = \"Corp SSO\"\nclient_id = \"corp\"\nclient_secret_env = \"GOOGLE_SECRET\"\nissuer = \"https://sso.corp.example\"\n"
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	// A missing variable stops the start, naming the file and the key.
	_, _, err := runCmd(t, envFunc(nil), "dev", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--config", conf)
	if err == nil || !strings.Contains(err.Error(), conf) || !strings.Contains(err.Error(), "oauth_providers.custom_corp.client_secret_env") {
		t.Fatalf("dev without the secret's variable: err = %v", err)
	}

	dev := startDevEnv(t, map[string]string{"GOOGLE_SECRET": secret}, dataDir, "--config", conf)
	social := environmentSocial(t, dev.base)
	if got := socialIDs(social); got != "custom_corp,google,latchkey_test" {
		t.Errorf("social from the file = %q, want custom_corp,google,latchkey_test", got)
	}
	if len(social) == 3 && (social[0]["name"] != "Corp SSO" || social[0]["strategy"] != "oauth_custom_corp") {
		t.Errorf("custom provider in the environment = %v", social[0])
	}
	// Managed by the file: the API and the CLI refuse to change it.
	var errBody struct {
		Errors []struct {
			Code string `json:"code"`
		} `json:"errors"`
	}
	st := call(t, "PATCH", dev.keys.BackendAPIURL+"/oauth_providers/google", dev.keys.SecretKey, map[string]any{"enabled": false}, &errBody)
	if st != http.StatusConflict {
		t.Errorf("PATCH a file provider: status %d, want 409", st)
	}
	_, _, err = runCmd(t, envFunc(nil), "oauth-providers", "delete", "google", "--data-dir", dataDir)
	if err == nil || !strings.Contains(err.Error(), "configuration file") {
		t.Errorf("CLI delete of a file provider: err = %v", err)
	}
	if strings.Contains(dev.stdout.String()+dev.stderr.String(), secret) {
		t.Errorf("the server output shows the client secret")
	}
}
