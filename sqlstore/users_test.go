package sqlstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		setClock(s)
		u := &latchkey.User{
			ExternalID:      "ext-1",
			FirstName:       "Ada",
			LastName:        "Lovelace",
			ImageURL:        "https://example.com/ada.png",
			PasswordHash:    "$argon2id$v=19$m=47104,t=1,p=1$c2FsdA$aGFzaA",
			PublicMetadata:  json.RawMessage(`{"plan":"pro"}`),
			PrivateMetadata: json.RawMessage(`{"stripe":"cus_1"}`),
			UnsafeMetadata:  json.RawMessage(`{"theme":"dark"}`),
			Banned:          true,
			Locked:          true,
			Identifiers:     []*latchkey.Identifier{email("Ada@Example.com"), phone("+14155550100"), username("Ada_L")},
		}
		u.Identifiers[0].Verification = latchkey.Verification{Status: latchkey.VerificationVerified,
			Strategy: latchkey.StrategyAdmin, VerifiedAt: stored(base.Add(-time.Hour))}
		mustCreateUser(t, s, u)

		if !strings.HasPrefix(u.ID, "user_") {
			t.Errorf("ID = %q, want prefix user_", u.ID)
		}
		if u.Version != 1 {
			t.Errorf("Version = %d, want 1", u.Version)
		}
		for _, tm := range []struct {
			name string
			got  time.Time
		}{{"CreatedAt", u.CreatedAt}, {"UpdatedAt", u.UpdatedAt}, {"PasswordUpdatedAt", u.PasswordUpdatedAt}} {
			if !tm.got.Equal(stored(base)) {
				t.Errorf("%s = %v, want %v", tm.name, tm.got, stored(base))
			}
		}
		prefixes := []string{"idn_email_", "idn_phone_", "idn_username_"}
		for i, idn := range u.Identifiers {
			if !strings.HasPrefix(idn.ID, prefixes[i]) {
				t.Errorf("identifier %d ID = %q, want prefix %s", i, idn.ID, prefixes[i])
			}
			if idn.UserID != u.ID || !idn.CreatedAt.Equal(stored(base)) || !idn.UpdatedAt.Equal(stored(base)) {
				t.Errorf("identifier %d: UserID, CreatedAt, UpdatedAt = %q, %v, %v; want %q, %v, %v",
					i, idn.UserID, idn.CreatedAt, idn.UpdatedAt, u.ID, stored(base), stored(base))
			}
		}

		got, err := s.UserByID(t.Context(), u.ID)
		if err != nil {
			t.Fatalf("UserByID: %v", err)
		}
		if diff := cmp.Diff(u, got); diff != "" {
			t.Errorf("UserByID differs from the created user (-created +read):\n%s", diff)
		}
		for _, idn := range u.Identifiers {
			got, err := s.UserByIdentifier(t.Context(), idn.Type, idn.Normalized)
			if err != nil {
				t.Fatalf("UserByIdentifier(%s, %q): %v", idn.Type, idn.Normalized, err)
			}
			if diff := cmp.Diff(u, got); diff != "" {
				t.Errorf("UserByIdentifier(%s) differs from the created user (-created +read):\n%s", idn.Type, diff)
			}
		}
	})
}

