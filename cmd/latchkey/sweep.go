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
