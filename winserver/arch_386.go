//go:build windows

package main

import (
	"encoding/binary"

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
