package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// profileParams are the sign-up fields an identity brings: its email
// address and names, unless p gives them.
func profileParams(set *latchkey.Settings, acct *latchkey.ExternalAccount, p SignUpParams) SignUpParams {
	set1 := func(dst **string, v string, on bool) {
		if *dst == nil && v != "" && on {
			vv := v
			*dst = &vv
		}
	}
	set1(&p.EmailAddress, acct.EmailAddress, set.EmailAddress.Enabled)
	set1(&p.FirstName, acct.FirstName, set.Name.Enabled)
	set1(&p.LastName, acct.LastName, set.Name.Enabled)
	return p
}

// prepareIdentity is prepareChange for a sign-up carrying an identity. A
// name the provider gave that the sign-up rules refuse is dropped (the
// person can type one); anything else refused is an error.
func (s *SignUps) prepareIdentity(ctx context.Context, set *latchkey.Settings, su *latchkey.SignUp, acct *latchkey.ExternalAccount, p SignUpParams) (*signUpChange, error) {
	given := p
	p = profileParams(set, acct, p)
	for range 3 {
		ch, err := s.prepareChange(ctx, set, su, p)
		var e *latchkey.Error
		if err == nil || !errors.As(err, &e) {
			return ch, err
		}
		switch {
		case e.Param == fieldFirst && given.FirstName == nil && p.FirstName != nil:
			p.FirstName = nil
		case e.Param == fieldLast && given.LastName == nil && p.LastName != nil:
			p.LastName = nil
		default:
			return nil, err
		}
	}
	return s.prepareChange(ctx, set, su, p)
}

// withIdentity applies the change to su and records the identity: the
// email address counts as verified only when the provider verified it.
func withIdentity(ch *signUpChange, su *latchkey.SignUp, acct *latchkey.ExternalAccount, now time.Time) {
	ch.applyTo(su, now)
	if acct.EmailVerified && su.EmailAddress != "" && strings.EqualFold(su.EmailAddress, acct.EmailAddress) {
		su.EmailVerifiedAt = now
	}
	su.ExternalProviderID = acct.ProviderID
}

// adoptIdentity gives a sign-up started with a provider the identity it
// vouched for, completing it when nothing else is required.
func (s *SignUps) adoptIdentity(ctx context.Context, st *ClientState, su *latchkey.SignUp, acct *latchkey.ExternalAccount, req RequestInfo) error {
	set := s.settings()
	ch, err := s.prepareIdentity(ctx, set, su, acct, SignUpParams{})
	if err != nil {
		return err
	}
	saved := *st
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		cur, err := tx.SignUpByID(ctx, su.ID)
		if err := s.checkOpen(st, su.ID, cur, err); err != nil {
			return err
		}
		withIdentity(ch, cur, acct, tx.Now())
		if err := tx.UpdateSignUp(ctx, cur); err != nil {
			return err
		}
		if err := tx.PutOAuthPending(ctx, s.box, &sqlstore.OAuthPending{OwnerID: cur.ID, OwnerType: OwnerSignUp,
			ClientID: cur.ClientID, ProviderID: acct.ProviderID, Status: SocialVerified, Account: *acct}); err != nil {
			return err
		}
		if !readyToComplete(set, cur) {
			return nil
		}
		c, err := tx.ClientByID(ctx, cur.ClientID)
		if err != nil {
			return err
		}
		st.Client = c
		return s.complete(ctx, tx, st, cur, req, req.IP)
	})
	if err != nil {
		*st = saved
	}
	return err
}

// errNothingToTransfer answers a transfer without a transferable attempt.
func errNothingToTransfer(what string) error {
	return latchkey.Errorf(latchkey.CodeFormParamValue, "transfer", "This browser has no %s to transfer; start with a provider again.", what)
}

// transferable returns the client's transferable social state of the
// sign-in or sign-up ownerID.
func (s *Social) transferable(ctx context.Context, st *ClientState, ownerID, what string) (*sqlstore.OAuthPending, error) {
	if st.Client == nil || ownerID == "" {
		return nil, errNothingToTransfer(what)
	}
	p, err := s.store.OAuthPendingByOwner(ctx, s.box, ownerID)
	if errors.Is(err, latchkey.ErrNotFound) || (err == nil && (p.Status != SocialTransferable || p.ClientID != st.Client.ID)) {
		return nil, errNothingToTransfer(what)
	}
	if err == nil && !s.signIns.now().Before(p.UpdatedAt.Add(SignInLifetime)) {
		return nil, latchkey.Errorf(latchkey.CodeAttemptExpired, "", "This sign-in with the provider took too long. Start again.")
	}
	return p, err
}

