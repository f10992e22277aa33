package password

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// ErrBusy is returned when the pool's queue is full.
var ErrBusy = errors.New("password: hashing queue is full")

// Pool bounds concurrent hashing. Up to Workers hashes run at once; up to
// MaxQueue callers wait; any more get ErrBusy at once, so memory stays
// bounded under any load.
type Pool struct {
	slots    chan struct{}
	maxQueue int64
	waiting  atomic.Int64
	running  atomic.Int64

	start sync.Once
	jobs  chan job
}

// NewPool returns a pool with workers slots (0: one per CPU) and room for
// maxQueue waiting callers (0: 256 per slot).
func NewPool(workers, maxQueue int) *Pool {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	if maxQueue <= 0 {
		maxQueue = 256 * workers
	}
	return &Pool{slots: make(chan struct{}, workers), maxQueue: int64(maxQueue)}
}

// Workers returns how many hashes may run at once.
func (p *Pool) Workers() int { return cap(p.slots) }

// Waiting returns how many callers are queued.
func (p *Pool) Waiting() int64 { return p.waiting.Load() }

// Running returns how many hashes are running.
func (p *Pool) Running() int64 { return p.running.Load() }

func (p *Pool) do(ctx context.Context, fn func()) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Take a free slot without queueing: counting every caller as waiting
	// first would refuse a burst with ErrBusy while slots stood free.
	select {
	case p.slots <- struct{}{}:
	default:
		if p.waiting.Add(1) > p.maxQueue {
			p.waiting.Add(-1)
			return ErrBusy
		}
		select {
		case p.slots <- struct{}{}:
			p.waiting.Add(-1)
		case <-ctx.Done():
			p.waiting.Add(-1)
			return ctx.Err()
		}
	}
	p.running.Add(1)
	defer func() {
		p.running.Add(-1)
		<-p.slots
	}()
	p.runLowPriority(fn)
	return nil
}

// job is one hash for a worker.
type job struct {
	fn   func()
	done chan any // receives the panic value, or nil
}

// runLowPriority runs fn on one of the pool's worker threads, which run at
// a lower scheduling priority, so that while hashes keep every core busy the
// CPU still goes first to short requests such as token refreshes (the
// process gives the runtime spare Ps for them: see cmd/latchkey). The
// workers are started on first use, one per slot, each locked to its own
// thread for life, so no other goroutine ever runs at their priority. A
// panic in fn is passed on to the caller's goroutine.
func (p *Pool) runLowPriority(fn func()) {
	p.start.Do(func() {
		p.jobs = make(chan job)
		for range cap(p.slots) {
			go p.worker()
		}
	})
	j := job{fn: fn, done: make(chan any, 1)}
	p.jobs <- j
	if v := <-j.done; v != nil {
		panic(v)
	}
}

func (p *Pool) worker() {
	runtime.LockOSThread() // never unlocked: this thread only ever hashes
	lowerThreadPriority()
	for j := range p.jobs {
		func() {
			defer func() { j.done <- recover() }()
			j.fn()
		}()
	}
}

// Hash hashes password with argon2id under params.
func (p *Pool) Hash(ctx context.Context, password string, params Params) (string, error) {
	var out string
	err := p.do(ctx, func() { out = hash(password, params) })
	return out, err
}

// Verify reports whether password matches stored (argon2id or bcrypt).
func (p *Pool) Verify(ctx context.Context, password, stored string) (bool, error) {
	var ok bool
	var verr error
	if err := p.do(ctx, func() { ok, verr = verify(password, stored) }); err != nil {
		return false, err
	}
	return ok, verr
}
