package auth

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// PrepareParams ask for a code or link (POST .../prepare_first_factor).
type PrepareParams struct {
	Strategy string `json:"strategy"`
	// RedirectURL (links only) overrides the sign-in's; the caller checks
	// it against the allow-list.
	RedirectURL string `json:"redirect_url"`
	// EmailAddressID is accepted for Clerk's SDKs and ignored: the code or
	// link always goes to the address the sign-in started with.
	EmailAddressID string `json:"email_address_id"`
}

// PrepareFirstFactor sends a code or a link to the sign-in's email address.
// For an unknown address it does everything but send: the challenge exists
// (with no code or link that could ever match), so every later answer is
// the same as for a known address.
func (s *SignIns) PrepareFirstFactor(ctx context.Context, st *ClientState, id string, p PrepareParams, req RequestInfo) (*SignInView, error) {
	si, err := s.owned(ctx, st, id)
	if err != nil {
		return nil, err
	}
	if err := checkOpen(si, s.now(), latchkey.SignInNeedsFirstFactor); err != nil {
		return nil, err
	}
	set := s.settings()
	switch {
	case p.Strategy == "":
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "strategy", "strategy is required.")
	case p.Strategy == StrategyPassword:
		return nil, latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "A password needs no preparation; attempt it directly.")
	case !isChallengeStrategy(p.Strategy) || !offers(set, si, p.Strategy):
		return nil, latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "%s is not available for this sign-in.", truncateString(p.Strategy, 40))
	}
	if err := s.limiter.AllowAll(ctx, Check{LimitSendPerIP, req.IP}, Check{LimitSendPerIdentifier, identifierKey(si)}); err != nil {
		return nil, err
	}
	user := s.userOf(ctx, si)
	target := strings.ToLower(si.Identifier)
	redirect := p.RedirectURL
	if redirect == "" {
		redirect = si.RedirectURL
	}
	var c *latchkey.Challenge
	var secret string
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		cur, err := tx.SignInByID(ctx, si.ID)
		if err != nil {
			return err
		}
		if err := checkOpen(cur, tx.Now(), latchkey.SignInNeedsFirstFactor); err != nil {
			return err
		}
		if isCodeStrategy(p.Strategy) {
			c, secret = newCodeChallenge(p.Strategy, OwnerSignIn, cur.ID, target, cur.ClientID, tx.Now())
		} else {
			c, secret = newLinkChallenge(p.Strategy, OwnerSignIn, cur.ID, target, cur.ClientID, redirect, tx.Now())
		}
		if user == nil {
			// Nothing is sent, and nothing could match.
			c.CodeDigest, c.LinkDigest, secret = nil, nil, ""
		}
		if err := tx.CreateChallenge(ctx, c); err != nil {
			return err
		}
		cur.Strategy = p.Strategy
		if err := tx.UpdateSignIn(ctx, cur); err != nil {
			return err
		}
		si = cur
		return nil
	})
	if err != nil {
		return nil, err
	}
	if user != nil {
		s.sendChallenge(ctx, p.Strategy, emailOf(user, target), secret)
	}
	return s.view(ctx, si, c)
}

// sendChallenge mails a sign-in code or link.
func (s *SignIns) sendChallenge(ctx context.Context, strategy, to, secret string) {
	minutes := strconv.Itoa(int(ChallengeLifetime / time.Minute))
	switch strategy {
	case latchkey.VerifyEmailCode:
		s.sendMail(ctx, MailVerificationCode, to, map[string]string{"code": secret, "expires_in_minutes": minutes, "purpose": "sign_in"})
	case latchkey.VerifyResetPasswordCode:
		s.sendMail(ctx, MailResetPasswordCode, to, map[string]string{"code": secret, "expires_in_minutes": minutes})
	case latchkey.VerifyEmailLink:
		s.sendMail(ctx, MailMagicLink, to, map[string]string{"link": challengeLink(s.publicURL, secret), "expires_in_minutes": minutes, "purpose": "sign_in"})
	case latchkey.VerifyResetPasswordLink:
		s.sendMail(ctx, MailResetPasswordLink, to, map[string]string{"link": challengeLink(s.publicURL, secret), "expires_in_minutes": minutes})
	}
}

// emailOf returns the user's address whose normalized form is normalized,
// as the user wrote it; or the user's primary address when normalized is
// empty; or "".
func emailOf(u *latchkey.User, normalized string) string {
	var first string
	for _, idn := range u.EmailAddresses() {
		if normalized != "" && idn.Normalized == normalized {
			return idn.Value
		}
		if normalized == "" && idn.ID == u.PrimaryEmailAddressID {
			return idn.Value
		}
		if first == "" {
			first = idn.Value
		}
	}
	if normalized != "" {
		return ""
	}
	return first
}
