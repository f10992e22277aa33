package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

// TestSweep: the first pass runs at once, passes repeat, a failing pass is
// logged and does not stop the loop, and cancelling ends it.
func TestSweep(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		sweep(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), "test", time.Millisecond, func(context.Context) (int64, error) {
			if calls.Add(1) == 2 {
				return 0, errors.New("database gone for a moment")
			}
			return 1, nil
		})
	}()
	for i := 0; calls.Load() < 4; i++ {
		if i > 10000 {
			t.Fatalf("sweep ran %d times", calls.Load())
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
