package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/password"
)

var (
	timeNow  = func() time.Time { return time.Now().UTC() }
	timeZero time.Time
)

// dummyHash is verified against when a user has no password, so the answer
// takes as long as a real check and does not reveal which users have one.
var dummyHash = sync.OnceValue(func() string {
	h, _ := password.NewPool(1, 1).Hash(context.Background(), "latchkey-dummy-password", password.Params{
		MemoryKiB: latchkey.MinArgon2MemoryKiB, Iterations: 1, Parallelism: 1,
	})
	return h
})

// VerifyPassword reports whether pw is the user's password. On success, a
// hash made with other parameters than the current settings (or an imported
// bcrypt digest) is replaced by a fresh argon2id hash, transparently.
func (s *Users) VerifyPassword(ctx context.Context, u *latchkey.User, pw string) (bool, error) {
	set := s.settings()
	stored := u.PasswordHash
	if stored == "" {
		s.hasher.Verify(ctx, pw, dummyHash())
		return false, nil
	}
	ok, err := s.hasher.Verify(ctx, pw, stored)
	if err != nil || !ok {
		return false, err
	}
	params := hashParams(set)
	if !password.NeedsRehash(stored, params) {
		return true, nil
	}
	fresh, err := s.hasher.Hash(ctx, pw, params)
	if err != nil {
		return true, nil // the check succeeded; the upgrade waits for next time
	}
	_, err = s.store.UpdateUser(ctx, u.ID, func(cur *latchkey.User) error {
		if cur.PasswordHash == stored { // not changed meanwhile
			cur.PasswordHash = fresh
		}
		return nil
	})
	if err != nil {
		return true, fmt.Errorf("upgrade password hash: %w", err)
	}
	return true, nil
}

// unmarshalNumbers decodes JSON keeping numbers exact (json.Number).
func unmarshalNumbers(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}