func TestCreateUserDefaults(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		c := setClock(s)
		tests := []struct {
			name string
			user latchkey.User
			want func(u *latchkey.User) // adjusts the input to what the store returns
		}{
			{
				name: "empty metadata reads back as an empty object",
				user: latchkey.User{FirstName: "Nil"},
				want: func(u *latchkey.User) {
					u.PublicMetadata, u.PrivateMetadata, u.UnsafeMetadata = json.RawMessage("{}"), json.RawMessage("{}"), json.RawMessage("{}")
				},
			},
			{
				name: "no password, no password time",
				user: latchkey.User{FirstName: "NoPassword", PublicMetadata: json.RawMessage("{}"),
					PrivateMetadata: json.RawMessage("{}"), UnsafeMetadata: json.RawMessage("{}")},
				want: func(u *latchkey.User) {},
			},
			{
				name: "caller's ID, password time and sign-in time are kept",
				user: latchkey.User{ID: "user_given", PasswordHash: "$2a$10$imported", PasswordUpdatedAt: stored(base.Add(-48 * time.Hour)),
					LastSignInAt: stored(base.Add(-time.Hour)), LockoutExpiresAt: stored(base.Add(time.Hour)),
					PublicMetadata: json.RawMessage("{}"), PrivateMetadata: json.RawMessage("{}"), UnsafeMetadata: json.RawMessage("{}")},
				want: func(u *latchkey.User) {},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				now := c.Add(time.Second)
				u := tt.user
				mustCreateUser(t, s, &u)
				want := tt.user
				want.ID = u.ID
				want.Version, want.CreatedAt, want.UpdatedAt = 1, stored(now), stored(now)
				tt.want(&want)
				got, err := s.UserByID(t.Context(), u.ID)
				if err != nil {
					t.Fatalf("UserByID: %v", err)
				}
				if diff := cmp.Diff(&want, got); diff != "" {
					t.Errorf("stored user (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestUserNotFound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		u := mustCreateUser(t, s, &latchkey.User{Identifiers: []*latchkey.Identifier{email("ann@example.com"), username("ann")}})
		tests := []struct {
			name string
			get  func() (*latchkey.User, error)
		}{
			{"unknown id", func() (*latchkey.User, error) { return s.UserByID(t.Context(), "user_missing") }},
			{"empty id", func() (*latchkey.User, error) { return s.UserByID(t.Context(), "") }},
			{"id with other case", func() (*latchkey.User, error) { return s.UserByID(t.Context(), strings.ToUpper(u.ID)) }},
			{"unknown email", func() (*latchkey.User, error) {
				return s.UserByIdentifier(t.Context(), latchkey.IdentifierEmail, "bob@example.com")
			}},
			{"value under another type", func() (*latchkey.User, error) {
				return s.UserByIdentifier(t.Context(), latchkey.IdentifierUsername, "ann@example.com")
			}},
			{"not normalized", func() (*latchkey.User, error) {
				return s.UserByIdentifier(t.Context(), latchkey.IdentifierEmail, "Ann@example.com")
			}},
			{"email prefix", func() (*latchkey.User, error) {
				return s.UserByIdentifier(t.Context(), latchkey.IdentifierEmail, "ann@example")
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				got, err := tt.get()
				wantNotFound(t, err)
				if got != nil {
					t.Errorf("user = %+v, want nil", got)
				}
			})
		}
	})
}

// TestCreateUserTaken checks that a taken identifier or external ID is a
// form_identifier_exists error naming the parameter, and that the failed
// create leaves nothing behind.
func TestCreateUserTaken(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		first := mustCreateUser(t, s, &latchkey.User{ExternalID: "ext-1", Identifiers: []*latchkey.Identifier{
			email("Ann@Example.com"), phone("+14155550100"), username("Ann")}})
		first, err := s.UserByID(t.Context(), first.ID) // as stored: nil metadata reads back as {}
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name      string
			user      *latchkey.User
			wantParam string // "" means the create succeeds
		}{
			{"email in other case", &latchkey.User{Identifiers: []*latchkey.Identifier{username("fresh1"), email("ANN@example.COM")}}, "email_address"},
			{"phone", &latchkey.User{Identifiers: []*latchkey.Identifier{email("fresh2@example.com"), phone("+14155550100")}}, "phone_number"},
			{"username in other case", &latchkey.User{Identifiers: []*latchkey.Identifier{email("fresh3@example.com"), username("aNN")}}, "username"},
			{"external id", &latchkey.User{ExternalID: "ext-1", Identifiers: []*latchkey.Identifier{email("fresh4@example.com")}}, "external_id"},
			{"same email twice in one user", &latchkey.User{Identifiers: []*latchkey.Identifier{email("twice@example.com"), email("Twice@example.com")}}, "email_address"},
			{"id taken", &latchkey.User{ID: first.ID, Identifiers: []*latchkey.Identifier{email("fresh5@example.com")}}, "id"},
			// Not conflicts: types are separate namespaces, and the empty
			// external ID means "none".
			{"username equal to a taken email", &latchkey.User{Identifiers: []*latchkey.Identifier{username("ann@example.com")}}, ""},
			{"no external id", &latchkey.User{Identifiers: []*latchkey.Identifier{email("fresh6@example.com")}}, ""},
			{"no external id again", &latchkey.User{Identifiers: []*latchkey.Identifier{email("fresh7@example.com")}}, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before, err := s.CountUsers(t.Context(), sqlstore.UserFilter{})
				if err != nil {
					t.Fatal(err)
				}
				givenID := tt.user.ID
				err = s.CreateUser(t.Context(), tt.user)
				after, cerr := s.CountUsers(t.Context(), sqlstore.UserFilter{})
				if cerr != nil {
					t.Fatal(cerr)
				}
				if tt.wantParam == "" {
					if err != nil {
						t.Fatalf("CreateUser: %v", err)
					}
					if after != before+1 {
						t.Errorf("users = %d after create, want %d", after, before+1)
					}
					return
				}
				if tt.wantParam == "id" {
					// A taken primary key is a programming error, not a
					// taken identifier, but it must still fail cleanly.
					if err == nil {
						t.Fatal("CreateUser with a taken ID succeeded")
					}
				} else {
					wantCode(t, err, latchkey.CodeIdentifierExists, tt.wantParam)
				}
				if after != before {
					t.Errorf("users = %d after failed create, want %d", after, before)
				}
				// None of the new user's identifiers were kept.
				for _, idn := range tt.user.Identifiers {
					got, err := s.UserByIdentifier(t.Context(), idn.Type, idn.Normalized)
					if err == nil && got.ID != first.ID {
						t.Errorf("identifier %s %q of the failed create was stored", idn.Type, idn.Normalized)
					} else if err != nil && !errors.Is(err, latchkey.ErrNotFound) {
						t.Fatal(err)
					}
				}
				if givenID == "" && tt.user.ID != "" {
					wantNotFoundUser(t, s, tt.user.ID)
				}
				// The first user is untouched.
				got, err := s.UserByID(t.Context(), first.ID)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(first, got); diff != "" {
					t.Errorf("first user changed (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func wantNotFoundUser(t *testing.T, s *sqlstore.Store, id string) {
	t.Helper()
	_, err := s.UserByID(t.Context(), id)
	wantNotFound(t, err)
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	errFn := errors.New("fn says no")
	type check func(t *testing.T, s *sqlstore.Store, before, after *latchkey.User)
	tests := []struct {
		name    string
		fn      func(u *latchkey.User) error
		wantErr func(t *testing.T, err error) // nil: the update succeeds
		check   check                         // runs on success, after the generic checks
	}{
		{
			name: "fields",
			fn: func(u *latchkey.User) error {
				u.ExternalID, u.FirstName, u.LastName, u.ImageURL = "ext-new", "Grace", "Hopper", "https://example.com/g.png"
				u.PasswordHash, u.PasswordUpdatedAt = "$argon2id$new", stored(base.Add(time.Minute))
				u.Banned, u.Locked, u.LockoutExpiresAt = true, true, stored(base.Add(time.Hour))
				u.LastSignInAt = stored(base.Add(2 * time.Minute))
				u.PrimaryEmailAddressID = u.Identifiers[0].ID
				return nil
			},
			check: func(t *testing.T, s *sqlstore.Store, before, after *latchkey.User) {
				if after.FirstName != "Grace" || after.ExternalID != "ext-new" || !after.Banned || after.PrimaryEmailAddressID != before.Identifiers[0].ID {
					t.Errorf("fields not saved: %+v", after)
				}
				if _, n, err := s.Users(t.Context(), sqlstore.UserFilter{ExternalIDs: []string{"ext-new"}}); err != nil || n != 1 {
					t.Errorf("Users by new external ID = %d, %v, want 1", n, err)
				}
			},
		},
		{
			name: "unban and unlock",
			fn: func(u *latchkey.User) error {
				u.Banned, u.Locked, u.LockoutExpiresAt = false, false, time.Time{}
				return nil
			},
			check: func(t *testing.T, s *sqlstore.Store, before, after *latchkey.User) {
				if !before.Banned || after.Banned || after.Locked || !after.LockoutExpiresAt.IsZero() {
					t.Errorf("Banned, Locked, LockoutExpiresAt = %v, %v, %v (before %v), want false, false, zero",
						after.Banned, after.Locked, after.LockoutExpiresAt, before.Banned)
				}
			},
		},
		{
			name: "metadata",
			fn: func(u *latchkey.User) error {
				u.PublicMetadata = json.RawMessage(`{"plan":"team","seats":5}`)
				u.PrivateMetadata = json.RawMessage(`{}`)
				u.UnsafeMetadata = json.RawMessage(`{"nested":{"a":[1,2]}}`)
				return nil
			},
			check: func(t *testing.T, s *sqlstore.Store, before, after *latchkey.User) {
				if string(after.PublicMetadata) != `{"plan":"team","seats":5}` || string(after.PrivateMetadata) != `{}` ||
					string(after.UnsafeMetadata) != `{"nested":{"a":[1,2]}}` {
					t.Errorf("metadata = %s, %s, %s", after.PublicMetadata, after.PrivateMetadata, after.UnsafeMetadata)
				}
			},
		},
		{
			name: "nothing changed still bumps the version",
			fn:   func(u *latchkey.User) error { return nil },
		},
		{
			name: "add identifier",
			fn: func(u *latchkey.User) error {
				u.Identifiers = append(u.Identifiers, phone("+442071838750"))
				return nil
			},
			check: func(t *testing.T, s *sqlstore.Store, before, after *latchkey.User) {
				if len(after.Identifiers) != len(before.Identifiers)+1 {
					t.Fatalf("identifiers = %d, want %d", len(after.Identifiers), len(before.Identifiers)+1)
				}
				added := after.Identifiers[len(after.Identifiers)-1]
				if !strings.HasPrefix(added.ID, "idn_phone_") || added.UserID != after.ID || !added.CreatedAt.Equal(after.UpdatedAt) {
					t.Errorf("added identifier = %+v", added)
				}
				wantOwner(t, s, latchkey.IdentifierPhone, "+442071838750", after.ID)
			},
		},
		{
			name: "remove identifier",
			fn: func(u *latchkey.User) error {
				u.Identifiers = u.Identifiers[1:] // the email address
				return nil
			},
			check: func(t *testing.T, s *sqlstore.Store, before, after *latchkey.User) {
				if len(after.Identifiers) != len(before.Identifiers)-1 {
					t.Fatalf("identifiers = %d, want %d", len(after.Identifiers), len(before.Identifiers)-1)
				}
				_, err := s.UserByIdentifier(t.Context(), latchkey.IdentifierEmail, before.Identifiers[0].Normalized)
				wantNotFound(t, err)
				wantOwner(t, s, latchkey.IdentifierUsername, before.Identifiers[1].Normalized, after.ID)
			},
		},
		{
			name: "change identifier value and verification",
			fn: func(u *latchkey.User) error {
				u.Identifiers[0].Value, u.Identifiers[0].Normalized = "New@Example.com", "new@example.com"
				u.Identifiers[0].Verification = latchkey.Verification{Status: latchkey.VerificationVerified,
					Strategy: latchkey.StrategyAdmin, VerifiedAt: stored(base.Add(time.Minute))}
				return nil
			},
			check: func(t *testing.T, s *sqlstore.Store, before, after *latchkey.User) {
				b, a := before.Identifiers[0], after.Identifiers[0]
				if a.ID != b.ID || !a.CreatedAt.Equal(b.CreatedAt) || !a.UpdatedAt.Equal(after.UpdatedAt) || a.UpdatedAt.Equal(b.UpdatedAt) {
					t.Errorf("changed identifier ID, CreatedAt, UpdatedAt = %s, %v, %v; before %s, %v, %v",
						a.ID, a.CreatedAt, a.UpdatedAt, b.ID, b.CreatedAt, b.UpdatedAt)
				}
				if a.Value != "New@Example.com" || !a.Verification.Verified() || !a.Verification.VerifiedAt.Equal(stored(base.Add(time.Minute))) {
					t.Errorf("changed identifier = %+v", a)
				}
				_, err := s.UserByIdentifier(t.Context(), latchkey.IdentifierEmail, b.Normalized)
				wantNotFound(t, err)
				wantOwner(t, s, latchkey.IdentifierEmail, "new@example.com", after.ID)
				// The unchanged identifier kept its UpdatedAt.
				if !after.Identifiers[1].UpdatedAt.Equal(before.Identifiers[1].UpdatedAt) {
					t.Errorf("unchanged identifier UpdatedAt = %v, want %v", after.Identifiers[1].UpdatedAt, before.Identifiers[1].UpdatedAt)
				}
			},
		},
		{
			name: "move a value from a removed entry to a new one",
			fn: func(u *latchkey.User) error {
				old := u.Identifiers[0]
				u.Identifiers = append(u.Identifiers[1:], email(old.Value))
				return nil
			},
			check: func(t *testing.T, s *sqlstore.Store, before, after *latchkey.User) {
				moved := after.Identifiers[len(after.Identifiers)-1]
				if moved.ID == before.Identifiers[0].ID || moved.Normalized != before.Identifiers[0].Normalized {
					t.Errorf("moved identifier = %+v, before %+v", moved, before.Identifiers[0])
				}
				wantOwner(t, s, latchkey.IdentifierEmail, moved.Normalized, after.ID)
			},
		},
		{
			name: "username taken by another user",
			fn: func(u *latchkey.User) error {
				u.FirstName = "Changed"
				u.Identifiers[1].Value, u.Identifiers[1].Normalized = "Other", "other"
				return nil
			},
			wantErr: func(t *testing.T, err error) { wantCode(t, err, latchkey.CodeIdentifierExists, "username") },
		},
		{
			name: "added email taken by another user",
			fn: func(u *latchkey.User) error {
				u.FirstName = "Changed"
				u.Identifiers = append(u.Identifiers, email("OTHER@example.com"))
				return nil
			},
			wantErr: func(t *testing.T, err error) { wantCode(t, err, latchkey.CodeIdentifierExists, "email_address") },
		},
		{
			name: "external id taken by another user",
			fn: func(u *latchkey.User) error {
				u.FirstName = "Changed"
				u.ExternalID = "ext-other"
				return nil
			},
			wantErr: func(t *testing.T, err error) { wantCode(t, err, latchkey.CodeIdentifierExists, "external_id") },
		},
		{
			name: "fn error aborts",
			fn: func(u *latchkey.User) error {
				u.FirstName = "Changed"
				u.Identifiers = u.Identifiers[:1]
				u.Identifiers[0].Value, u.Identifiers[0].Normalized = "changed@example.com", "changed@example.com"
				return fmt.Errorf("wrapped: %w", errFn)
			},
			wantErr: func(t *testing.T, err error) {
				if !errors.Is(err, errFn) {
					t.Fatalf("error = %v, want fn's error", err)
				}
			},
		},
	}
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		c := setClock(s)
		mustCreateUser(t, s, &latchkey.User{ExternalID: "ext-other", Identifiers: []*latchkey.Identifier{
			email("other@example.com"), username("other")}})
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c.Add(time.Second)
				before := mustCreateUser(t, s, &latchkey.User{
					ExternalID: fmt.Sprintf("ext-%d", i), FirstName: "Ada", Banned: true,
					PublicMetadata: json.RawMessage(`{"plan":"pro"}`), PrivateMetadata: json.RawMessage(`{}`), UnsafeMetadata: json.RawMessage(`{}`),
					Identifiers: []*latchkey.Identifier{email(fmt.Sprintf("Ada%d@Example.com", i)), username(fmt.Sprintf("ada%d", i))},
				})
				// Reread so before shares nothing with what fn changes.
				before, err := s.UserByID(t.Context(), before.ID)
				if err != nil {
					t.Fatal(err)
				}
				now := c.Add(time.Second)

				got, err := s.UpdateUser(t.Context(), before.ID, tt.fn)
				after, rerr := s.UserByID(t.Context(), before.ID)
				if rerr != nil {
					t.Fatalf("UserByID: %v", rerr)
				}
				if tt.wantErr != nil {
					tt.wantErr(t, err)
					if got != nil {
						t.Errorf("UpdateUser returned a user with its error: %+v", got)
					}
					if diff := cmp.Diff(before, after); diff != "" {
						t.Errorf("failed update changed the user (-before +after):\n%s", diff)
					}
					return
				}
				if err != nil {
					t.Fatalf("UpdateUser: %v", err)
				}
				if diff := cmp.Diff(after, got); diff != "" {
					t.Errorf("UpdateUser result differs from what is stored (-stored +returned):\n%s", diff)
				}
				if after.Version != before.Version+1 {
					t.Errorf("Version = %d, want %d", after.Version, before.Version+1)
				}
				if !after.UpdatedAt.Equal(stored(now)) || !after.CreatedAt.Equal(before.CreatedAt) {
					t.Errorf("CreatedAt, UpdatedAt = %v, %v, want %v, %v", after.CreatedAt, after.UpdatedAt, before.CreatedAt, stored(now))
				}
				if tt.check != nil {
					tt.check(t, s, before, after)
				}
			})
		}
		t.Run("not found", func(t *testing.T) {
			called := false
			got, err := s.UpdateUser(t.Context(), "user_missing", func(u *latchkey.User) error { called = true; return nil })
			wantNotFound(t, err)
			if got != nil || called {
				t.Errorf("UpdateUser of a missing user returned %+v and called fn: %v", got, called)
			}
		})
	})
}

