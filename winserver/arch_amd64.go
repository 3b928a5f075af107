//go:build windows

package main

import (
	"encoding/binary"

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
