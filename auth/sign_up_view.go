package auth

import (
	"context"
	"errors"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// SignUpView is a sign-up as the instance's current settings see it: what
// a UI needs to render the next step.
type SignUpView struct {
	*latchkey.SignUp
	// Status is the sign-up's status, or "abandoned" once it expired open.
	Status                          string
	RequiredFields, OptionalFields  []string
	MissingFields, UnverifiedFields []string
	// EmailVerification is the state of the email address's verification,
	// or nil when the sign-up has no address or nothing was sent to it yet.
	EmailVerification *VerificationView
	// Social is the provider step of a sign-up started with a provider or
	// transferred from a sign-in; nil otherwise.
	Social *SocialVerification
}

// VerificationView is the state of one verification.
type VerificationView struct {
	Status     string // unverified, verified, failed or expired
	Strategy   string // email_code or email_link
	Attempts   int
	ExpireAt   time.Time
	VerifiedAt time.Time
}

// Describe returns the view of su.
func (s *SignUps) Describe(ctx context.Context, su *latchkey.SignUp) (*SignUpView, error) {
	set := s.settings()
	v := &SignUpView{SignUp: su, Status: su.Status, MissingFields: []string{}, UnverifiedFields: []string{}}
	v.RequiredFields, v.OptionalFields = signUpFields(set)
	if su.Status == latchkey.SignUpMissing {
		v.MissingFields, v.UnverifiedFields = missingFields(set, su), unverifiedFields(su)
		if !s.now().Before(su.ExpireAt) {
			v.Status = latchkey.SignUpAbandoned
		}
	}
	if s.box != nil {
		sv, err := socialVerification(ctx, s.store, s.box, su.ID, s.now())
		if err != nil {
			return nil, err
		}
		if sv == nil && su.ExternalProviderID != "" {
			sv = &SocialVerification{Status: SocialVerified, Strategy: StrategyOAuthPrefix + su.ExternalProviderID}
		}
		v.Social = sv
	}
	if su.EmailNormalized == "" {
		return v, nil
	}
	c, err := s.latestChallenge(ctx, su.ID)
	if err != nil {
		return nil, err
	}
	if c != nil && c.Target != su.EmailNormalized {
		c = nil // sent to an address the sign-up no longer has
	}
	switch {
	case !su.EmailVerifiedAt.IsZero():
		ev := &VerificationView{Status: latchkey.VerificationVerified, Strategy: latchkey.VerifyEmailCode, VerifiedAt: su.EmailVerifiedAt}
		if c != nil && c.Status == latchkey.ChallengeVerified {
			ev.Strategy, ev.Attempts, ev.ExpireAt = c.Kind, c.Attempts, c.ExpireAt
		}
		v.EmailVerification = ev
	case c != nil:
		ev := &VerificationView{Status: latchkey.VerificationUnverified, Strategy: c.Kind, Attempts: c.Attempts, ExpireAt: c.ExpireAt}
		switch {
		case c.Status == latchkey.ChallengeFailed:
			ev.Status = "failed"
		case c.Status == latchkey.ChallengePending && !s.now().Before(c.ExpireAt):
			ev.Status = "expired"
		}
		v.EmailVerification = ev
	}
	return v, nil
}

// latestChallenge reads the sign-up's newest code or link, or nil. The
// store reads challenges only in a transaction (they are locked for the
// attempt that follows); this one writes nothing.
func (s *SignUps) latestChallenge(ctx context.Context, id string) (*latchkey.Challenge, error) {
	var c *latchkey.Challenge
	err := s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		var err error
		c, err = tx.LatestChallenge(ctx, OwnerSignUp, id)
		if errors.Is(err, latchkey.ErrNotFound) {
			c, err = nil, nil
		}
		return err
	})
	return c, err
}
