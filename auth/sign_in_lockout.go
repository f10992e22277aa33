package auth

import (
	"context"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// lockoutState is what checkLockout learned before a factor is checked.
type lockoutState struct {
	// ghost is the simulated failure count of an unknown identifier,
	// counting this attempt; 0 for known users.
	ghost int
}

// checkLockout refuses a locked user before any factor is checked, so even
// the right password or code is refused (OWASP ASVS 5.0 V6.3.1). An
// automatic lockout that has passed is cleared here, so the count starts
// again from zero. For an unknown identifier the lockout is simulated with
// a shared counter, so locking out does not reveal who has an account.
func (s *SignIns) checkLockout(ctx context.Context, si *latchkey.SignIn, u *latchkey.User) (lockoutState, error) {
	set := s.settings()
	now := s.now()
	if u == nil {
		if set.SignIn.LockoutThreshold <= 0 || set.SignIn.LockoutSeconds <= 0 {
			return lockoutState{}, nil
		}
		window := time.Duration(set.SignIn.LockoutSeconds) * time.Second
		start := now.Truncate(window)
		n, err := s.store.HitRateLimit(ctx, "lockout:"+identifierKey(si), start)
		if err != nil {
			return lockoutState{}, err
		}
		if n > set.SignIn.LockoutThreshold {
			return lockoutState{}, lockedError(start.Add(window), now)
		}
		return lockoutState{ghost: n}, nil
	}
	if !u.Locked {
		return lockoutState{}, nil
	}
	if u.LockoutExpiresAt.IsZero() || now.Before(u.LockoutExpiresAt) {
		return lockoutState{}, lockedError(u.LockoutExpiresAt, now)
	}
	until := u.LockoutExpiresAt
	_, err := s.store.UpdateUser(ctx, u.ID, func(cur *latchkey.User) error {
		if cur.Locked && cur.LockoutExpiresAt.Equal(until) {
			cur.Locked, cur.LockoutExpiresAt, cur.FailedSignIns = false, time.Time{}, 0
		}
		return nil
	})
	return lockoutState{}, err
}

// recordFailure counts a failed password or wrong code. It returns
// user_locked when the count has reached the threshold (this failure
// locked the user, or a concurrent one did).
func (s *SignIns) recordFailure(ctx context.Context, u *latchkey.User, ls lockoutState) error {
	set := s.settings()
	threshold := set.SignIn.LockoutThreshold
	if threshold <= 0 || set.SignIn.LockoutSeconds <= 0 {
		return nil
	}
	now := s.now()
	window := time.Duration(set.SignIn.LockoutSeconds) * time.Second
	if u == nil {
		if ls.ghost >= threshold {
			return lockedError(now.Truncate(window).Add(window), now)
		}
		return nil
	}
	n, locked, err := s.store.RecordFailedSignIn(ctx, u.ID, threshold, now.Add(window))
	if err != nil {
		return err
	}
	if locked {
		s.log.Info("user locked after failed sign-ins", "user_id", u.ID, "failed", n)
	}
	if n >= threshold {
		return lockedError(now.Add(window), now)
	}
	return nil
}

// lockedError says until when an account is locked (zero: until an
// operator unlocks it).
func lockedError(until, now time.Time) error {
	if until.IsZero() {
		return latchkey.Errorf(latchkey.CodeUserLocked, "", "This account is locked. Contact support to unlock it.")
	}
	minutes := int(until.Sub(now).Minutes() + 0.999)
	return latchkey.Errorf(latchkey.CodeUserLocked, "", "This account is locked after too many failed attempts. Try again in %d minutes (after %s).",
		max(minutes, 1), until.UTC().Format(time.RFC3339))
}
