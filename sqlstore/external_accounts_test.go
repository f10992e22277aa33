package sqlstore_test

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
)

func TestExternalAccounts(t *testing.T) {
	t.Parallel()
	eachRaw(t, func(t *testing.T, s rawStore) {
		ctx := t.Context()
		c := setClock(s.Store)
		box := newBox(t)
		alice := mustCreateUser(t, s.Store, &latchkey.User{Identifiers: []*latchkey.Identifier{email("alice@example.com")}})
		bob := mustCreateUser(t, s.Store, &latchkey.User{Identifiers: []*latchkey.Identifier{email("bob@example.com")}})

		g := &latchkey.ExternalAccount{UserID: alice.ID, ProviderID: "google", ProviderUserID: "1001",
			EmailAddress: "alice@example.com", EmailVerified: true, FirstName: "Alice", Username: "al",
			AccessToken: "ya29.access-plaintext", RefreshToken: "1//refresh-plaintext",
			TokenExpiry: c.Now().Add(time.Hour).Truncate(time.Millisecond).UTC(), Scopes: []string{"openid", "email"}}
		if err := s.CreateExternalAccount(ctx, box, g); err != nil {
			t.Fatalf("CreateExternalAccount: %v", err)
		}
		if len(g.ID) < 5 || g.ID[:4] != latchkey.PrefixExternalAccount+"_" {
			t.Errorf("ID = %q, want the %s_ prefix", g.ID, latchkey.PrefixExternalAccount)
		}
		c.Add(time.Second)
		gh := &latchkey.ExternalAccount{UserID: alice.ID, ProviderID: "github", ProviderUserID: "42", Scopes: []string{}}
		if err := s.CreateExternalAccount(ctx, box, gh); err != nil {
			t.Fatalf("CreateExternalAccount github: %v", err)
		}

		got, err := s.ExternalAccountsByUser(ctx, box, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*latchkey.ExternalAccount{g, gh}, got); diff != "" {
			t.Errorf("ExternalAccountsByUser (-want +got):\n%s", diff)
		}
		// A read for display (nil box) is the same but for the tokens,
		// which stay sealed.
		shown, err := s.ExternalAccountsByUser(ctx, nil, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range []*latchkey.ExternalAccount{g, gh} {
			want := *a
			want.AccessToken, want.RefreshToken = "", ""
			if diff := cmp.Diff(&want, shown[i]); diff != "" || g.AccessToken == "" {
				t.Errorf("display read of %s (-want +got):\n%s", a.ID, diff)
			}
		}
		if none, err := s.ExternalAccountsByUser(ctx, box, bob.ID); err != nil || len(none) != 0 {
			t.Errorf("bob's accounts = %v, %v", none, err)
		}
		byID, err := s.ExternalAccountByIdentity(ctx, box, "google", "1001")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(g, byID); diff != "" {
			t.Errorf("ExternalAccountByIdentity (-want +got):\n%s", diff)
		}
		if _, err := s.ExternalAccountByIdentity(ctx, box, "google", "1002"); !errors.Is(err, latchkey.ErrNotFound) {
			t.Errorf("unknown identity = %v, want ErrNotFound", err)
		}

		// The same identity cannot be linked to another user.
		wantCode(t, s.CreateExternalAccount(ctx, box, &latchkey.ExternalAccount{UserID: bob.ID, ProviderID: "google", ProviderUserID: "1001"}),
			latchkey.CodeExternalAccountExists, "provider")

		rows := s.dump(t, "external_accounts")
		for _, secret := range []string{"ya29.access-plaintext", "1//refresh-plaintext"} {
			if bytes.Contains(rows, []byte(secret)) {
				t.Errorf("external_accounts holds %q in clear", secret)
			}
		}

		// New tokens; an empty refresh token keeps the stored one.
		expiry := c.Add(time.Minute).Add(time.Hour).Truncate(time.Millisecond).UTC()
		if err := s.UpdateExternalAccountTokens(ctx, box, g.ID, "ya29.new", "", expiry, []string{"openid"}); err != nil {
			t.Fatalf("UpdateExternalAccountTokens: %v", err)
		}
		up, err := s.ExternalAccountByIdentity(ctx, box, "google", "1001")
		if err != nil {
			t.Fatal(err)
		}
		if up.AccessToken != "ya29.new" || up.RefreshToken != "1//refresh-plaintext" || !up.TokenExpiry.Equal(expiry) ||
			!cmp.Equal(up.Scopes, []string{"openid"}) {
			t.Errorf("after token update = %+v", up)
		}
		if err := s.UpdateExternalAccountTokens(ctx, box, "eac_nope", "a", "b", expiry, nil); !errors.Is(err, latchkey.ErrNotFound) {
			t.Errorf("update unknown = %v, want ErrNotFound", err)
		}

		// A sealed token moved to another row does not open there.
		if _, err := s.raw.ExecContext(ctx, s.q(`UPDATE external_accounts SET access_token_sealed =
			(SELECT access_token_sealed FROM external_accounts WHERE id = ?) WHERE id = ?`), g.ID, gh.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ExternalAccountByIdentity(ctx, box, "github", "42"); err == nil {
			t.Errorf("an access token moved to another row opened")
		}

		// Delete only within the owner.
		if err := s.DeleteExternalAccount(ctx, bob.ID, g.ID); !errors.Is(err, latchkey.ErrNotFound) {
			t.Errorf("delete another user's account = %v, want ErrNotFound", err)
		}
		if err := s.DeleteExternalAccount(ctx, alice.ID, g.ID); err != nil {
			t.Fatalf("DeleteExternalAccount: %v", err)
		}
		if _, err := s.ExternalAccountByIdentity(ctx, box, "google", "1001"); !errors.Is(err, latchkey.ErrNotFound) {
			t.Errorf("after delete = %v, want ErrNotFound", err)
		}
		// The user's deletion takes the rest.
		if err := s.DeleteUser(ctx, alice.ID); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		if left := s.dump(t, "external_accounts"); len(left) != 0 {
			t.Errorf("external accounts left after the user's deletion")
		}
	})
}

func TestExternalAccountConcurrentCreate(t *testing.T) {
	t.Parallel()
	eachRaw(t, func(t *testing.T, s rawStore) {
		ctx := t.Context()
		box := newBox(t)
		const n = 8
		users := make([]*latchkey.User, n)
		for i := range users {
			users[i] = mustCreateUser(t, s.Store, &latchkey.User{Identifiers: []*latchkey.Identifier{
				email("u" + string(rune('a'+i)) + "@example.com")}})
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.CreateExternalAccount(ctx, box, &latchkey.ExternalAccount{
					UserID: users[i].ID, ProviderID: "github", ProviderUserID: "7"})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch latchkey.ErrorCode(err) {
			case "":
				won++
			case latchkey.CodeExternalAccountExists:
			default:
				t.Errorf("concurrent create: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d concurrent creates of one identity won, want exactly 1", won)
		}
	})
}
