// Package layout lays out ctypes types for the Windows ABIs and plans how their bytes
// move between the Linux process (Python's ctypes objects, laid out by Linux ctypes) and
// the DLL (laid out as MSVC would, per arch).
//
// Types arrive as descriptions from the Python side (Desc), including the Linux offsets
// ctypes chose. For each arch a Layout gives the Windows size, alignment and field
// positions, and a Plan: the list of operations that translate one value between the
// two layouts. Most of a plan is byte copies; the rest are the places where the two
// sides differ: pointers (8 bytes on Linux, 4 on win32), wchar_t (UTF-32 on Linux, UTF-16
// on Windows) and bitfields (GCC-like on Linux, MSVC rules on Windows).
package layout

import (
	"fmt"
	"sync"

	"github.com/zugbruecke/zugbruecke/core/abi"
)

// Class is what sort of type a Type is.
type Class uint8

const (
	Simple  Class = iota // a fundamental type
	Array                // Len elements of Elem
	Struct               // Fields at increasing offsets
	Union                // Fields overlapping at offset 0
	Pointer              // a pointer to Elem (nil Elem: untyped, c_void_p)
)

// classNames are the tags of Desc.Class.
var classNames = [...]string{Simple: "simple", Array: "array", Struct: "struct", Union: "union", Pointer: "pointer"}

