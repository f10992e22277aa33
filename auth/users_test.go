package auth

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/password"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
	"golang.org/x/crypto/bcrypt"
)

// newUsers returns a service over a fresh store with settings changed by mod.
func newUsers(t *testing.T, s *sqlstore.Store, mod func(*latchkey.Settings)) *Users {
	t.Helper()
	set := latchkey.DefaultSettings()
	if mod != nil {
		mod(set)
	}
	if err := set.Validate(); err != nil {
		t.Fatalf("test settings invalid: %v", err)
	}
	return NewUsers(s, password.NewPool(0, 0), func() *latchkey.Settings { return set })
}

func wantCode(t *testing.T, err error, code latchkey.Code, param string) {
	t.Helper()
	var e *latchkey.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *latchkey.Error %s", err, code)
	}
	if e.Code != code || e.Param != param {
		t.Fatalf("err = %s (param %q), want %s (param %q)", e.Code, e.Param, code, param)
	}
}

func TestCreateUserValidation(t *testing.T) {
	allOn := func(s *latchkey.Settings) {
		s.PhoneNumber.Enabled, s.Username.Enabled = true, true
		s.Password.Required, s.EmailAddress.Required = false, false
	}
	tests := []struct {
		name  string
		mod   func(*latchkey.Settings)
		p     CreateUserParams
		code  latchkey.Code
		param string
	}{
		{"email required", nil, CreateUserParams{Password: "long enough pw"}, latchkey.CodeIdentifierRequired, "email_address"},
		{"bad email", nil, CreateUserParams{EmailAddresses: []string{"nope"}, Password: "long enough pw"}, latchkey.CodeFormParamInvalid, "email_address"},
		{"email twice", nil, CreateUserParams{EmailAddresses: []string{"a@x.io", "A@X.io"}, Password: "long enough pw"}, latchkey.CodeFormParamValue, "email_address"},
		{"phone disabled", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, PhoneNumbers: []string{"+14155550100"}, Password: "long enough pw"}, latchkey.CodeIdentifierDisabled, "phone_number"},
		{"username disabled", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, Username: "ada", Password: "long enough pw"}, latchkey.CodeIdentifierDisabled, "username"},
		{"username too short", allOn, CreateUserParams{Username: "ab"}, latchkey.CodeFormParamInvalid, "username"},
		{"password required", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}}, latchkey.CodeFormParamMissing, "password"},
		{"password too short", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, Password: "short"}, latchkey.CodePasswordTooShort, "password"},
		{"password too long", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, Password: strings.Repeat("é", 1025)}, latchkey.CodePasswordTooLong, "password"},
		{"too long even when skipping checks", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, Password: strings.Repeat("x", 1025), SkipPasswordChecks: true}, latchkey.CodePasswordTooLong, "password"},
		{"password and digest", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, Password: "long enough pw", PasswordDigest: "$2a$10$x", PasswordHasher: "bcrypt"}, latchkey.CodeFormParamValue, "password_digest"},
		{"digest without hasher", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, PasswordDigest: "$2a$10$x"}, latchkey.CodeFormParamMissing, "password_hasher"},
		{"unsupported hasher", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, PasswordDigest: "abc", PasswordHasher: "md5"}, latchkey.CodePasswordHasher, "password_hasher"},
		{"bad bcrypt digest", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, PasswordDigest: "$2a$10$short", PasswordHasher: "bcrypt"}, latchkey.CodePasswordDigest, "password_digest"},
		{"hasher without digest", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, Password: "long enough pw", PasswordHasher: "bcrypt"}, latchkey.CodeFormParamValue, "password_hasher"},
		{"passwords disabled", func(s *latchkey.Settings) { s.Password.Enabled, s.Password.Required = false, false }, CreateUserParams{EmailAddresses: []string{"a@x.io"}, Password: "long enough pw"}, latchkey.CodePasswordNotAllowed, "password"},
		{"metadata not object", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, SkipPasswordRequirement: true, PublicMetadata: json.RawMessage(`[1]`)}, latchkey.CodeFormParamInvalid, "public_metadata"},
		{"metadata too large", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, SkipPasswordRequirement: true, PrivateMeta: json.RawMessage(`{"a":"` + strings.Repeat("x", 9000) + `"}`)}, latchkey.CodeFormParamValue, "private_metadata"},
		{"name too long", nil, CreateUserParams{EmailAddresses: []string{"a@x.io"}, SkipPasswordRequirement: true, FirstName: strings.Repeat("n", 257)}, latchkey.CodeFormParamInvalid, "first_name"},
		{"no identifier at all", allOn, CreateUserParams{}, latchkey.CodeIdentifierRequired, "email_address"},
	}
	s := storetest.Open(t, "sqlite")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newUsers(t, s, tt.mod).CreateUser(context.Background(), tt.p)
			wantCode(t, err, tt.code, tt.param)
		})
	}
	if n, _ := s.CountUsers(context.Background(), sqlstore.UserFilter{}); n != 0 {
		t.Fatalf("rejected creations left %d users behind", n)
	}
}

