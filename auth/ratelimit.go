package auth

import (
	"context"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Limiter enforces fixed-window rate limits with counters in the database,
// so every process sharing it enforces the same limit (OWASP ASVS 5.0
// V6.3.1: anti-automation on authentication endpoints).
type Limiter struct {
	store *sqlstore.Store
	now   func() time.Time
}

// NewLimiter returns a limiter over store.
func NewLimiter(store *sqlstore.Store) *Limiter {
	return &Limiter{store: store, now: time.Now}
}

// Limit is one rate-limit policy.
type Limit struct {
	Name   string
	Max    int
	Window time.Duration
}

// Rate limits of the Frontend API. Per IP they stop one machine from
// hammering; per identifier they stop a botnet from guessing one account's
// codes or flooding one inbox.
var (
	LimitCreatePerIP          = Limit{"create_ip", 60, time.Minute}
	LimitAttemptPerIP         = Limit{"attempt_ip", 60, time.Minute}
	LimitAttemptPerIdentifier = Limit{"attempt_identifier", 20, 10 * time.Minute}
	LimitSendPerIdentifier    = Limit{"send_identifier", 5, 10 * time.Minute}
	LimitSendPerIP            = Limit{"send_ip", 30, 10 * time.Minute}
)

// Allow counts one event for key under l. Over the limit it returns a
// rate_limit_exceeded error saying how long to wait.
func (l *Limiter) Allow(ctx context.Context, lim Limit, key string) error {
	if l == nil || key == "" {
		return nil
	}
	now := l.now()
	start := now.Truncate(lim.Window)
	n, err := l.store.HitRateLimit(ctx, lim.Name+":"+key, start)
	if err != nil {
		return err
	}
	if n > lim.Max {
		wait := int(start.Add(lim.Window).Sub(now).Seconds()) + 1
		e := latchkey.Errorf(latchkey.CodeRateLimited, "", "Too many attempts. Try again in %d seconds.", wait)
		return &RateLimitError{Err: e, RetryAfter: wait}
	}
	return nil
}

// RateLimitError carries how many seconds to wait.
type RateLimitError struct {
	Err        *latchkey.Error
	RetryAfter int
}

func (e *RateLimitError) Error() string { return e.Err.Error() }
func (e *RateLimitError) Unwrap() error { return e.Err }
