package instance_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// testEnv is the environment the file's _env keys read.
func testEnv(k string) string {
	return map[string]string{
		"TEST_GOOGLE_CLIENT_SECRET": "google-secret-from-env\n",
		"TEST_GITHUB_CLIENT_SECRET": "github-secret-from-env",
	}[k]
}

// fileProviders are the providers of testdata/oauth_providers.*.
func fileProviders() []*latchkey.OAuthProvider {
	return []*latchkey.OAuthProvider{
		{ID: "custom_acme", Type: latchkey.OAuthOAuth2, Name: "Acme", ClientID: "acme", ClientSecret: "inline-acme-secret",
			Scopes: []string{}, Enabled: true, AuthURL: "https://acme.example/authorize", TokenURL: "https://acme.example/token",
			UserInfoURL: "https://acme.example/me",
			Mapping:     latchkey.OAuthFieldMapping{ID: "data.id", Email: "data.email", EmailVerified: "data.email_verified"}},
		{ID: "github", Type: latchkey.OAuthGitHub, Name: "GitHub", ClientID: "Iv1.abc", ClientSecret: "github-secret-from-env",
			Scopes: []string{}, Enabled: false, TrustVerifiedEmail: true},
		{ID: "google", Type: latchkey.OAuthGoogle, Name: "Google", ClientID: "1234.apps.googleusercontent.com",
			ClientSecret: "google-secret-from-env", Scopes: []string{"openid", "email", "profile"}, Enabled: true, TrustVerifiedEmail: true},
	}
}

