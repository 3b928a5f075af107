//go:build !windows

package transport

import "syscall"

// yield gives the processor to another thread (sched_yield, raw: it never blocks).
func yield() { syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }
