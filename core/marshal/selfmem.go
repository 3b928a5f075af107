package marshal

import (
	"fmt"
	"syscall"
	"unsafe"
)

// Memory reads and writes this process's memory at addresses found inside ctypes objects
// (pointer fields). A bad address is an error, never a crash: the marshaller follows
// pointers a user or a bug may have left dangling.
type Memory interface {
	Read(addr uintptr, dst []byte) error
	Write(addr uintptr, src []byte) error
}

// Self is Memory of the current process through process_vm_readv/writev, which report a
// bad address as EFAULT instead of faulting.
type Self struct{}

type iovec struct {
	base uintptr
	len  uintptr
}

func (Self) transfer(nr uintptr, addr uintptr, buf []byte) error {
	if len(buf) == 0 {
		return nil
	}
	local := iovec{uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf))}
	remote := iovec{addr, uintptr(len(buf))}
	n, _, errno := syscall.Syscall6(nr, uintptr(syscall.Getpid()),
		uintptr(unsafe.Pointer(&local)), 1, uintptr(unsafe.Pointer(&remote)), 1, 0)
	if errno != 0 {
		return fmt.Errorf("marshal: memory at %#x: %w", addr, errno)
	}
	if int(n) != len(buf) {
		return fmt.Errorf("marshal: memory at %#x: %d of %d bytes", addr, n, len(buf))
	}
	return nil
}

// Read copies len(dst) bytes from addr.
func (s Self) Read(addr uintptr, dst []byte) error { return s.transfer(sysProcessVMReadv, addr, dst) }

// Write copies src to addr.
func (s Self) Write(addr uintptr, src []byte) error { return s.transfer(sysProcessVMWritev, addr, src) }