func TestCreateUserStoresNormalizedVerifiedIdentifiers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		users := newUsers(t, s, func(s *latchkey.Settings) { s.PhoneNumber.Enabled, s.Username.Enabled = true, true })
		u, err := users.CreateUser(ctx, CreateUserParams{
			EmailAddresses:          []string{" Ada@Example.COM ", "ada@work.example"},
			PhoneNumbers:            []string{"+1 (415) 555-0100"},
			Username:                "Ada_L",
			SkipPasswordRequirement: true,
			PublicMetadata:          json.RawMessage(`{ "plan" : "pro", "n": 12345678901234567890 }`),
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var values []string
		for _, idn := range got.Identifiers {
			values = append(values, string(idn.Type)+"="+idn.Value+"/"+idn.Normalized)
			if !idn.Verification.Verified() || idn.Verification.Strategy != latchkey.StrategyAdmin || idn.Verification.VerifiedAt.IsZero() {
				t.Errorf("%s verification = %+v, want verified by admin", idn.Value, idn.Verification)
			}
		}
		want := []string{"email_address=Ada@example.com/ada@example.com", "email_address=ada@work.example/ada@work.example",
			"phone_number=+14155550100/+14155550100", "username=ada_l/ada_l"}
		if diff := cmp.Diff(want, values); diff != "" {
			t.Errorf("identifiers (-want +got):\n%s", diff)
		}
		if got.PrimaryEmailAddressID != got.EmailAddresses()[0].ID || got.PrimaryPhoneNumberID != got.PhoneNumbers()[0].ID {
			t.Errorf("primary ids = %q/%q, want the first of each", got.PrimaryEmailAddressID, got.PrimaryPhoneNumberID)
		}
		// Metadata keeps big numbers exactly (no float64 round trip).
		if !strings.Contains(string(got.PublicMetadata), "12345678901234567890") {
			t.Errorf("public metadata = %s, lost precision", got.PublicMetadata)
		}
		// Same email in another case is taken.
		_, err = users.CreateUser(ctx, CreateUserParams{EmailAddresses: []string{"ADA@example.com"}, SkipPasswordRequirement: true})
		wantCode(t, err, latchkey.CodeIdentifierExists, "email_address")
	})
}

func TestUpdateUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		users := newUsers(t, s, func(s *latchkey.Settings) { s.Username.Enabled = true; s.Password.Required = false })
		u, err := users.CreateUser(ctx, CreateUserParams{EmailAddresses: []string{"a@x.io", "b@x.io"}, Username: "first"})
		if err != nil {
			t.Fatal(err)
		}
		str := func(s string) *string { return &s }
		second := u.EmailAddresses()[1].ID
		meta := json.RawMessage(`{"replaced":true}`)
		got, err := users.UpdateUser(ctx, u.ID, UpdateUserParams{
			FirstName: str("Ada"), Username: str("Second"), PrimaryEmailAddressID: &second, PublicMetadata: &meta,
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.FirstName != "Ada" || got.Username() != "second" || got.PrimaryEmailAddressID != second ||
			string(got.PublicMetadata) != `{"replaced":true}` || got.Version != 2 {
			t.Fatalf("after update: first=%q username=%q primary=%q meta=%s version=%d", got.FirstName, got.Username(),
				got.PrimaryEmailAddressID, got.PublicMetadata, got.Version)
		}
		// Removing the username works while other identifiers remain.
		got, err = users.UpdateUser(ctx, u.ID, UpdateUserParams{Username: str("")})
		if err != nil || got.Username() != "" {
			t.Fatalf("remove username: %v, username %q", err, got.Username())
		}
		_, err = users.UpdateUser(ctx, u.ID, UpdateUserParams{PrimaryEmailAddressID: str("idn_email_nope")})
		wantCode(t, err, latchkey.CodeFormParamValue, "primary_email_address_id")
		_, err = users.UpdateUser(ctx, u.ID, UpdateUserParams{Password: str("short")})
		wantCode(t, err, latchkey.CodePasswordTooShort, "password")
		_, err = users.UpdateUser(ctx, "user_missing", UpdateUserParams{FirstName: str("x")})
		if !errors.Is(err, latchkey.ErrNotFound) {
			t.Fatalf("update missing user: %v, want ErrNotFound", err)
		}
	})
}

func TestUpdateMetadataDeepMerge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		users := newUsers(t, s, nil)
		u, err := users.CreateUser(ctx, CreateUserParams{EmailAddresses: []string{"m@x.io"}, SkipPasswordRequirement: true,
			PublicMetadata: json.RawMessage(`{"a":{"b":1,"c":2},"keep":true,"drop":1}`)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := users.UpdateMetadata(ctx, u.ID, MetadataPatch{PublicMetadata: json.RawMessage(`{"a":{"c":3,"d":4},"drop":null,"new":[1]}`)})
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal(got.PublicMetadata, &m)
		want := map[string]any{"a": map[string]any{"b": 1.0, "c": 3.0, "d": 4.0}, "keep": true, "new": []any{1.0}}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("merged metadata (-want +got):\n%s", diff)
		}
		// Concurrent merges of different keys all survive.
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				patch := json.RawMessage(`{"k` + string(rune('a'+i)) + `":true}`)
				if _, err := users.UpdateMetadata(ctx, u.ID, MetadataPatch{PrivateMetadata: patch}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, _ = s.UserByID(ctx, u.ID)
		m = nil
		json.Unmarshal(got.PrivateMetadata, &m)
		if len(m) != 10 {
			t.Errorf("private metadata after 10 concurrent merges = %s, want 10 keys", got.PrivateMetadata)
		}
		_, err = users.UpdateMetadata(ctx, u.ID, MetadataPatch{UnsafeMetadata: json.RawMessage(`"str"`)})
		wantCode(t, err, latchkey.CodeFormParamInvalid, "unsafe_metadata")
	})
}

