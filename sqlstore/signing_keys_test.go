package sqlstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// newSigningKey returns an unsaved key with recognisable bytes.
func newSigningKey(tag string) *latchkey.SigningKey {
	return &latchkey.SigningKey{Algorithm: "ES256", PublicKeyDER: []byte("pub-" + tag + "\x00\xff"),
		EncryptedPrivateKey: []byte("sealed-" + tag + "\x00\x01")}
}

// keyStates returns the listed keys as "tag:state" in list order, where tag is
// read back from the public key bytes.
func keyStates(keys []*latchkey.SigningKey) []string {
	out := []string{}
	for _, k := range keys {
		tag := strings.TrimSuffix(strings.TrimPrefix(string(k.PublicKeyDER), "pub-"), "\x00\xff")
		out = append(out, tag+":"+k.State)
	}
	return out
}

func TestSigningKeys(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		c := setClock(s)
		list := func(since time.Time) []*latchkey.SigningKey {
			t.Helper()
			keys, err := s.SigningKeys(t.Context(), since)
			if err != nil {
				t.Fatalf("SigningKeys: %v", err)
			}
			return keys
		}
		if keys := list(time.Time{}); len(keys) != 0 {
			t.Fatalf("SigningKeys on an empty store = %d keys, want none", len(keys))
		}
		if err := s.RotateSigningKeys(t.Context(), newSigningKey("x")); err == nil {
			t.Fatal("RotateSigningKeys with no keys succeeded")
		}
		if keys := list(time.Time{}); len(keys) != 0 {
			t.Fatalf("failed rotation stored %d keys", len(keys))
		}

		// Init: one current key, active now, and one next key.
		t0 := c.Now()
		// Fixed IDs: k1 and k2 are created at the same instant, and the list
		// breaks the tie by ID.
		k1, k2 := newSigningKey("k1"), newSigningKey("k2")
		k1.ID, k2.ID = "kid_1", "kid_2"
		if err := s.InitSigningKeys(t.Context(), k1, k2); err != nil {
			t.Fatalf("InitSigningKeys: %v", err)
		}
		want1 := &latchkey.SigningKey{ID: k1.ID, Algorithm: "ES256", State: latchkey.KeyStateCurrent, PublicKeyDER: k1.PublicKeyDER,
			EncryptedPrivateKey: k1.EncryptedPrivateKey, CreatedAt: stored(t0), ActivatedAt: stored(t0)}
		want2 := &latchkey.SigningKey{ID: k2.ID, Algorithm: "ES256", State: latchkey.KeyStateNext, PublicKeyDER: k2.PublicKeyDER,
			EncryptedPrivateKey: k2.EncryptedPrivateKey, CreatedAt: stored(t0)}
		if diff := cmp.Diff([]*latchkey.SigningKey{want1, want2}, []*latchkey.SigningKey{k1, k2}); diff != "" {
			t.Errorf("InitSigningKeys set (-want +got):\n%s", diff)
		}
		got := list(time.Time{})
		if diff := cmp.Diff(map[string]*latchkey.SigningKey{k1.ID: want1, k2.ID: want2}, byID(got)); diff != "" {
			t.Errorf("SigningKeys after init (-want +got):\n%s", diff)
		}

		// A second init is refused and stores nothing.
		c.Add(time.Minute)
		err := s.InitSigningKeys(t.Context(), newSigningKey("k8"), newSigningKey("k9"))
		if !errors.Is(err, sqlstore.ErrSigningKeysExist) {
			t.Fatalf("second InitSigningKeys = %v, want ErrSigningKeysExist", err)
		}
		if got := list(time.Time{}); len(got) != 2 {
			t.Fatalf("SigningKeys after refused init = %d keys, want 2", len(got))
		}

		// Rotate at t1: k1 retires, k2 becomes current, k3 is next.
		t1 := c.Add(time.Hour)
		k3 := newSigningKey("k3")
		if err := s.RotateSigningKeys(t.Context(), k3); err != nil {
			t.Fatalf("RotateSigningKeys: %v", err)
		}
		want1.State, want1.RetiredAt = latchkey.KeyStateRetired, stored(t1)
		want2.State, want2.ActivatedAt = latchkey.KeyStateCurrent, stored(t1)
		want3 := &latchkey.SigningKey{ID: k3.ID, Algorithm: "ES256", State: latchkey.KeyStateNext, PublicKeyDER: k3.PublicKeyDER,
			EncryptedPrivateKey: k3.EncryptedPrivateKey, CreatedAt: stored(t1)}
		got = list(time.Time{})
		if diff := cmp.Diff(map[string]*latchkey.SigningKey{k1.ID: want1, k2.ID: want2, k3.ID: want3}, byID(got)); diff != "" {
			t.Errorf("SigningKeys after rotation (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"k3:next", "k2:current", "k1:retired"}, keyStates(got)); diff != "" {
			t.Errorf("SigningKeys order, newest first (-want +got):\n%s", diff)
		}
		if !strings.HasPrefix(k3.ID, "kid_") || k3.ID == k1.ID {
			t.Errorf("new key ID = %q, want a new ID with prefix kid_", k3.ID)
		}

		// Rotate again at t2: k2 retires, k3 is current, k4 is next.
		t2 := c.Add(time.Hour)
		if err := s.RotateSigningKeys(t.Context(), newSigningKey("k4")); err != nil {
			t.Fatalf("second RotateSigningKeys: %v", err)
		}
		tests := []struct {
			name  string
			since time.Time
			want  []string // newest first
		}{
			{"every retired key", time.Time{}, []string{"k4:next", "k3:current", "k2:retired", "k1:retired"}},
			{"retired just before t1", stored(t1).Add(-time.Millisecond), []string{"k4:next", "k3:current", "k2:retired", "k1:retired"}},
			{"retired after t1", stored(t1), []string{"k4:next", "k3:current", "k2:retired"}},
			{"retired after t2", stored(t2), []string{"k4:next", "k3:current"}},
			{"far future", t2.Add(24 * time.Hour), []string{"k4:next", "k3:current"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if diff := cmp.Diff(tt.want, keyStates(list(tt.since))); diff != "" {
					t.Errorf("SigningKeys(%v) (-want +got):\n%s", tt.since, diff)
				}
			})
		}
		// The first retired key kept its retirement time.
		for _, k := range list(time.Time{}) {
			if k.ID == k1.ID && !k.RetiredAt.Equal(stored(t1)) {
				t.Errorf("k1 RetiredAt = %v, want %v", k.RetiredAt, stored(t1))
			}
		}
		// Keys exist: init is still refused.
		if err := s.InitSigningKeys(t.Context(), newSigningKey("k8"), newSigningKey("k9")); !errors.Is(err, sqlstore.ErrSigningKeysExist) {
			t.Errorf("InitSigningKeys after rotations = %v, want ErrSigningKeysExist", err)
		}
	})
}

