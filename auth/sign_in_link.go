package auth

import (
	"context"
	"errors"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Link outcomes, sent to the redirect URL as lk_status.
const (
	LinkVerified          = "verified"            // this browser can go on (signed in, or set a new password)
	LinkVerifiedSwitchTab = "verified_switch_tab" // the browser that asked goes on; return to it
)

// LinkOutcome says where to send the person who opened a link.
type LinkOutcome struct {
	RedirectURL string // allow-listed when the link was made; empty: the public URL
	Status      string // LinkVerified or LinkVerifiedSwitchTab
}

// ErrLinkOtherBrowser refuses a magic link opened in another browser than
// the one that asked for it, when the instance requires the same one.
var ErrLinkOtherBrowser = latchkey.Errorf(latchkey.CodeForbidden, "",
	"For your security, open this link in the browser where you asked for it.")

// maxLinkToken bounds the tokens looked up (ours are 43 characters).
const maxLinkToken = 128

// LinkChallenge finds the challenge of a link token without using it, so
// the landing page can hand it to its owner's flow: OwnerSignIn to
// CompleteLink, OwnerUser to CompleteTicket, OwnerSignUp to
// SignUps.CompleteLink. An unknown token is verification_missing.
func (s *SignIns) LinkChallenge(ctx context.Context, token string) (*latchkey.Challenge, error) {
	missing := latchkey.Errorf(latchkey.CodeVerificationMissing, "token", "This link is not valid. Check that it was copied completely.")
	if token == "" || len(token) > maxLinkToken {
		return nil, missing
	}
	var c *latchkey.Challenge
	err := s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		var err error
		c, err = tx.ChallengeByLinkDigest(ctx, challengeDigest(token))
		return err
	})
	if errors.Is(err, latchkey.ErrNotFound) {
		return nil, missing
	}
	return c, err
}

// CompleteLink uses a sign-in's magic link or reset link, opened by the
// browser of st. A magic link opened in the browser that asked signs that
// browser in (st's credential rotates: set its cookies). Opened elsewhere
// (when the instance allows it), it completes the sign-in for the browser
// that asked, whose next poll finds the session, and signs in nobody here.
// A reset link moves the sign-in to needs_new_password.
func (s *SignIns) CompleteLink(ctx context.Context, st *ClientState, c *latchkey.Challenge, req RequestInfo) (*LinkOutcome, error) {
	if c.OwnerType != OwnerSignIn || !isLinkStrategy(c.Kind) {
		return nil, latchkey.Errorf(latchkey.CodeVerificationMissing, "token", "This link is not a sign-in link.")
	}
	set := s.settings()
	sameClient := st.Client != nil && st.Client.ID == c.ClientID
	if set.SignIn.MagicLinkSameClient && !sameClient {
		return nil, ErrLinkOtherBrowser
	}
	si, err := s.store.SignInByID(ctx, c.OwnerID)
	if errors.Is(err, latchkey.ErrNotFound) {
		return nil, latchkey.Errorf(latchkey.CodeAttemptExpired, "", "This sign-in no longer exists. Start again.")
	} else if err != nil {
		return nil, err
	}
	user := s.userOf(ctx, si)
	if user == nil {
		return nil, latchkey.Errorf(latchkey.CodeVerificationMissing, "token", "This link is not valid.")
	}
	if _, err := s.checkLockout(ctx, si, user); err != nil {
		return nil, err
	}
	if user.Banned {
		return nil, latchkey.Errorf(latchkey.CodeUserBanned, "", "This account is not allowed to sign in. Contact support.")
	}
	out := &LinkOutcome{RedirectURL: c.RedirectURL, Status: LinkVerified}
	var done completion
	saved := *st
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		// Lock order everywhere: the sign-in, then its challenge.
		cur, err := tx.SignInByID(ctx, si.ID)
		if err != nil {
			return err
		}
		ch, err := tx.ChallengeByLinkDigest(ctx, c.LinkDigest)
		if err != nil {
			return err
		}
		res, err := tx.UseLink(ctx, ch)
		if err != nil {
			return err
		}
		if err := attemptError(res, ch); err != nil {
			return err
		}
		if isResetStrategy(ch.Kind) {
			if err := checkOpen(cur, tx.Now(), latchkey.SignInNeedsFirstFactor); err != nil {
				return err
			}
			cur.Status, cur.ResetVerified, cur.Strategy = latchkey.SignInNeedsNewPassword, true, ch.Kind
			if !sameClient {
				out.Status = LinkVerifiedSwitchTab
			}
			if err := tx.UpdateSignIn(ctx, cur); err != nil {
				return err
			}
			return tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "sign_in.reset_verified", UserID: user.ID,
				ClientID: cur.ClientID, IP: req.IP, Data: map[string]any{"sign_in_id": cur.ID, "strategy": ch.Kind}})
		}
		if err := checkOpen(cur, tx.Now(), latchkey.SignInNeedsFirstFactor); err != nil {
			return err
		}
		if sameClient {
			done, err = s.completeInTx(ctx, tx, st, cur, user, ch.Kind, req, nil)
			return err
		}
		out.Status = LinkVerifiedSwitchTab
		done, err = s.completeElsewhere(ctx, tx, cur, user, ch.Kind, req)
		return err
	})
	if err != nil {
		*st = saved
		return nil, err
	}
	if out.Status == LinkVerified {
		s.afterComplete(ctx, user, done, req)
	} else {
		s.afterComplete(ctx, user, done, RequestInfo{})
	}
	return out, nil
}

// completeElsewhere completes si for the browser that asked for the link,
// while another device opened it. That browser cannot receive a rotated
// credential from this request, so its credential is kept (rotating it
// would make its next request look like a stolen credential). Its session
// records no device details: the request came from another device. The
// sign-in stays on the client, so its next GET /v1/client shows it
// complete.
func (s *SignIns) completeElsewhere(ctx context.Context, tx *sqlstore.Tx, si *latchkey.SignIn, user *latchkey.User, strategy string, req RequestInfo) (completion, error) {
	orig, err := tx.ClientByID(ctx, si.ClientID)
	if err != nil {
		return completion{}, err
	}
	token, previous, rotatedAt, signInID := orig.TokenDigest, orig.PreviousDigest, orig.RotatedAt, orig.SignInID
	ost := &ClientState{Client: orig}
	done, err := s.completeInTx(ctx, tx, ost, si, user, strategy, RequestInfo{},
		map[string]any{"link_opened_from_ip": req.IP, "link_opened_from_user_agent": truncateString(req.UserAgent, 200)})
	if err != nil {
		return completion{}, err
	}
	ost.Client.TokenDigest, ost.Client.PreviousDigest, ost.Client.RotatedAt, ost.Client.SignInID = token, previous, rotatedAt, signInID
	return done, tx.UpdateClient(ctx, ost.Client)
}
