//go:build windows

package main

import (
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/wire"
)

// takeStdio keeps the process's standard input and output for the protocol and gives DLLs
// other ones: standard input reads from NUL, and standard output is a pipe whose text is
// forwarded to the client in Output frames. This must run before any DLL is loaded: the C
// runtime of a DLL picks up the standard handles when it initialises.
func takeStdio(out *frameWriter) (in, proto *os.File, err error) {
	in = os.Stdin
	// The protocol gets its own handle of standard output: msvcrt's descriptor 1 holds
	// the original, which rebindMsvcrt closes.
	cur, _ := syscall.GetCurrentProcess()
	var dup syscall.Handle
	if err := syscall.DuplicateHandle(cur, syscall.Handle(os.Stdout.Fd()), cur, &dup, 0, false,
		syscall.DUPLICATE_SAME_ACCESS); err != nil {
		return nil, nil, err
	}
	proto = os.NewFile(uintptr(dup), "protocol")
	// Keep the original's File reachable: its finalizer would close the handle value
	// again after msvcrt closed it, by then perhaps a handle of the Go runtime's own.
	originalStdout = os.Stdout
	nul, err := syscall.Open("NUL", syscall.O_RDONLY, 0)
	if err != nil {
		return nil, nil, err
	}
	procSetStdHandle.Call(stdInputHandle, uintptr(nul))
	var r, w syscall.Handle
	sa := syscall.SecurityAttributes{Length: uint32(unsafe.Sizeof(syscall.SecurityAttributes{})), InheritHandle: 1}
	if ok, _, e := procCreatePipe.Call(uintptr(unsafe.Pointer(&r)), uintptr(unsafe.Pointer(&w)),
		uintptr(unsafe.Pointer(&sa)), 0); ok == 0 {
		return nil, nil, e
	}
	procSetStdHandle.Call(stdOutputHandle, uintptr(w))
	rebindMsvcrt(w, syscall.Handle(os.Stdout.Fd()))
	os.Stdin = nil
	os.Stdout = os.Stderr
	dllStdout = r
	go forwardOutput(os.NewFile(uintptr(r), "dll-stdout"), out)
	return in, proto, nil
}

var (
	originalStdout *os.File       // never closed through Go (see takeStdio)
	dllStdout      syscall.Handle // read end of the pipe DLLs write to
	forwarding     sync.Mutex     // held while forwardOutput sends a chunk
)

// forwardOutput sends what DLLs write to standard output to the client.
func forwardOutput(r *os.File, out *frameWriter) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			forwarding.Lock()
			out.send(wire.TOutput, 0, &wire.Output{Data: buf[:n]})
			forwarding.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// drainOutput lets DLL output written so far reach the client before the server exits:
// msvcrt's buffers are flushed, then it waits (up to half a second) until the pipe is
// empty and the last chunk was sent.
func drainOutput() {
	if dllStdout == 0 {
		return
	}
	if crt := loadedMsvcrt(); crt != nil {
		if fflush, err := crt.FindProc("fflush"); err == nil {
			fflush.Call(0)
		}
	}
	deadline := time.Now().Add(500 * time.Millisecond)
	for time.Now().Before(deadline) {
		var avail uint32
		ok, _, _ := procPeekNamedPipe.Call(uintptr(dllStdout), 0, 0, 0, uintptr(unsafe.Pointer(&avail)), 0)
		if ok == 0 || avail == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(5 * time.Millisecond) // a chunk just read is being sent
	forwarding.Lock()
	forwarding.Unlock()
}

// rebindMsvcrt points the standard output of msvcrt.dll at w when msvcrt is already
// loaded (Wine loads it for the server's own imports, before takeStdio runs): its file
// descriptor 1 still holds the protocol pipe. The stream is made unbuffered, as on a
// console, so DLL output arrives when it is printed. Binary mode: "\n" stays "\n" on
// the Linux side. C runtimes loaded later pick up the new standard handles themselves.
func rebindMsvcrt(w, orig syscall.Handle) {
	crt := loadedMsvcrt()
	if crt == nil {
		return
	}
	getOSF, err0 := crt.FindProc("_get_osfhandle")
	openOSF, err1 := crt.FindProc("_open_osfhandle")
	dup2, err2 := crt.FindProc("_dup2")
	setvbuf, err3 := crt.FindProc("setvbuf")
	iob, err4 := crt.FindProc("_iob")
	if err0 != nil || err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return
	}
	// _dup2 closes what descriptor 1 holds: only the original standard output (the
	// protocol has its own duplicate) or nothing, never a handle someone else reuses.
	if h1, _, _ := getOSF.Call(1); h1 != uintptr(orig) && h1 != ^uintptr(0) {
		return
	}
	const oBinary, ioNBF = 0x8000, 4
	fd, _, _ := openOSF.Call(uintptr(w), oBinary)
	if int32(fd) < 0 {
		return
	}
	dup2.Call(fd, 1) // fd itself stays open: it owns w, which is also the std handle
	// msvcrt's FILE: ptr, cnt, base, flag, file, charbuf, bufsiz, tmpfname.
	fileSize := 3*unsafe.Sizeof(uintptr(0)) + 5*4
	fileSize = (fileSize + unsafe.Sizeof(uintptr(0)) - 1) &^ (unsafe.Sizeof(uintptr(0)) - 1)
	setvbuf.Call(iob.Addr()+fileSize, 0, ioNBF, 0)
}

// loadedMsvcrt is msvcrt.dll if the process has loaded it, else nil (it is not loaded
// here: a C runtime loaded later sets itself up from the current standard handles).
func loadedMsvcrt() *syscall.DLL {
	name, _ := syscall.UTF16PtrFromString("msvcrt.dll")
	h, _, _ := procGetModuleHandleW.Call(uintptr(unsafe.Pointer(name)))
	if h == 0 {
		return nil
	}
	return &syscall.DLL{Name: "msvcrt.dll", Handle: syscall.Handle(h)}
}
