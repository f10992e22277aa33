package password

import "syscall"

// hashNice is the nice value of hashing threads: low enough that request
// threads win the CPU when both are runnable, not so low that hashing
// starves on a busy machine.
const hashNice = 10

// lowerThreadPriority lowers the calling thread's priority (Linux
// priorities are per thread). Failure only costs responsiveness.
func lowerThreadPriority() {
	syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), hashNice)
}
