//go:build windows

package main

import (
	"encoding/binary"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/abi"
)

const arch = "win64"

var thisABI = abi.Win64

// ptrSize is the size of a pointer in DLL memory.
const ptrSize = 8

// getPtr reads a pointer stored in DLL memory.
func getPtr(b []byte) uintptr { return uintptr(binary.LittleEndian.Uint64(b)) }

// putPtr stores a pointer into DLL memory.
func putPtr(b []byte, p uintptr) { binary.LittleEndian.PutUint64(b, uint64(p)) }

// intResult is RAX.
func intResult(fr *callFrame) uint64 { return uint64(fr.r1) }

// registerNative gives Windows the unwind information of the native code, through which
// exceptions left unhandled by a routine reach the call thunk's handler.
func registerNative(base uintptr) error {
	n := (offFunctionsEnd - offFunctions) / 12 // sizeof(RUNTIME_FUNCTION)
	return rtlAddFunctionTable(base+offFunctions, uint32(n), base)
}

// The frame offsets the thunks were assembled with (zoffsets_windows_amd64.go and
// native/zoffsets_amd64.h, both generated) are the compiler's. For each field, a generated
// offset that is too large is an index out of range, one too small a negative constant,
// and either fails the build: run go generate again.
func _() {
	var same [1]struct{}
	_ = same[callFrame_fn-unsafe.Offsetof(callFrame{}.fn)]
	_ = same[callFrame_nwords-unsafe.Offsetof(callFrame{}.nwords)]
	_ = same[callFrame_words-unsafe.Offsetof(callFrame{}.words)]
	_ = same[callFrame_retFloat-unsafe.Offsetof(callFrame{}.retFloat)]
	_ = same[callFrame_r1-unsafe.Offsetof(callFrame{}.r1)]
	_ = same[callFrame_r2-unsafe.Offsetof(callFrame{}.r2)]
	_ = same[callFrame_f-unsafe.Offsetof(callFrame{}.f)]
	_ = same[callFrame_popped-unsafe.Offsetof(callFrame{}.popped)]
	_ = same[callFrame_exc-unsafe.Offsetof(callFrame{}.exc)]
	_ = same[callFrame_excAddr-unsafe.Offsetof(callFrame{}.excAddr)]
	_ = same[callFrame_excInfo-unsafe.Offsetof(callFrame{}.excInfo)]
	_ = same[callFrame_lastErr-unsafe.Offsetof(callFrame{}.lastErr)]
	_ = same[callFrame__size-unsafe.Sizeof(callFrame{})]
	_ = same[cbFrame_slotIndex-unsafe.Offsetof(cbFrame{}.slotIndex)]
	_ = same[cbFrame_args-unsafe.Offsetof(cbFrame{}.args)]
	_ = same[cbFrame_xmm-unsafe.Offsetof(cbFrame{}.xmm)]
	_ = same[cbFrame_r1-unsafe.Offsetof(cbFrame{}.r1)]
	_ = same[cbFrame_f-unsafe.Offsetof(cbFrame{}.f)]
	_ = same[cbFrame_pop-unsafe.Offsetof(cbFrame{}.pop)]
	_ = same[cbFrame_retFloat-unsafe.Offsetof(cbFrame{}.retFloat)]
	_ = same[cbFrame__size-unsafe.Sizeof(cbFrame{})]
}
