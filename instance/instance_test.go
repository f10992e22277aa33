package instance_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func open(t *testing.T, s *sqlstore.Store, env string, file *instance.File) *instance.Service {
	t.Helper()
	svc, err := instance.Open(context.Background(), s, env, file, discard)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return svc
}

func patch(t *testing.T, svc *instance.Service, body string) *instance.Snapshot {
	t.Helper()
	snap, err := svc.Patch(context.Background(), []byte(body))
	if err != nil {
		t.Fatalf("Patch(%s): %v", body, err)
	}
	return snap
}

// clone deep-copies settings through JSON.
func clone(t *testing.T, s *latchkey.Settings) *latchkey.Settings {
	t.Helper()
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out latchkey.Settings
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// wantError fails unless err is a *latchkey.Error with code and param.
func wantError(t *testing.T, err error, code latchkey.Code, param string) *latchkey.Error {
	t.Helper()
	var e *latchkey.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *latchkey.Error %s", err, err, code)
	}
	if e.Code != code || e.Param != param {
		t.Errorf("err = code %q param %q (%v), want code %q param %q", e.Code, e.Param, e, code, param)
	}
	return e
}

func TestOpenCreatesOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		first := open(t, s, latchkey.EnvDevelopment, nil)
		inst := first.Instance()
		if !strings.HasPrefix(inst.ID, latchkey.PrefixInstance+"_") {
			t.Errorf("instance ID = %q, want prefix ins_", inst.ID)
		}
		key, ok := strings.CutPrefix(inst.PublishableKey, "pk_test_")
		if !ok || len(key) != 32 || strings.Trim(key, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != "" {
			t.Errorf("publishable key = %q, want pk_test_ and 32 base62 characters", inst.PublishableKey)
		}
		if inst.Environment != latchkey.EnvDevelopment || inst.CreatedAt.IsZero() {
			t.Errorf("instance = %+v, want a development instance with a creation time", inst)
		}
		if diff := cmp.Diff(latchkey.DefaultSettings(), first.Settings()); diff != "" {
			t.Errorf("settings of a new instance (-defaults +got):\n%s", diff)
		}
		if v := first.Snapshot().Version; v != 1 {
			t.Errorf("version of a new instance = %d, want 1", v)
		}
		if m := first.Snapshot().Managed; len(m) != 0 {
			t.Errorf("Managed without a file = %v, want none", m)
		}

		// A restart finds the same instance and keys.
		second := open(t, s, latchkey.EnvDevelopment, nil)
		if diff := cmp.Diff(inst, second.Instance()); diff != "" {
			t.Errorf("instance after a second Open (-first +second):\n%s", diff)
		}
		if v := second.Snapshot().Version; v != 1 {
			t.Errorf("version after a second Open = %d, want 1", v)
		}
	})
}

func TestOpenProduction(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		svc := open(t, s, latchkey.EnvProduction, nil)
		if pk := svc.Instance().PublishableKey; !strings.HasPrefix(pk, "pk_live_") || len(pk) != len("pk_live_")+32 {
			t.Errorf("production publishable key = %q, want pk_live_...", pk)
		}
		if svc.Instance().KeyPrefix() != "live" {
			t.Errorf("KeyPrefix = %q, want live", svc.Instance().KeyPrefix())
		}
	})
}

func TestOpenOtherEnvironment(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		open(t, s, latchkey.EnvDevelopment, nil)
		svc, err := instance.Open(context.Background(), s, latchkey.EnvProduction, nil, discard)
		if err == nil || svc != nil {
			t.Fatalf("Open(production) on a development database = %v, %v; want an error", svc, err)
		}
		for _, want := range []string{"development", "production", "separate database"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
	})
}