// TransferToSignUp turns the client's transferable sign-in (an identity no
// user has) into a sign-up: the user, the external account and the session
// are created in one transaction, or the sign-up answers with the fields the
// instance still requires. p may give some of them.
func (s *Social) TransferToSignUp(ctx context.Context, st *ClientState, p SignUpParams, req RequestInfo) (*latchkey.SignUp, error) {
	set := s.settings()
	if err := checkSignUpMode(set); err != nil {
		return nil, err
	}
	if err := s.signUps.limiter.Allow(ctx, LimitCreatePerIP, req.IP); err != nil {
		return nil, err
	}
	signInID := ""
	if st.Client != nil {
		signInID = st.Client.SignInID
	}
	pending, err := s.transferable(ctx, st, signInID, "sign-in")
	if err != nil {
		return nil, err
	}
	if err := s.checkNoSession(ctx, st); err != nil {
		return nil, err
	}
	acct := pending.Account
	su := &latchkey.SignUp{Status: latchkey.SignUpMissing, UnsafeMetadata: []byte("{}")}
	ch, err := s.signUps.prepareIdentity(ctx, set, su, &acct, p)
	if err != nil {
		return nil, err
	}
	if si, err := s.store.SignInByID(ctx, signInID); err == nil {
		su.RedirectURL = si.RedirectURL
	}
	saved := *st
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		if err := s.loadClient(ctx, tx, st); err != nil {
			return err
		}
		if st.Client.SignInID != signInID {
			return errNothingToTransfer("sign-in")
		}
		withIdentity(ch, su, &acct, tx.Now())
		su.ClientID, su.ExpireAt = st.Client.ID, tx.Now().Add(SignUpLifetime)
		if err := tx.CreateSignUp(ctx, su); err != nil {
			return err
		}
		st.Client.SignUpID, st.Client.SignInID = su.ID, ""
		if err := tx.UpdateClient(ctx, st.Client); err != nil {
			return err
		}
		if err := tx.DeleteOAuthPending(ctx, signInID); err != nil {
			return err
		}
		if err := tx.PutOAuthPending(ctx, s.box, &sqlstore.OAuthPending{OwnerID: su.ID, OwnerType: OwnerSignUp,
			ClientID: su.ClientID, ProviderID: acct.ProviderID, Status: SocialVerified, Account: acct}); err != nil {
			return err
		}
		if !readyToComplete(set, su) {
			return nil
		}
		return s.signUps.complete(ctx, tx, st, su, req, req.IP)
	})
	if err != nil {
		*st = saved
		return nil, err
	}
	return su, nil
}

// TransferToSignIn signs in the user whose identity the client's
// transferable sign-up (started with a provider) turned out to be.
func (s *Social) TransferToSignIn(ctx context.Context, st *ClientState, req RequestInfo) (*SignInView, error) {
	if err := s.signIns.limiter.Allow(ctx, LimitCreatePerIP, req.IP); err != nil {
		return nil, err
	}
	signUpID := ""
	if st.Client != nil {
		signUpID = st.Client.SignUpID
	}
	pending, err := s.transferable(ctx, st, signUpID, "sign-up")
	if err != nil {
		return nil, err
	}
	if err := s.checkNoSession(ctx, st); err != nil {
		return nil, err
	}
	acct := pending.Account
	ext, err := s.store.ExternalAccountByIdentity(ctx, s.box, acct.ProviderID, acct.ProviderUserID)
	if errors.Is(err, latchkey.ErrNotFound) {
		return nil, errNothingToTransfer("sign-up") // unlinked since
	} else if err != nil {
		return nil, err
	}
	user, err := s.store.UserByID(ctx, ext.UserID)
	if err != nil {
		return nil, err
	}
	acct.ID = ext.ID
	si := &latchkey.SignIn{Status: latchkey.SignInNeedsFirstFactor, Strategy: StrategyOAuthPrefix + acct.ProviderID, RedirectURL: ""}
	if su, err := s.store.SignUpByID(ctx, signUpID); err == nil {
		si.RedirectURL = su.RedirectURL
	}
	saved := *st
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		if err := s.loadClient(ctx, tx, st); err != nil {
			return err
		}
		if st.Client.SignUpID != signUpID {
			return errNothingToTransfer("sign-up")
		}
		si.ClientID, si.ExpireAt = st.Client.ID, tx.Now().Add(SignInLifetime)
		if err := tx.CreateSignIn(ctx, si); err != nil {
			return err
		}
		st.Client.SignInID, st.Client.SignUpID = si.ID, ""
		if err := tx.UpdateClient(ctx, st.Client); err != nil {
			return err
		}
		return tx.DeleteOAuthPending(ctx, signUpID)
	})
	if err != nil {
		*st = saved
		return nil, err
	}
	if err := s.signInUser(ctx, st, si, user, &acct, true, req); err != nil {
		return nil, err
	}
	cur, err := s.store.SignInByID(ctx, si.ID)
	if err != nil {
		return nil, err
	}
	return s.signIns.view(ctx, cur, nil)
}
