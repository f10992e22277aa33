package web

import (
	"context"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/wire"
)

// External accounts are shaped by package wire.
type (
	externalAccountJSON      = wire.ExternalAccount
	externalVerificationJSON = wire.ExternalVerification
)

func externalAccountsJSON(accts []*latchkey.ExternalAccount) []externalAccountJSON {
	return wire.ExternalAccounts(accts)
}

// withExternalAccounts loads the user's external accounts onto u, for
// rendering.
func (s *Server) withExternalAccounts(ctx context.Context, u *latchkey.User) error {
	if s.social == nil || u == nil {
		return nil
	}
	accts, err := s.social.ExternalAccounts(ctx, u.ID)
	if err != nil {
		return err
	}
	u.ExternalAccounts = accts
	return nil
}

// withExternalAccountsAll loads the external accounts of a page of users
// in one query.
func (s *Server) withExternalAccountsAll(ctx context.Context, users []*latchkey.User) error {
	if s.social == nil || len(users) == 0 {
		return nil
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	accts, err := s.store.ExternalAccountsByUsers(ctx, nil, ids) // for display: tokens stay sealed
	if err != nil {
		return err
	}
	for _, u := range users {
		u.ExternalAccounts = accts[u.ID]
	}
	return nil
}
