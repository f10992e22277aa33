package password

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing the test after a generous
// deadline. The deadline only guards against a hang; nothing is asserted
// about how long it takes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// recv receives from ch, failing the test if nothing arrives in time.
func recv[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// blocker is a job that reports when it starts and runs until released,
// keeping count of how many jobs run at once.
type blocker struct {
	started  chan struct{}
	release  chan struct{}
	running  atomic.Int64
	maxSeen  atomic.Int64
	finished atomic.Int64
}

func newBlocker() *blocker {
	return &blocker{started: make(chan struct{}, 1000), release: make(chan struct{})}
}

func (b *blocker) job() {
	n := b.running.Add(1)
	for {
		m := b.maxSeen.Load()
		if n <= m || b.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	b.started <- struct{}{}
	<-b.release
	b.running.Add(-1)
	b.finished.Add(1)
}

func TestNewPoolDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		workers, queue         int
		wantWorkers, wantQueue int
	}{
		{0, 0, runtime.NumCPU(), 256 * runtime.NumCPU()},
		{-1, -5, runtime.NumCPU(), 256 * runtime.NumCPU()},
		{3, 0, 3, 768},
		{3, 7, 3, 7},
	}
	for _, tt := range tests {
		p := NewPool(tt.workers, tt.queue)
		if p.Workers() != tt.wantWorkers || p.maxQueue != int64(tt.wantQueue) {
			t.Errorf("NewPool(%d, %d): Workers() = %d, queue %d; want %d, %d", tt.workers, tt.queue, p.Workers(), p.maxQueue, tt.wantWorkers, tt.wantQueue)
		}
		if p.Running() != 0 || p.Waiting() != 0 {
			t.Errorf("new pool: Running %d Waiting %d, want 0 0", p.Running(), p.Waiting())
		}
	}
}

// TestPoolBoundsConcurrency starts more jobs than workers and checks that
// exactly Workers() run at once while the rest wait, and that each release
// lets exactly one more start.
func TestPoolBoundsConcurrency(t *testing.T) {
	t.Parallel()
	const workers, jobs = 3, 12
	p := NewPool(workers, 100)
	b := newBlocker()
	errs := make(chan error, jobs)
	for range jobs {
		go func() { errs <- p.do(context.Background(), b.job) }()
	}
	for range workers {
		recv(t, "a job to start", b.started)
	}
	waitFor(t, "the other jobs to queue", func() bool { return p.Waiting() == jobs-workers })
	if got := p.Running(); got != workers {
		t.Errorf("Running() = %d, want %d", got, workers)
	}
	if got := b.running.Load(); got != workers {
		t.Errorf("%d jobs running, want %d", got, workers)
	}
	if len(b.started) != 0 {
		t.Fatalf("a job started beyond the %d workers", workers)
	}
	for i := workers; i < jobs; i++ {
		b.release <- struct{}{}
		recv(t, "the next job to start", b.started)
		if got := p.Waiting(); got != int64(jobs-i-1) {
			t.Errorf("after %d releases Waiting() = %d, want %d", i-workers+1, got, jobs-i-1)
		}
	}
	close(b.release)
	for range jobs {
		if err := recv(t, "a job to finish", errs); err != nil {
			t.Errorf("do = %v", err)
		}
	}
	if got := b.maxSeen.Load(); got != workers {
		t.Errorf("at most %d jobs ran at once, want exactly %d", got, workers)
	}
	if b.finished.Load() != jobs || p.Running() != 0 || p.Waiting() != 0 {
		t.Errorf("after all: finished %d, Running %d, Waiting %d; want %d, 0, 0", b.finished.Load(), p.Running(), p.Waiting(), jobs)
	}
}

// TestPoolBoundsHashing runs real hashes through a one-worker pool and checks
// they never overlap, using the pool's own gauge.
func TestPoolBoundsHashing(t *testing.T) {
	t.Parallel()
	p := NewPool(1, 0)
	var wg sync.WaitGroup
	var overlap atomic.Bool
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				if p.Running() > 1 {
					overlap.Store(true)
				}
				runtime.Gosched()
			}
		}
	}()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := p.Hash(context.Background(), "pw", fast)
			if err != nil {
				t.Error(err)
				return
			}
			if ok, err := p.Verify(context.Background(), "pw", h); err != nil || !ok {
				t.Errorf("Verify = %v, %v", ok, err)
			}
		}()
	}
	wg.Wait()
	close(stop)
	if overlap.Load() {
		t.Error("Running() exceeded 1 in a one-worker pool")
	}
}

