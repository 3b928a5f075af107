//go:build !windows

package transport

import "syscall"

// yield gives the processor to another thread (sched_yield).
func yield() { syscall.Syscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }
