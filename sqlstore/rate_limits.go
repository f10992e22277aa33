package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// HitRateLimit counts one event against key in the fixed window starting at
// windowStart and returns the count so far, atomically (an upsert), so every
// process sharing the database sees the same counter.
func (s *Store) HitRateLimit(ctx context.Context, key string, windowStart time.Time) (int, error) {
	n, err := s.HitRateLimits(ctx, []RateLimitHit{{Key: key, WindowStart: windowStart}})
	if err != nil {
		return 0, err
	}
	return n[0], nil
}

// RateLimitHit is one counter to increment.
type RateLimitHit struct {
	Key         string
	WindowStart time.Time
}

// HitRateLimits counts one event against each key in one transaction (one
// commit, one fsync on SQLite) and returns the counts so far, in order.
// Windows older than a day are deleted now and then.
func (s *Store) HitRateLimits(ctx context.Context, hits []RateLimitHit) ([]int, error) {
	out := make([]int, len(hits))
	err := s.withTx(ctx, func(tx *Tx) error {
		for i, h := range hits {
			err := tx.queryRow(ctx, `INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
				ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
				RETURNING count`, h.Key, ms(h.WindowStart)).Scan(&out[i])
			if err != nil {
				return err
			}
			if out[i] == 1 && h.WindowStart.UnixMilli()%97 == 0 { // cheap, occasional clean-up
				if _, err := tx.exec(ctx, `DELETE FROM rate_limits WHERE window_start < ?`, ms(h.WindowStart.Add(-24*time.Hour))); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rate limit: %w", err)
	}
	return out, nil
}
