package main

import (
	"context"
	"log/slog"
	"time"
)

// sweep runs clean (deleting expired rows, say) at once and then every
// interval until ctx ends, logging failures; it never stops on one.
func sweep(ctx context.Context, log *slog.Logger, what string, every time.Duration, clean func(context.Context) (int64, error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := clean(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("sweep failed", "what", what, "err", err)
		case n > 0:
			log.Debug("swept", "what", what, "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// eventSweepBatch is how many rows one transaction of a retention sweep
// deletes, so the sweep never holds the write lock for long.
const eventSweepBatch = 5000

// deleteBefore deletes at most limit rows older than t and says how many.
type deleteBefore func(ctx context.Context, t time.Time, limit int) (int64, error)

// sweepOlderThan returns a sweep pass deleting, with del, what is older
// than the instance's event retention (read at every pass, so a settings
// change applies at the next one), batch after batch until none is left.
// Events and the webhook history (attempts, finished deliveries) are swept
// this way.
func sweepOlderThan(del deleteBefore, retentionDays func() int, now func() time.Time) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		cutoff := now().Add(-time.Duration(retentionDays()) * 24 * time.Hour)
		var total int64
		for {
			n, err := del(ctx, cutoff, eventSweepBatch)
			total += n
			if err != nil || n < eventSweepBatch {
				return total, err
			}
		}
	}
}