// String returns the tag that names c in a type description (Desc.Class).
func (c Class) String() string {
	if c.Valid() {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// Valid reports whether c is a known class.
func (c Class) Valid() bool { return int(c) < len(classNames) }

// Type is a ctypes type. Types are immutable once registered; their Windows layouts are
// computed on first use per arch and cached.
type Type struct {
	Class  Class
	Kind   abi.Kind // Simple: the value kind; Pointer: abi.Pointer, CharP or WCharP
	Elem   *Type
	Len    int
	Fields []Field
	Pack   int // _pack_, 0 for none

	LinuxSize  int
	LinuxAlign int

	mu      sync.Mutex
	layouts map[*abi.Arch]*Layout
}

// Field is one member of a structure or union, with where Linux ctypes put it.
type Field struct {
	Name      string
	Type      *Type
	Bits      int // bitfield width, 0 for a whole member
	LinuxOff  int // byte offset of the member (of its storage unit for bitfields)
	LinuxBit  int // bit offset inside the unit, bitfields only
	Anonymous bool
}

// Layout is a type's Windows layout on one arch.
type Layout struct {
	Size, Align int
	Offsets     []int // per field: byte offset (of the storage unit for bitfields)
	BitOffsets  []int // per field: bit offset inside the unit (bitfields)
	Plan        []Op  // translation of one value
}

// Layout returns t's Windows layout on a.
func (t *Type) Layout(a *abi.Arch) *Layout {
	t.mu.Lock()
	l := t.layouts[a]
	t.mu.Unlock()
	if l != nil {
		return l
	}
	l = compute(a, t)
	t.mu.Lock()
	if t.layouts == nil {
		t.layouts = map[*abi.Arch]*Layout{}
	}
	t.layouts[a] = l
	t.mu.Unlock()
	return l
}

func alignUp(n, a int) int {
	if a <= 1 {
		return n
	}
	return (n + a - 1) / a * a
}

// scalarAlign is MSVC's natural alignment of a scalar: its size (double and 64-bit
// integers are 8-aligned inside structures on win32 too).
func scalarAlign(a *abi.Arch, k abi.Kind) int { return a.Size(k) }

func compute(a *abi.Arch, t *Type) *Layout {
	switch t.Class {
	case Simple:
		s := a.Size(t.Kind)
		return &Layout{Size: s, Align: scalarAlign(a, t.Kind), Plan: scalarPlan(a, t, 0, 0)}
	case Pointer:
		return &Layout{Size: a.PtrSize, Align: a.PtrSize, Plan: []Op{{Kind: OpPointer, Type: t}}}
	case Array:
		el := t.Elem.Layout(a)
		l := &Layout{Size: el.Size * t.Len, Align: el.Align}
		if t.Elem.Class == Simple && t.Elem.Kind == abi.WChar {
			l.Plan = []Op{{Kind: OpWString, N: t.Len}}
			return l
		}
		if len(el.Plan) == 1 && el.Plan[0].Kind == OpCopy && el.Plan[0].N == el.Size && el.Size == t.Elem.LinuxSize {
			// Elements the same on both sides: one copy, however long the array.
			l.Plan = []Op{{Kind: OpCopy, N: l.Size}}
			return l
		}
		for i := 0; i < t.Len; i++ {
			l.Plan = appendShifted(l.Plan, el.Plan, i*t.Elem.LinuxSize, i*el.Size)
		}
		l.Plan = merge(l.Plan)
		return l
	case Struct, Union:
		return structLayout(a, t)
	}
	panic(fmt.Sprintf("layout: unknown class %d", t.Class))
}

// structLayout applies MSVC's rules: each member aligned to min(its alignment, _pack_);
// bitfields share a storage unit with the previous one while the declared types have the
// same size and the bits fit, allocated from the low bit; the size is rounded up to the
// structure's alignment. Unions put every member at offset 0.
func structLayout(a *abi.Arch, t *Type) *Layout {
	l := &Layout{Align: 1, Offsets: make([]int, len(t.Fields)), BitOffsets: make([]int, len(t.Fields))}
	off := 0      // next free byte
	unitSize := 0 // storage unit size of the open bitfield run, 0 when none is open
	unitOff := 0
	bitPos := 0
	for i, f := range t.Fields {
		fl := f.Type.Layout(a)
		align := fl.Align
		if t.Pack > 0 && align > t.Pack {
			align = t.Pack
		}
		if align > l.Align {
			l.Align = align
		}
		if t.Class == Union {
			l.Offsets[i] = 0
			if f.Bits > 0 {
				l.BitOffsets[i] = 0
			}
			if fl.Size > off {
				off = fl.Size
			}
			continue
		}
		if f.Bits > 0 {
			if unitSize == fl.Size && bitPos+f.Bits <= 8*unitSize {
				l.Offsets[i], l.BitOffsets[i] = unitOff, bitPos
				bitPos += f.Bits
				continue
			}
			unitOff = alignUp(off, align)
			unitSize = fl.Size
			l.Offsets[i], l.BitOffsets[i] = unitOff, 0
			bitPos = f.Bits
			off = unitOff + unitSize
			continue
		}
		unitSize = 0
		l.Offsets[i] = alignUp(off, align)
		off = l.Offsets[i] + fl.Size
	}
	l.Size = alignUp(off, l.Align)
	for i, f := range t.Fields {
		fl := f.Type.Layout(a)
		if f.Bits > 0 {
			if f.LinuxBit+f.Bits > 8*f.Type.LinuxSize {
				continue // not representable in the Linux object (see Registry.build)
			}
			l.Plan = append(l.Plan, Op{Kind: OpBits, Lin: f.LinuxOff, Win: l.Offsets[i],
				LinSize: f.Type.LinuxSize, WinSize: fl.Size, LinBit: f.LinuxBit,
				WinBit: l.BitOffsets[i], Bits: f.Bits})
			continue
		}
		l.Plan = appendShifted(l.Plan, fl.Plan, f.LinuxOff, l.Offsets[i])
	}
	if t.Class == Union {
		// Members overlap: translate the first one only (the one ctypes initialises);
		// where every member copies as plain bytes, copy the whole union.
		l.Plan = unionPlan(a, t, l)
	} else {
		l.Plan = merge(l.Plan)
	}
	return l
}

// unionPlan copies a union's bytes as one block when its members need no translation,
// and otherwise copies the bytes both sides share and translates its first member.
func unionPlan(a *abi.Arch, t *Type, l *Layout) []Op {
	plain := true
	for _, f := range t.Fields {
		p := f.Type.Layout(a).Plan
		if f.Bits > 0 || len(p) > 1 || len(p) == 1 && p[0].Kind != OpCopy {
			plain = false
		}
	}
	n := l.Size
	if t.LinuxSize < n {
		n = t.LinuxSize
	}
	if plain || len(t.Fields) == 0 {
		if n == 0 {
			return nil
		}
		return []Op{{Kind: OpCopy, N: n}}
	}
	// The bytes as they are (what a later member holds reaches the DLL), then the first
	// member translated over them.
	f := t.Fields[0]
	var plan []Op
	if n > 0 {
		plan = []Op{{Kind: OpCopy, N: n}}
	}
	return appendShifted(plan, f.Type.Layout(a).Plan, f.LinuxOff, 0)
}

func scalarPlan(a *abi.Arch, t *Type, lin, win int) []Op {
	ws := a.Size(t.Kind)
	if ws == t.LinuxSize {
		return []Op{{Kind: OpCopy, Lin: lin, Win: win, N: ws}}
	}
	return []Op{{Kind: OpScalar, Lin: lin, Win: win, LinSize: t.LinuxSize, WinSize: ws, Signed: t.Kind.IsSigned()}}
}
