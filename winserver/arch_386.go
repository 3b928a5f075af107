//go:build windows

package main

import "github.com/zugbruecke/zugbruecke/core/abi"

const arch = "win32"

var thisABI = abi.Win32

// intResult joins EDX:EAX, where 64-bit integers come back.
func intResult(fr *callFrame) uint64 { return uint64(fr.r1) | uint64(fr.r2)<<32 }

// registerNative has nothing to register on 386: the call thunk links its own SEH record.
func registerNative(base uintptr) error { return nil }
