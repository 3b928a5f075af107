//go:build windows

package transport

import "syscall"

var procSwitchToThread = syscall.NewLazyDLL("kernel32.dll").NewProc("SwitchToThread")

// yield gives the processor to another thread (SwitchToThread; sched_yield under Wine).
func yield() { procSwitchToThread.Call() }
