package sqlstore_test

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// newAttempt returns an unsaved attempt for the state; nothing else in it
// contains the state, so the test can look for the state in the rows.
func newAttempt(state string) *sqlstore.OAuthAttempt {
	return &sqlstore.OAuthAttempt{StateDigest: sqlstore.OAuthStateDigest(state), ProviderID: "google",
		ClientID: "cli_1", SignInID: "sia_1", CodeVerifier: "pkce-verifier-plaintext", Nonce: "nonce-1",
		RedirectURL: "http://localhost:3000/done"}
}

func TestOAuthAttempts(t *testing.T) {
	t.Parallel()
	eachRaw(t, func(t *testing.T, s rawStore) {
		ctx := t.Context()
		c := setClock(s.Store)
		box := newBox(t)
		a := newAttempt("state-one")
		if err := s.CreateOAuthAttempt(ctx, box, a); err != nil {
			t.Fatalf("CreateOAuthAttempt: %v", err)
		}
		if !a.ExpiresAt.Equal(a.CreatedAt.Add(sqlstore.OAuthAttemptLifetime)) {
			t.Errorf("ExpiresAt = %v, want CreatedAt + %v", a.ExpiresAt, sqlstore.OAuthAttemptLifetime)
		}
		rows := s.dump(t, "oauth_attempts")
		for _, clear := range []string{"state-one", "pkce-verifier-plaintext"} {
			if bytes.Contains(rows, []byte(clear)) {
				t.Errorf("oauth_attempts holds %q in clear", clear)
			}
		}

		got, err := s.ConsumeOAuthAttempt(ctx, box, sqlstore.OAuthStateDigest("state-one"))
		if err != nil {
			t.Fatalf("ConsumeOAuthAttempt: %v", err)
		}
		if got.CodeVerifier != a.CodeVerifier || got.Nonce != a.Nonce || got.SignInID != "sia_1" || got.UsedAt.IsZero() {
			t.Errorf("consumed attempt = %+v", got)
		}
		_, err = s.ConsumeOAuthAttempt(ctx, box, sqlstore.OAuthStateDigest("state-one"))
		wantCode(t, err, latchkey.CodeOAuthStateInvalid, "state")
		_, err = s.ConsumeOAuthAttempt(ctx, box, sqlstore.OAuthStateDigest("never-issued"))
		wantCode(t, err, latchkey.CodeOAuthStateInvalid, "state")

		// Expiry, with the injected clock: usable until the last millisecond.
		late := newAttempt("state-late")
		if err := s.CreateOAuthAttempt(ctx, box, late); err != nil {
			t.Fatal(err)
		}
		c.Add(sqlstore.OAuthAttemptLifetime)
		_, err = s.ConsumeOAuthAttempt(ctx, box, sqlstore.OAuthStateDigest("state-late"))
		wantCode(t, err, latchkey.CodeOAuthStateInvalid, "state")

		fresh := newAttempt("state-fresh")
		if err := s.CreateOAuthAttempt(ctx, box, fresh); err != nil {
			t.Fatal(err)
		}
		n, err := s.DeleteExpiredOAuthAttempts(ctx)
		if err != nil || n != 2 {
			t.Errorf("DeleteExpiredOAuthAttempts = %d, %v, want 2 (the used and the late one)", n, err)
		}
		c.Add(sqlstore.OAuthAttemptLifetime - time.Millisecond)
		if _, err := s.ConsumeOAuthAttempt(ctx, box, sqlstore.OAuthStateDigest("state-fresh")); err != nil {
			t.Errorf("consume 1 ms before expiry: %v", err)
		}

		// A wrong-length digest is refused before the database.
		if err := s.CreateOAuthAttempt(ctx, box, &sqlstore.OAuthAttempt{StateDigest: []byte("short")}); err == nil {
			t.Errorf("CreateOAuthAttempt with a short digest succeeded")
		}
	})
}

func TestOAuthAttemptConsumeOnce(t *testing.T) {
	t.Parallel()
	eachRaw(t, func(t *testing.T, s rawStore) {
		ctx := t.Context()
		box := newBox(t)
		if err := s.CreateOAuthAttempt(ctx, box, newAttempt("race")); err != nil {
			t.Fatal(err)
		}
		const n = 16
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.ConsumeOAuthAttempt(ctx, box, sqlstore.OAuthStateDigest("race"))
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch latchkey.ErrorCode(err) {
			case "":
				won++
			case latchkey.CodeOAuthStateInvalid:
			default:
				t.Errorf("concurrent consume: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d concurrent consumes won, want exactly 1", won)
		}
	})
}