// wantOwner fails the test unless the identifier belongs to the user userID.
func wantOwner(t *testing.T, s *sqlstore.Store, typ latchkey.IdentifierType, normalized, userID string) {
	t.Helper()
	u, err := s.UserByIdentifier(t.Context(), typ, normalized)
	if err != nil {
		t.Fatalf("UserByIdentifier(%s, %q): %v", typ, normalized, err)
	}
	if u.ID != userID {
		t.Fatalf("UserByIdentifier(%s, %q) = %s, want %s", typ, normalized, u.ID, userID)
	}
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ids := func() []*latchkey.Identifier {
			return []*latchkey.Identifier{email("del@example.com"), phone("+14155550123"), username("del")}
		}
		u := mustCreateUser(t, s, &latchkey.User{ExternalID: "ext-del", Identifiers: ids()})
		keep := mustCreateUser(t, s, &latchkey.User{Identifiers: []*latchkey.Identifier{email("keep@example.com")}})

		if err := s.DeleteUser(t.Context(), u.ID); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		wantNotFoundUser(t, s, u.ID)
		for _, idn := range u.Identifiers {
			_, err := s.UserByIdentifier(t.Context(), idn.Type, idn.Normalized)
			wantNotFound(t, err)
		}
		// The identifier rows are gone (the cascade ran), so the same
		// identifiers and external ID can be used again.
		again := mustCreateUser(t, s, &latchkey.User{ExternalID: "ext-del", Identifiers: ids()})
		wantOwner(t, s, latchkey.IdentifierEmail, "del@example.com", again.ID)

		wantNotFound(t, s.DeleteUser(t.Context(), u.ID))
		wantNotFound(t, s.DeleteUser(t.Context(), "user_missing"))

		if _, err := s.UserByID(t.Context(), keep.ID); err != nil {
			t.Errorf("other user: %v", err)
		}
		if n, err := s.CountUsers(t.Context(), sqlstore.UserFilter{}); err != nil || n != 2 {
			t.Errorf("CountUsers = %d, %v, want 2", n, err)
		}
	})
}

