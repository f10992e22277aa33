package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// mePurposeVerifyEmail is mail.PurposeVerifyEmail: the verification-code
// mail's wording for an address added to an existing account. (auth
// declares the Mailer it needs and does not import package mail.)
const mePurposeVerifyEmail = "verify_email"

// AddEmail adds an email address to the user, unverified: it cannot be
// primary, and does not count as a way to sign in, until the person proves
// they read its mail (PrepareEmailVerification, AttemptEmailVerification).
// The instance's email rules (allowed and blocked domains and addresses,
// disposable services) apply as at sign-up. An address any user already
// has, this one included, is form_identifier_exists.
func (m *Me) AddEmail(ctx context.Context, userID, raw string, req RequestInfo) (*latchkey.Identifier, error) {
	set := m.settings()
	if !set.EmailAddress.Enabled {
		return nil, latchkey.Errorf(latchkey.CodeIdentifierDisabled, "email_address", "Email addresses are not enabled for this application.")
	}
	// Adding reveals whether an address is taken, as sign-up does: the
	// per-IP limit keeps that from becoming a bulk lookup.
	if err := m.limiter.Allow(ctx, LimitCreatePerIP, req.IP); err != nil {
		return nil, err
	}
	value, norm, err := latchkey.NormalizeEmail(raw)
	if err != nil {
		return nil, err
	}
	if err := checkEmailPolicy(set, norm); err != nil {
		return nil, err
	}
	idn := &latchkey.Identifier{Type: latchkey.IdentifierEmail, Value: value, Normalized: norm,
		Verification: latchkey.Verification{Status: latchkey.VerificationUnverified}}
	_, err = m.store.UpdateUser(ctx, userID, func(u *latchkey.User) error {
		emails := u.EmailAddresses()
		for _, e := range emails {
			if e.Normalized == norm {
				return latchkey.Errorf(latchkey.CodeIdentifierExists, "email_address", "%s is already one of your email addresses.", e.Value)
			}
		}
		if len(emails) >= maxIdentifiersPer {
			return latchkey.Errorf(latchkey.CodeFormParamValue, "email_address", "An account can have at most %d email addresses; remove one first.", maxIdentifiersPer)
		}
		u.Identifiers = append(u.Identifiers, idn)
		return nil
	})
	if err != nil {
		return nil, err
	}
	m.audit(ctx, &sqlstore.AuditEvent{Type: "user.email_address_added", UserID: userID, IP: req.IP,
		Data: map[string]any{"identifier_id": idn.ID}})
	return idn, nil
}

// PrepareEmailVerification mails a code to one of the user's unverified
// email addresses. Only strategy email_code is offered: a code proves
// control of the address in the browser that asked, without a link that
// could be opened elsewhere. A new code replaces the previous one. It
// returns the address and the pending challenge (for its expiry).
func (m *Me) PrepareEmailVerification(ctx context.Context, st *ClientState, userID, identifierID, strategy string, req RequestInfo) (*latchkey.Identifier, *latchkey.Challenge, error) {
	switch strategy {
	case latchkey.VerifyEmailCode:
	case "":
		return nil, nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "strategy", "Send strategy: email_code.")
	default:
		return nil, nil, latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "Email addresses are verified with strategy email_code.")
	}
	idn, err := m.ownEmail(ctx, userID, identifierID)
	if err != nil {
		return nil, nil, err
	}
	if idn.Verification.Verified() {
		return nil, nil, latchkey.Errorf(latchkey.CodeFormParamValue, "", "%s is already verified.", idn.Value)
	}
	if err := m.limiter.AllowAll(ctx, Check{LimitSendPerIP, req.IP}, Check{LimitSendPerIdentifier, idn.Normalized}); err != nil {
		return nil, nil, err
	}
	clientID := ""
	if st != nil && st.Client != nil {
		clientID = st.Client.ID
	}
	var c *latchkey.Challenge
	var code string
	err = m.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		c, code = newCodeChallenge(latchkey.VerifyEmailCode, OwnerIdentifier, idn.ID, idn.Normalized, clientID, tx.Now())
		return tx.CreateChallenge(ctx, c)
	})
	if err != nil {
		return nil, nil, err
	}
	// Sent before answering: the person is waiting for exactly this mail,
	// and a failure should say so rather than leave them waiting.
	err = m.mailer.Send(ctx, MailVerificationCode, idn.Value, map[string]string{
		"code": code, "expires_in_minutes": strconv.Itoa(int(ChallengeLifetime.Minutes())), "purpose": mePurposeVerifyEmail,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("send email verification code: %w", err)
	}
	return idn, c, nil
}

