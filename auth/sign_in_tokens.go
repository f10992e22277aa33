package auth

import (
	"context"
	"errors"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Sign-in token lifetimes (Clerk's default and maximum are 30 days).
const (
	DefaultSignInTokenLifetime = 30 * 24 * time.Hour
	MaxSignInTokenLifetime     = 30 * 24 * time.Hour
)

// SignInToken is a one-time sign-in link for a user, minted by the Backend
// API.
type SignInToken struct {
	Challenge *latchkey.Challenge // ID, OwnerID (the user), CreatedAt, ExpireAt
	Token     string              // secret: in this response only
	URL       string
}

// CreateToken mints a one-time link that signs userID in on whichever
// browser opens it first, within lifetime. Minting a new token for a user
// voids their earlier unused one. redirectURL (checked by the caller) is
// where the browser goes afterwards; empty means the public URL.
func (s *SignIns) CreateToken(ctx context.Context, userID string, lifetime time.Duration, redirectURL string) (*SignInToken, error) {
	if lifetime <= 0 || lifetime > MaxSignInTokenLifetime {
		return nil, latchkey.Errorf(latchkey.CodeFormParamValue, "expires_in_seconds", "expires_in_seconds must be between 1 and %d.", int(MaxSignInTokenLifetime/time.Second))
	}
	u, err := s.store.UserByID(ctx, userID)
	if errors.Is(err, latchkey.ErrNotFound) {
		return nil, latchkey.Errorf(latchkey.CodeResourceNotFound, "user_id", "No user with ID %q.", truncateString(userID, 100))
	} else if err != nil {
		return nil, err
	}
	if u.Banned {
		return nil, latchkey.Errorf(latchkey.CodeUserBanned, "user_id", "This user is banned; unban them first.")
	}
	out := &SignInToken{}
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		c, token := newLinkChallenge(KindTicket, OwnerUser, u.ID, "", "", redirectURL, tx.Now())
		c.ExpireAt = tx.Now().Add(lifetime)
		if err := tx.CreateChallenge(ctx, c); err != nil {
			return err
		}
		out.Challenge, out.Token, out.URL = c, token, challengeLink(s.publicURL, token)
		return tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "sign_in_token.created", UserID: u.ID,
			Data: map[string]any{"sign_in_token_id": c.ID, "expires_at": c.ExpireAt.UnixMilli()}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CompleteTicket uses a sign-in token opened by the browser of st: the
// browser is signed in as the token's user (a client is created when it has
// none; set its cookies). The token counts as the first factor "ticket". A
// banned user is refused; a locked one is not (an operator minted it).
func (s *SignIns) CompleteTicket(ctx context.Context, st *ClientState, c *latchkey.Challenge, req RequestInfo) (*LinkOutcome, error) {
	if c.OwnerType != OwnerUser || c.Kind != KindTicket {
		return nil, latchkey.Errorf(latchkey.CodeVerificationMissing, "token", "This link is not a sign-in token.")
	}
	user, err := s.store.UserByID(ctx, c.OwnerID)
	if errors.Is(err, latchkey.ErrNotFound) {
		return nil, latchkey.Errorf(latchkey.CodeVerificationMissing, "token", "This link's account no longer exists.")
	} else if err != nil {
		return nil, err
	}
	if user.Banned {
		return nil, latchkey.Errorf(latchkey.CodeUserBanned, "", "This account is not allowed to sign in. Contact support.")
	}
	var done completion
	saved := *st
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
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
		if st.Client != nil && st.Client.Revoked() {
			st.Client = nil
		}
		if err := s.sessions.ensureClient(ctx, tx, st); err != nil {
			return err
		}
		si := &latchkey.SignIn{ClientID: st.Client.ID, Status: latchkey.SignInNeedsFirstFactor, UserID: user.ID,
			Strategy: KindTicket, ExpireAt: tx.Now().Add(SignInLifetime)}
		if email := emailOf(user, ""); email != "" {
			si.Identifier, si.IdentifierType = email, latchkey.IdentifierEmail
		}
		if err := tx.CreateSignIn(ctx, si); err != nil {
			return err
		}
		done, err = s.completeInTx(ctx, tx, st, si, user, KindTicket, req, map[string]any{"sign_in_token_id": ch.ID})
		return err
	})
	if err != nil {
		*st = saved
		return nil, err
	}
	s.afterComplete(ctx, user, done, req)
	return &LinkOutcome{RedirectURL: c.RedirectURL, Status: LinkVerified}, nil
}
