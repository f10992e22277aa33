package web

import (
	"context"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// externalAccountJSON is a user's identity at a provider, as both APIs
// show it (never its tokens).
type externalAccountJSON struct {
	Object         string                   `json:"object"`
	ID             string                   `json:"id"`
	Provider       string                   `json:"provider"`
	ProviderUserID string                   `json:"provider_user_id"`
	EmailAddress   string                   `json:"email_address"`
	FirstName      string                   `json:"first_name"`
	LastName       string                   `json:"last_name"`
	Username       string                   `json:"username"`
	AvatarURL      string                   `json:"avatar_url"`
	Verification   externalVerificationJSON `json:"verification"`
	CreatedAt      int64                    `json:"created_at"`
	UpdatedAt      int64                    `json:"updated_at"`
}

// externalVerificationJSON is the provider step of a sign-in, a sign-up or
// an external account.
type externalVerificationJSON struct {
	Status                          string  `json:"status"`
	Strategy                        string  `json:"strategy"`
	ExternalVerificationRedirectURL *string `json:"external_verification_redirect_url"`
}

func externalAccountsJSON(accts []*latchkey.ExternalAccount) []externalAccountJSON {
	out := make([]externalAccountJSON, 0, len(accts))
	for _, a := range accts {
		out = append(out, externalAccountJSON{
			Object: "external_account", ID: a.ID, Provider: a.ProviderID, ProviderUserID: a.ProviderUserID,
			EmailAddress: a.EmailAddress, FirstName: a.FirstName, LastName: a.LastName, Username: a.Username,
			AvatarURL:    a.AvatarURL,
			Verification: externalVerificationJSON{Status: auth.SocialVerified, Strategy: auth.StrategyOAuthPrefix + a.ProviderID},
			CreatedAt:    latchkey.Millis(a.CreatedAt), UpdatedAt: latchkey.Millis(a.UpdatedAt),
		})
	}
	return out
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
	accts, err := s.store.ExternalAccountsByUsers(ctx, s.box, ids)
	if err != nil {
		return err
	}
	for _, u := range users {
		u.ExternalAccounts = accts[u.ID]
	}
	return nil
}
