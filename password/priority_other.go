//go:build !linux

package password

// lowerThreadPriority does nothing outside Linux.
func lowerThreadPriority() {}
