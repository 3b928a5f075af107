//go:build windows

package main

// The Windows API the server calls, one typed wrapper per function (as in
// golang.org/x/sys/windows): no other file calls a procedure address directly. A failure
// is a *winError naming the function, wrapping the thread's error code. Functions only
// the win64 server needs are in win_amd64.go.

import (
	"errors"
	"syscall"
	"unsafe"
)

var (
	kernel32               = syscall.NewLazyDLL("kernel32.dll")
	procLoadLibraryExW     = kernel32.NewProc("LoadLibraryExW")
	procGetProcAddress     = kernel32.NewProc("GetProcAddress")
	procFreeLibrary        = kernel32.NewProc("FreeLibrary")
	procSetStdHandle       = kernel32.NewProc("SetStdHandle")
	procFormatMessageW     = kernel32.NewProc("FormatMessageW")
	procIsBadReadPtr       = kernel32.NewProc("IsBadReadPtr")
	procIsBadWritePtr      = kernel32.NewProc("IsBadWritePtr")
	procGetCurrentThreadId = kernel32.NewProc("GetCurrentThreadId")
	procGetModuleHandleW   = kernel32.NewProc("GetModuleHandleW")

	procVirtualAlloc          = kernel32.NewProc("VirtualAlloc")
	procFlushInstructionCache = kernel32.NewProc("FlushInstructionCache")
)

const (
	errorInvalidName = syscall.Errno(123)
	errorNoAccess    = 998

	memCommit            = 0x1000
	memReserve           = 0x2000
	pageExecuteReadWrite = 0x40
	currentProcess       = ^uintptr(0) // GetCurrentProcess()

	stdInputHandle  = -10 // STD_INPUT_HANDLE, (DWORD)-10
	stdOutputHandle = -11 // STD_OUTPUT_HANDLE
	stdErrorHandle  = -12 // STD_ERROR_HANDLE

	// LOAD_WITH_ALTERED_SEARCH_PATH: a DLL named by full path finds its dependencies in
	// its own folder, as it would next to an application on Windows.
	loadWithAlteredSearchPath = 0x8
)

// winError is a Windows API function that failed, with the thread's error code.
type winError struct {
	Func  string
	Errno syscall.Errno
}

func (e *winError) Error() string { return "zb-server: " + e.Func + ": " + e.Errno.Error() }
func (e *winError) Unwrap() error { return e.Errno }

// failed makes the error of a call to fn from the error code Proc.Call gave.
func failed(fn string, err error) error {
	errno, _ := err.(syscall.Errno)
	return &winError{Func: fn, Errno: errno}
}

// errorCode is the Windows error code of err (0 when it carries none).
func errorCode(err error) uint32 {
	var e *winError
	if errors.As(err, &e) {
		return uint32(e.Errno)
	}
	return 0
}

// loadLibrary loads a DLL (LoadLibraryExW); a name holding a path finds its dependencies
// next to it.
func loadLibrary(name string) (uintptr, error) {
	p, err := syscall.UTF16PtrFromString(name)
	if err != nil {
		return 0, &winError{Func: "LoadLibraryExW", Errno: errorInvalidName}
	}
	flags := uint32(0)
	if isPath(name) {
		flags = loadWithAlteredSearchPath
	}
	return loadLibraryEx(p, 0, flags)
}

func isPath(name string) bool {
	for _, c := range name {
		if c == '\\' || c == '/' {
			return true
		}
	}
	return false
}

func loadLibraryEx(name *uint16, file syscall.Handle, flags uint32) (uintptr, error) {
	h, _, err := procLoadLibraryExW.Call(uintptr(unsafe.Pointer(name)), uintptr(file), uintptr(flags))
	if h == 0 {
		return 0, failed("LoadLibraryExW", err)
	}
	return h, nil
}

// getProcAddress looks up an export by name, or by ordinal when name is empty.
func getProcAddress(lib uintptr, name string, ordinal uint32) (uintptr, error) {
	var arg uintptr
	var keep []byte
	if name == "" {
		arg = uintptr(ordinal & 0xffff)
	} else {
		keep = append([]byte(name), 0)
		arg = uintptr(unsafe.Pointer(&keep[0]))
	}
	a, _, err := procGetProcAddress.Call(lib, arg)
	if a == 0 {
		return 0, failed("GetProcAddress", err)
	}
	return a, nil
}

func freeLibrary(lib uintptr) error {
	if r, _, err := procFreeLibrary.Call(lib); r == 0 {
		return failed("FreeLibrary", err)
	}
	return nil
}

// formatMessage is the system's text for a Windows error code, as FormatError gives it
// ("" when there is none).
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

