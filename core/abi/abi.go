// Package abi describes the two Windows ABIs a session can target, as data: one Arch row
// per architecture. It packs call arguments into the word layout the server's call thunk
// expects (wire.Call.Words) and reads results out of a wire.CallReply.
package abi

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Arch is one Windows ABI. Adding an ABI is adding a row, not a branch.
type Arch struct {
	Name       string // the session parameter "arch" and the server's hello
	Machine    uint16 // the PE header's Machine field of the DLLs this ABI loads
	PtrSize    int    // bytes in a pointer, size_t, HANDLE
	SlotSize   int    // bytes per argument word: a win32 stack word, a win64 slot
	LongSize   int    // C long (LLP64 and ILP32: 4 on both)
	WCharSize  int    // wchar_t: UTF-16 code unit
	LongDouble int    // long double is double with MSVC
	// WideSlots: arguments wider than a slot take several consecutive slots (win32 stack
	// words); otherwise every argument takes exactly one slot (win64).
	WideSlots bool
	// CalleePops: stdcall callees remove their arguments (win32); on win64 there is one
	// convention and the caller owns the stack.
	CalleePops bool
	// X87Return: float results come in x87 ST(0), which the thunk stores as a double;
	// otherwise they are the raw bits of XMM0.
	X87Return bool
	// StructSlotSizes: structures of these sizes are passed by value in one slot; others
	// go by reference to a copy. nil: every structure is copied onto the stack as words.
	StructSlotSizes []int
	// StructRegSizes: structures of these sizes are returned in EAX(:EDX) / RAX; others
	// through a hidden pointer passed as the first argument.
	StructRegSizes []int
}

var (
	// Win32 is the 32-bit x86 Windows ABI (cdecl and stdcall).
	Win32 = &Arch{Name: "win32", Machine: 0x014C, PtrSize: 4, SlotSize: 4, LongSize: 4, WCharSize: 2,
		LongDouble: 8, WideSlots: true, CalleePops: true, X87Return: true,
		StructSlotSizes: nil, StructRegSizes: []int{1, 2, 4, 8}}
	// Win64 is the Microsoft x64 calling convention.
	Win64 = &Arch{Name: "win64", Machine: 0x8664, PtrSize: 8, SlotSize: 8, LongSize: 4, WCharSize: 2,
		LongDouble: 8, WideSlots: false, CalleePops: false, X87Return: false,
		StructSlotSizes: []int{1, 2, 4, 8}, StructRegSizes: []int{1, 2, 4, 8}}
)

// Arches lists the supported ABIs: the one table every check of an arch name uses.
var Arches = []*Arch{Win32, Win64}

// ArchNames lists the names of Arches, in order.
func ArchNames() []string {
	names := make([]string, len(Arches))
	for i, a := range Arches {
		names[i] = a.Name
	}
	return names
}

// ArchReason says what an arch name must be, for the messages of every check of one:
// must be one of "win32", "win64".
func ArchReason() string {
	quoted := make([]string, len(Arches))
	for i, a := range Arches {
		quoted[i] = strconv.Quote(a.Name)
	}
	return "must be one of " + strings.Join(quoted, ", ")
}

// ArchError is a name that no row of Arches has.
type ArchError struct {
	Name string
}

func (e *ArchError) Error() string { return fmt.Sprintf("abi: arch %q: %s", e.Name, ArchReason()) }

// ByName returns the ABI called name, or an *ArchError.
func ByName(name string) (*Arch, error) {
	for _, a := range Arches {
		if a.Name == name {
			return a, nil
		}
	}
	return nil, &ArchError{Name: name}
}

// Conv is a calling convention.
type Conv uint8

const (
	CDecl   Conv = 0
	StdCall Conv = 1
)

// RetClass tells the call thunk where the result is.
type RetClass uint8

const (
	RetInt   RetClass = 0 // EAX (EDX:EAX) or RAX
	RetFloat RetClass = 1 // x87 ST(0) on win32, XMM0 on win64
)

