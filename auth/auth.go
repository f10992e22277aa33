// Package auth holds Latchkey's rules about people and their credentials,
// independent of any transport: what makes a valid user, how passwords are
// checked, hashed and upgraded. HTTP handlers decode requests and call this
// package; they make no decisions of their own.
package auth

import (
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/password"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Users manages users on behalf of the instance's operators (the Backend API
// and the CLI).
type Users struct {
	store    *sqlstore.Store
	hasher   *password.Pool
	settings func() *latchkey.Settings
}

// NewUsers returns the user service. settings returns the current settings
// snapshot and is called once per operation.
func NewUsers(store *sqlstore.Store, hasher *password.Pool, settings func() *latchkey.Settings) *Users {
	return &Users{store: store, hasher: hasher, settings: settings}
}

func hashParams(s *latchkey.Settings) password.Params {
	return password.Params{
		MemoryKiB:   s.Password.Argon2MemoryKiB,
		Iterations:  s.Password.Argon2Iterations,
		Parallelism: s.Password.Argon2Parallelism,
	}
}
