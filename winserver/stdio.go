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

// stdio holds the server's standard handles after takeStdio.
type stdio struct {
	in    *os.File // the protocol: requests from the client
	proto *os.File // the protocol: replies to the client (a duplicate of the original standard output)
	// original is the original standard output's File. msvcrt closes its handle; the
	// File must stay reachable (runtime.KeepAlive in main) or its finalizer would close
	// the handle value again, by then perhaps a handle of the Go runtime's own.
	original *os.File
}

// takeStdio keeps the process's standard input and output for the protocol and gives DLLs
// other ones: standard input reads from NUL, and standard output is a pipe whose text is
// forwarded to the client in Output frames. This must run before any DLL is loaded: the C
// runtime of a DLL picks up the standard handles when it initialises.
func takeStdio(out *frameWriter) (stdio, error) {
	std := stdio{in: os.Stdin, original: os.Stdout}
	// The protocol gets its own handle of standard output: msvcrt's descriptor 1 holds
	// the original, which rebindMsvcrt closes.
	cur, _ := syscall.GetCurrentProcess()
	var dup syscall.Handle
	if err := syscall.DuplicateHandle(cur, syscall.Handle(os.Stdout.Fd()), cur, &dup, 0, false,
		syscall.DUPLICATE_SAME_ACCESS); err != nil {
		return stdio{}, failed("DuplicateHandle", err)
	}
	std.proto = os.NewFile(uintptr(dup), "protocol")
	nul, err := syscall.Open("NUL", syscall.O_RDONLY, 0)
	if err != nil {
		return stdio{}, failed("CreateFile NUL", err)
	}
	setStdHandle(stdInputHandle, nul)
	var r, w syscall.Handle
	sa := syscall.SecurityAttributes{Length: uint32(unsafe.Sizeof(syscall.SecurityAttributes{})), InheritHandle: 1}
	if err := createPipe(&r, &w, &sa, 0); err != nil {
		return stdio{}, err
	}
	setStdHandle(stdOutputHandle, w)
	rebindMsvcrt(w, syscall.Handle(os.Stdout.Fd()))
	os.Stdin = nil
	os.Stdout = os.Stderr
	dllStdout = r
	go forwardOutput(os.NewFile(uintptr(r), "dll-stdout"), out)
	return std, nil
}

var (
	dllStdout  syscall.Handle // read end of the pipe DLLs write to
	forwarding sync.Mutex     // held while forwardOutput sends a chunk
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
		crt.fflush(0)
	}
	deadline := time.Now().Add(500 * time.Millisecond)
	for time.Now().Before(deadline) {
		var avail uint32
		if peekNamedPipe(dllStdout, nil, 0, nil, &avail, nil) != nil || avail == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(5 * time.Millisecond) // a chunk just read is being sent
	awaitChunkSent()
}

// awaitChunkSent returns once a chunk forwardOutput is sending, if any, has been sent.
// The lock serves as a barrier: taken and given back at once, it guards nothing here.
func awaitChunkSent() {
	forwarding.Lock()
	//lint:ignore SA2001 a barrier, see above
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
	// _dup2 closes what descriptor 1 holds: only the original standard output (the
	// protocol has its own duplicate) or nothing, never a handle someone else reuses.
	if h1 := crt.getOSFHandle(1); h1 != uintptr(orig) && h1 != ^uintptr(0) {
		return
	}
	const oBinary, ioNBF = 0x8000, 4
	fd := crt.openOSFHandle(w, oBinary)
	if fd < 0 {
		return
	}
	crt.dup2(fd, 1) // fd itself stays open: it owns w, which is also the std handle
	// msvcrt's FILE: ptr, cnt, base, flag, file, charbuf, bufsiz, tmpfname.
	fileSize := 3*unsafe.Sizeof(uintptr(0)) + 5*4
	fileSize = (fileSize + unsafe.Sizeof(uintptr(0)) - 1) &^ (unsafe.Sizeof(uintptr(0)) - 1)
	crt.setvbuf(crt.iob+fileSize, 0, ioNBF, 0)
}
