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

// Allow counts one event for key under lim. Over the limit it returns a
// rate_limit_exceeded error saying how long to wait.
func (l *Limiter) Allow(ctx context.Context, lim Limit, key string) error {
	return l.AllowAll(ctx, Check{lim, key})
}

// Check is one limit applied to one key.
type Check struct {
	Limit Limit
	Key   string
}

// AllowAll counts one event under every check in one database transaction
// (a sign-in attempt checks its IP and its identifier: one commit instead of
// two) and returns the error of the first check over its limit. Checks with
// an empty key are skipped.
func (l *Limiter) AllowAll(ctx context.Context, checks ...Check) error {
	if l == nil {
		return nil
	}
	now := l.now()
	var hits []sqlstore.RateLimitHit
	var used []Check
	for _, c := range checks {
		if c.Key == "" {
			continue
		}
		hits = append(hits, sqlstore.RateLimitHit{Key: c.Limit.Name + ":" + c.Key, WindowStart: now.Truncate(c.Limit.Window)})
		used = append(used, c)
	}
	if len(hits) == 0 {
		return nil
	}
	counts, err := l.store.HitRateLimits(ctx, hits)
	if err != nil {
		return err
	}
	for i, c := range used {
		if counts[i] > c.Limit.Max {
			wait := int(hits[i].WindowStart.Add(c.Limit.Window).Sub(now).Seconds()) + 1
			e := latchkey.Errorf(latchkey.CodeRateLimited, "", "Too many attempts. Try again in %d seconds.", wait)
			return &RateLimitError{Err: e, RetryAfter: wait}
		}
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
