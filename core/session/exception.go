package session

import "fmt"

// ExceptionError is a Windows exception a routine left unhandled; the server caught it at
// the call thunk and the session stays usable. The message is the one CPython's ctypes
// gives on Windows (callproc.c: SetException).
type ExceptionError struct {
	Code    uint32
	Addr    uint64    // where it happened
	Info    [2]uint64 // ExceptionInformation[0..1]
	PtrSize int       // of the session's arch, for formatting addresses like %p
}

var exceptionText = map[uint32]string{
	0x80000003: "breakpoint encountered",
	0x80000002: "datatype misalignment",
	0x80000004: "single step",
	0xC000008C: "array bounds exceeded",
	0xC000008D: "floating-point operand denormal",
	0xC000008E: "float divide by zero",
	0xC000008F: "float inexact",
	0xC0000090: "float invalid operation",
	0xC0000091: "float overflow",
	0xC0000092: "stack over/underflow",
	0xC00000FD: "stack overflow",
	0xC0000093: "float underflow",
	0xC0000094: "integer divide by zero",
	0xC0000095: "integer overflow",
	0xC0000096: "privileged instruction",
	0xC0000025: "nocontinuable",
}

func (e *ExceptionError) Error() string {
	if e.Code == 0xC0000005 { // access violation: Info[0] 0 read, 1 write (8 execute)
		op := "reading"
		if e.Info[0] != 0 {
			op = "writing"
		}
		return fmt.Sprintf("exception: access violation %s 0x%0*X", op, 2*e.PtrSize, e.Info[1])
	}
	if text, ok := exceptionText[e.Code]; ok {
		return "exception: " + text
	}
	return fmt.Sprintf("exception code 0x%08x", e.Code)
}
