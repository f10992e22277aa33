package sqlstore_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

func TestOAuthPending(t *testing.T) {
	t.Parallel()
	eachRaw(t, func(t *testing.T, s rawStore) {
		ctx := t.Context()
		c := setClock(s.Store)
		box := newBox(t)
		p := &sqlstore.OAuthPending{OwnerID: "sia_1", OwnerType: "sign_in", ClientID: "client_1", ProviderID: "google",
			Status: "transferable", Account: latchkey.ExternalAccount{ProviderUserID: "1001", EmailAddress: "a@example.com",
				EmailVerified: true, FirstName: "A", AccessToken: "ya29.pending-plaintext", RefreshToken: "1//pending-refresh",
				TokenExpiry: c.Now().Add(time.Hour).Truncate(time.Millisecond).UTC(), Scopes: []string{"email"}}}
		if err := s.InTx(ctx, func(tx *sqlstore.Tx) error { return tx.PutOAuthPending(ctx, box, p) }); err != nil {
			t.Fatalf("PutOAuthPending: %v", err)
		}
		got, err := s.OAuthPendingByOwner(ctx, box, "sia_1")
		if err != nil {
			t.Fatalf("OAuthPendingByOwner: %v", err)
		}
		a := got.Account
		if got.Status != "transferable" || got.ClientID != "client_1" || a.ProviderID != "google" || a.ProviderUserID != "1001" ||
			!a.EmailVerified || a.AccessToken != "ya29.pending-plaintext" || a.RefreshToken != "1//pending-refresh" ||
			!a.TokenExpiry.Equal(p.Account.TokenExpiry) || len(a.Scopes) != 1 {
			t.Errorf("read back: %+v", got)
		}
		if bytes.Contains(s.dump(t, "oauth_pending"), []byte("plaintext")) || bytes.Contains(s.dump(t, "oauth_pending"), []byte("pending-refresh")) {
			t.Error("oauth_pending holds a token in clear")
		}
		// Put replaces.
		p.Status, p.Account = "verified", latchkey.ExternalAccount{ProviderUserID: "1001"}
		if err := s.InTx(ctx, func(tx *sqlstore.Tx) error { return tx.PutOAuthPending(ctx, box, p) }); err != nil {
			t.Fatalf("PutOAuthPending again: %v", err)
		}
		if got, err := s.OAuthPendingByOwner(ctx, box, "sia_1"); err != nil || got.Status != "verified" || got.Account.AccessToken != "" {
			t.Errorf("after replacing: %+v, %v", got, err)
		}
		// Stale state is swept; fresh state is kept.
		if n, err := s.DeleteStaleOAuthPending(ctx); err != nil || n != 0 {
			t.Errorf("sweep of fresh state: %d, %v", n, err)
		}
		c.Add(sqlstore.OAuthPendingLifetime + time.Second)
		if n, err := s.DeleteStaleOAuthPending(ctx); err != nil || n != 1 {
			t.Errorf("sweep of stale state: %d, %v", n, err)
		}
		if _, err := s.OAuthPendingByOwner(ctx, box, "sia_1"); !errors.Is(err, latchkey.ErrNotFound) {
			t.Errorf("after the sweep: %v", err)
		}
	})
}
