//go:build windows

package main

import (
	"encoding/binary"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/abi"
)

const arch = "win32"

var thisABI = abi.Win32

// ptrSize is the size of a pointer in DLL memory.
const ptrSize = 4

// getPtr reads a pointer stored in DLL memory.
func getPtr(b []byte) uintptr { return uintptr(binary.LittleEndian.Uint32(b)) }

// putPtr stores a pointer into DLL memory.
func putPtr(b []byte, p uintptr) { binary.LittleEndian.PutUint32(b, uint32(p)) }

// intResult joins EDX:EAX, where 64-bit integers come back.
func intResult(fr *callFrame) uint64 { return uint64(fr.r1) | uint64(fr.r2)<<32 }

// registerNative has nothing to register on 386: the call thunk links its own SEH record.
func registerNative(base uintptr) error { return nil }

// The frame offsets the thunks were assembled with (zoffsets_windows_386.go and
// native/zoffsets_386.h, both generated) are the compiler's. For each field, a generated
// offset that is too large is an index out of range, one too small a negative constant,
// and either fails the build: run go generate again.
func _() {
	var same [1]struct{}
	_ = same[(callFrame_fn-int64(unsafe.Offsetof(callFrame{}.fn)))*goodSizes]
	_ = same[(callFrame_nwords-int64(unsafe.Offsetof(callFrame{}.nwords)))*goodSizes]
	_ = same[(callFrame_words-int64(unsafe.Offsetof(callFrame{}.words)))*goodSizes]
	_ = same[(callFrame_retFloat-int64(unsafe.Offsetof(callFrame{}.retFloat)))*goodSizes]
	_ = same[(callFrame_r1-int64(unsafe.Offsetof(callFrame{}.r1)))*goodSizes]
	_ = same[(callFrame_r2-int64(unsafe.Offsetof(callFrame{}.r2)))*goodSizes]
	_ = same[(callFrame_f-int64(unsafe.Offsetof(callFrame{}.f)))*goodSizes]
	_ = same[(callFrame_popped-int64(unsafe.Offsetof(callFrame{}.popped)))*goodSizes]
	_ = same[(callFrame_exc-int64(unsafe.Offsetof(callFrame{}.exc)))*goodSizes]
	_ = same[(callFrame_excAddr-int64(unsafe.Offsetof(callFrame{}.excAddr)))*goodSizes]
	_ = same[(callFrame_excInfo-int64(unsafe.Offsetof(callFrame{}.excInfo)))*goodSizes]
	_ = same[(callFrame_lastErr-int64(unsafe.Offsetof(callFrame{}.lastErr)))*goodSizes]
	_ = same[(callFrame__size-int64(unsafe.Sizeof(callFrame{})))*goodSizes]
	_ = same[(cbFrame_slotIndex-int64(unsafe.Offsetof(cbFrame{}.slotIndex)))*goodSizes]
	_ = same[(cbFrame_args-int64(unsafe.Offsetof(cbFrame{}.args)))*goodSizes]
	_ = same[(cbFrame_r1-int64(unsafe.Offsetof(cbFrame{}.r1)))*goodSizes]
	_ = same[(cbFrame_r2-int64(unsafe.Offsetof(cbFrame{}.r2)))*goodSizes]
	_ = same[(cbFrame_f-int64(unsafe.Offsetof(cbFrame{}.f)))*goodSizes]
	_ = same[(cbFrame_pop-int64(unsafe.Offsetof(cbFrame{}.pop)))*goodSizes]
	_ = same[(cbFrame_retFloat-int64(unsafe.Offsetof(cbFrame{}.retFloat)))*goodSizes]
	_ = same[(cbFrame__size-int64(unsafe.Sizeof(cbFrame{})))*goodSizes]
}

// goodSizes is 1 when the type checker lays out types for GOARCH=386, as the compiler
// does; 0 under a tool that type-checks with amd64 sizes whatever GOARCH says (staticcheck
// 2026.2 does), where the checks above would fail for a correct layout.
const goodSizes = 1 - (int64(unsafe.Sizeof(uintptr(0)))-ptrSize)*(int64(unsafe.Sizeof(uintptr(0)))-ptrSize)/16
