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

// dummyHashes holds one hash per cost parameters, verified against when a
// user has no password (or does not exist), so the answer takes as long as
// a real check under the current settings and does not reveal which users
// have one.
var dummyHashes sync.Map // password.Params -> string

func dummyHash(ctx context.Context, pool *password.Pool, p password.Params) string {
	if h, ok := dummyHashes.Load(p); ok {
		return h.(string)
	}
	h, err := pool.Hash(ctx, "latchkey-dummy-password", p)
	if err != nil {
		return ""
	}
	dummyHashes.Store(p, h)
	return h
}

// VerifyPassword reports whether pw is the user's password. On success, a
// hash made with other parameters than the current settings (or an imported
// bcrypt digest) is replaced by a fresh argon2id hash, transparently.
func (s *Users) VerifyPassword(ctx context.Context, u *latchkey.User, pw string) (bool, error) {
	set := s.settings()
	stored := u.PasswordHash
	if stored == "" {
		if h := dummyHash(ctx, s.hasher, hashParams(set)); h != "" {
			s.hasher.Verify(ctx, pw, h)
		}
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
