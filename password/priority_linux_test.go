package password

import (
	"context"
	"runtime"
	"syscall"
	"testing"
)

// niceOfThisThread returns the calling thread's nice value. The raw Linux
// getpriority system call answers 20 - nice.
func niceOfThisThread(t *testing.T) int {
	t.Helper()
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		t.Fatal(err)
	}
	return 20 - prio
}

// TestHashesRunAtLowerPriority checks that pool jobs run on a thread with
// the hashing nice value, and that the caller's thread keeps its own.
func TestHashesRunAtLowerPriority(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := niceOfThisThread(t)
	var inside int
	if err := NewPool(1, 1).do(context.Background(), func() { inside = niceOfThisThread(t) }); err != nil {
		t.Fatal(err)
	}
	if inside != max(before, hashNice) {
		t.Errorf("nice inside a pool job = %d, want %d", inside, max(before, hashNice))
	}
	if after := niceOfThisThread(t); after != before {
		t.Errorf("the caller's thread changed priority: nice %d, was %d", after, before)
	}
}
