package auth

import (
	"context"
	"errors"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// CompleteLink finishes a sign-up whose email link was opened: GET
// /v1/verify found the link's challenge c (owner "sign_up") and hands it
// over with the visiting browser's client state st. The link is used once,
// atomically; it verifies the email address the link was sent to, as long
// as the sign-up still has that address. If nothing else is missing, the
// sign-up completes into a user and a session on the sign-up's own client:
// the tab that started it sees the session on its next GET /v1/client. When
// st is that client, its credential rotates as on every sign-in, and the
// caller must send the new cookies.
//
// It returns where to send the visitor: the redirect URL given when the
// link was asked for or when the sign-up started, or "" for the default.
func (s *SignUps) CompleteLink(ctx context.Context, st *ClientState, c *latchkey.Challenge, req RequestInfo) (redirectURL string, err error) {
	set := s.settings()
	if c.OwnerType != OwnerSignUp || c.Kind != latchkey.VerifyEmailLink {
		return "", errLinkInvalid()
	}
	if set.SignIn.MagicLinkSameClient && (st.Client == nil || st.Client.ID != c.ClientID) {
		return "", ErrLinkOtherBrowser
	}
	var su *latchkey.SignUp
	var failed error
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		cur, err := tx.SignUpByID(ctx, c.OwnerID)
		if errors.Is(err, latchkey.ErrNotFound) {
			failed = errLinkInvalid()
			return nil
		} else if err != nil {
			return err
		}
		su = cur
		redirectURL = su.RedirectURL
		ch, err := tx.ChallengeByLinkDigest(ctx, c.LinkDigest)
		if errors.Is(err, latchkey.ErrNotFound) || (err == nil && ch.ID != c.ID) {
			failed = errLinkInvalid()
			return nil
		} else if err != nil {
			return err
		}
		if ch.RedirectURL != "" {
			redirectURL = ch.RedirectURL
		}
		switch {
		case su.Status == latchkey.SignUpComplete || ch.Status == latchkey.ChallengeVerified:
			failed = attemptError(sqlstore.AttemptUsed, ch)
			return nil
		case su.Status != latchkey.SignUpMissing || !s.now().Before(su.ExpireAt):
			failed = latchkey.Errorf(latchkey.CodeAttemptExpired, "", "This sign-up took too long. Start again.")
			return nil
		case ch.Target != su.EmailNormalized || !su.EmailVerifiedAt.IsZero():
			// The address changed since the link was sent (or was verified
			// another way): this link proves nothing about the sign-up now.
			failed = latchkey.Errorf(latchkey.CodeVerificationFailed, "token", "This link is no longer valid for the sign-up. Ask for a new one.")
			return nil
		case ch.Status == latchkey.ChallengePending && !s.now().Before(ch.ExpireAt):
			failed = attemptError(sqlstore.AttemptExpired, ch)
			return nil
		}
		res, err := tx.UseLink(ctx, ch)
		if err != nil {
			return err
		}
		if failed = attemptError(res, ch); failed != nil {
			return nil
		}
		su.EmailVerifiedAt = tx.Now()
		return tx.UpdateSignUp(ctx, su)
	})
	if err != nil {
		return "", err
	}
	if failed != nil {
		return "", failed
	}
	if !readyToComplete(set, su) {
		// Verified; the tab that started the sign-up asks for the rest.
		return redirectURL, nil
	}
	if _, _, err := s.completeByID(ctx, st, su.ID, req); err != nil {
		return "", err
	}
	return redirectURL, nil
}

func errLinkInvalid() error {
	return latchkey.Errorf(latchkey.CodeVerificationFailed, "token", "This link is not valid. Ask for a new one.")
}
