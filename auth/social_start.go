package auth

import (
	"context"
	"errors"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// StartSignIn begins a sign-in with the provider of strategy
// ("oauth_<id>"): a sign-in needing its first factor, bound to the client,
// and the redirect to the provider. redirectURL (allow-listed by the
// caller) is where the callback sends the browser back.
func (s *Social) StartSignIn(ctx context.Context, st *ClientState, strategy, redirectURL string, req RequestInfo) (*SignInView, error) {
	if err := s.signIns.limiter.Allow(ctx, LimitCreatePerIP, req.IP); err != nil {
		return nil, err
	}
	if redirectURL == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "redirect_url", "Say where the provider sends the person back (redirect_url).")
	}
	cfg, prov, err := s.providerOfStrategy(ctx, strategy)
	if err != nil {
		return nil, err
	}
	if err := s.checkNoSession(ctx, st); err != nil {
		return nil, err
	}
	si := &latchkey.SignIn{Status: latchkey.SignInNeedsFirstFactor, Strategy: StrategyOAuthPrefix + cfg.ID, RedirectURL: redirectURL}
	saved := *st
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		if err := s.loadClient(ctx, tx, st); err != nil {
			return err
		}
		si.ClientID = st.Client.ID
		si.ExpireAt = tx.Now().Add(SignInLifetime)
		if err := tx.CreateSignIn(ctx, si); err != nil {
			return err
		}
		st.Client.SignInID = si.ID
		if err := tx.UpdateClient(ctx, st.Client); err != nil {
			return err
		}
		return tx.PutOAuthPending(ctx, s.box, &sqlstore.OAuthPending{OwnerID: si.ID, OwnerType: OwnerSignIn,
			ClientID: st.Client.ID, ProviderID: cfg.ID, Status: SocialUnverified})
	})
	if err != nil {
		*st = saved
		return nil, err
	}
	url, err := s.newAttempt(ctx, prov, &sqlstore.OAuthAttempt{ProviderID: cfg.ID, ClientID: si.ClientID, SignInID: si.ID, RedirectURL: redirectURL})
	if err != nil {
		return nil, err
	}
	v, err := s.signIns.view(ctx, si, nil)
	if err != nil {
		return nil, err
	}
	v.Social.RedirectURL = url
	return v, nil
}

// StartSignUp begins a sign-up with the provider of strategy: an empty
// sign-up bound to the client, and the redirect to the provider.
func (s *Social) StartSignUp(ctx context.Context, st *ClientState, strategy, redirectURL string, req RequestInfo) (*latchkey.SignUp, string, error) {
	if err := checkSignUpMode(s.settings()); err != nil {
		return nil, "", err
	}
	if err := s.signUps.limiter.Allow(ctx, LimitCreatePerIP, req.IP); err != nil {
		return nil, "", err
	}
	if redirectURL == "" {
		return nil, "", latchkey.Errorf(latchkey.CodeFormParamMissing, "redirect_url", "Say where the provider sends the person back (redirect_url).")
	}
	cfg, prov, err := s.providerOfStrategy(ctx, strategy)
	if err != nil {
		return nil, "", err
	}
	if err := s.checkNoSession(ctx, st); err != nil {
		return nil, "", err
	}
	su := &latchkey.SignUp{Status: latchkey.SignUpMissing, UnsafeMetadata: []byte("{}"), RedirectURL: redirectURL}
	saved := *st
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		if err := s.loadClient(ctx, tx, st); err != nil {
			return err
		}
		su.ClientID = st.Client.ID
		su.ExpireAt = tx.Now().Add(SignUpLifetime)
		if err := tx.CreateSignUp(ctx, su); err != nil {
			return err
		}
		st.Client.SignUpID = su.ID
		if err := tx.UpdateClient(ctx, st.Client); err != nil {
			return err
		}
		return tx.PutOAuthPending(ctx, s.box, &sqlstore.OAuthPending{OwnerID: su.ID, OwnerType: OwnerSignUp,
			ClientID: st.Client.ID, ProviderID: cfg.ID, Status: SocialUnverified})
	})
	if err != nil {
		*st = saved
		return nil, "", err
	}
	url, err := s.newAttempt(ctx, prov, &sqlstore.OAuthAttempt{ProviderID: cfg.ID, ClientID: su.ClientID, SignUpID: su.ID, RedirectURL: redirectURL})
	if err != nil {
		return nil, "", err
	}
	return su, url, nil
}

// StartConnect begins connecting the provider of strategy to the signed-in
// user, whose session must have signed in within RecentSignIn.
func (s *Social) StartConnect(ctx context.Context, st *ClientState, sess *latchkey.Session, strategy, redirectURL string, req RequestInfo) (string, error) {
	if err := s.signIns.limiter.Allow(ctx, LimitCreatePerIP, req.IP); err != nil {
		return "", err
	}
	if redirectURL == "" {
		return "", latchkey.Errorf(latchkey.CodeFormParamMissing, "redirect_url", "Say where the provider sends the person back (redirect_url).")
	}
	if s.sessions.now().Sub(sess.FirstFactorAt) > RecentSignIn {
		return "", latchkey.Errorf(latchkey.CodeReverificationRequired, "", "For your security, sign in again before connecting another account (you last signed in more than %d minutes ago).", int(RecentSignIn/time.Minute))
	}
	cfg, prov, err := s.providerOfStrategy(ctx, strategy)
	if err != nil {
		return "", err
	}
	return s.newAttempt(ctx, prov, &sqlstore.OAuthAttempt{ProviderID: cfg.ID, ClientID: st.Client.ID, UserID: sess.UserID, RedirectURL: redirectURL})
}

// checkNoSession refuses a new sign-in or sign-up on a signed-in browser
// when the instance allows one session per browser.
func (s *Social) checkNoSession(ctx context.Context, st *ClientState) error {
	if st.Client == nil || s.settings().Session.MultiSession {
		return nil
	}
	active, err := s.sessions.ActiveSessions(ctx, st.Client)
	if err != nil {
		return err
	}
	if len(active) > 0 {
		return latchkey.Errorf(latchkey.CodeSessionExists, "", "This browser is already signed in. Sign out first.")
	}
	return nil
}

// loadClient reads the browser's client afresh in tx, creating one when
// it has none.
func (s *Social) loadClient(ctx context.Context, tx *sqlstore.Tx, st *ClientState) error {
	if st.Client != nil {
		c, err := tx.ClientByID(ctx, st.Client.ID)
		if errors.Is(err, latchkey.ErrNotFound) {
			st.Client = nil
		} else if err != nil {
			return err
		} else {
			if c.Revoked() {
				return latchkey.NewError(latchkey.CodeSignedOut, "")
			}
			st.Client = c
		}
	}
	return s.sessions.ensureClient(ctx, tx, st)
}

// checkSignUpMode refuses new accounts when the instance takes none.
func checkSignUpMode(set *latchkey.Settings) error {
	switch set.SignUp.Mode {
	case latchkey.SignUpRestricted:
		return latchkey.Errorf(latchkey.CodeSignUpRestricted, "", "This application accepts new accounts by invitation only.")
	case latchkey.SignUpWaitlist:
		return latchkey.Errorf(latchkey.CodeSignUpWaitlist, "", "This application is not open for sign-up yet; join the waitlist instead.")
	}
	return nil
}
