//go:build windows

package main

import (
	"os"
	"strings"
	"syscall"
	"unsafe"
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
// other ones: standard input reads from NUL; standard output and standard error write to
// the files the client named (--stdout, --stderr; a Windows path each), which the client
// reads after every request and before every callback, so what a DLL writes reaches the
// Python process in order with the calls (core/session/output.go). A file, not a pipe:
// Wine writes to a file with one system call, nothing is left in flight when the write
// returns, and no reader must keep up. Without --stdout, standard output is NUL; without
// --stderr, standard error stays the server's own. This must run before any DLL is loaded:
// the C runtime of a DLL picks up the standard handles when it initialises.
func takeStdio(stdoutPath, stderrPath string) (stdio, error) {
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
	out, err := openOutput(stdoutPath)
	if err != nil {
		return stdio{}, err
	}
	setStdHandle(stdOutputHandle, out)
	crt := loadedMsvcrt()
	crt.rebind(1, out, syscall.Handle(os.Stdout.Fd()))
	if stderrPath != "" {
		errh, err := openOutput(stderrPath)
		if err != nil {
			return stdio{}, err
		}
		setStdHandle(stdErrorHandle, errh)
		// The server's own messages (os.Stderr) keep the original handle.
		crt.rebind(2, errh, syscall.Handle(os.Stderr.Fd()))
	}
	os.Stdin = nil
	os.Stdout = os.Stderr
	return std, nil
}

// openOutput opens the file at path (a Windows path) for writing, inheritable (child
// processes a DLL starts write there too), or NUL for "".
func openOutput(path string) (syscall.Handle, error) {
	if path == "" {
		path = "NUL"
	}
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return 0, failed("CreateFile "+path, err)
	}
	sa := syscall.SecurityAttributes{Length: uint32(unsafe.Sizeof(syscall.SecurityAttributes{})), InheritHandle: 1}
	share := uint32(syscall.FILE_SHARE_READ | syscall.FILE_SHARE_WRITE | syscall.FILE_SHARE_DELETE)
	h, err := syscall.CreateFile(p, syscall.GENERIC_WRITE, share, &sa, syscall.OPEN_EXISTING,
		syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return 0, failed("CreateFile "+path, err)
	}
	return h, nil
}

// outputArgs takes --stdout PATH and --stderr PATH out of args.
func outputArgs(args []string) (rest []string, stdoutPath, stderrPath string) {
	for i := 0; i < len(args); i++ {
		if i+1 < len(args) && (args[i] == "--stdout" || args[i] == "--stderr") {
			if strings.HasSuffix(args[i], "out") {
				stdoutPath = args[i+1]
			} else {
				stderrPath = args[i+1]
			}
			i++
			continue
		}
		rest = append(rest, args[i])
	}
	return rest, stdoutPath, stderrPath
}

// rebind points msvcrt's file descriptor fd (1 or 2) at h when msvcrt is already loaded
// (Wine loads it for the server's own imports, before takeStdio runs): the descriptor
// still holds the original handle orig. The stream is made unbuffered, as on a console,
// so DLL output is in the file when the routine returns. Binary mode: "\n" stays "\n" on
// the Linux side. C runtimes loaded later pick up the new standard handles themselves.
func (c *msvcrt) rebind(fd int32, h, orig syscall.Handle) {
	if c == nil {
		return
	}
	// _dup2 closes what the descriptor holds: only the original handle (the protocol
	// has its own duplicate of standard output) or nothing, never a handle someone else
	// reuses.
	if cur := c.getOSFHandle(fd); cur != uintptr(orig) && cur != ^uintptr(0) {
		return
	}
	const oBinary, ioNBF = 0x8000, 4
	nfd := c.openOSFHandle(h, oBinary)
	if nfd < 0 {
		return
	}
	c.dup2(nfd, fd) // nfd itself stays open: it owns h, which is also the std handle
	// msvcrt's FILE: ptr, cnt, base, flag, file, charbuf, bufsiz, tmpfname.
	fileSize := 3*unsafe.Sizeof(uintptr(0)) + 5*4
	fileSize = (fileSize + unsafe.Sizeof(uintptr(0)) - 1) &^ (unsafe.Sizeof(uintptr(0)) - 1)
	c.setvbuf(c.iob+uintptr(fd)*fileSize, 0, ioNBF, 0)
}

// flushOutput flushes msvcrt's streams before the server exits.
func flushOutput() {
	if crt := loadedMsvcrt(); crt != nil {
		crt.fflush(0)
	}
}