func TestVerifyPasswordUpgradesHashes(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	ctx := context.Background()
	users := newUsers(t, s, nil)

	// An imported bcrypt digest verifies and is replaced by argon2id.
	digest, _ := bcrypt.GenerateFromPassword([]byte("imported secret"), bcrypt.MinCost)
	u, err := users.CreateUser(ctx, CreateUserParams{EmailAddresses: []string{"b@x.io"}, PasswordDigest: string(digest), PasswordHasher: "bcrypt"})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := users.VerifyPassword(ctx, u, "wrong"); ok || err != nil {
		t.Fatalf("wrong password: ok=%v err=%v", ok, err)
	}
	if ok, err := users.VerifyPassword(ctx, u, "imported secret"); !ok || err != nil {
		t.Fatalf("right password: ok=%v err=%v", ok, err)
	}
	u, _ = s.UserByID(ctx, u.ID)
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=47104,t=1,p=1$") {
		t.Fatalf("hash after sign-in = %q, want upgraded to argon2id with current params", u.PasswordHash)
	}

	// Raising the cost in settings upgrades the hash on the next success.
	stronger := newUsers(t, s, func(s *latchkey.Settings) { s.Password.Argon2Iterations = 2 })
	if ok, _ := stronger.VerifyPassword(ctx, u, "imported secret"); !ok {
		t.Fatal("password no longer verifies after a settings change")
	}
	u, _ = s.UserByID(ctx, u.ID)
	if !strings.Contains(u.PasswordHash, "t=2") {
		t.Fatalf("hash = %q, want upgraded to t=2", u.PasswordHash)
	}
	before := u.PasswordHash
	if ok, _ := stronger.VerifyPassword(ctx, u, "imported secret"); !ok {
		t.Fatal("verify after upgrade failed")
	}
	u, _ = s.UserByID(ctx, u.ID)
	if u.PasswordHash != before {
		t.Fatal("hash changed although parameters already match")
	}

	// A user without a password never verifies.
	np, err := users.CreateUser(ctx, CreateUserParams{EmailAddresses: []string{"n@x.io"}, SkipPasswordRequirement: true})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := users.VerifyPassword(ctx, np, ""); ok || err != nil {
		t.Fatalf("no-password user: ok=%v err=%v", ok, err)
	}
}

func TestBanLockDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		users := newUsers(t, s, nil)
		u, err := users.CreateUser(ctx, CreateUserParams{EmailAddresses: []string{"x@x.io"}, SkipPasswordRequirement: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			fn             func() (*latchkey.User, error)
			banned, locked bool
		}{
			{func() (*latchkey.User, error) { return users.SetBanned(ctx, u.ID, true) }, true, false},
			{func() (*latchkey.User, error) { return users.SetLocked(ctx, u.ID, true) }, true, true},
			{func() (*latchkey.User, error) { return users.SetBanned(ctx, u.ID, false) }, false, true},
			{func() (*latchkey.User, error) { return users.SetLocked(ctx, u.ID, false) }, false, false},
		} {
			got, err := step.fn()
			if err != nil || got.Banned != step.banned || got.Locked != step.locked {
				t.Fatalf("got banned=%v locked=%v err=%v, want %v %v", got.Banned, got.Locked, err, step.banned, step.locked)
			}
		}
		if err := users.DeleteUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := users.DeleteUser(ctx, u.ID); !errors.Is(err, latchkey.ErrNotFound) {
			t.Fatalf("second delete: %v, want ErrNotFound", err)
		}
	})
}

func TestUpdateUserPasswordStrength(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	ctx := context.Background()
	users := newUsers(t, s, nil)
	u, err := users.CreateUser(ctx, CreateUserParams{EmailAddresses: []string{"ada.lovelace@x.io"}, SkipPasswordRequirement: true})
	if err != nil {
		t.Fatal(err)
	}
	pw := func(v string) *string { return &v }
	_, err = users.UpdateUser(ctx, u.ID, UpdateUserParams{Password: pw("password123")})
	wantCode(t, err, latchkey.CodePasswordPwned, "password")
	_, err = users.UpdateUser(ctx, u.ID, UpdateUserParams{Password: pw("lovelace-forever-2024")})
	wantCode(t, err, latchkey.CodePasswordPersonal, "password")
	// Imports may skip the checks, but never the length cap.
	if _, err = users.UpdateUser(ctx, u.ID, UpdateUserParams{Password: pw("password123"), SkipPasswordChecks: true}); err != nil {
		t.Fatalf("skip_password_checks: %v", err)
	}
}