// TestCreateUserConcurrent has many goroutines write at once. On SQLite they
// share the one writer connection, so none may fail with "database is locked".
func TestCreateUserConcurrent(t *testing.T) {
	t.Parallel()
	const workers, each = 50, 20
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		errs := make(chan error, workers*each)
		together(t, s, workers, func(w int) {
			for i := range each {
				u := &latchkey.User{Identifiers: []*latchkey.Identifier{email(fmt.Sprintf("w%d.u%d@example.com", w, i))}}
				if err := s.CreateUser(t.Context(), u); err != nil {
					errs <- err
				}
			}
		})
		close(errs)
		failed := 0
		for err := range errs {
			if failed < 3 {
				t.Errorf("CreateUser: %v", err)
			}
			failed++
		}
		if failed > 0 {
			t.Fatalf("%d of %d creates failed", failed, workers*each)
		}
		if n, err := s.CountUsers(t.Context(), sqlstore.UserFilter{}); err != nil || n != workers*each {
			t.Errorf("CountUsers = %d, %v, want %d", n, err, workers*each)
		}
		users, total, err := s.Users(t.Context(), sqlstore.UserFilter{})
		if err != nil || total != workers*each || len(users) != workers*each {
			t.Errorf("Users = %d users, total %d, %v; want %d", len(users), total, err, workers*each)
		}
	})
}

// TestUpdateUserConcurrent has many goroutines increment a counter in one
// user's metadata at once: UpdateUser must not lose any of them.
func TestUpdateUserConcurrent(t *testing.T) {
	t.Parallel()
	const workers = 50
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		u := mustCreateUser(t, s, &latchkey.User{PublicMetadata: json.RawMessage(`{"n":0}`)})
		errs := make(chan error, workers)
		together(t, s, workers, func(int) {
			_, err := s.UpdateUser(t.Context(), u.ID, func(u *latchkey.User) error {
				var m struct{ N int }
				if err := json.Unmarshal(u.PublicMetadata, &m); err != nil {
					return err
				}
				u.PublicMetadata = json.RawMessage(fmt.Sprintf(`{"n":%d}`, m.N+1))
				return nil
			})
			if err != nil {
				errs <- err
			}
		})
		close(errs)
		for err := range errs {
			t.Errorf("UpdateUser: %v", err)
		}
		got, err := s.UserByID(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf(`{"n":%d}`, workers); string(got.PublicMetadata) != want || got.Version != 1+workers {
			t.Errorf("after %d concurrent updates: metadata %s, version %d; want %s, %d",
				workers, got.PublicMetadata, got.Version, want, 1+workers)
		}
	})
}
