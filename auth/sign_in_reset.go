package auth

import (
	"context"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// ResetPasswordParams set a new password after a verified reset code or
// link (POST .../reset_password).
type ResetPasswordParams struct {
	Password string `json:"password"`
	// SignOutOfOtherSessions ends the user's sessions on every device
	// (default true: a reset usually follows a suspected compromise).
	SignOutOfOtherSessions *bool `json:"sign_out_of_other_sessions"`
}

// ResetPassword sets the new password of a sign-in in needs_new_password,
// ends the user's other sessions unless asked not to, and completes the
// sign-in.
func (s *SignIns) ResetPassword(ctx context.Context, st *ClientState, id string, p ResetPasswordParams, req RequestInfo) (*SignInView, error) {
	si, err := s.owned(ctx, st, id)
	if err != nil {
		return nil, err
	}
	if err := checkOpen(si, s.now(), latchkey.SignInNeedsNewPassword); err != nil {
		return nil, err
	}
	if !si.ResetVerified {
		return nil, latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "", "Verify a password reset code or link first.")
	}
	if p.Password == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "password", "Enter a new password.")
	}
	user := s.userOf(ctx, si)
	if user == nil {
		return nil, latchkey.Errorf(latchkey.CodeAttemptExpired, "", "This account no longer exists.")
	}
	if user.Banned {
		return nil, latchkey.Errorf(latchkey.CodeUserBanned, "", "This account is not allowed to sign in. Contact support.")
	}
	set := s.settings()
	if !set.Password.Enabled {
		return nil, latchkey.NewError(latchkey.CodePasswordNotAllowed, "password")
	}
	if err := CheckPassword(p.Password, set, false); err != nil {
		return nil, err
	}
	words := contextWords(set, emailOf(user, ""), user.Username(), user.FirstName, user.LastName)
	if err := checkPasswordStrength(ctx, p.Password, words, set); err != nil {
		return nil, err
	}
	hash, err := s.users.hashNew(ctx, p.Password, false, set)
	if err != nil {
		return nil, err
	}
	// The store updates a user in a transaction of its own; the sign-in
	// is checked again below, so a second concurrent reset fails there.
	if _, err := s.store.UpdateUser(ctx, user.ID, func(u *latchkey.User) error {
		u.PasswordHash, u.PasswordUpdatedAt = hash, s.now()
		return nil
	}); err != nil {
		return nil, err
	}
	signOut := p.SignOutOfOtherSessions == nil || *p.SignOutOfOtherSessions
	var done completion
	saved := *st
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		cur, err := tx.SignInByID(ctx, si.ID)
		if err != nil {
			return err
		}
		if err := checkOpen(cur, tx.Now(), latchkey.SignInNeedsNewPassword); err != nil {
			return err
		}
		ended := []string{}
		if signOut {
			if ended, err = tx.EndSessionsOf(ctx, user.ID, "", "", latchkey.SessionRevoked); err != nil {
				return err
			}
		}
		if err := tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "user.password_reset", UserID: user.ID, ClientID: cur.ClientID,
			IP: req.IP, Data: map[string]any{"strategy": cur.Strategy, "revoked_sessions": ended}}); err != nil {
			return err
		}
		si = cur
		done, err = s.completeInTx(ctx, tx, st, cur, user, cur.Strategy, req, nil)
		return err
	})
	if err != nil {
		*st = saved
		return nil, err
	}
	s.sendMail(ctx, MailPasswordChanged, emailOf(user, ""), map[string]string{"time": s.now().UTC().Format(time.RFC3339)})
	s.afterComplete(ctx, user, done, req)
	return s.view(ctx, si, nil)
}
