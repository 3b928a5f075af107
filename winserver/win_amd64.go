//go:build windows

package main

// Windows API only the win64 server calls (see win.go).

var procRtlAddFunctionTable = kernel32.NewProc("RtlAddFunctionTable")

// rtlAddFunctionTable registers count RUNTIME_FUNCTION entries at table, whose addresses
// are relative to base.
func rtlAddFunctionTable(table uintptr, count uint32, base uintptr) error {
	if ok, _, err := procRtlAddFunctionTable.Call(table, uintptr(count), base); ok&0xff == 0 {
		return failed("RtlAddFunctionTable", err)
	}
	return nil
}
