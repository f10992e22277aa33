package auth

import (
	"context"
	"errors"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// connect links the identity to the signed-in user who asked for it.
func (s *Social) connect(ctx context.Context, userID string, acct *latchkey.ExternalAccount, req RequestInfo) (string, error) {
	ext, err := s.store.ExternalAccountByIdentity(ctx, s.box, acct.ProviderID, acct.ProviderUserID)
	switch {
	case err == nil && ext.UserID == userID:
		acct.ID = ext.ID
		s.saveTokens(ctx, acct)
		return SocialVerified, nil
	case err == nil:
		return "", latchkey.Errorf(latchkey.CodeExternalAccountExists, "", "This %s account is already connected to another user.", acct.ProviderID)
	case !errors.Is(err, latchkey.ErrNotFound):
		return "", err
	}
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		u, _, err := tx.UserWithExternalAccounts(ctx, s.box, userID)
		if err != nil {
			return err
		}
		if u.Banned {
			return latchkey.Errorf(latchkey.CodeUserBanned, "", "This account is not allowed to sign in. Contact support.")
		}
		return s.link(ctx, tx, userID, acct, "connected", req)
	})
	if err != nil {
		return "", err
	}
	return SocialVerified, nil
}

// ExternalAccounts returns the user's external accounts, oldest first, for
// display: their provider tokens are not opened (nothing shown needs them,
// and the client is rendered on every Frontend API answer).
func (s *Social) ExternalAccounts(ctx context.Context, userID string) ([]*latchkey.ExternalAccount, error) {
	return s.store.ExternalAccountsByUser(ctx, nil, userID)
}

// Disconnect unlinks the user's external account, unless it is their last
// way to sign in: no password, no other verified identifier they can sign
// in with, no other external account.
func (s *Social) Disconnect(ctx context.Context, userID, id string, req RequestInfo) error {
	set := s.settings()
	return s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		u, accts, err := tx.UserWithExternalAccounts(ctx, s.box, userID)
		if err != nil {
			return err
		}
		var target *latchkey.ExternalAccount
		for _, a := range accts {
			if a.ID == id {
				target = a
			}
		}
		if target == nil {
			return latchkey.Errorf(latchkey.CodeResourceNotFound, "id", "You have no connected account with ID %q.", truncateString(id, 60))
		}
		password := u.PasswordHash != "" && set.Password.Enabled
		codes := set.SignIn.EmailCode || set.SignIn.EmailLink
		identifier := meHasVerified(u.Identifiers, func(t latchkey.IdentifierType) bool {
			return meSignInWith(set, t) && t == latchkey.IdentifierEmail && codes
		})
		if !password && !identifier && len(accts) < 2 {
			return latchkey.Errorf(latchkey.CodeLastIdentifier, "id",
				"This is your only way to sign in. Set a password or connect another account first.")
		}
		if err := tx.DeleteExternalAccount(ctx, userID, id); err != nil {
			return err
		}
		return tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "external_account.unlinked", UserID: userID, IP: req.IP,
			Data: map[string]any{"external_account_id": id, "provider": target.ProviderID}})
	})
}

// AccessToken is a provider token of a user, for the app's servers.
type AccessToken struct {
	Provider  string
	Token     string
	ExpiresAt time.Time // zero when the provider did not say
	Scopes    []string
}

// tokenRefreshMargin refreshes a token this close to its expiry, so the
// caller does not get one that expires in flight.
const tokenRefreshMargin = time.Minute

// AccessTokens returns the user's access tokens at the provider (one per
// connected account there), refreshing an expired one when the provider
// gave a refresh token. A provider that refuses the refresh is
// oauth_token_exchange_failed.
func (s *Social) AccessTokens(ctx context.Context, userID, providerID string) ([]AccessToken, error) {
	if _, err := s.store.UserByID(ctx, userID); err != nil {
		return nil, err
	}
	accts, err := s.store.ExternalAccountsByUser(ctx, s.box, userID)
	if err != nil {
		return nil, err
	}
	out := []AccessToken{}
	for _, a := range accts {
		if a.ProviderID != providerID || a.AccessToken == "" {
			continue
		}
		expired := !a.TokenExpiry.IsZero() && !s.sessions.now().Add(tokenRefreshMargin).Before(a.TokenExpiry)
		if expired && a.RefreshToken != "" {
			_, prov, err := s.provider(ctx, providerID)
			if err != nil {
				return nil, err
			}
			tok, err := prov.Refresh(ctx, a.RefreshToken)
			if err != nil {
				return nil, err
			}
			if len(tok.Scopes) == 0 {
				tok.Scopes = a.Scopes // the provider did not say: as before
			}
			if err := s.store.UpdateExternalAccountTokens(ctx, s.box, a.ID, tok.AccessToken, tok.RefreshToken, tok.Expiry, tok.Scopes); err != nil {
				return nil, err
			}
			a.AccessToken, a.TokenExpiry, a.Scopes = tok.AccessToken, tok.Expiry, tok.Scopes
		}
		out = append(out, AccessToken{Provider: providerID, Token: a.AccessToken, ExpiresAt: a.TokenExpiry, Scopes: a.Scopes})
	}
	return out, nil
}
