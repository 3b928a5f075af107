// Package marshal moves typed ctypes data (structures, unions, arrays, pointees) between
// Python's Linux memory and the regions of a wire.Call, translating layouts with
// core/layout, and back after the call.
//
// Encoding a typed argument makes one region in the Windows layout; pointer members with
// a typed target make one more region each (the pointee travels too), patched into the
// member. Untyped pointers (c_void_p: handles, server addresses) travel as values.
// Pointers to mirrors (Python copies of DLL memory, see Mirrors) become the DLL's own
// address, and the mirror's data is written through to the DLL's memory.
//
// Decoding after the call writes every region back into Linux memory. A pointer member
// the DLL left pointing at its region keeps its Linux value; one it set to NULL becomes
// NULL; an untyped one takes whatever value the DLL stored.
package marshal

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/layout"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// MaxDepth bounds how many pointer levels an argument drags along.
const MaxDepth = 8

// maxString bounds a string read through a char* member.
const maxString = 1 << 26

// Encoder builds the typed regions of one call.
type Encoder struct {
	Arch    *abi.Arch
	Mem     Memory
	Mirrors *MirrorTable // may be nil
	// Funcs maps Linux addresses of Python callbacks (the ctypes closure a CFUNCTYPE
	// object holds) to their entry points in the server; may be nil.
	Funcs *sync.Map
	// Syncs maps Linux addresses of pointer members to memsync descriptions of their
	// pointees (sync.go); may be nil.
	Syncs    map[uintptr]*Sync
	Call     *wire.Call
	refs     []ref
	result   map[int][]byte // region contents known from registers (SetResult)
	syncData []syncBytes
}

// SetResult supplies the bytes of a structure result that came back in EAX:EDX / RAX
// (bits) instead of through its region.
func (e *Encoder) SetResult(region int, bits uint64) {
	b := binary.LittleEndian.AppendUint64(nil, bits)
	n := len(e.Call.Regions[region].Data)
	if n < len(b) {
		b = b[:n]
	}
	e.result = map[int][]byte{region: append(b, make([]byte, n-len(b))...)}
}

// ref remembers how to write a region back into Linux memory.
type ref struct {
	region int
	plan   []layout.Op
	count  int
	linSz  int
	winSz  int
	addr   uintptr // Linux address of the data
	direct []byte  // the Linux memory itself for top-level arguments, else nil (use Mem)
	ptrs   []ptrRef
	mirror bool // the region is DLL memory mirrored at addr
	plain  bool // the same bytes on both sides: one copy for all count values
	result bool // a structure result: its pointer members are the DLL's values
}

// ptrRef is a pointer member inside a region, for the way back.
type ptrRef struct {
	win, lin int // offsets of the pointer in the region and in the Linux data
	nested   int // region it was patched to, -1 if none
	untyped  bool
	sync     *Sync // the member's memsync description, or nil
}

func (e *Encoder) ptrSize() int { return e.Arch.PtrSize }

func (e *Encoder) putPtr(b []byte, v uint64) {
	if e.ptrSize() == 8 {
		binary.LittleEndian.PutUint64(b, v)
	} else {
		binary.LittleEndian.PutUint32(b, uint32(v))
	}
}

func (e *Encoder) getPtr(b []byte) uint64 {
	if e.ptrSize() == 8 {
		return binary.LittleEndian.Uint64(b)
	}
	return uint64(binary.LittleEndian.Uint32(b))
}

// Typed adds count values of type t found at Linux memory lin (address addr) as a region
// that comes back after the call; it returns the region's index.
func (e *Encoder) Typed(t *layout.Type, lin []byte, addr uintptr, count int) (int, error) {
	if len(lin) < t.LinuxSize*count {
		return 0, fmt.Errorf("marshal: %d bytes of memory for %d x %d", len(lin), count, t.LinuxSize)
	}
	return e.region(t, lin, addr, count, lin, 0, true)
}

// Value adds one value of type t as a region for passing by value (abi.Struct): the
// callee gets a copy, so the region does not come back; memory its pointer members
// reach does.
func (e *Encoder) Value(t *layout.Type, lin []byte, addr uintptr) (int, error) {
	if len(lin) < t.LinuxSize {
		return 0, fmt.Errorf("marshal: %d bytes of memory for %d", len(lin), t.LinuxSize)
	}
	return e.region(t, lin, addr, 1, lin, 0, false)
}

