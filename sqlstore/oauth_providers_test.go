package sqlstore_test

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// rawStore is a store plus a separate connection to the same database, to
// look at rows the way an attacker with a copy of the database would.
type rawStore struct {
	*sqlstore.Store
	raw    *sql.DB
	engine string
}

// eachRaw runs fn per engine with a fresh store and its raw connection.
func eachRaw(t *testing.T, fn func(t *testing.T, s rawStore)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			u := storetest.URL(t, engine)
			s, err := sqlstore.Open(t.Context(), u)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			if _, err := s.Migrate(t.Context()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			driver := "sqlite"
			if engine == "postgres" {
				driver = "pgx"
			}
			raw, err := sql.Open(driver, u)
			if err != nil {
				t.Fatalf("open raw: %v", err)
			}
			t.Cleanup(func() { raw.Close() })
			fn(t, rawStore{Store: s, raw: raw, engine: engine})
		})
	}
}

// q rebinds the ? placeholders of a raw query for the engine.
func (s rawStore) q(query string) string {
	if s.engine != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// dump returns every column of the table's rows as bytes, joined.
func (s rawStore) dump(t *testing.T, table string) []byte {
	t.Helper()
	rows, err := s.raw.QueryContext(t.Context(), `SELECT * FROM `+table)
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out bytes.Buffer
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("scan %s: %v", table, err)
		}
		for _, v := range vals {
			out.Write(v)
			out.WriteByte(0)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func newBox(t *testing.T) *seal.Box {
	t.Helper()
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	b, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const testApplePEM = "-----BEGIN PRIVATE KEY-----\nnot-a-real-key-only-stored-sealed\n-----END PRIVATE KEY-----\n"

func googleProvider() *latchkey.OAuthProvider {
	return &latchkey.OAuthProvider{ID: "google", Type: latchkey.OAuthGoogle, Name: "Google", ClientID: "cid.apps",
		ClientSecret: "gsecret-plaintext-1", Scopes: []string{"openid", "email"}, Enabled: true, TrustVerifiedEmail: true}
}

func TestOAuthProviders(t *testing.T) {
	t.Parallel()
	eachRaw(t, func(t *testing.T, s rawStore) {
		ctx := t.Context()
		c := setClock(s.Store)
		box := newBox(t)
		if got, err := s.OAuthProviders(ctx, box); err != nil || len(got) != 0 {
			t.Fatalf("OAuthProviders on an empty store = %v, %v", got, err)
		}
		g := googleProvider()
		if err := s.CreateOAuthProvider(ctx, box, g); err != nil {
			t.Fatalf("CreateOAuthProvider: %v", err)
		}
		c.Add(time.Second)
		custom := &latchkey.OAuthProvider{ID: "custom_acme", Type: latchkey.OAuthOAuth2, Name: "Acme", ClientID: "acme",
			AuthURL: "https://acme.example/authorize", TokenURL: "https://acme.example/token", UserInfoURL: "https://acme.example/me",
			Mapping: latchkey.OAuthFieldMapping{ID: "data.id", Email: "data.email"}, Scopes: []string{}}
		if err := s.CreateOAuthProvider(ctx, box, custom); err != nil {
			t.Fatalf("CreateOAuthProvider custom: %v", err)
		}
		c.Add(time.Second)
		apple := &latchkey.OAuthProvider{ID: "apple", Type: latchkey.OAuthApple, Name: "Apple", ClientID: "com.example",
			AppleTeamID: "TEAM", AppleKeyID: "KEY", ApplePrivateKey: testApplePEM, Scopes: []string{}, Enabled: true}
		if err := s.CreateOAuthProvider(ctx, box, apple); err != nil {
			t.Fatalf("CreateOAuthProvider apple: %v", err)
		}

		got, err := s.OAuthProviders(ctx, box)
		if err != nil {
			t.Fatalf("OAuthProviders: %v", err)
		}
		if diff := cmp.Diff([]*latchkey.OAuthProvider{g, custom, apple}, got); diff != "" {
			t.Errorf("OAuthProviders, oldest first (-want +got):\n%s", diff)
		}
		one, err := s.OAuthProviderByID(ctx, box, "google")
		if err != nil || one.ClientSecret != "gsecret-plaintext-1" {
			t.Fatalf("OAuthProviderByID = %+v, %v", one, err)
		}
		if _, err := s.OAuthProviderByID(ctx, box, "github"); !errors.Is(err, latchkey.ErrNotFound) {
			t.Errorf("OAuthProviderByID(unknown) = %v, want ErrNotFound", err)
		}

		dup := googleProvider()
		wantCode(t, s.CreateOAuthProvider(ctx, box, dup), latchkey.CodeOAuthProviderExists, "id")

		// Sealed at rest: neither secret appears in the table.
		rows := s.dump(t, "oauth_providers")
		for _, secret := range []string{"gsecret-plaintext-1", "not-a-real-key-only-stored-sealed"} {
			if bytes.Contains(rows, []byte(secret)) {
				t.Errorf("oauth_providers holds %q in clear", secret)
			}
		}

		// Update merges through the callback; the secret is re-sealed.
		c.Add(time.Second)
		up, err := s.UpdateOAuthProvider(ctx, box, "google", func(p *latchkey.OAuthProvider) error {
			p.ClientSecret, p.Enabled, p.ID = "gsecret-plaintext-2", false, "renamed"
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateOAuthProvider: %v", err)
		}
		if up.ID != "google" || up.Enabled || !up.UpdatedAt.After(up.CreatedAt) {
			t.Errorf("updated provider = %+v", up)
		}
		again, err := s.OAuthProviderByID(ctx, box, "google")
		if err != nil || again.ClientSecret != "gsecret-plaintext-2" || again.Enabled {
			t.Errorf("after update = %+v, %v", again, err)
		}
		refuse := errors.New("refused")
		if _, err := s.UpdateOAuthProvider(ctx, box, "google", func(*latchkey.OAuthProvider) error { return refuse }); !errors.Is(err, refuse) {
			t.Errorf("UpdateOAuthProvider with a failing change = %v", err)
		}
		if _, err := s.UpdateOAuthProvider(ctx, box, "nope", func(*latchkey.OAuthProvider) error { return nil }); !errors.Is(err, latchkey.ErrNotFound) {
			t.Errorf("UpdateOAuthProvider(unknown) = %v, want ErrNotFound", err)
		}

		// A wrong master key does not open the secrets.
		if _, err := s.OAuthProviderByID(ctx, newBox(t), "google"); err == nil {
			t.Errorf("OAuthProviderByID with another master key succeeded")
		}
		// A sealed secret moved to another row does not open there.
		if _, err := s.raw.ExecContext(ctx, s.q(`UPDATE oauth_providers SET client_secret_sealed =
			(SELECT client_secret_sealed FROM oauth_providers WHERE id = ?) WHERE id = ?`), "google", "custom_acme"); err != nil {
			t.Fatalf("move sealed secret: %v", err)
		}
		if _, err := s.OAuthProviderByID(ctx, box, "custom_acme"); err == nil {
			t.Errorf("a client secret moved to another row opened")
		}

		if err := s.DeleteOAuthProvider(ctx, "google"); err != nil {
			t.Fatalf("DeleteOAuthProvider: %v", err)
		}
		if err := s.DeleteOAuthProvider(ctx, "google"); !errors.Is(err, latchkey.ErrNotFound) {
			t.Errorf("second DeleteOAuthProvider = %v, want ErrNotFound", err)
		}
	})
}

func TestSyncFileOAuthProviders(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		c := setClock(s)
		box := newBox(t)
		api := &latchkey.OAuthProvider{ID: "github", Type: latchkey.OAuthGitHub, Name: "GitHub", ClientID: "api", Scopes: []string{}}
		if err := s.CreateOAuthProvider(ctx, box, api); err != nil {
			t.Fatal(err)
		}
		created := api.CreatedAt
		c.Add(time.Second)
		file := []*latchkey.OAuthProvider{
			googleProvider(),
			{ID: "github", Type: latchkey.OAuthGitHub, Name: "GitHub", ClientID: "from-file", ClientSecret: "ghs", Scopes: []string{"user:email"}, Enabled: true},
		}
		if err := s.SyncFileOAuthProviders(ctx, box, file); err != nil {
			t.Fatalf("SyncFileOAuthProviders: %v", err)
		}
		gh, err := s.OAuthProviderByID(ctx, box, "github")
		if err != nil {
			t.Fatal(err)
		}
		if gh.ClientID != "from-file" || gh.ClientSecret != "ghs" || !gh.ManagedByFile || !gh.CreatedAt.Equal(created) {
			t.Errorf("github after the file = %+v, want the file's values, managed, created %v", gh, created)
		}
		_, err = s.UpdateOAuthProvider(ctx, box, "google", func(*latchkey.OAuthProvider) error { return nil })
		wantCode(t, err, latchkey.CodeSettingManaged, "id")
		wantCode(t, s.DeleteOAuthProvider(ctx, "github"), latchkey.CodeSettingManaged, "id")

		// The file no longer declares github: it stays, managed by the API.
		if err := s.SyncFileOAuthProviders(ctx, box, file[:1]); err != nil {
			t.Fatalf("SyncFileOAuthProviders again: %v", err)
		}
		gh, err = s.OAuthProviderByID(ctx, box, "github")
		if err != nil || gh.ManagedByFile || gh.ClientID != "from-file" {
			t.Errorf("github released = %+v, %v", gh, err)
		}
		if err := s.DeleteOAuthProvider(ctx, "github"); err != nil {
			t.Errorf("delete released provider: %v", err)
		}
	})
}
