package sqlstore_test

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// newAPIKey returns an unsaved key for the secret.
func newAPIKey(name, secret string) *latchkey.APIKey {
	d := sha256.Sum256([]byte(secret))
	return &latchkey.APIKey{Name: name, Prefix: secret[:11], Digest: d[:]}
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		c := setClock(s)
		if keys, err := s.APIKeys(t.Context()); err != nil || len(keys) != 0 {
			t.Fatalf("APIKeys on an empty store = %v, %v, want none", keys, err)
		}
		var keys []*latchkey.APIKey
		for i, secret := range []string{"sk_test_aaaaaaaaaaaaaaaa", "sk_test_bbbbbbbbbbbbbbbb", "sk_test_cccccccccccccccc"} {
			now := c.Add(time.Second)
			k := newAPIKey([]string{"ci", "backend", ""}[i], secret)
			if err := s.CreateAPIKey(t.Context(), k); err != nil {
				t.Fatalf("CreateAPIKey: %v", err)
			}
			if !strings.HasPrefix(k.ID, "ak_") || !k.CreatedAt.Equal(stored(now)) {
				t.Errorf("created key ID, CreatedAt = %q, %v; want prefix ak_, %v", k.ID, k.CreatedAt, stored(now))
			}
			keys = append(keys, k)
		}

		got, err := s.APIKeys(t.Context())
		if err != nil {
			t.Fatalf("APIKeys: %v", err)
		}
		if diff := cmp.Diff([]*latchkey.APIKey{keys[2], keys[1], keys[0]}, got); diff != "" {
			t.Errorf("APIKeys, newest first (-want +got):\n%s", diff)
		}
		for _, k := range keys {
			byDigest, err := s.APIKeyByDigest(t.Context(), k.Digest)
			if err != nil {
				t.Fatalf("APIKeyByDigest: %v", err)
			}
			if diff := cmp.Diff(k, byDigest); diff != "" {
				t.Errorf("APIKeyByDigest (-want +got):\n%s", diff)
			}
			byID, err := s.APIKeyByID(t.Context(), k.ID)
			if err != nil {
				t.Fatalf("APIKeyByID: %v", err)
			}
			if diff := cmp.Diff(k, byID); diff != "" {
				t.Errorf("APIKeyByID (-want +got):\n%s", diff)
			}
		}

		notFound := []struct {
			name string
			get  func() (*latchkey.APIKey, error)
		}{
			{"unknown digest", func() (*latchkey.APIKey, error) {
				return s.APIKeyByDigest(t.Context(), newAPIKey("", "sk_test_unknownunknown").Digest)
			}},
			{"digest prefix", func() (*latchkey.APIKey, error) { return s.APIKeyByDigest(t.Context(), keys[0].Digest[:16]) }},
			{"empty digest", func() (*latchkey.APIKey, error) { return s.APIKeyByDigest(t.Context(), nil) }},
			{"unknown id", func() (*latchkey.APIKey, error) { return s.APIKeyByID(t.Context(), "ak_missing") }},
		}
		for _, tt := range notFound {
			t.Run(tt.name, func(t *testing.T) {
				k, err := tt.get()
				wantNotFound(t, err)
				if k != nil {
					t.Errorf("key = %+v, want nil", k)
				}
			})
		}

		// The digest is unique: a second key with the same secret is refused.
		if err := s.CreateAPIKey(t.Context(), newAPIKey("dup", "sk_test_aaaaaaaaaaaaaaaa")); err == nil {
			t.Error("CreateAPIKey with a taken digest succeeded")
		}
		if got, _ := s.APIKeys(t.Context()); len(got) != 3 {
			t.Errorf("APIKeys = %d keys after a refused create, want 3", len(got))
		}
	})
}

