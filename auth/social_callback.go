package auth

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/oauth"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// CallbackOutcome is where the provider's callback sends the browser: the
// attempt's redirect URL with either a status (verified, transferable) or
// an error code.
type CallbackOutcome struct {
	RedirectURL string
	Status      string
	Err         error // a *latchkey.Error (or an internal error) to report as lk_error
}

// maxState bounds the state parameter read from a callback.
const maxState = 512

// Callback handles the provider's answer (GET query or Apple's form_post).
// Without a usable state (unknown, expired, used, or made for another
// browser client) it returns an oauth_state_invalid error and no outcome:
// there is nowhere trustworthy to send the browser. Otherwise every result,
// failures included, is an outcome for the attempt's redirect URL.
func (s *Social) Callback(ctx context.Context, st *ClientState, values url.Values, req RequestInfo) (*CallbackOutcome, error) {
	state := values.Get("state")
	if state == "" || len(state) > maxState {
		return nil, latchkey.Errorf(latchkey.CodeOAuthStateInvalid, "state", "The callback has no valid state.")
	}
	a, err := s.store.ConsumeOAuthAttempt(ctx, s.box, sqlstore.OAuthStateDigest(state))
	if err != nil {
		return nil, err
	}
	if st.Client == nil || st.Client.ID != a.ClientID {
		return nil, latchkey.Errorf(latchkey.CodeOAuthStateInvalid, "state",
			"This answer from the provider belongs to another browser. Start again in this one.")
	}
	out := &CallbackOutcome{RedirectURL: a.RedirectURL}
	status, err := s.finish(ctx, st, a, values, req)
	if err != nil {
		out.Err = err
		return out, nil
	}
	out.Status = status
	return out, nil
}

func (s *Social) finish(ctx context.Context, st *ClientState, a *sqlstore.OAuthAttempt, values url.Values, req RequestInfo) (string, error) {
	code, err := oauth.ParseCallback(values)
	if err != nil {
		return "", err
	}
	cfg, prov, err := s.provider(ctx, a.ProviderID)
	if err != nil {
		return "", err
	}
	res, err := prov.Finish(ctx, oauth.FinishParams{RedirectURI: s.CallbackURL(), Code: code,
		CodeVerifier: a.CodeVerifier, Nonce: a.Nonce, AppleUser: values.Get("user")})
	if err != nil {
		return "", err
	}
	acct := accountOf(cfg.ID, res)
	switch {
	case a.UserID != "":
		return s.connect(ctx, a.UserID, &acct, req)
	case a.SignInID != "":
		return s.signInCallback(ctx, st, cfg, a.SignInID, &acct, req)
	case a.SignUpID != "":
		return s.signUpCallback(ctx, st, cfg, a.SignUpID, &acct, req)
	}
	return "", fmt.Errorf("oauth attempt for provider %s has no owner", a.ProviderID)
}

// linkTarget finds who an identity the provider vouched for belongs to:
// the user already linked to it (linked true), or the user it may be linked
// to automatically: one with that email address verified, when the provider
// asserts it verified too and the instance trusts the provider for it. An
// identity whose address a user verified but that may not be linked is
// oauth_email_unverified: it is never linked, and no second account is made
// for that address.
func (s *Social) linkTarget(ctx context.Context, cfg *latchkey.OAuthProvider, acct *latchkey.ExternalAccount) (user *latchkey.User, linked bool, err error) {
	ext, err := s.store.ExternalAccountByIdentity(ctx, s.box, acct.ProviderID, acct.ProviderUserID)
	switch {
	case err == nil:
		u, err := s.store.UserByID(ctx, ext.UserID)
		if err != nil {
			return nil, false, err
		}
		acct.ID = ext.ID
		return u, true, nil
	case !errors.Is(err, latchkey.ErrNotFound):
		return nil, false, err
	}
	if acct.EmailAddress == "" {
		return nil, false, nil
	}
	_, normalized, err := latchkey.NormalizeEmail(acct.EmailAddress)
	if err != nil {
		return nil, false, nil
	}
	// Only a user who verified the address owns it: an unverified claim
	// on someone's account neither receives the identity nor blocks its
	// owner (a sign-up with the verified address releases the claim).
	u, err := s.store.UserBySignInIdentifier(ctx, latchkey.IdentifierEmail, normalized)
	if errors.Is(err, latchkey.ErrNotFound) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	if !acct.EmailVerified || !cfg.TrustVerifiedEmail {
		return nil, false, latchkey.NewError(latchkey.CodeOAuthEmailUnverified, "")
	}
	return u, false, nil
}