func TestPatchMerge(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		svc := open(t, s, latchkey.EnvDevelopment, nil)
		want := latchkey.DefaultSettings()
		check := func(step string, snap *instance.Snapshot, version int64) {
			t.Helper()
			if snap != svc.Snapshot() {
				t.Errorf("%s: Patch returned a snapshot other than the current one", step)
			}
			if diff := cmp.Diff(want, snap.Settings); diff != "" {
				t.Errorf("%s: settings (-want +got):\n%s", step, diff)
			}
			if snap.Version != version {
				t.Errorf("%s: version = %d, want %d", step, snap.Version, version)
			}
		}

		// Nested objects merge: the rest of "session" keeps its values.
		snap := patch(t, svc, `{"session":{"lifetime_seconds":3600}}`)
		want.Session.LifetimeSeconds = 3600
		check("set one nested key", snap, 2)

		// ...including values set by earlier patches.
		snap = patch(t, svc, `{"session":{"token_lifetime_seconds":120},"branding":{"application_name":"Acme"}}`)
		want.Session.TokenLifetimeSeconds = 120
		want.Branding.ApplicationName = "Acme"
		check("set keys in two objects", snap, 3)

		// The embedded identifier switches of username merge like the rest.
		snap = patch(t, svc, `{"username":{"enabled":true,"max_length":32}}`)
		want.Username.Enabled, want.Username.MaxLength = true, 32
		check("username switches", snap, 4)

		// Arrays replace.
		snap = patch(t, svc, `{"allowed_origins":["https://a.example","https://b.example"]}`)
		want.AllowedOrigins = []string{"https://a.example", "https://b.example"}
		check("set an array", snap, 5)
		snap = patch(t, svc, `{"allowed_origins":["https://c.example"]}`)
		want.AllowedOrigins = []string{"https://c.example"}
		check("replace an array", snap, 6)

		// null resets a key, or a whole object, to its default.
		snap = patch(t, svc, `{"session":{"lifetime_seconds":null}}`)
		want.Session.LifetimeSeconds = latchkey.DefaultSettings().Session.LifetimeSeconds
		check("reset a nested key", snap, 7)
		snap = patch(t, svc, `{"session":null,"allowed_origins":null}`)
		want.Session = latchkey.DefaultSettings().Session
		want.AllowedOrigins = []string{}
		check("reset an object and an array", snap, 8)

		// A patch that changes nothing does not bump the version.
		snap = patch(t, svc, `{"branding":{"application_name":"Acme"}}`)
		check("no-op patch", snap, 8)
		snap = patch(t, svc, `{}`)
		check("empty patch", snap, 8)

		// The change is stored: a restart sees it.
		again := open(t, s, latchkey.EnvDevelopment, nil)
		if diff := cmp.Diff(want, again.Settings()); diff != "" {
			t.Errorf("settings after restart (-want +got):\n%s", diff)
		}
	})
}

func TestPatchSnapshotImmutable(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		svc := open(t, s, latchkey.EnvDevelopment, nil)
		patch(t, svc, `{"allowed_origins":["https://a.example"]}`)
		old := svc.Snapshot()
		oldSettings, oldVersion, oldInstance := clone(t, old.Settings), old.Version, *old.Instance

		next := patch(t, svc, `{"allowed_origins":["https://b.example"],"session":{"lifetime_seconds":600},"password":null}`)
		if next == old || next.Settings == old.Settings {
			t.Fatal("Patch modified the snapshot in place instead of swapping it")
		}
		if diff := cmp.Diff(oldSettings, old.Settings); diff != "" {
			t.Errorf("old snapshot's settings changed (-before +after):\n%s", diff)
		}
		if old.Version != oldVersion || *old.Instance != oldInstance {
			t.Errorf("old snapshot's version or instance changed")
		}
		if svc.Settings() != next.Settings || svc.Instance() != next.Instance {
			t.Error("Settings()/Instance() do not read the current snapshot")
		}
	})
}