func TestPoolQueueFull(t *testing.T) {
	t.Parallel()
	p := NewPool(1, 2)
	b := newBlocker()
	errs := make(chan error, 3)
	go func() { errs <- p.do(context.Background(), b.job) }()
	recv(t, "the first job to start", b.started)
	for range 2 {
		go func() { errs <- p.do(context.Background(), b.job) }()
	}
	waitFor(t, "two jobs to queue", func() bool { return p.Waiting() == 2 })

	// The queue is full: the next caller is refused at once, without
	// waiting for a slot (the test would hang here otherwise).
	ran := false
	busy := make(chan error, 1)
	go func() { busy <- p.do(context.Background(), func() { ran = true }) }()
	if err := recv(t, "the refusal", busy); !errors.Is(err, ErrBusy) {
		t.Fatalf("do on a full queue = %v, want ErrBusy", err)
	}
	if ran {
		t.Error("the refused job ran")
	}
	if got := p.Waiting(); got != 2 {
		t.Errorf("Waiting() after a refusal = %d, want 2", got)
	}
	h, err := p.Hash(context.Background(), "pw", fast)
	if !errors.Is(err, ErrBusy) || h != "" {
		t.Errorf("Hash on a full queue = %q, %v; want \"\", ErrBusy", h, err)
	}
	ok, err := p.Verify(context.Background(), "pw", hash("pw", fast))
	if !errors.Is(err, ErrBusy) || ok {
		t.Errorf("Verify on a full queue = %v, %v; want false, ErrBusy", ok, err)
	}

	close(b.release)
	for range 3 {
		if err := recv(t, "a job to finish", errs); err != nil {
			t.Errorf("queued do = %v", err)
		}
	}
	if p.Waiting() != 0 || p.Running() != 0 {
		t.Errorf("after all: Waiting %d Running %d, want 0 0", p.Waiting(), p.Running())
	}
	// Room again: the pool recovers once the queue drains.
	if _, err := p.Hash(context.Background(), "pw", fast); err != nil {
		t.Errorf("Hash after the queue drained = %v", err)
	}
}

// TestPoolFreeSlotsNeverBusy sends a burst of callers at an idle pool with
// as many workers as callers and the smallest queue: a caller that finds a
// free slot must get it, not ErrBusy.
func TestPoolFreeSlotsNeverBusy(t *testing.T) {
	t.Parallel()
	const workers = 16
	for round := range 200 {
		p := NewPool(workers, 1)
		var wg sync.WaitGroup
		start := make(chan struct{})
		var busy atomic.Int64
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := p.do(context.Background(), func() {}); errors.Is(err, ErrBusy) {
					busy.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		if n := busy.Load(); n > 0 {
			t.Fatalf("round %d: %d of %d callers got ErrBusy from a pool with %d free slots", round, n, workers, workers)
		}
	}
}

func TestPoolContextCancelledWhileWaiting(t *testing.T) {
	t.Parallel()
	p := NewPool(1, 10)
	b := newBlocker()
	first := make(chan error, 1)
	go func() { first <- p.do(context.Background(), b.job) }()
	recv(t, "the first job to start", b.started)

	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	waiter := make(chan error, 1)
	go func() { waiter <- p.do(ctx, func() { ran = true }) }()
	waitFor(t, "the second job to queue", func() bool { return p.Waiting() == 1 })
	cancel()
	if err := recv(t, "the cancelled caller", waiter); !errors.Is(err, context.Canceled) {
		t.Fatalf("do after cancel = %v, want context.Canceled", err)
	}
	if ran {
		t.Error("the cancelled job ran")
	}
	if got := p.Waiting(); got != 0 {
		t.Errorf("Waiting() after cancel = %d, want 0", got)
	}
	if got := p.Running(); got != 1 {
		t.Errorf("Running() = %d, want 1 (the first job)", got)
	}

	// A deadline behaves the same, through Hash.
	dctx, dcancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer dcancel()
	if _, err := p.Hash(dctx, "pw", fast); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hash with an expiring deadline = %v, want context.DeadlineExceeded", err)
	}
	if got := p.Waiting(); got != 0 {
		t.Errorf("Waiting() after the deadline = %d, want 0", got)
	}

	close(b.release)
	if err := recv(t, "the first job", first); err != nil {
		t.Errorf("first do = %v", err)
	}
	if p.Running() != 0 {
		t.Errorf("Running() = %d, want 0", p.Running())
	}
}

// TestPoolContextCancelledBefore checks that a caller whose request is gone
// burns no hash, even with free slots.
func TestPoolContextCancelledBefore(t *testing.T) {
	t.Parallel()
	p := NewPool(4, 10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 100 {
		ran := false
		if err := p.do(ctx, func() { ran = true }); !errors.Is(err, context.Canceled) || ran {
			t.Fatalf("do(cancelled ctx) = %v, ran %v; want context.Canceled without running", err, ran)
		}
	}
	if p.Waiting() != 0 || p.Running() != 0 {
		t.Errorf("Waiting %d Running %d, want 0 0", p.Waiting(), p.Running())
	}
}

// TestPoolReleasesSlotOnPanic checks that a panicking job gives its slot back.
func TestPoolReleasesSlotOnPanic(t *testing.T) {
	t.Parallel()
	p := NewPool(1, 1)
	func() {
		defer func() { recover() }()
		p.do(context.Background(), func() { panic("boom") })
	}()
	if p.Running() != 0 || p.Waiting() != 0 {
		t.Fatalf("after a panic: Running %d Waiting %d, want 0 0", p.Running(), p.Waiting())
	}
	done := make(chan error, 1)
	go func() { done <- p.do(context.Background(), func() {}) }()
	if err := recv(t, "a job after the panic", done); err != nil {
		t.Errorf("do after a panic = %v", err)
	}
}
