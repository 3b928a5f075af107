//go:build windows

package main

import (
	"syscall"
	"unsafe"
)

var (
	kernel32               = syscall.NewLazyDLL("kernel32.dll")
	procLoadLibraryExW     = kernel32.NewProc("LoadLibraryExW")
	procGetProcAddress     = kernel32.NewProc("GetProcAddress")
	procFreeLibrary        = kernel32.NewProc("FreeLibrary")
	procSetStdHandle       = kernel32.NewProc("SetStdHandle")
	procCreatePipe         = kernel32.NewProc("CreatePipe")
	procFormatMessageW     = kernel32.NewProc("FormatMessageW")
	procIsBadReadPtr       = kernel32.NewProc("IsBadReadPtr")
	procIsBadWritePtr      = kernel32.NewProc("IsBadWritePtr")
	procGetCurrentThreadId = kernel32.NewProc("GetCurrentThreadId")
	procGetModuleHandleW   = kernel32.NewProc("GetModuleHandleW")
	procPeekNamedPipe      = kernel32.NewProc("PeekNamedPipe")

	procVirtualAlloc          = kernel32.NewProc("VirtualAlloc")
	procFlushInstructionCache = kernel32.NewProc("FlushInstructionCache")
	procRtlAddFunctionTable   = kernel32.NewProc("RtlAddFunctionTable")
)

const (
	errorInvalidName = syscall.Errno(123)
	errorNoAccess    = 998

	memCommit            = 0x1000
	memReserve           = 0x2000
	pageExecuteReadWrite = 0x40
	currentProcess       = ^uintptr(0) // GetCurrentProcess()

	stdInputHandle  = ^uintptr(10 - 1) // (DWORD)-10
	stdOutputHandle = ^uintptr(11 - 1) // (DWORD)-11

	// LOAD_WITH_ALTERED_SEARCH_PATH: a DLL named by full path finds its dependencies in
	// its own folder, as it would next to an application on Windows.
	loadWithAlteredSearchPath = 0x8
)

// loadLibrary loads a DLL; the error is the Windows error code.
func loadLibrary(name string) (uintptr, syscall.Errno) {
	p, err := syscall.UTF16PtrFromString(name)
	if err != nil {
		return 0, errorInvalidName
	}
	flags := uintptr(0)
	if isPath(name) {
		flags = loadWithAlteredSearchPath
	}
	h, _, e := procLoadLibraryExW.Call(uintptr(unsafe.Pointer(p)), 0, flags)
	if h == 0 {
		return 0, e.(syscall.Errno)
	}
	return h, 0
}

func isPath(name string) bool {
	for _, c := range name {
		if c == '\\' || c == '/' {
			return true
		}
	}
	return false
}

// getProcAddress looks up an export by name, or by ordinal when name is empty.
func getProcAddress(lib uintptr, name string, ordinal uint32) (uintptr, syscall.Errno) {
	var arg uintptr
	var keep []byte
	if name == "" {
		arg = uintptr(ordinal & 0xffff)
	} else {
		keep = append([]byte(name), 0)
		arg = uintptr(unsafe.Pointer(&keep[0]))
	}
	a, _, e := procGetProcAddress.Call(lib, arg)
	if a == 0 {
		return 0, e.(syscall.Errno)
	}
	return a, 0
}

func freeLibrary(lib uintptr) syscall.Errno {
	if r, _, e := procFreeLibrary.Call(lib); r == 0 {
		return e.(syscall.Errno)
	}
	return 0
}

// formatMessage is the system's text for a Windows error code, as FormatError gives it.
func formatMessage(code uint32) string {
	const flags = 0x1000 | 0x200 // FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS
	buf := make([]uint16, 512)
	n, _, _ := procFormatMessageW.Call(flags, 0, uintptr(code), 0,
		uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0)
	s := syscall.UTF16ToString(buf[:n])
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r' || s[len(s)-1] == ' ') {
		s = s[:len(s)-1]
	}
	return s
}

// readable reports whether n bytes at addr can be read (used before reading strings the
// DLL returned).
func readable(addr, n uintptr) bool {
	r, _, _ := procIsBadReadPtr.Call(addr, n)
	return r == 0
}

// writable reports whether n bytes at addr can be written (DLL memory Python mirrors).
func writable(addr, n uintptr) bool {
	r, _, _ := procIsBadWritePtr.Call(addr, n)
	return r == 0
}

func currentThreadID() uint32 {
	r, _, _ := procGetCurrentThreadId.Call()
	return uint32(r)
}