func TestFileOAuthProvidersFormats(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"testdata/oauth_providers.toml", "testdata/oauth_providers.yaml", "testdata/oauth_providers.json"} {
		t.Run(filepath.Ext(path), func(t *testing.T) {
			t.Parallel()
			f := loadFile(t, path)
			got, err := f.OAuthProviders(testEnv, false)
			if err != nil {
				t.Fatalf("OAuthProviders: %v", err)
			}
			if diff := cmp.Diff(fileProviders(), got); diff != "" {
				t.Errorf("providers (-want +got):\n%s", diff)
			}
			// The providers table is not a setting; the settings next to it still are.
			if diff := cmp.Diff([]string{"password.min_length"}, f.Keys); diff != "" {
				t.Errorf("setting keys (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFileOAuthProvidersApplied(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		key := make([]byte, seal.KeySize)
		rand.Read(key)
		box, err := seal.New(key)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := loadFile(t, "testdata/oauth_providers.toml").OAuthProviders(testEnv, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SyncFileOAuthProviders(t.Context(), box, ps); err != nil {
			t.Fatalf("SyncFileOAuthProviders: %v", err)
		}
		got, err := s.OAuthProviders(t.Context(), box)
		if err != nil {
			t.Fatal(err)
		}
		want := fileProviders()
		for _, p := range want {
			p.ManagedByFile = true
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(latchkey.OAuthProvider{}, "CreatedAt", "UpdatedAt")); diff != "" {
			t.Errorf("stored providers (-want +got):\n%s", diff)
		}
	})
}

func applePEMFile(t *testing.T, dir string) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	p := filepath.Join(dir, "AuthKey_KEY1234567.p8")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFileOAuthProvidersAppleKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keyPath := applePEMFile(t, dir)
	conf := filepath.Join(dir, "latchkey.toml")
	// The key file is found relative to the settings file.
	body := "[oauth_providers.apple]\nclient_id = \"com.example\"\napple_team_id = \"TEAM123456\"\napple_key_id = \"KEY1234567\"\napple_private_key_file = \"" + filepath.Base(keyPath) + "\"\n"
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	ps, err := loadFile(t, conf).OAuthProviders(testEnv, false)
	if err != nil {
		t.Fatalf("OAuthProviders: %v", err)
	}
	want, _ := os.ReadFile(keyPath)
	if len(ps) != 1 || ps[0].ApplePrivateKey != string(want) || ps[0].ID != "apple" {
		t.Errorf("apple provider = %+v", ps)
	}
}

func TestFileOAuthProvidersErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, content string
		loadErr             bool   // LoadFile itself refuses the file
		want                string // in the error
	}{
		{"not a table", "a.toml", "oauth_providers = 3\n", true, "oauth_providers"},
		{"provider not a table", "a.json", `{"oauth_providers":{"google":"x"}}`, true, "oauth_providers.google"},
		{"unknown key", "a.toml", "[oauth_providers.google]\nclient_id = \"c\"\nclientsecret = \"s\"\n", true, `"clientsecret"`},
		{"wrong type", "a.yaml", "oauth_providers:\n  google:\n    scopes: openid\n", true, "scopes"},
		{"unknown provider", "a.toml", "[oauth_providers.myspace]\nclient_id = \"c\"\nclient_secret = \"s\"\n", false, "oauth_providers.myspace.provider"},
		{"missing env", "a.toml", "[oauth_providers.google]\nclient_id = \"c\"\nclient_secret_env = \"NOT_SET_ANYWHERE\"\n", false, "NOT_SET_ANYWHERE is not set"},
		{"two ways", "a.toml", "[oauth_providers.google]\nclient_id = \"c\"\nclient_secret = \"s\"\nclient_secret_env = \"TEST_GOOGLE_CLIENT_SECRET\"\n", false, "oauth_providers.google.client_secret"},
		{"invalid field", "a.toml", "[oauth_providers.custom_x]\ntype = \"oidc\"\nclient_id = \"c\"\nclient_secret = \"s\"\nissuer = \"http://idp.example\"\n", false, "oauth_providers.custom_x.issuer"},
		{"missing key file", "a.toml", "[oauth_providers.apple]\nclient_id = \"c\"\napple_team_id = \"T\"\napple_key_id = \"K\"\napple_private_key_file = \"nope.p8\"\n", false, "apple_private_key_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, tt.file, tt.content)
			f, err := instance.LoadFile(path)
			if tt.loadErr {
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
					t.Fatalf("LoadFile = %v, want an error naming %s and %q", err, path, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			_, err = f.OAuthProviders(testEnv, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("OAuthProviders = %v, want an error naming %s and %q", err, path, tt.want)
			}
			if strings.Contains(err.Error(), "google-secret-from-env") {
				t.Errorf("the error shows a secret: %v", err)
			}
		})
	}
	// No file at all: no providers.
	var none *instance.File
	if ps, err := none.OAuthProviders(testEnv, false); err != nil || len(ps) != 0 {
		t.Errorf("nil file = %v, %v", ps, err)
	}
}

// FuzzFileOAuthProviders feeds arbitrary settings files through LoadFile
// and OAuthProviders: they must succeed or fail with an error, never panic,
// and an accepted provider must pass the API's validation.
func FuzzFileOAuthProviders(f *testing.F) {
	for _, p := range []string{"testdata/oauth_providers.toml", "testdata/oauth_providers.json", "testdata/oauth_providers.yaml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(filepath.Ext(p), b)
	}
	f.Add(".json", []byte(`{"oauth_providers":{"custom_x":{"type":"oidc","mapping":{"id":1}}}}`))
	f.Add(".toml", []byte("[oauth_providers.apple]\napple_private_key = \"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\"\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, ext string, data []byte) {
		switch ext {
		case ".toml", ".json", ".yaml":
		default:
			ext = ".json"
		}
		path := filepath.Join(dir, "fuzz"+ext)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		file, err := instance.LoadFile(path)
		if err != nil {
			return
		}
		ps, err := file.OAuthProviders(testEnv, true)
		if err != nil {
			return
		}
		for _, p := range ps {
			if err := instance.ValidateOAuthProvider(p, true); err != nil {
				t.Errorf("accepted provider %s fails validation: %v", p.ID, err)
			}
		}
	})
}