// readable reports whether n bytes at addr can be read (IsBadReadPtr; used before reading
// strings the DLL returned).
func readable(addr, n uintptr) bool {
	r, _, _ := procIsBadReadPtr.Call(addr, n)
	return r == 0
}

// writable reports whether n bytes at addr can be written (IsBadWritePtr; DLL memory
// Python mirrors).
func writable(addr, n uintptr) bool {
	r, _, _ := procIsBadWritePtr.Call(addr, n)
	return r == 0
}

func currentThreadID() uint32 {
	r, _, _ := procGetCurrentThreadId.Call()
	return uint32(r)
}

func virtualAlloc(addr, size uintptr, typ, prot uint32) (uintptr, error) {
	a, _, err := procVirtualAlloc.Call(addr, size, uintptr(typ), uintptr(prot))
	if a == 0 {
		return 0, failed("VirtualAlloc", err)
	}
	return a, nil
}

func flushInstructionCache(process, addr, size uintptr) error {
	if r, _, err := procFlushInstructionCache.Call(process, addr, size); r == 0 {
		return failed("FlushInstructionCache", err)
	}
	return nil
}

// setStdHandle sets a standard handle; which is STD_INPUT_HANDLE, STD_OUTPUT_HANDLE or STD_ERROR_HANDLE.
func setStdHandle(which int32, h syscall.Handle) error {
	if r, _, err := procSetStdHandle.Call(uintptr(which), uintptr(h)); r == 0 {
		return failed("SetStdHandle", err)
	}
	return nil
}

// getModuleHandle is the handle of a module the process has loaded.
func getModuleHandle(name string) (syscall.Handle, error) {
	p, err := syscall.UTF16PtrFromString(name)
	if err != nil {
		return 0, &winError{Func: "GetModuleHandleW", Errno: errorInvalidName}
	}
	h, _, err := procGetModuleHandleW.Call(uintptr(unsafe.Pointer(p)))
	if h == 0 {
		return 0, failed("GetModuleHandleW", err)
	}
	return syscall.Handle(h), nil
}

// msvcrt is msvcrt.dll, loaded by the process before the server runs, with the functions
// of it the server calls (stdio.go).
type msvcrt struct {
	procGetOSFHandle, procOpenOSFHandle, procDup2, procSetvbuf, procFflush *syscall.Proc

	iob uintptr // address of _iob: the FILEs stdin, stdout, stderr
}

// loadedMsvcrt is msvcrt.dll if the process has loaded it and it has every function the
// server calls, else nil. It is not loaded here: a C runtime loaded later sets itself up
// from the current standard handles.
func loadedMsvcrt() *msvcrt {
	h, err := getModuleHandle("msvcrt.dll")
	if err != nil {
		return nil
	}
	dll := &syscall.DLL{Name: "msvcrt.dll", Handle: h}
	var c msvcrt
	var iob *syscall.Proc
	for _, p := range []struct {
		name string
		proc **syscall.Proc
	}{
		{"_get_osfhandle", &c.procGetOSFHandle}, {"_open_osfhandle", &c.procOpenOSFHandle},
		{"_dup2", &c.procDup2}, {"setvbuf", &c.procSetvbuf}, {"fflush", &c.procFflush}, {"_iob", &iob},
	} {
		if *p.proc, err = dll.FindProc(p.name); err != nil {
			return nil
		}
	}
	c.iob = iob.Addr()
	return &c
}

// getOSFHandle is the Windows handle of a C file descriptor (^0 for none).
func (c *msvcrt) getOSFHandle(fd int32) uintptr {
	h, _, _ := c.procGetOSFHandle.Call(uintptr(fd))
	return h
}

// openOSFHandle makes a C file descriptor owning h; negative on failure.
func (c *msvcrt) openOSFHandle(h syscall.Handle, flags int32) int32 {
	fd, _, _ := c.procOpenOSFHandle.Call(uintptr(h), uintptr(flags))
	return int32(fd)
}

func (c *msvcrt) dup2(fd1, fd2 int32) int32 {
	r, _, _ := c.procDup2.Call(uintptr(fd1), uintptr(fd2))
	return int32(r)
}

func (c *msvcrt) setvbuf(stream, buf uintptr, mode int32, size uintptr) int32 {
	r, _, _ := c.procSetvbuf.Call(stream, buf, uintptr(mode), size)
	return int32(r)
}

// fflush flushes stream, or every output stream when stream is 0.
func (c *msvcrt) fflush(stream uintptr) int32 {
	r, _, _ := c.procFflush.Call(stream)
	return int32(r)
}