// AttemptEmailVerification checks a code sent by PrepareEmailVerification.
// The attempt is recorded atomically (two concurrent right answers verify
// once; concurrent wrong ones cannot exceed the attempt limit); on success
// the address becomes verified, and primary if the user had no primary
// email address.
func (m *Me) AttemptEmailVerification(ctx context.Context, userID, identifierID, code string, req RequestInfo) (*latchkey.Identifier, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "code", "Enter the code from the email.")
	}
	idn, err := m.ownEmail(ctx, userID, identifierID)
	if err != nil {
		return nil, err
	}
	if err := m.limiter.AllowAll(ctx, Check{LimitAttemptPerIP, req.IP}, Check{LimitAttemptPerIdentifier, idn.Normalized}); err != nil {
		return nil, err
	}
	var res sqlstore.AttemptResult
	var c *latchkey.Challenge
	err = m.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		var err error
		c, err = tx.LatestChallenge(ctx, OwnerIdentifier, idn.ID)
		if errors.Is(err, latchkey.ErrNotFound) || (err == nil && (c.Kind != latchkey.VerifyEmailCode || c.Target != idn.Normalized)) {
			return errNoChallenge(latchkey.VerifyEmailCode)
		} else if err != nil {
			return err
		}
		// A wrong code must commit too: the attempt counts.
		res, err = tx.AttemptCode(ctx, c, challengeDigest(code))
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := attemptError(res, c); err != nil {
		return nil, err
	}
	// The code is spent; only this request gets here for it. The store has
	// no user update inside a caller's transaction, so this is a second one:
	// should it fail, the person asks for a new code.
	var verified *latchkey.Identifier
	_, err = m.store.UpdateUser(ctx, userID, func(u *latchkey.User) error {
		cur := meFindIdentifier(u, latchkey.IdentifierEmail, identifierID)
		if cur == nil || cur.Normalized != c.Target {
			return meErrNoEmail(identifierID)
		}
		if !cur.Verification.Verified() {
			cur.Verification = latchkey.Verification{Status: latchkey.VerificationVerified,
				Strategy: latchkey.VerifyEmailCode, VerifiedAt: c.VerifiedAt}
		}
		if u.PrimaryEmailAddressID == "" {
			u.PrimaryEmailAddressID = cur.ID
		}
		verified = cur
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mark email address verified: %w", err)
	}
	m.audit(ctx, &sqlstore.AuditEvent{Type: "user.email_address_verified", UserID: userID, IP: req.IP,
		Data: map[string]any{"identifier_id": identifierID}})
	return verified, nil
}

