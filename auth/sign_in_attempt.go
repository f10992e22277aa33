package auth

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/password"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// AttemptParams answer a first factor (POST .../attempt_first_factor).
type AttemptParams struct {
	Strategy string `json:"strategy"`
	Password string `json:"password"`
	Code     string `json:"code"`
}

// AttemptFirstFactor checks a password or a code. The right password or
// email code completes the sign-in with a new session; the right reset code
// moves it to needs_new_password. Wrong answers count towards the user's
// lockout.
func (s *SignIns) AttemptFirstFactor(ctx context.Context, st *ClientState, id string, p AttemptParams, req RequestInfo) (*SignInView, error) {
	si, err := s.owned(ctx, st, id)
	if err != nil {
		return nil, err
	}
	set := s.settings()
	switch {
	case p.Strategy == "":
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "strategy", "strategy is required.")
	case isLinkStrategy(p.Strategy):
		return nil, latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "A link is verified by opening it, not attempted here.")
	case p.Strategy != StrategyPassword && !isCodeStrategy(p.Strategy):
		return nil, latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "strategy must be password, email_code or reset_password_email_code.")
	}
	if isCodeStrategy(p.Strategy) && (si.Status == latchkey.SignInComplete || (si.ResetVerified && isResetStrategy(p.Strategy))) {
		return nil, attemptError(sqlstore.AttemptUsed, nil)
	}
	if err := checkOpen(si, s.now(), latchkey.SignInNeedsFirstFactor); err != nil {
		return nil, err
	}
	if !offers(set, si, p.Strategy) {
		return nil, latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "%s is not available for this sign-in.", p.Strategy)
	}
	if p.Strategy == StrategyPassword && p.Password == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "password", "Enter your password.")
	}
	code := strings.TrimSpace(p.Code)
	if isCodeStrategy(p.Strategy) && code == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "code", "Enter the code from the email.")
	}
	if err := s.limiter.AllowAll(ctx, Check{LimitAttemptPerIP, req.IP}, Check{LimitAttemptPerIdentifier, identifierKey(si)}); err != nil {
		return nil, err
	}
	user := s.userOf(ctx, si)
	ls, err := s.checkLockout(ctx, si, user)
	if err != nil {
		return nil, err
	}
	if p.Strategy == StrategyPassword {
		return s.attemptPassword(ctx, st, si, user, ls, p.Password, req)
	}
	return s.attemptCode(ctx, st, si, user, ls, p.Strategy, code, req)
}

func (s *SignIns) attemptPassword(ctx context.Context, st *ClientState, si *latchkey.SignIn, user *latchkey.User, ls lockoutState, pw string, req RequestInfo) (*SignInView, error) {
	ok := false
	if utf8.RuneCountInString(pw) <= latchkey.MaxPasswordLength {
		target := user
		if target == nil {
			target = &latchkey.User{} // no hash: the dummy hash is checked, for equal timing
		}
		var err error
		if ok, err = s.users.VerifyPassword(ctx, target, pw); err != nil {
			if errors.Is(err, password.ErrBusy) {
				return nil, &latchkey.Error{Code: latchkey.CodeServerBusy, Message: latchkey.Messages[latchkey.CodeServerBusy], Cause: err}
			}
			if !ok {
				return nil, err
			}
			s.log.Warn("password hash upgrade failed", "user_id", user.ID, "err", err) // verified; upgrade next time
		}
	}
	if !ok {
		if err := s.recordFailure(ctx, user, ls); err != nil {
			return nil, err
		}
		return nil, latchkey.Errorf(latchkey.CodePasswordIncorrect, "password", "The password is incorrect. Try again, or sign in another way.")
	}
	if user.Banned {
		return nil, latchkey.Errorf(latchkey.CodeUserBanned, "", "This account is not allowed to sign in. Contact support.")
	}
	var done completion
	saved := *st
	err := s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		cur, err := tx.SignInByID(ctx, si.ID)
		if err != nil {
			return err
		}
		if err := checkOpen(cur, tx.Now(), latchkey.SignInNeedsFirstFactor); err != nil {
			return err
		}
		si = cur
		done, err = s.completeInTx(ctx, tx, st, cur, user, StrategyPassword, req, nil)
		return err
	})
	if err != nil {
		*st = saved
		return nil, err
	}
	s.afterComplete(ctx, user, done, req)
	return s.view(ctx, si, nil)
}

func (s *SignIns) attemptCode(ctx context.Context, st *ClientState, si *latchkey.SignIn, user *latchkey.User, ls lockoutState, strategy, code string, req RequestInfo) (*SignInView, error) {
	var (
		failed  error // the wrong answer, committed with its attempt count
		guessed bool  // failed was a wrong guess (counts towards lockout)
		c       *latchkey.Challenge
		done    completion
	)
	saved := *st
	err := s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		cur, err := tx.SignInByID(ctx, si.ID)
		if err != nil {
			return err
		}
		if cur.Status == latchkey.SignInComplete || (cur.ResetVerified && isResetStrategy(strategy)) {
			return attemptError(sqlstore.AttemptUsed, nil)
		}
		if err := checkOpen(cur, tx.Now(), latchkey.SignInNeedsFirstFactor); err != nil {
			return err
		}
		c, err = tx.LatestChallenge(ctx, OwnerSignIn, cur.ID)
		if errors.Is(err, latchkey.ErrNotFound) || (err == nil && c.Kind != strategy) {
			c, failed = nil, errNoChallenge(strategy)
			return nil
		} else if err != nil {
			return err
		}
		before := c.Attempts
		res, err := tx.AttemptCode(ctx, c, challengeDigest(code))
		if err != nil {
			return err
		}
		if res != sqlstore.AttemptVerified {
			failed, guessed = attemptError(res, c), c.Attempts > before
			return nil // commit the counted attempt
		}
		if user == nil {
			return errors.New("a code for an unknown identifier verified") // its digest is empty: cannot happen
		}
		if user.Banned {
			return latchkey.Errorf(latchkey.CodeUserBanned, "", "This account is not allowed to sign in. Contact support.")
		}
		si = cur
		if isResetStrategy(strategy) {
			cur.Status, cur.ResetVerified, cur.Strategy = latchkey.SignInNeedsNewPassword, true, strategy
			if err := tx.UpdateSignIn(ctx, cur); err != nil {
				return err
			}
			return tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "sign_in.reset_verified", UserID: user.ID,
				ClientID: cur.ClientID, IP: req.IP, Data: map[string]any{"sign_in_id": cur.ID, "strategy": strategy}})
		}
		done, err = s.completeInTx(ctx, tx, st, cur, user, strategy, req, nil)
		return err
	})
	if err != nil {
		*st = saved
		return nil, err
	}
	if failed != nil {
		if guessed {
			if err := s.recordFailure(ctx, user, ls); err != nil {
				return nil, err
			}
		}
		return nil, failed
	}
	s.afterComplete(ctx, user, done, req)
	return s.view(ctx, si, c)
}
