package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// mailPurposeSignUp picks the sign-up wording of the code and link mails.
const mailPurposeSignUp = "sign_up"

// PrepareVerification sends a code (strategy email_code) or a link
// (email_link) to the sign-up's email address. A new one replaces the
// previous one of the same kind. redirectURL, already checked against the
// allow-list by the caller, is where the link leads once opened (empty:
// the sign-up's redirect URL). Sending is limited per IP and per address.
func (s *SignUps) PrepareVerification(ctx context.Context, st *ClientState, id, strategy, redirectURL string, req RequestInfo) (*latchkey.SignUp, error) {
	set := s.settings()
	if err := checkEmailStrategy(set, strategy, true); err != nil {
		return nil, err
	}
	su, err := s.store.SignUpByID(ctx, id)
	if err := s.checkOpen(st, id, su, err); err != nil {
		return nil, err
	}
	if err := checkVerifiable(su); err != nil {
		return nil, err
	}
	if err := s.limiter.AllowAll(ctx, Check{LimitSendPerIP, req.IP}, Check{LimitSendPerIdentifier, su.EmailNormalized}); err != nil {
		return nil, err
	}
	var secret string
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		cur, err := tx.SignUpByID(ctx, id)
		if err := s.checkOpen(st, id, cur, err); err != nil {
			return err
		}
		if err := checkVerifiable(cur); err != nil {
			return err
		}
		if cur.EmailNormalized != su.EmailNormalized {
			// Changed by a concurrent update: the limit was counted for
			// the old address. Ask again.
			return latchkey.Errorf(latchkey.CodeFormParamValue, fieldEmail, "The email address changed meanwhile; ask again.")
		}
		su = cur
		var c *latchkey.Challenge
		if strategy == latchkey.VerifyEmailCode {
			c, secret = newCodeChallenge(strategy, OwnerSignUp, su.ID, su.EmailNormalized, su.ClientID, s.now())
		} else {
			if redirectURL == "" {
				redirectURL = su.RedirectURL
			}
			c, secret = newLinkChallenge(strategy, OwnerSignUp, su.ID, su.EmailNormalized, su.ClientID, redirectURL, s.now())
		}
		return tx.CreateChallenge(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	data := map[string]string{
		"expires_in_minutes": strconv.Itoa(int(ChallengeLifetime / time.Minute)),
		"purpose":            mailPurposeSignUp,
	}
	kind := MailVerificationCode
	if strategy == latchkey.VerifyEmailCode {
		data["code"] = secret
	} else {
		kind, data["link"] = MailMagicLink, challengeLink(s.publicURL, secret)
	}
	if err := s.mailer.Send(ctx, kind, su.EmailAddress, data); err != nil {
		return nil, fmt.Errorf("send sign-up %s: %w", strategy, err)
	}
	return su, nil
}

// AttemptVerification checks a code sent by PrepareVerification (strategy
// email_code; a link is verified by opening it). A wrong code uses up one of
// the code's attempts. The right code verifies the email address, and the
// sign-up completes if nothing else is missing. Checking the code is atomic:
// of concurrent requests with the one code, exactly one verifies it, and the
// sign-up completes once.
func (s *SignUps) AttemptVerification(ctx context.Context, st *ClientState, id, strategy, code string, req RequestInfo) (*latchkey.SignUp, error) {
	set := s.settings()
	if err := checkEmailStrategy(set, strategy, false); err != nil {
		return nil, err
	}
	if code = strings.TrimSpace(code); code == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "code", "Enter the code from the email.")
	}
	su, err := s.store.SignUpByID(ctx, id)
	if err := s.checkAttemptable(st, id, su, err); err != nil {
		return nil, err
	}
	if err := s.limiter.AllowAll(ctx, Check{LimitAttemptPerIP, req.IP}, Check{LimitAttemptPerIdentifier, su.EmailNormalized}); err != nil {
		return nil, err
	}
	var failed error // an answer to send after committing the attempt
	verifiedBefore := false
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		cur, err := tx.SignUpByID(ctx, id)
		if err := s.checkAttemptable(st, id, cur, err); err != nil {
			return err
		}
		su = cur
		if su.EmailAddress == "" {
			failed = errNoChallenge(strategy)
			return nil
		}
		if !su.EmailVerifiedAt.IsZero() {
			verifiedBefore = true
			return nil
		}
		c, err := tx.LatestChallenge(ctx, OwnerSignUp, su.ID)
		if errors.Is(err, latchkey.ErrNotFound) || (err == nil && (c.Kind != strategy || c.Target != su.EmailNormalized)) {
			// None sent, the newest is a link, or it went to an address the
			// sign-up no longer has.
			failed = errNoChallenge(strategy)
			return nil
		} else if err != nil {
			return err
		}
		if c.Status == latchkey.ChallengePending && !s.now().Before(c.ExpireAt) {
			failed = attemptError(sqlstore.AttemptExpired, c)
			return nil
		}
		res, err := tx.AttemptCode(ctx, c, challengeDigest(code))
		if err != nil {
			return err
		}
		if failed = attemptError(res, c); failed != nil {
			return nil // commit the counted attempt
		}
		su.EmailVerifiedAt = tx.Now()
		return tx.UpdateSignUp(ctx, su)
	})
	if err != nil {
		return nil, err
	}
	if failed != nil {
		return nil, failed
	}
	if !readyToComplete(set, su) {
		if verifiedBefore {
			return nil, attemptError(sqlstore.AttemptUsed, nil)
		}
		return su, nil
	}
	done, completed, err := s.completeByID(ctx, st, su.ID, req)
	if err != nil {
		return nil, err
	}
	if verifiedBefore && !completed {
		// The code was used by a request that completed the sign-up.
		return nil, attemptError(sqlstore.AttemptUsed, nil)
	}
	// verifiedBefore && completed: an earlier request verified the code
	// but did not get to complete (it failed or crashed); this one did.
	return done, nil
}

// checkAttemptable is checkOpen for a code: on a complete sign-up the
// code was used (by this request's twin, as often as not).
func (s *SignUps) checkAttemptable(st *ClientState, id string, su *latchkey.SignUp, err error) error {
	if err == nil && su.Status == latchkey.SignUpComplete && st.Client != nil && su.ClientID == st.Client.ID {
		return attemptError(sqlstore.AttemptUsed, nil)
	}
	return s.checkOpen(st, id, su, err)
}

// checkEmailStrategy checks a verification strategy against the settings:
// email_code, or email_link when links are allowed (prepare only).
func checkEmailStrategy(set *latchkey.Settings, strategy string, linkAllowed bool) error {
	switch {
	case strategy == "":
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "strategy", "strategy is required: email_code or email_link.")
	case strategy == latchkey.VerifyEmailCode && set.SignIn.EmailCode && set.EmailAddress.Enabled:
		return nil
	case strategy == latchkey.VerifyEmailLink && linkAllowed && set.SignIn.EmailLink && set.EmailAddress.Enabled:
		return nil
	case strategy == latchkey.VerifyEmailLink && !linkAllowed:
		return latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "An email link is verified by opening it, not with a code.")
	}
	return latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "The strategy %q is not enabled for sign-up on this application.", truncateString(strategy, 40))
}

// checkVerifiable checks the sign-up has an email address to verify.
func checkVerifiable(su *latchkey.SignUp) error {
	if su.EmailAddress == "" {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, fieldEmail, "Add an email address to the sign-up first.")
	}
	if !su.EmailVerifiedAt.IsZero() {
		return latchkey.Errorf(latchkey.CodeVerificationUsed, fieldEmail, "This email address is already verified.")
	}
	return nil
}