// signInCallback finishes a sign-in with the provider's identity.
func (s *Social) signInCallback(ctx context.Context, st *ClientState, cfg *latchkey.OAuthProvider, signInID string, acct *latchkey.ExternalAccount, req RequestInfo) (string, error) {
	si, err := s.signIns.owned(ctx, st, signInID)
	if err != nil {
		return "", err
	}
	if err := checkOpen(si, s.signIns.now(), latchkey.SignInNeedsFirstFactor); err != nil {
		return "", err
	}
	user, linked, err := s.linkTarget(ctx, cfg, acct)
	if err != nil {
		return "", err
	}
	if user == nil {
		// Unknown identity: the sign-in becomes transferable to a sign-up.
		err := s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
			return tx.PutOAuthPending(ctx, s.box, &sqlstore.OAuthPending{OwnerID: si.ID, OwnerType: OwnerSignIn,
				ClientID: si.ClientID, ProviderID: cfg.ID, Status: SocialTransferable, Account: *acct})
		})
		if err != nil {
			return "", err
		}
		return SocialTransferable, nil
	}
	if err := s.signInUser(ctx, st, si, user, acct, linked, req); err != nil {
		return "", err
	}
	return SocialVerified, nil
}

// signInUser completes si for user with the identity, linking it first
// when it is not linked yet.
func (s *Social) signInUser(ctx context.Context, st *ClientState, si *latchkey.SignIn, user *latchkey.User, acct *latchkey.ExternalAccount, linked bool, req RequestInfo) error {
	if _, err := s.signIns.checkLockout(ctx, si, user); err != nil {
		return err
	}
	if user.Banned {
		return latchkey.Errorf(latchkey.CodeUserBanned, "", "This account is not allowed to sign in. Contact support.")
	}
	var done completion
	saved := *st
	err := s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		cur, err := tx.SignInByID(ctx, si.ID)
		if err != nil {
			return err
		}
		if err := checkOpen(cur, tx.Now(), latchkey.SignInNeedsFirstFactor); err != nil {
			return err
		}
		audit := map[string]any{"provider": acct.ProviderID}
		if !linked {
			if err := s.link(ctx, tx, user.ID, acct, "verified_email", req); err != nil {
				return err
			}
			audit["linked_external_account_id"] = acct.ID
		}
		if err := tx.DeleteOAuthPending(ctx, cur.ID); err != nil {
			return err
		}
		done, err = s.signIns.completeInTx(ctx, tx, st, cur, user, StrategyOAuthPrefix+acct.ProviderID, req, audit)
		return err
	})
	if err != nil {
		*st = saved
		return err
	}
	if linked {
		s.saveTokens(ctx, acct)
	}
	s.signIns.afterComplete(ctx, user, done, req)
	return nil
}

// link creates the external account for the user in tx and audits it.
func (s *Social) link(ctx context.Context, tx *sqlstore.Tx, userID string, acct *latchkey.ExternalAccount, reason string, req RequestInfo) error {
	acct.ID, acct.UserID = "", userID
	if err := tx.CreateExternalAccount(ctx, s.box, acct); err != nil {
		return err
	}
	return tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "external_account.linked", UserID: userID, IP: req.IP,
		Data: map[string]any{"external_account_id": acct.ID, "provider": acct.ProviderID, "reason": reason}})
}

// saveTokens keeps the provider's newest tokens on a linked account. A
// failure costs only the tokens, so it is logged, not returned.
func (s *Social) saveTokens(ctx context.Context, acct *latchkey.ExternalAccount) {
	if acct.ID == "" || acct.AccessToken == "" {
		return
	}
	if err := s.store.UpdateExternalAccountTokens(ctx, s.box, acct.ID, acct.AccessToken, acct.RefreshToken, acct.TokenExpiry, acct.Scopes); err != nil {
		s.log.Warn("save provider tokens", "external_account_id", acct.ID, "err", err)
	}
}

// signUpCallback finishes a sign-up with the provider's identity.
func (s *Social) signUpCallback(ctx context.Context, st *ClientState, cfg *latchkey.OAuthProvider, signUpID string, acct *latchkey.ExternalAccount, req RequestInfo) (string, error) {
	su, err := s.store.SignUpByID(ctx, signUpID)
	if err := s.signUps.checkOpen(st, signUpID, su, err); err != nil {
		return "", err
	}
	user, linked, err := s.linkTarget(ctx, cfg, acct)
	if err != nil {
		return "", err
	}
	if user != nil {
		err := s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
			if !linked {
				// The identity is not linked yet but may be, by its verified
				// address: link it now (with the transfer, one transaction),
				// and let the person sign in.
				if err := s.link(ctx, tx, user.ID, acct, "verified_email", req); err != nil {
					return err
				}
			}
			return tx.PutOAuthPending(ctx, s.box, &sqlstore.OAuthPending{OwnerID: su.ID, OwnerType: OwnerSignUp,
				ClientID: su.ClientID, ProviderID: cfg.ID, Status: SocialTransferable, UserID: user.ID, Account: *acct})
		})
		if err != nil {
			return "", err
		}
		return SocialTransferable, nil
	}
	if err := checkSignUpMode(s.settings()); err != nil {
		return "", err
	}
	if err := s.signUps.adoptIdentity(ctx, st, su, acct, req); err != nil {
		return "", err
	}
	return SocialVerified, nil
}
