package auth

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// completeByID completes the sign-up in a transaction of its own if it is
// still open and ready, and reports whether this call completed it (false
// when it was not ready, or a concurrent request completed it first). st is
// the request's client; when it is not the sign-up's own client (an email
// link opened on another device), the session is created on the sign-up's
// client, where the tab that started it finds it.
//
// On failure nothing is written: the sign-up stays open, and a taken
// identifier is answered with form_identifier_exists.
func (s *SignUps) completeByID(ctx context.Context, st *ClientState, id string, req RequestInfo) (*latchkey.SignUp, bool, error) {
	set := s.settings()
	saved := *st
	var su *latchkey.SignUp
	done := false
	err := s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		var err error
		if su, err = tx.SignUpByID(ctx, id); err != nil {
			return err
		}
		if su.Status != latchkey.SignUpMissing || !readyToComplete(set, su) {
			return nil
		}
		if !s.now().Before(su.ExpireAt) {
			return latchkey.Errorf(latchkey.CodeAttemptExpired, "", "This sign-up took too long. Start again.")
		}
		c, err := tx.ClientByID(ctx, su.ClientID)
		if err != nil {
			return err
		}
		if c.Revoked() {
			return latchkey.Errorf(latchkey.CodeAttemptExpired, "", "The browser that started this sign-up was signed out. Start again.")
		}
		if st.Client != nil && st.Client.ID == c.ID {
			st.Client = c
			done = true
			return s.complete(ctx, tx, st, su, req, req.IP)
		}
		// Another browser opened the link. Its request cannot hand the
		// sign-up's browser a new credential, so that credential is kept:
		// rotating it here would make the waiting tab's next request look
		// like reuse of a stolen credential. The session carries no device
		// details of the browser that merely opened the link.
		own := &ClientState{Client: c}
		digest, previous, rotatedAt := c.TokenDigest, c.PreviousDigest, c.RotatedAt
		if err := s.complete(ctx, tx, own, su, RequestInfo{}, req.IP); err != nil {
			return err
		}
		c.TokenDigest, c.PreviousDigest, c.RotatedAt = digest, previous, rotatedAt
		done = true
		return tx.UpdateClient(ctx, c)
	})
	if err != nil {
		*st = saved
		return nil, false, err
	}
	return su, done, nil
}

