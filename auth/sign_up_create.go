package auth

import (
	"context"
	"errors"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Create starts a sign-up on the client (creating the client when the
// browser has none) with the fields of p, validated now. When nothing is
// missing and nothing needs verifying (an instance without email
// addresses), it completes at once into a user and a session.
func (s *SignUps) Create(ctx context.Context, st *ClientState, p SignUpParams, req RequestInfo) (*latchkey.SignUp, error) {
	set := s.settings()
	switch set.SignUp.Mode {
	case latchkey.SignUpRestricted:
		return nil, latchkey.Errorf(latchkey.CodeSignUpRestricted, "", "This application accepts new accounts by invitation only.")
	case latchkey.SignUpWaitlist:
		return nil, latchkey.Errorf(latchkey.CodeSignUpWaitlist, "", "This application is not open for sign-up yet; join the waitlist instead.")
	}
	if err := s.limiter.Allow(ctx, LimitCreatePerIP, req.IP); err != nil {
		return nil, err
	}
	if !set.Session.MultiSession && st.Client != nil {
		active, err := s.sessions.ActiveSessions(ctx, st.Client)
		if err != nil {
			return nil, err
		}
		if len(active) > 0 {
			return nil, latchkey.Errorf(latchkey.CodeSessionExists, "", "Sign out before creating another account (this application allows one account per browser).")
		}
	}
	su := &latchkey.SignUp{Status: latchkey.SignUpMissing, UnsafeMetadata: []byte("{}")}
	ch, err := s.prepareChange(ctx, set, su, p)
	if err != nil {
		return nil, err
	}
	now := s.now() // after hashing, which may have queued
	su.ExpireAt = now.Add(SignUpLifetime)
	ch.applyTo(su, now)
	saved := *st
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		if err := s.sessions.ensureClient(ctx, tx, st); err != nil {
			return err
		}
		c, err := tx.ClientByID(ctx, st.Client.ID)
		if err != nil {
			return err
		}
		if c.Revoked() {
			return latchkey.NewError(latchkey.CodeSignedOut, "")
		}
		st.Client = c
		su.ClientID = c.ID
		if err := tx.CreateSignUp(ctx, su); err != nil {
			return err
		}
		c.SignUpID = su.ID
		if err := tx.UpdateClient(ctx, c); err != nil {
			return err
		}
		if !readyToComplete(set, su) {
			return nil
		}
		// Completing in the same transaction: if an identifier was taken
		// meanwhile, nothing is left behind.
		return s.complete(ctx, tx, st, su, req, req.IP)
	})
	if err != nil {
		*st = saved
		return nil, err
	}
	return su, nil
}

// Update changes the fields of p on the client's sign-up. A new email
// address must be verified again. When the change leaves nothing missing
// and the email verified, the sign-up completes; if an identifier was taken
// meanwhile, the change is kept, the sign-up stays open and the answer is
// form_identifier_exists.
func (s *SignUps) Update(ctx context.Context, st *ClientState, id string, p SignUpParams, req RequestInfo) (*latchkey.SignUp, error) {
	set := s.settings()
	if err := s.limiter.Allow(ctx, LimitCreatePerIP, req.IP); err != nil {
		return nil, err
	}
	base, err := s.store.SignUpByID(ctx, id)
	if err := s.checkOpen(st, id, base, err); err != nil {
		return nil, err
	}
	ch, err := s.prepareChange(ctx, set, base, p)
	if err != nil {
		return nil, err
	}
	var su *latchkey.SignUp
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		cur, err := tx.SignUpByID(ctx, id)
		if err := s.checkOpen(st, id, cur, err); err != nil {
			return err
		}
		su = cur
		if !ch.anything {
			return nil
		}
		ch.applyTo(su, s.now())
		return tx.UpdateSignUp(ctx, su)
	})
	if err != nil {
		return nil, err
	}
	if !readyToComplete(set, su) {
		return su, nil
	}
	su, _, err = s.completeByID(ctx, st, su.ID, req)
	return su, err
}

// SignUp returns the client's sign-up, whatever its status.
func (s *SignUps) SignUp(ctx context.Context, st *ClientState, id string) (*latchkey.SignUp, error) {
	su, err := s.store.SignUpByID(ctx, id)
	if errors.Is(err, latchkey.ErrNotFound) || (err == nil && (st.Client == nil || su.ClientID != st.Client.ID)) {
		return nil, errNoSignUp(id)
	}
	return su, err
}

// checkOpen checks that a sign-up just read (su, err) belongs to the client
// and can still change.
func (s *SignUps) checkOpen(st *ClientState, id string, su *latchkey.SignUp, err error) error {
	if errors.Is(err, latchkey.ErrNotFound) || (err == nil && (st.Client == nil || su.ClientID != st.Client.ID)) {
		return errNoSignUp(id)
	} else if err != nil {
		return err
	}
	if su.Status == latchkey.SignUpComplete {
		return latchkey.Errorf(latchkey.CodeForbidden, "", "This sign-up is already complete.")
	}
	if su.Status != latchkey.SignUpMissing || !s.now().Before(su.ExpireAt) {
		return latchkey.Errorf(latchkey.CodeAttemptExpired, "", "This sign-up was started more than %d hours ago. Start again.", int(SignUpLifetime.Hours()))
	}
	return nil
}

func errNoSignUp(id string) error {
	return latchkey.Errorf(latchkey.CodeResourceNotFound, "id", "This browser has no sign-up %q.", truncateString(id, 60))
}