func TestPatchErrors(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		svc := open(t, s, latchkey.EnvDevelopment, nil)
		patch(t, svc, `{"branding":{"application_name":"Before"}}`)
		before := svc.Snapshot()
		tests := []struct {
			name  string
			body  string
			code  latchkey.Code
			param string
		}{
			{"unknown top-level key", `{"bogus":1}`, latchkey.CodeFormParamUnknown, "bogus"},
			{"unknown nested key", `{"session":{"bogus":1}}`, latchkey.CodeFormParamUnknown, "session.bogus"},
			{"unknown key beside known ones", `{"session":{"lifetime_seconds":600,"lifetime_minutes":10,"token_lifetime_seconds":60}}`, latchkey.CodeFormParamUnknown, "session.lifetime_minutes"},
			{"unknown key under a username switch", `{"username":{"enabled":true,"IdentifierSettings":{}}}`, latchkey.CodeFormParamUnknown, "username.IdentifierSettings"},
			{"key in the wrong case", `{"Session":{"lifetime_seconds":600}}`, latchkey.CodeFormParamUnknown, "Session"},
			{"empty key", `{"":1}`, latchkey.CodeFormParamUnknown, ""},
			{"number as string", `{"password":{"min_length":"12"}}`, latchkey.CodeFormParamInvalid, "password.min_length"},
			{"fraction for an integer", `{"session":{"lifetime_seconds":600.5}}`, latchkey.CodeFormParamInvalid, "session.lifetime_seconds"},
			{"overflow", `{"password":{"argon2_parallelism":300}}`, latchkey.CodeFormParamInvalid, "password.argon2_parallelism"},
			{"string as boolean", `{"email_address":{"enabled":"yes"}}`, latchkey.CodeFormParamInvalid, "email_address.enabled"},
			{"embedded username switch", `{"username":{"used_for_sign_in":1}}`, latchkey.CodeFormParamInvalid, "username.used_for_sign_in"},
			{"object for a leaf", `{"password":{"min_length":{"value":12}}}`, latchkey.CodeFormParamInvalid, "password.min_length"},
			{"number for an object", `{"session":5}`, latchkey.CodeFormParamInvalid, "session"},
			{"string for an array", `{"allowed_origins":"https://a.example"}`, latchkey.CodeFormParamInvalid, "allowed_origins"},
			{"array of numbers", `{"redirect_urls":[1]}`, latchkey.CodeFormParamInvalid, "redirect_urls"},
			{"value out of range", `{"password":{"min_length":4}}`, latchkey.CodeFormParamValue, "password.min_length"},
			{"value below the argon2 floor", `{"password":{"argon2_memory_kib":1024}}`, latchkey.CodeFormParamValue, "password.argon2_memory_kib"},
			{"bad origin", `{"allowed_origins":["https://a.example/"]}`, latchkey.CodeFormParamValue, "allowed_origins"},
			{"rule across keys", `{"email_address":{"enabled":false}}`, latchkey.CodeFormParamValue, "email_address.enabled"},
			{"not JSON", `{`, latchkey.CodeRequestBodyInvalid, ""},
			{"array", `[]`, latchkey.CodeRequestBodyInvalid, ""},
			{"null", `null`, latchkey.CodeRequestBodyInvalid, ""},
			{"string", `"x"`, latchkey.CodeRequestBodyInvalid, ""},
			{"empty body", ``, latchkey.CodeRequestBodyInvalid, ""},
		}
		for _, tt := range tests {
			// Maps are iterated in random order: repeat so a result that
			// depends on the order shows.
			for range 20 {
				snap, err := svc.Patch(context.Background(), []byte(tt.body))
				if snap != nil {
					t.Errorf("%s: Patch returned a snapshot with its error", tt.name)
				}
				if e := wantError(t, err, tt.code, tt.param); e.Message != latchkey.Messages[tt.code] || e.LongMessage == "" {
					t.Errorf("%s: messages %q / %q, want the catalog message and a long message", tt.name, e.Message, e.LongMessage)
				}
				if t.Failed() {
					t.Fatalf("%s: Patch(%s) failed as above", tt.name, tt.body)
				}
			}
		}
		if svc.Snapshot() != before {
			t.Error("a rejected patch swapped the snapshot")
		}
		raw, version, err := s.Settings(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var stored latchkey.Settings
		if err := json.Unmarshal(raw, &stored); err != nil {
			t.Fatal(err)
		}
		if version != before.Version || stored.Branding.ApplicationName != "Before" {
			t.Errorf("a rejected patch changed the store: version %d (want %d), name %q", version, before.Version, stored.Branding.ApplicationName)
		}
	})
}

