package password

import (
	"context"
	"errors"
	"runtime"
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
	fn()
	return nil
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
