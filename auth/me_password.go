package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/password"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// ChangePasswordParams are the fields of POST /v1/me/change_password.
type ChangePasswordParams struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
	// SignOutOfOtherSessions ends every other session of the user, on
	// every device (default true): whoever learned the old password may be
	// signed in somewhere.
	SignOutOfOtherSessions *bool `json:"sign_out_of_other_sessions"`
}

// ChangePassword sets a new password for the user of the session sess. A
// user who has a password must give it (current_password); one who signs
// in another way (codes, links) may set a first password without one,
// since the session already proves as much as a code would. The new
// password must pass the instance's rules. The session sess stays signed
// in; the user's other sessions end unless told otherwise, and the user is
// mailed a notice.
func (m *Me) ChangePassword(ctx context.Context, sess *latchkey.Session, p ChangePasswordParams, req RequestInfo) (*latchkey.User, error) {
	set := m.settings()
	if !set.Password.Enabled {
		return nil, latchkey.NewError(latchkey.CodePasswordNotAllowed, "new_password")
	}
	if p.NewPassword == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "new_password", "Enter a new password.")
	}
	if err := m.limiter.AllowAll(ctx, Check{LimitAttemptPerIP, req.IP}, Check{LimitAttemptPerIdentifier, "user:" + sess.UserID}); err != nil {
		return nil, err
	}
	u, err := m.store.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	now := m.now()
	if err := m.checkLockout(ctx, u, now); err != nil {
		return nil, err
	}
	if u.PasswordHash != "" && p.CurrentPassword == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "current_password", "Enter your current password.")
	}
	// The cheap rules first, so a rejected new password costs no hash and
	// no lockout attempt.
	if err := CheckPassword(p.NewPassword, set, false); err != nil {
		return nil, meWithParam(err, "new_password")
	}
	email := ""
	for _, e := range u.EmailAddresses() {
		if e.ID == u.PrimaryEmailAddressID {
			email = e.Value
		}
	}
	words := contextWords(set, email, u.Username(), u.FirstName, u.LastName)
	if err := checkPasswordStrength(ctx, p.NewPassword, words, set); err != nil {
		return nil, meWithParam(err, "new_password")
	}
	if u.PasswordHash != "" {
		if err := m.checkCurrent(ctx, u, p.CurrentPassword, set, now); err != nil {
			return nil, err
		}
	}
	hash, err := m.users.hashNew(ctx, p.NewPassword, false, set)
	if err != nil {
		return nil, meWithParam(err, "new_password")
	}

	// Other sessions end before the new password is stored: should the
	// second step fail, the person is signed out elsewhere with the old
	// password still valid and can simply try again, while the other order
	// could leave an intruder's session alive after the change.
	signOut := p.SignOutOfOtherSessions == nil || *p.SignOutOfOtherSessions
	var ended []string
	if signOut {
		err := m.store.InTx(ctx, func(tx *sqlstore.Tx) error {
			var err error
			ended, err = tx.EndSessionsOf(ctx, sess.UserID, "", sess.ID, latchkey.SessionRevoked)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if ended == nil {
		ended = []string{}
	}
	first := u.PasswordHash == ""
	u, err = m.store.UpdateUser(ctx, sess.UserID, func(u *latchkey.User) error {
		u.PasswordHash, u.PasswordUpdatedAt = hash, timeNow()
		if !first {
			u.FailedSignIns = 0 // the current password was just proven
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	m.audit(ctx, &sqlstore.AuditEvent{Type: "user.password_changed", UserID: u.ID, ClientID: sess.ClientID,
		SessionID: sess.ID, IP: req.IP, Data: map[string]any{"first_password": first, "ended_sessions": ended}})
	if email != "" {
		// The change is made; a notice that cannot be sent is logged, not
		// reported as a failure of the change.
		err := m.mailer.Send(ctx, MailPasswordChanged, email, map[string]string{"time": now.Format(time.RFC3339)})
		if err != nil {
			m.log.Error("send password changed mail", "user_id", u.ID, "err", err)
		}
	}
	return u, nil
}

// checkLockout refuses a locked user: checking the current password would
// let a stolen session go on guessing past the lockout. An automatic
// lockout that has passed is cleared, so the count starts again from zero,
// as sign-in does.
func (m *Me) checkLockout(ctx context.Context, u *latchkey.User, now time.Time) error {
	if !u.Locked {
		return nil
	}
	if u.LockoutExpiresAt.IsZero() || now.Before(u.LockoutExpiresAt) {
		return meLockedError(u.LockoutExpiresAt)
	}
	until := u.LockoutExpiresAt
	_, err := m.store.UpdateUser(ctx, u.ID, func(cur *latchkey.User) error {
		if cur.Locked && cur.LockoutExpiresAt.Equal(until) {
			cur.Locked, cur.LockoutExpiresAt, cur.FailedSignIns = false, time.Time{}, 0
		}
		return nil
	})
	return err
}

// checkCurrent verifies the current password. A wrong one counts towards
// the user's lockout, exactly like a failed sign-in, and the failure that
// reaches the threshold answers user_locked.
func (m *Me) checkCurrent(ctx context.Context, u *latchkey.User, current string, set *latchkey.Settings, now time.Time) error {
	ok := false
	// An overlong guess is wrong without spending a hash on it.
	if utf8.RuneCountInString(current) <= latchkey.MaxPasswordLength {
		var err error
		ok, err = m.users.VerifyPassword(ctx, u, current)
		if errors.Is(err, password.ErrBusy) {
			return &latchkey.Error{Code: latchkey.CodeServerBusy, Message: latchkey.Messages[latchkey.CodeServerBusy], Cause: err}
		} else if err != nil {
			return fmt.Errorf("verify current password: %w", err)
		}
	}
	if ok {
		return nil
	}
	incorrect := latchkey.Errorf(latchkey.CodePasswordIncorrect, "current_password", "Your current password is incorrect.")
	threshold, window := set.SignIn.LockoutThreshold, time.Duration(set.SignIn.LockoutSeconds)*time.Second
	if threshold <= 0 || window <= 0 {
		return incorrect
	}
	n, locked, err := m.store.RecordFailedSignIn(ctx, u.ID, threshold, now.Add(window))
	if err != nil {
		return err
	}
	if locked {
		m.log.Info("user locked after failed current-password checks", "user_id", u.ID, "failed", n)
	}
	if n >= threshold {
		return meLockedError(now.Add(window))
	}
	return incorrect
}

// meLockedError says the account is locked, and until when (zero: until an
// operator unlocks it).
func meLockedError(until time.Time) error {
	if until.IsZero() {
		return latchkey.Errorf(latchkey.CodeUserLocked, "", "Your account is locked. Contact support to unlock it.")
	}
	return latchkey.Errorf(latchkey.CodeUserLocked, "", "Your account is locked after too many incorrect passwords. Try again after %s.", until.UTC().Format(time.RFC3339))
}
