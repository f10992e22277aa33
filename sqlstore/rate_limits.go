package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// HitRateLimit counts one event against key in the fixed window starting at
// windowStart and returns the count so far, atomically (an upsert), so every
// process sharing the database sees the same counter. Windows older than a
// day are deleted now and then.
func (s *Store) HitRateLimit(ctx context.Context, key string, windowStart time.Time) (int, error) {
	var n int
	err := s.withTx(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
			ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
			RETURNING count`, key, ms(windowStart)).Scan(&n)
		if err != nil {
			return err
		}
		if n == 1 && windowStart.UnixMilli()%97 == 0 { // cheap, occasional clean-up
			_, err = tx.exec(ctx, `DELETE FROM rate_limits WHERE window_start < ?`, ms(windowStart.Add(-24*time.Hour)))
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("rate limit: %w", err)
	}
	return n, nil
}