func byID(keys []*latchkey.SigningKey) map[string]*latchkey.SigningKey {
	m := make(map[string]*latchkey.SigningKey, len(keys))
	for _, k := range keys {
		m[k.ID] = k
	}
	return m
}

// TestInitSigningKeysConcurrent is several processes starting at once on an
// empty database: one stores the keys, the others get ErrSigningKeysExist.
func TestInitSigningKeysConcurrent(t *testing.T) {
	t.Parallel()
	const workers, rounds = 20, 3
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		for round := range rounds {
			if round > 0 {
				s = storetest.Open(t, s.Engine()) // an empty database again
			}
			errs := make([]error, workers)
			together(t, s, workers, func(i int) {
				errs[i] = s.InitSigningKeys(t.Context(), newSigningKey("c"), newSigningKey("n"))
			})
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
				} else if !errors.Is(err, sqlstore.ErrSigningKeysExist) {
					t.Errorf("InitSigningKeys = %v, want nil or ErrSigningKeysExist", err)
				}
			}
			if won != 1 {
				t.Errorf("round %d: %d of %d concurrent inits succeeded, want 1", round, won, workers)
			}
			keys, err := s.SigningKeys(t.Context(), time.Time{})
			if err != nil || len(keys) != 2 {
				t.Errorf("round %d: SigningKeys = %d keys, %v, want 2", round, len(keys), err)
			}
		}
	})
}
