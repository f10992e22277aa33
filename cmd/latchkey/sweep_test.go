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

// fakeEventStore holds events as creation times and deletes the oldest
// first, limit at a time, like the store.
type fakeEventStore struct {
	created []time.Time
	calls   int
}

func (f *fakeEventStore) DeleteEventsBefore(_ context.Context, t time.Time, limit int) (int64, error) {
	f.calls++
	var n int64
	kept := f.created[:0]
	for _, c := range f.created {
		if c.Before(t) && n < int64(limit) {
			n++
			continue
		}
		kept = append(kept, c)
	}
	f.created = kept
	return n, nil
}

// TestSweepEvents: a pass deletes every event older than the retention,
// however many batches that takes, and reads the retention each time.
func TestSweepEvents(t *testing.T) {
	t.Parallel()
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	f := &fakeEventStore{}
	for i := range 2*eventSweepBatch + 10 {
		f.created = append(f.created, now.Add(-40*24*time.Hour+time.Duration(i)*time.Millisecond))
	}
	recent := now.Add(-29 * 24 * time.Hour)
	f.created = append(f.created, recent)
	days := 30
	pass := sweepOlderThan(f.DeleteEventsBefore, func() int { return days }, func() time.Time { return now })
	n, err := pass(context.Background())
	if err != nil || n != 2*eventSweepBatch+10 || f.calls != 3 {
		t.Fatalf("pass = %d, %v after %d calls, want %d in 3 calls", n, err, f.calls, 2*eventSweepBatch+10)
	}
	if len(f.created) != 1 || !f.created[0].Equal(recent) {
		t.Fatalf("left %d events, want only the recent one", len(f.created))
	}
	days = 28
	if n, err := pass(context.Background()); err != nil || n != 1 || len(f.created) != 0 {
		t.Fatalf("after lowering the retention: pass = %d, %v, %d left; want the last one deleted", n, err, len(f.created))
	}
}
