//go:build windows

package main

import (
	"fmt"
	"runtime"
	"syscall"
	"unsafe"
)

// callFrame is shared with the call thunk (native/thunk_386.S, native/thunk_amd64.S). Byte
// offsets of each field, 386 / amd64:
//
//	fn       0 /  0   routine to call
//	nwords   4 /  8   number of argument words
//	words    8 / 16   address of the first word (uintptr-sized words)
//	retFloat 12 / 24  non-zero: fetch the result from x87 ST(0) (386) / XMM0 (amd64)
//	r1       16 / 32  EAX / RAX after the call
//	r2       20 / 40  EDX after the call (386)
//	f        24 / 48  ST(0) stored as float64 (386) / XMM0 bits (amd64)
//	popped   32 / 56  bytes the callee removed from the stack (386; 0 on amd64)
//	exc      36 / 64  code of a Windows exception the routine left unhandled (0: none)
//	excAddr  40 / 72  where it happened
//	excInfo  44 / 80  its first two parameters (access violations: read/write, address)
//	lastErr  52 / 96  the thread's LastError when the routine starts (ctypes' use_last_error
//	                  swap, or the value the thread had after its previous call)
//
// The thunks use the offsets native/gen.go computes from this declaration
// (zoffsets_windows_<arch>.go, native/zoffsets_<arch>.h); arch_<arch>.go checks them.
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
	exc      uintptr
	excAddr  uintptr
	excInfo  [2]uintptr
	lastErr  uintptr
}

// callThunk is the address of the arch's call thunk in executable memory: a native
// function taking one pointer (on the stack on 386, in RCX on amd64) to a callFrame.
// nativeBase is where the native code was loaded.
var callThunk, nativeBase uintptr

// loadNative copies the assembled native code (zthunk_<arch>.go) into executable memory
// and registers what the arch needs (unwind tables on amd64).
func loadNative() error {
	base, err := virtualAlloc(0, uintptr(len(nativeCode)), memCommit|memReserve, pageExecuteReadWrite)
	if err != nil {
		return fmt.Errorf("%w, for the native code", err)
	}
	copy(unsafe.Slice((*byte)(at(base)), len(nativeCode)), nativeCode)
	flushInstructionCache(currentProcess, base, uintptr(len(nativeCode)))
	nativeBase = base
	callThunk = base + offCall
	return registerNative(base)
}

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