func TestRevokeAPIKey(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		c := setClock(s)
		k := newAPIKey("ci", "sk_test_revokerevoke")
		other := newAPIKey("other", "sk_test_otherotherot")
		for _, k := range []*latchkey.APIKey{k, other} {
			if err := s.CreateAPIKey(t.Context(), k); err != nil {
				t.Fatal(err)
			}
		}
		revokedAt := c.Add(time.Minute)
		got, err := s.RevokeAPIKey(t.Context(), k.ID)
		if err != nil {
			t.Fatalf("RevokeAPIKey: %v", err)
		}
		want := *k
		want.RevokedAt = stored(revokedAt)
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("RevokeAPIKey (-want +got):\n%s", diff)
		}
		// A revoked key is still found by its digest, so the caller can say
		// "revoked" rather than "unknown".
		byDigest, err := s.APIKeyByDigest(t.Context(), k.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if !byDigest.Revoked() || !byDigest.RevokedAt.Equal(stored(revokedAt)) {
			t.Errorf("APIKeyByDigest after revoke: RevokedAt = %v, want %v", byDigest.RevokedAt, stored(revokedAt))
		}

		c.Add(time.Minute)
		again, err := s.RevokeAPIKey(t.Context(), k.ID)
		wantCode(t, err, latchkey.CodeAPIKeyRevoked, "")
		if again != nil {
			t.Errorf("second RevokeAPIKey returned %+v", again)
		}
		if k2, _ := s.APIKeyByID(t.Context(), k.ID); k2 == nil || !k2.RevokedAt.Equal(stored(revokedAt)) {
			t.Errorf("second revoke moved RevokedAt: %+v", k2)
		}

		_, err = s.RevokeAPIKey(t.Context(), "ak_missing")
		wantNotFound(t, err)

		if o, err := s.APIKeyByID(t.Context(), other.ID); err != nil || o.Revoked() {
			t.Errorf("other key = %+v, %v; want it not revoked", o, err)
		}
	})
}

func TestTouchAPIKey(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		c := setClock(s)
		k := newAPIKey("ci", "sk_test_touchtouchto")
		other := newAPIKey("other", "sk_test_otherotherot")
		for _, k := range []*latchkey.APIKey{k, other} {
			if err := s.CreateAPIKey(t.Context(), k); err != nil {
				t.Fatal(err)
			}
		}
		if !k.LastUsedAt.IsZero() {
			t.Fatalf("new key LastUsedAt = %v, want zero", k.LastUsedAt)
		}
		for range 2 {
			now := c.Add(time.Minute)
			if err := s.TouchAPIKey(t.Context(), k.ID); err != nil {
				t.Fatalf("TouchAPIKey: %v", err)
			}
			got, err := s.APIKeyByID(t.Context(), k.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := *k
			want.LastUsedAt = stored(now)
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("after TouchAPIKey (-want +got):\n%s", diff)
			}
		}
		if o, err := s.APIKeyByID(t.Context(), other.ID); err != nil || !o.LastUsedAt.IsZero() {
			t.Errorf("other key = %+v, %v; want it untouched", o, err)
		}
	})
}

// TestRevokeAPIKeyConcurrent revokes one key from many goroutines at once:
// exactly one revocation wins, every other one is told the key is revoked.
func TestRevokeAPIKeyConcurrent(t *testing.T) {
	t.Parallel()
	const workers, rounds = 20, 5
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		for round := range rounds {
			k := newAPIKey("ci", fmt.Sprintf("sk_test_concurrent%d", round))
			if err := s.CreateAPIKey(t.Context(), k); err != nil {
				t.Fatal(err)
			}
			errs := make([]error, workers)
			together(t, s, workers, func(i int) { _, errs[i] = s.RevokeAPIKey(t.Context(), k.ID) })
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
					continue
				}
				if latchkey.ErrorCode(err) != latchkey.CodeAPIKeyRevoked {
					t.Errorf("RevokeAPIKey = %v, want nil or %s", err, latchkey.CodeAPIKeyRevoked)
				}
			}
			if won != 1 {
				t.Errorf("round %d: %d of %d concurrent revocations succeeded, want 1", round, won, workers)
			}
		}
	})
}