// Kind is the Windows-side type of an argument or result.
type Kind uint8

// Kinds. The numbering is shared with the Python package (zugbruecke/_kinds.py).
const (
	Void Kind = iota
	Bool
	Int8
	Uint8
	Int16
	Uint16
	Int32
	Uint32
	Int64
	Uint64
	Float32
	Float64
	Pointer // an address in the server, passed as an integer (c_void_p, handles)
	Char    // char, bytes of length 1 in Python
	WChar   // wchar_t, a UTF-16 code unit, str of length 1 in Python
	CharP   // char*: bytes in, NUL-terminated; a result is read back as bytes
	WCharP  // wchar_t*: str in as UTF-16; a result is read back as str
	Buffer  // pointer to memory that travels in and comes back (buffers, arrays, byref)
	WBuffer // pointer to a wchar_t buffer: UTF-32 in Python, UTF-16 in the DLL, both ways
	Typed   // pointer to typed memory already placed in region Arg.Region (core/marshal)
	Struct  // a structure or union by value, its Windows bytes in region Arg.Region
	kindCount
)

var kindNames = [kindCount]string{Void: "void", Bool: "bool", Int8: "int8", Uint8: "uint8",
	Int16: "int16", Uint16: "uint16", Int32: "int32", Uint32: "uint32", Int64: "int64",
	Uint64: "uint64", Float32: "float", Float64: "double", Pointer: "pointer", Char: "char",
	WChar: "wchar", CharP: "char*", WCharP: "wchar*", Buffer: "buffer", WBuffer: "wbuffer",
	Typed: "typed", Struct: "struct"}

func (k Kind) String() string {
	if k < kindCount {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k < kindCount }

// scalarSize is the byte size of each kind that has a fixed size on every arch; 0 means
// pointer-sized, -1 means no value (void).
var scalarSize = [kindCount]int{
	Void: -1, Bool: 1, Int8: 1, Uint8: 1, Int16: 2, Uint16: 2, Int32: 4, Uint32: 4,
	Int64: 8, Uint64: 8, Float32: 4, Float64: 8, Pointer: 0, Char: 1, WChar: 2,
	CharP: 0, WCharP: 0, Buffer: 0, WBuffer: 0, Typed: 0, Struct: -1,
}

// Size is the byte size of a value of kind k on arch a (0 for void).
func (a *Arch) Size(k Kind) int {
	switch s := scalarSize[k]; s {
	case -1:
		return 0
	case 0:
		return a.PtrSize
	default:
		return s
	}
}

// IsFloat reports whether k travels in floating-point registers.
func (k Kind) IsFloat() bool { return k == Float32 || k == Float64 }

// IsSigned reports whether k sign-extends.
func (k Kind) IsSigned() bool {
	return k == Int8 || k == Int16 || k == Int32 || k == Int64 || k == Char
}

// RegStruct reports whether a structure of size bytes comes back in registers.
func (a *Arch) RegStruct(size int) bool { return contains(a.StructRegSizes, size) }

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// RetClassOf says where the thunk must fetch a result of kind k.
func RetClassOf(k Kind) RetClass {
	if k.IsFloat() {
		return RetFloat
	}
	return RetInt
}

// Extend truncates bits to the width of k on a and sign- or zero-extends back to 64 bits.
func (a *Arch) Extend(k Kind, bits uint64) uint64 {
	n := a.Size(k) * 8
	if k == Bool {
		return bits & 0xff
	}
	if n == 0 || n >= 64 {
		return bits
	}
	mask := uint64(1)<<n - 1
	v := bits & mask
	if k.IsSigned() && v&(uint64(1)<<(n-1)) != 0 {
		v |= ^mask
	}
	return v
}

// F32 converts float64 bits to float32 bits, as a C cast would.
func F32(bits uint64) uint64 {
	return uint64(math.Float32bits(float32(math.Float64frombits(bits))))
}
