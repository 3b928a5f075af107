//go:build windows

package main

import (
	"runtime"
	"syscall"
	"unsafe"
)

// callFrame is shared with the call thunk (call_386.s, call_amd64.s). Byte offsets of each
// field, 386 / amd64:
//
//	fn       0 /  0   routine to call
//	nwords   4 /  8   number of argument words
//	words    8 / 16   address of the first word (uintptr-sized words)
//	retFloat 12 / 24  non-zero: fetch the result from x87 ST(0) (386) / XMM0 (amd64)
//	r1       16 / 32  EAX / RAX after the call
//	r2       20 / 40  EDX after the call (386)
//	f        24 / 48  ST(0) stored as float64 (386) / XMM0 bits (amd64)
//	popped   32 / 56  bytes the callee removed from the stack (386; 0 on amd64)
//
// Frames live in heap memory owned by a callContext, never on a goroutine stack: a Go
// callback running inside the routine may grow (and move) the calling goroutine's stack.
type callFrame struct {
	fn       uintptr
	nwords   uintptr
	words    uintptr
	retFloat uintptr
	r1       uintptr
	r2       uintptr
	f        uint64
	popped   uintptr
}

// callThunk is the address of the arch's thunk: a native function taking one pointer
// (on the stack on 386, in RCX on amd64) to a callFrame, set in call_<arch>.s.
var callThunk uintptr

// invoke runs the routine described by fr on the system stack and returns GetLastError.
func invoke(fr *callFrame, words []uintptr) uint32 {
	fr.nwords = uintptr(len(words))
	if len(words) > 0 {
		fr.words = uintptr(unsafe.Pointer(&words[0]))
	} else {
		fr.words = 0
	}
	_, _, errno := syscall.SyscallN(callThunk, uintptr(unsafe.Pointer(fr)))
	runtime.KeepAlive(words)
	return uint32(errno)
}