// TestPatchConcurrent patches different keys at once through two services
// on one store (two processes): no change may be lost.
func TestPatchConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		a := open(t, s, latchkey.EnvDevelopment, nil)
		b := open(t, s, latchkey.EnvDevelopment, nil)
		patches := []string{
			`{"branding":{"application_name":"Acme"}}`,
			`{"session":{"token_lifetime_seconds":120}}`,
			`{"session":{"lifetime_seconds":3600}}`,
			`{"password":{"min_length":12}}`,
			`{"username":{"max_length":40}}`,
			`{"mail":{"from_name":"Acme"}}`,
			`{"allowed_origins":["https://app.example"]}`,
			`{"branding":{"primary_color":"#123456"}}`,
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(patches))
		for i, p := range patches {
			svc := a
			if i%2 == 1 {
				svc = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.Patch(context.Background(), []byte(p))
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent Patch: %v", err)
			}
		}
		want := latchkey.DefaultSettings()
		want.Branding.ApplicationName = "Acme"
		want.Session.TokenLifetimeSeconds = 120
		want.Session.LifetimeSeconds = 3600
		want.Password.MinLength = 12
		want.Username.MaxLength = 40
		want.Mail.FromName = "Acme"
		want.AllowedOrigins = []string{"https://app.example"}
		want.Branding.PrimaryColor = "#123456"
		for name, svc := range map[string]*instance.Service{"a": a, "b": b} {
			if err := svc.Reload(context.Background()); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, svc.Settings()); diff != "" {
				t.Errorf("service %s after concurrent patches (-want +got):\n%s", name, diff)
			}
			if v := svc.Snapshot().Version; v != int64(1+len(patches)) {
				t.Errorf("service %s version = %d, want %d", name, v, 1+len(patches))
			}
		}
	})
}

func TestWatch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		watcher := open(t, s, latchkey.EnvDevelopment, nil)
		other := open(t, s, latchkey.EnvDevelopment, nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			watcher.Watch(ctx, 5*time.Millisecond)
		}()

		for i, name := range []string{"First", "Second"} {
			want := patch(t, other, fmt.Sprintf(`{"branding":{"application_name":%q}}`, name)).Version
			if want != int64(2+i) {
				t.Fatalf("version after patch %d = %d", i+1, want)
			}
			deadline := time.Now().Add(10 * time.Second)
			for watcher.Snapshot().Version != want {
				if time.Now().After(deadline) {
					t.Fatalf("Watch did not pick up version %d (still at %d)", want, watcher.Snapshot().Version)
				}
				time.Sleep(2 * time.Millisecond)
			}
			if got := watcher.Settings().Branding.ApplicationName; got != name {
				t.Errorf("watched settings name = %q, want %q", got, name)
			}
		}

		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Watch did not return after its context ended")
		}
	})
}

func TestNewAPIKey(t *testing.T) {
	t.Parallel()
	for _, env := range []string{latchkey.EnvDevelopment, latchkey.EnvProduction} {
		inst := &latchkey.Instance{Environment: env}
		want := map[string]string{latchkey.EnvDevelopment: "sk_test_", latchkey.EnvProduction: "sk_live_"}[env]
		seen := map[string]bool{}
		for range 100 {
			secret, key := instance.NewAPIKey(inst, "ci")
			rest, ok := strings.CutPrefix(secret, want)
			if !ok || len(rest) != 40 || strings.Trim(rest, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != "" {
				t.Fatalf("secret = %q, want %s and 40 base62 characters", secret, want)
			}
			if seen[secret] {
				t.Fatalf("secret %q repeated", secret)
			}
			seen[secret] = true
			if key.Name != "ci" || key.Prefix != secret[:12] || !strings.HasPrefix(key.Prefix, want) {
				t.Errorf("key name %q prefix %q, want ci and %q", key.Name, key.Prefix, secret[:12])
			}
			if diff := cmp.Diff(instance.Digest(secret), key.Digest); diff != "" || len(key.Digest) != 32 {
				t.Errorf("stored digest is not Digest(secret)")
			}
			// Only the digest is kept: no field holds the secret.
			if strings.Contains(fmt.Sprintf("%+v", *key), rest) {
				t.Errorf("the key record holds the secret: %+v", key)
			}
		}
	}
	if string(instance.Digest("sk_test_a")) == string(instance.Digest("sk_test_b")) {
		t.Error("Digest does not depend on the secret")
	}
	// SHA-256 of "abc" (FIPS 180-2 test vector).
	if got := fmt.Sprintf("%x", instance.Digest("abc")); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("Digest(abc) = %s, want SHA-256", got)
	}
}
