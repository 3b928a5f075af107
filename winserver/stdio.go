//go:build windows

package main

import (
	"os"
	"syscall"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/wire"
)

// takeStdio keeps the process's standard input and output for the protocol and gives DLLs
// other ones: standard input reads from NUL, and standard output is a pipe whose text is
// forwarded to the client in Output frames. This must run before any DLL is loaded: the C
// runtime of a DLL picks up the standard handles when it initialises.
func takeStdio(out *frameWriter) (in, proto *os.File, err error) {
	in, proto = os.Stdin, os.Stdout
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
	os.Stdin = nil
	os.Stdout = os.Stderr
	go forwardOutput(os.NewFile(uintptr(r), "dll-stdout"), out)
	return in, proto, nil
}

// forwardOutput sends what DLLs write to standard output to the client.
func forwardOutput(r *os.File, out *frameWriter) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			out.send(wire.TOutput, 0, &wire.Output{Data: buf[:n]})
		}
		if err != nil {
			return
		}
	}
}