// complete turns a ready sign-up into a user (verified email address,
// password hash, names, unsafe metadata) and starts a session for it on
// st's client, which must be the sign-up's own client as read in tx. The
// caller checked the sign-up is open and ready. req describes the device for
// the session; ip, who completed the sign-up, for the audit log.
func (s *SignUps) complete(ctx context.Context, tx *sqlstore.Tx, st *ClientState, su *latchkey.SignUp, req RequestInfo, ip string) error {
	now := tx.Now()
	u := &latchkey.User{
		FirstName: su.FirstName, LastName: su.LastName, PasswordHash: su.PasswordHash,
		UnsafeMetadata: json.RawMessage(su.UnsafeMetadata), LastSignInAt: now,
	}
	strategy := ""
	if su.EmailNormalized != "" {
		strategy = latchkey.VerifyEmailCode
		if su.ExternalProviderID != "" && !su.EmailVerifiedAt.IsZero() {
			strategy = StrategyOAuthPrefix + su.ExternalProviderID // the provider verified it
		}
		c, err := tx.LatestChallenge(ctx, OwnerSignUp, su.ID)
		switch {
		case err == nil && c.Status == latchkey.ChallengeVerified && c.Target == su.EmailNormalized:
			strategy = c.Kind
		case err != nil && !errors.Is(err, latchkey.ErrNotFound):
			return err
		}
		idn := &latchkey.Identifier{
			ID: latchkey.NewID(latchkey.IdentifierPrefix(latchkey.IdentifierEmail)), Type: latchkey.IdentifierEmail,
			Value: su.EmailAddress, Normalized: su.EmailNormalized,
			Verification: latchkey.Verification{Status: latchkey.VerificationVerified, Strategy: strategy, VerifiedAt: su.EmailVerifiedAt},
		}
		u.Identifiers = append(u.Identifiers, idn)
		u.PrimaryEmailAddressID = idn.ID
	}
	if su.PhoneNumber != "" {
		// There is no SMS verification yet: the number is kept unverified,
		// so it is not trusted for sign-in or account recovery.
		idn := &latchkey.Identifier{
			ID: latchkey.NewID(latchkey.IdentifierPrefix(latchkey.IdentifierPhone)), Type: latchkey.IdentifierPhone,
			Value: su.PhoneNumber, Normalized: su.PhoneNumber,
			Verification: latchkey.Verification{Status: latchkey.VerificationUnverified},
		}
		u.Identifiers = append(u.Identifiers, idn)
		u.PrimaryPhoneNumberID = idn.ID
	}
	if su.Username != "" {
		// A username proves nothing and needs no verification.
		u.Identifiers = append(u.Identifiers, &latchkey.Identifier{
			Type: latchkey.IdentifierUsername, Value: su.Username, Normalized: su.Username,
			Verification: latchkey.Verification{Status: latchkey.VerificationVerified, VerifiedAt: now},
		})
	}
	if su.EmailNormalized != "" {
		// The email was just verified by this person: an unverified claim on
		// another account gives way.
		from, err := tx.ReleaseUnverifiedIdentifier(ctx, latchkey.IdentifierEmail, su.EmailNormalized)
		if err != nil {
			return err
		}
		if from != "" {
			if err := tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "identifier.released", UserID: from, IP: req.IP,
				Data: map[string]any{"type": "email_address", "reason": "verified by a new sign-up"}}); err != nil {
				return err
			}
		}
	}
	if err := tx.CreateUser(ctx, u); err != nil {
		return err
	}
	if err := s.createExternalAccount(ctx, tx, su, u, req); err != nil {
		return err
	}
	if st.Client.SignUpID == su.ID {
		st.Client.SignUpID = ""
	}
	sess, err := s.sessions.startSession(ctx, tx, st, u, now, req)
	if err != nil {
		return err
	}
	su.Status, su.CreatedUserID, su.CreatedSessionID = latchkey.SignUpComplete, u.ID, sess.ID
	if err := tx.UpdateSignUp(ctx, su); err != nil {
		return err
	}
	data := map[string]any{"sign_up_id": su.ID}
	if strategy != "" {
		data["verification_strategy"] = strategy
	}
	if !su.LegalAcceptedAt.IsZero() {
		// The users table has no column for it; the audit log is the record.
		data["legal_accepted_at"] = latchkey.Millis(su.LegalAcceptedAt)
	}
	return tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "sign_up.completed", UserID: u.ID, ClientID: st.Client.ID,
		SessionID: sess.ID, IP: ip, Data: data})
}

// createExternalAccount links the identity a social sign-up carries to
// its new user, in the sign-up's transaction.
func (s *SignUps) createExternalAccount(ctx context.Context, tx *sqlstore.Tx, su *latchkey.SignUp, u *latchkey.User, req RequestInfo) error {
	if su.ExternalProviderID == "" || s.box == nil {
		return nil
	}
	p, err := tx.OAuthPendingByOwner(ctx, s.box, su.ID)
	if errors.Is(err, latchkey.ErrNotFound) || (err == nil && p.Status != SocialVerified) {
		return latchkey.Errorf(latchkey.CodeAttemptExpired, "", "This sign-up lost its provider account. Start again.")
	} else if err != nil {
		return err
	}
	acct := p.Account
	acct.UserID = u.ID
	if err := tx.CreateExternalAccount(ctx, s.box, &acct); err != nil {
		return err
	}
	if err := tx.DeleteOAuthPending(ctx, su.ID); err != nil {
		return err
	}
	return tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "external_account.linked", UserID: u.ID, IP: req.IP,
		Data: map[string]any{"external_account_id": acct.ID, "provider": acct.ProviderID, "reason": "sign_up"}})
}