// Result adds an empty out-region for a structure returned through a hidden pointer, or
// returned in registers (then the region only carries the layout for Decode).
func (e *Encoder) Result(t *layout.Type, lin []byte, addr uintptr) int {
	l := t.Layout(e.Arch)
	idx := len(e.Call.Regions)
	e.Call.Regions = append(e.Call.Regions, wire.Region{Flags: wire.RegionOut, Data: make([]byte, l.Size)})
	e.refs = append(e.refs, ref{region: idx, plan: l.Plan, count: 1, linSz: t.LinuxSize, winSz: l.Size,
		addr: addr, direct: lin, result: true})
	return idx
}

func (e *Encoder) region(t *layout.Type, lin []byte, addr uintptr, count int, direct []byte, depth int, out bool) (int, error) {
	l := t.Layout(e.Arch)
	idx := len(e.Call.Regions)
	reg := wire.Region{Data: make([]byte, l.Size*count)}
	if out {
		reg.Flags = wire.RegionOut
	}
	srv, fixed := e.lookup(addr)
	if fixed {
		reg.Flags |= wire.RegionFixed | wire.RegionOut
		reg.Addr = srv
		copy(reg.Data, e.Mirrors.Snapshot(addr))
		out = true
	}
	e.Call.Regions = append(e.Call.Regions, reg)
	r := ref{region: idx, plan: l.Plan, count: count, linSz: t.LinuxSize, winSz: l.Size, addr: addr,
		direct: direct, mirror: fixed, plain: plain(l, t)}
	if r.plain {
		copy(reg.Data, lin[:l.Size*count])
		count = 0
	}
	for i := 0; i < count; i++ {
		linV := lin[i*t.LinuxSize : (i+1)*t.LinuxSize]
		winV := reg.Data[i*l.Size : (i+1)*l.Size]
		base := addr + uintptr(i*t.LinuxSize)
		err := layout.ToWin(l.Plan, linV, winV, func(op *layout.Op) error {
			p, err := e.member(op, base, linV, winV, idx, i*l.Size, depth, fixed)
			if err == nil {
				p.lin += i * t.LinuxSize
				r.ptrs = append(r.ptrs, p)
			}
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	if out {
		e.refs = append(e.refs, r)
	}
	return idx, nil
}

// pointer encodes one pointer member: the value to store, and a nested region when the
// pointee travels.
func (e *Encoder) pointer(op *layout.Op, linV, winV []byte, region, base, depth int, keepNull bool) (ptrRef, error) {
	p := ptrRef{win: base + op.Win, lin: op.Lin, nested: -1}
	v := uintptr(binary.LittleEndian.Uint64(linV[op.Lin:]))
	t := op.Type
	switch {
	case v == 0 && keepNull:
		// A mirror's NULL member: the DLL's own value (already in the region) stays.
	case v == 0:
		e.putPtr(winV[op.Win:], 0)
		// An untyped member (c_void_p, a function pointer) the DLL fills in comes back
		// as the DLL's value; string and typed pointees need memsync to come back.
		p.untyped = t.Elem == nil && t.Kind != abi.CharP && t.Kind != abi.WCharP
	case e.mirrored(v):
		srv, _ := e.lookup(v)
		e.putPtr(winV[op.Win:], srv)
		if t.Elem != nil && depth < MaxDepth {
			data := make([]byte, t.Elem.LinuxSize)
			if err := e.Mem.Read(v, data); err != nil {
				return p, err
			}
			n, err := e.region(t.Elem, data, v, 1, nil, depth+1, true)
			if err != nil {
				return p, err
			}
			p.nested = n
		}
	case t.Kind == abi.CharP || t.Kind == abi.WCharP:
		n, err := e.cstring(v, t.Kind == abi.WCharP)
		if err != nil {
			return p, err
		}
		e.patch(region, p.win, n)
	case t.Elem != nil && depth < MaxDepth && t.Elem.LinuxSize > 0:
		data := make([]byte, t.Elem.LinuxSize)
		if err := e.Mem.Read(v, data); err != nil {
			return p, fmt.Errorf("marshal: following a pointer member: %w", err)
		}
		n, err := e.region(t.Elem, data, v, 1, nil, depth+1, true)
		if err != nil {
			return p, err
		}
		e.patch(region, p.win, n)
		p.nested = n
	default:
		// Untyped (c_void_p, function pointers): a handle or an address in the server
		// travels as is; a Python callback becomes its entry point in the server.
		if e.Funcs != nil {
			if srv, ok := e.Funcs.Load(v); ok {
				e.putPtr(winV[op.Win:], srv.(uint64))
				return p, nil
			}
		}
		e.putPtr(winV[op.Win:], uint64(v))
		p.untyped = true
	}
	return p, nil
}

func (e *Encoder) lookup(v uintptr) (uint64, bool) {
	if e.Mirrors == nil {
		return 0, false
	}
	return e.Mirrors.Lookup(v)
}

func (e *Encoder) mirrored(v uintptr) bool {
	_, ok := e.lookup(v)
	return ok
}

func (e *Encoder) patch(region, pos, target int) {
	e.Call.Patches = append(e.Call.Patches, wire.Patch{Target: uint32(region), Pos: uint32(pos), Region: uint32(target)})
}

// cstring copies the NUL-terminated string at Linux address v into a new region
// (wide: UTF-32 elements become UTF-16 units).
func (e *Encoder) cstring(v uintptr, wide bool) (int, error) {
	s, err := CString(e.Mem, v, wide)
	if err != nil {
		return 0, fmt.Errorf("marshal: reading a string member: %w", err)
	}
	return e.stringRegion(s, wide), nil
}

// CString reads the NUL-terminated string at Linux address v through m, without its
// terminator (wide: UTF-32 elements, as Linux wchar_t is). Memory that cannot be read is
// an error, never a fault.
func CString(m Memory, v uintptr, wide bool) ([]byte, error) {
	unit := 1
	if wide {
		unit = 4
	}
	var s []byte
	chunk := make([]byte, 256)
	for len(s) < maxString {
		// Read up to the end of the page, so a string near unmapped memory still works.
		n := 4096 - int(v+uintptr(len(s)))%4096
		if n > len(chunk) {
			n = len(chunk)
		}
		n -= n % unit
		if n == 0 {
			n = unit
		}
		if err := m.Read(v+uintptr(len(s)), chunk[:n]); err != nil {
			return nil, err
		}
		for i := 0; i+unit <= n; i += unit {
			if isZero(chunk[i : i+unit]) {
				return append(s, chunk[:i]...), nil
			}
		}
		s = append(s, chunk[:n]...)
	}
	return nil, fmt.Errorf("marshal: unterminated string at %#x", v)
}

func (e *Encoder) stringRegion(s []byte, wide bool) int {
	data := append(s, 0, 0, 0, 0)
	if wide {
		data = append(abi.AppendUTF16(make([]byte, 0, len(s)/2+2), s), 0, 0)
	}
	e.Call.Regions = append(e.Call.Regions, wire.Region{Data: data})
	return len(e.Call.Regions) - 1
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Decode writes the regions of rep back into Linux memory.
func (e *Encoder) Decode(rep *wire.CallReply) error {
	outIndex := make([]int, len(e.Call.Regions))
	n := 0
	for i, r := range e.Call.Regions {
		outIndex[i] = -1
		if r.Flags&wire.RegionOut != 0 {
			outIndex[i] = n
			n++
		}
	}
	if n != len(rep.Out) || len(rep.Bases) != len(e.Call.Regions) {
		return fmt.Errorf("marshal: reply has %d regions and %d bases for %d/%d", len(rep.Out), len(rep.Bases), n, len(e.Call.Regions))
	}
	for i := range e.refs {
		if err := e.decode(&e.refs[i], rep, outIndex); err != nil {
			return err
		}
	}
	e.decodeSyncData(rep, outIndex)
	return nil
}

func (e *Encoder) decode(r *ref, rep *wire.CallReply, outIndex []int) error {
	win := rep.Out[outIndex[r.region]]
	if b, ok := e.result[r.region]; ok {
		win = b
	}
	lin := r.direct
	if lin == nil {
		lin = make([]byte, r.linSz*r.count)
		if !r.plain {
			if err := e.Mem.Read(r.addr, lin); err != nil {
				return err
			}
		}
	}
	count := r.count
	if r.plain {
		copy(lin, win)
		count = 0
	}
	ptrs := r.ptrs
	for i := 0; i < count; i++ {
		linV := lin[i*r.linSz : (i+1)*r.linSz]
		winV := win[i*r.winSz : (i+1)*r.winSz]
		err := layout.ToLinux(r.plan, winV, linV, func(op *layout.Op) error {
			if r.result {
				return resultPointer(op, e.getPtr(winV[op.Win:]), linV)
			}
			if len(ptrs) == 0 {
				return fmt.Errorf("marshal: pointer bookkeeping out of step")
			}
			p := ptrs[0]
			ptrs = ptrs[1:]
			srv := e.getPtr(win[p.win:])
			switch {
			case srv == 0:
				binary.LittleEndian.PutUint64(linV[op.Lin:], 0)
			case p.untyped:
				binary.LittleEndian.PutUint64(linV[op.Lin:], srv)
			}
			if p.sync != nil {
				e.settleSync(&p, srv, rep, linV[op.Lin:])
			}
			// A pointer still at its region keeps its Linux value; one the DLL moved to
			// its own memory is left alone here (memsync describes such memory).
			return nil
		})
		if err != nil {
			return err
		}
	}
	if r.mirror {
		e.Mirrors.Update(r.addr, win)
	}
	if r.direct == nil {
		return e.Mem.Write(r.addr, lin)
	}
	return nil
}

// resultPointer stores a pointer member of a structure result: an untyped one (c_void_p,
// a function pointer) is the DLL's address, as it would be in the DLL's process; NULL is
// NULL. A typed or string pointer to DLL memory has no Linux memory to point to.
func resultPointer(op *layout.Op, srv uint64, linV []byte) error {
	t := op.Type
	if srv != 0 && (t.Elem != nil || t.Kind == abi.CharP || t.Kind == abi.WCharP) {
		return fmt.Errorf("marshal: a structure result with a typed or string pointer member " +
			"is not supported; declare the member c_void_p and read it with string_at or cast")
	}
	binary.LittleEndian.PutUint64(linV[op.Lin:], srv)
	return nil
}

// ToWinKeep translates Linux memory lin of type t into Windows bytes over orig (the bytes
// the value had on the Windows side): pointer members keep their Windows value unless
// Python set an untyped one (a number). Used for memory a callback argument points to.
func ToWinKeep(a *abi.Arch, t *layout.Type, lin, orig []byte) ([]byte, error) {
	l := t.Layout(a)
	if len(orig) < l.Size || len(lin) < t.LinuxSize {
		return nil, fmt.Errorf("marshal: %d/%d bytes for %d/%d", len(orig), len(lin), l.Size, t.LinuxSize)
	}
	win := append([]byte(nil), orig[:l.Size]...)
	e := Encoder{Arch: a}
	err := layout.ToWin(l.Plan, lin, win, func(op *layout.Op) error {
		if op.Type.Elem == nil && op.Type.Kind == abi.Pointer {
			e.putPtr(win[op.Win:], binary.LittleEndian.Uint64(lin[op.Lin:]))
		}
		return nil
	})
	return win, err
}

// Mirror decodes Windows bytes win of type t (read from the DLL's memory) into Linux
// memory lin, for a new mirror. Pointer members become NULL unless untyped (their value
// is kept as a number).
func Mirror(a *abi.Arch, t *layout.Type, win, lin []byte) error {
	l := t.Layout(a)
	if len(win) < l.Size || len(lin) < t.LinuxSize {
		return fmt.Errorf("marshal: mirror of %d/%d bytes for %d/%d", len(win), len(lin), l.Size, t.LinuxSize)
	}
	e := Encoder{Arch: a}
	return layout.ToLinux(l.Plan, win, lin, func(op *layout.Op) error {
		var v uint64
		if op.Type.Elem == nil && op.Type.Kind == abi.Pointer {
			v = e.getPtr(win[op.Win:])
		}
		binary.LittleEndian.PutUint64(lin[op.Lin:], v)
		return nil
	})
}
