//go:build windows

package main

import (
	"fmt"

	"github.com/zugbruecke/zugbruecke/core/abi"
)

const arch = "win64"

var thisABI = abi.Win64

// intResult is RAX.
func intResult(fr *callFrame) uint64 { return uint64(fr.r1) }

// registerNative gives Windows the unwind information of the native code, through which
// exceptions left unhandled by a routine reach the call thunk's handler.
func registerNative(base uintptr) error {
	n := (offFunctionsEnd - offFunctions) / 12 // sizeof(RUNTIME_FUNCTION)
	if ok, _, err := procRtlAddFunctionTable.Call(base+offFunctions, uintptr(n), base); ok&0xff == 0 {
		return fmt.Errorf("zb-server: RtlAddFunctionTable: %v", err)
	}
	return nil
}