// MakePrimaryEmail makes one of the user's verified email addresses the
// primary one (where mail goes, and what apps show).
func (m *Me) MakePrimaryEmail(ctx context.Context, userID, identifierID string, req RequestInfo) (*latchkey.User, error) {
	changed := false
	u, err := m.store.UpdateUser(ctx, userID, func(u *latchkey.User) error {
		idn := meFindIdentifier(u, latchkey.IdentifierEmail, identifierID)
		if idn == nil {
			return meErrNoEmail(identifierID)
		}
		if !idn.Verification.Verified() {
			return latchkey.Errorf(latchkey.CodeFormParamValue, "", "Verify %s before making it your primary email address.", idn.Value)
		}
		changed = u.PrimaryEmailAddressID != idn.ID
		u.PrimaryEmailAddressID = idn.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	if changed {
		m.audit(ctx, &sqlstore.AuditEvent{Type: "user.primary_email_address_changed", UserID: userID, IP: req.IP,
			Data: map[string]any{"identifier_id": identifierID}})
	}
	return u, nil
}

// RemoveEmail removes one of the user's email addresses. The primary one
// cannot be removed (another must be made primary first), nor the last
// verified email address when the instance requires one, nor the last
// verified identifier the user can sign in with.
func (m *Me) RemoveEmail(ctx context.Context, userID, identifierID string, req RequestInfo) error {
	set := m.settings()
	_, err := m.store.UpdateUser(ctx, userID, func(u *latchkey.User) error {
		idn := meFindIdentifier(u, latchkey.IdentifierEmail, identifierID)
		if idn == nil {
			return meErrNoEmail(identifierID)
		}
		if idn.ID == u.PrimaryEmailAddressID {
			return latchkey.Errorf(latchkey.CodeFormParamValue, "", "%s is your primary email address. Make another verified address primary first, then remove this one.", idn.Value)
		}
		rest := without(u.Identifiers, idn)
		if idn.Verification.Verified() {
			if set.EmailAddress.Required && !meHasVerified(rest, func(t latchkey.IdentifierType) bool { return t == latchkey.IdentifierEmail }) {
				return latchkey.Errorf(latchkey.CodeIdentifierRequired, "email_address", "This application requires a verified email address; add and verify another one first.")
			}
			if meSignInWith(set, idn.Type) && !meHasVerified(rest, func(t latchkey.IdentifierType) bool { return meSignInWith(set, t) }) {
				return latchkey.Errorf(latchkey.CodeLastIdentifier, "email_address", "%s is the last verified identifier you can sign in with; add and verify another one first.", idn.Value)
			}
		}
		u.Identifiers = rest
		return nil
	})
	if err != nil {
		return err
	}
	m.audit(ctx, &sqlstore.AuditEvent{Type: "user.email_address_removed", UserID: userID, IP: req.IP,
		Data: map[string]any{"identifier_id": identifierID}})
	return nil
}

// ownEmail returns the user's email address with the given ID, or
// resource_not_found (also for another user's address).
func (m *Me) ownEmail(ctx context.Context, userID, identifierID string) (*latchkey.Identifier, error) {
	u, err := m.store.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	idn := meFindIdentifier(u, latchkey.IdentifierEmail, identifierID)
	if idn == nil {
		return nil, meErrNoEmail(identifierID)
	}
	return idn, nil
}

func meFindIdentifier(u *latchkey.User, t latchkey.IdentifierType, id string) *latchkey.Identifier {
	for _, idn := range u.Identifiers {
		if idn.ID == id && idn.Type == t {
			return idn
		}
	}
	return nil
}

func meErrNoEmail(id string) error {
	return latchkey.Errorf(latchkey.CodeResourceNotFound, "id", "You have no email address with ID %q.", truncateString(id, 60))
}

// meHasVerified reports whether ids hold a verified identifier of a type
// that ok accepts.
func meHasVerified(ids []*latchkey.Identifier, ok func(latchkey.IdentifierType) bool) bool {
	for _, idn := range ids {
		if idn.Verification.Verified() && ok(idn.Type) {
			return true
		}
	}
	return false
}

// meSignInWith reports whether identifiers of type t can be used to sign in.
func meSignInWith(set *latchkey.Settings, t latchkey.IdentifierType) bool {
	switch t {
	case latchkey.IdentifierEmail:
		return set.EmailAddress.Enabled && set.EmailAddress.UsedForSignIn
	case latchkey.IdentifierPhone:
		return set.PhoneNumber.Enabled && set.PhoneNumber.UsedForSignIn
	case latchkey.IdentifierUsername:
		return set.Username.Enabled && set.Username.UsedForSignIn
	}
	return false
}
