package marshal_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/layout"
	"github.com/zugbruecke/zugbruecke/core/marshal"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

func mustAdd(t *testing.T, r *layout.Registry, d *layout.Desc) int {
	t.Helper()
	id, err := r.Add(d)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func scalar(t *testing.T, r *layout.Registry, k abi.Kind, size int) int {
	return mustAdd(t, r, &layout.Desc{Class: "simple", Kind: int(k), Size: size, Align: size})
}

// sample: struct { char c; int i; wchar_t w; double d; short s[3]; wchar_t ws[3]; }
// Linux: c@0 i@4 w@8 d@16 s@24 ws@32, size 48.
// Windows (both arches): c@0 i@4 w@8 d@16 s@24 ws@30, size 40.
func sample(t *testing.T) *layout.Type {
	r := &layout.Registry{}
	c := scalar(t, r, abi.Char, 1)
	i := scalar(t, r, abi.Int32, 4)
	w := scalar(t, r, abi.WChar, 4)
	d := scalar(t, r, abi.Float64, 8)
	s := scalar(t, r, abi.Int16, 2)
	s3 := mustAdd(t, r, &layout.Desc{Class: "array", Elem: s, Len: 3, Size: 6, Align: 2})
	w3 := mustAdd(t, r, &layout.Desc{Class: "array", Elem: w, Len: 3, Size: 12, Align: 4})
	id := mustAdd(t, r, &layout.Desc{Class: "struct", Size: 48, Align: 8, Fields: []layout.FieldDesc{
		{Name: "c", Type: c, Offset: 0}, {Name: "i", Type: i, Offset: 4}, {Name: "w", Type: w, Offset: 8},
		{Name: "d", Type: d, Offset: 16}, {Name: "s", Type: s3, Offset: 24}, {Name: "ws", Type: w3, Offset: 32},
	}})
	return r.Get(id)
}

type sampleVal struct {
	c  byte
	i  int32
	w  rune
	d  float64
	s  [3]int16
	ws [3]rune
}

func (v sampleVal) linux() []byte {
	b := make([]byte, 48)
	b[0] = v.c
	binary.LittleEndian.PutUint32(b[4:], uint32(v.i))
	binary.LittleEndian.PutUint32(b[8:], uint32(v.w))
	binary.LittleEndian.PutUint64(b[16:], math.Float64bits(v.d))
	for k := 0; k < 3; k++ {
		binary.LittleEndian.PutUint16(b[24+2*k:], uint16(v.s[k]))
		binary.LittleEndian.PutUint32(b[32+4*k:], uint32(v.ws[k]))
	}
	return b
}

func (v sampleVal) windows() []byte {
	b := make([]byte, 40)
	b[0] = v.c
	binary.LittleEndian.PutUint32(b[4:], uint32(v.i))
	binary.LittleEndian.PutUint16(b[8:], uint16(v.w))
	binary.LittleEndian.PutUint64(b[16:], math.Float64bits(v.d))
	for k := 0; k < 3; k++ {
		binary.LittleEndian.PutUint16(b[24+2*k:], uint16(v.s[k]))
		binary.LittleEndian.PutUint16(b[30+2*k:], uint16(v.ws[k]))
	}
	return b
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }

func TestTypedRoundTrip(t *testing.T) {
	typ := sample(t)
	in := sampleVal{'q', -123456789, 0x3B1, 2.75, [3]int16{-1, 2, -32768}, [3]rune{'x', 0xFFFD, 0}}
	out := sampleVal{'Z', 0x7EADBEEF, 0x263A, -1e-300, [3]int16{32767, 0, -5}, [3]rune{0x20AC, 'y', 'z'}}
	for _, a := range abi.Arches {
		lin := in.linux()
		e := marshal.Encoder{Arch: a, Mem: marshal.Self{}, Call: &wire.Call{}}
		idx, err := e.Typed(typ, lin, addr(lin), 1)
		if err != nil {
			t.Fatalf("%s: Typed: %v", a.Name, err)
		}
		if idx != 0 || len(e.Call.Regions) != 1 {
			t.Fatalf("%s: region %d of %d", a.Name, idx, len(e.Call.Regions))
		}
		reg := e.Call.Regions[0]
		if reg.Flags&wire.RegionOut == 0 || reg.Flags&wire.RegionFixed != 0 {
			t.Errorf("%s: region flags %#x", a.Name, reg.Flags)
		}
		if !bytes.Equal(reg.Data, in.windows()) {
			t.Fatalf("%s: windows bytes\n got %x\nwant %x", a.Name, reg.Data, in.windows())
		}
		rep := &wire.CallReply{Out: [][]byte{out.windows()}, Bases: []uint64{0x10000}}
		if err := e.Decode(rep); err != nil {
			t.Fatalf("%s: Decode: %v", a.Name, err)
		}
		if !bytes.Equal(lin, out.linux()) {
			t.Fatalf("%s: linux bytes after the call\n got %x\nwant %x", a.Name, lin, out.linux())
		}
	}
}

func TestTypedCountAndShortMemory(t *testing.T) {
	typ := sample(t)
	vals := []sampleVal{{c: 'a', i: 1, d: 1.5}, {c: 'b', i: 2, w: 'W'}, {c: 'c', i: 3, s: [3]int16{7, 8, 9}}}
	var lin, win []byte
	for _, v := range vals {
		lin = append(lin, v.linux()...)
		win = append(win, v.windows()...)
	}
	e := marshal.Encoder{Arch: abi.Win32, Mem: marshal.Self{}, Call: &wire.Call{}}
	if _, err := e.Typed(typ, lin, addr(lin), 3); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.Call.Regions[0].Data, win) {
		t.Fatalf("array of 3:\n got %x\nwant %x", e.Call.Regions[0].Data, win)
	}
	// Reversed order comes back.
	rev := append(append(append([]byte{}, win[80:]...), win[40:80]...), win[:40]...)
	if err := e.Decode(&wire.CallReply{Out: [][]byte{rev}, Bases: []uint64{1}}); err != nil {
		t.Fatal(err)
	}
	want := append(append(append([]byte{}, vals[2].linux()...), vals[1].linux()...), vals[0].linux()...)
	if !bytes.Equal(lin, want) {
		t.Fatalf("after decode:\n got %x\nwant %x", lin, want)
	}

	e2 := marshal.Encoder{Arch: abi.Win64, Mem: marshal.Self{}, Call: &wire.Call{}}
	short := make([]byte, 47)
	if _, err := e2.Typed(typ, short, addr(short), 1); err == nil || !strings.Contains(err.Error(), "bytes of memory") {
		t.Fatalf("short memory: %v", err)
	}
}

func TestDecodeRejectsMismatchedReply(t *testing.T) {
	typ := sample(t)
	lin := sampleVal{}.linux()
	e := marshal.Encoder{Arch: abi.Win64, Mem: marshal.Self{}, Call: &wire.Call{}}
	if _, err := e.Typed(typ, lin, addr(lin), 1); err != nil {
		t.Fatal(err)
	}
	for _, rep := range []*wire.CallReply{
		{Out: nil, Bases: []uint64{1}},
		{Out: [][]byte{make([]byte, 40), make([]byte, 40)}, Bases: []uint64{1}},
		{Out: [][]byte{make([]byte, 40)}, Bases: nil},
	} {
		if err := e.Decode(rep); err == nil || !strings.Contains(err.Error(), "reply has") {
			t.Errorf("reply %d out %d bases: error %v", len(rep.Out), len(rep.Bases), err)
		}
	}
}

func TestValueDoesNotComeBack(t *testing.T) {
	typ := sample(t)
	v := sampleVal{c: 'v', i: 99}
	lin := v.linux()
	e := marshal.Encoder{Arch: abi.Win32, Mem: marshal.Self{}, Call: &wire.Call{}}
	if _, err := e.Value(typ, lin, addr(lin)); err != nil {
		t.Fatal(err)
	}
	if e.Call.Regions[0].Flags&wire.RegionOut != 0 {
		t.Fatal("a by-value region is sent back")
	}
	if err := e.Decode(&wire.CallReply{Bases: []uint64{4}}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(lin, v.linux()) {
		t.Fatal("a by-value argument changed")
	}
}

// struct { int x; int *p; void *h; } with p pointing into Go memory.
func TestPointerMembers(t *testing.T) {
	r := &layout.Registry{}
	i := scalar(t, r, abi.Int32, 4)
	vp := scalar(t, r, abi.Pointer, 8)
	pi := mustAdd(t, r, &layout.Desc{Class: "pointer", Elem: i, Size: 8, Align: 8})
	typ := r.Get(mustAdd(t, r, &layout.Desc{Class: "struct", Size: 24, Align: 8, Fields: []layout.FieldDesc{
		{Name: "x", Type: i}, {Name: "p", Type: pi, Offset: 8}, {Name: "h", Type: vp, Offset: 16},
	}}))
	for _, a := range abi.Arches {
		ps := a.PtrSize
		pointee := []byte{7, 0, 0, 0}
		lin := make([]byte, 24)
		binary.LittleEndian.PutUint32(lin, 5)
		binary.LittleEndian.PutUint64(lin[8:], uint64(addr(pointee)))
		binary.LittleEndian.PutUint64(lin[16:], 0xCAFE)
		e := marshal.Encoder{Arch: a, Mem: marshal.Self{}, Call: &wire.Call{}}
		if _, err := e.Typed(typ, lin, addr(lin), 1); err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		if len(e.Call.Regions) != 2 || !bytes.Equal(e.Call.Regions[1].Data, pointee) {
			t.Fatalf("%s: regions %+v", a.Name, e.Call.Regions)
		}
		want := wire.Patch{Target: 0, Pos: uint32(ps), Region: 1}
		if len(e.Call.Patches) != 1 || e.Call.Patches[0] != want {
			t.Fatalf("%s: patches %+v, want %+v", a.Name, e.Call.Patches, want)
		}
		winData := e.Call.Regions[0].Data
		if len(winData) != 3*ps || getPtr(winData[2*ps:], ps) != 0xCAFE {
			t.Fatalf("%s: region 0 %x", a.Name, winData)
		}
		// The DLL increments *p, keeps p, and stores a new handle.
		w0 := append([]byte(nil), winData...)
		putPtr(w0[ps:], ps, 0x20000) // the server's address of region 1
		putPtr(w0[2*ps:], ps, 0xBEEF)
		binary.LittleEndian.PutUint32(w0, 6)
		rep := &wire.CallReply{Out: [][]byte{w0, {8, 0, 0, 0}}, Bases: []uint64{0x10000, 0x20000}}
		if err := e.Decode(rep); err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		if binary.LittleEndian.Uint32(pointee) != 8 {
			t.Errorf("%s: pointee %x, want 8 written back", a.Name, pointee)
		}
		if binary.LittleEndian.Uint32(lin) != 6 || binary.LittleEndian.Uint64(lin[8:]) != uint64(addr(pointee)) ||
			binary.LittleEndian.Uint64(lin[16:]) != 0xBEEF {
			t.Errorf("%s: linux struct after call %x", a.Name, lin)
		}
		runtime.KeepAlive(pointee)

		// A DLL that sets p to NULL leaves NULL in Python.
		e = marshal.Encoder{Arch: a, Mem: marshal.Self{}, Call: &wire.Call{}}
		if _, err := e.Typed(typ, lin, addr(lin), 1); err != nil {
			t.Fatal(err)
		}
		w0 = make([]byte, 3*ps)
		if err := e.Decode(&wire.CallReply{Out: [][]byte{w0, {0, 0, 0, 0}}, Bases: []uint64{1, 2}}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(lin, make([]byte, 24)) {
			t.Errorf("%s: NULLed pointers: %x", a.Name, lin)
		}
		runtime.KeepAlive(pointee)
	}
}

func TestDanglingPointerMemberIsAnError(t *testing.T) {
	r := &layout.Registry{}
	i := scalar(t, r, abi.Int32, 4)
	pi := mustAdd(t, r, &layout.Desc{Class: "pointer", Elem: i, Size: 8, Align: 8})
	typ := r.Get(mustAdd(t, r, &layout.Desc{Class: "struct", Size: 8, Align: 8, Fields: []layout.FieldDesc{{Name: "p", Type: pi}}}))
	lin := make([]byte, 8)
	binary.LittleEndian.PutUint64(lin, 8)
	e := marshal.Encoder{Arch: abi.Win64, Mem: marshal.Self{}, Call: &wire.Call{}}
	if _, err := e.Typed(typ, lin, addr(lin), 1); err == nil {
		t.Fatal("a pointer member to address 8 was followed without error")
	}
}

func TestMirror(t *testing.T) {
	typ := sample(t)
	v := sampleVal{'m', 42, 'K', -0.5, [3]int16{1, -2, 3}, [3]rune{'a', 'b', 0}}
	for _, a := range abi.Arches {
		lin := make([]byte, 48)
		if err := marshal.Mirror(a, typ, v.windows(), lin); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(lin, v.linux()) {
			t.Fatalf("%s: mirror\n got %x\nwant %x", a.Name, lin, v.linux())
		}
		if err := marshal.Mirror(a, typ, v.windows()[:39], lin); err == nil {
			t.Fatalf("%s: short windows bytes accepted", a.Name)
		}
	}
}

func TestSelfMemory(t *testing.T) {
	var m marshal.Memory = marshal.Self{}
	buf := []byte("zugbruecke across the boundary")
	got := make([]byte, 10)
	if err := m.Read(addr(buf)+3, got); err != nil || string(got) != "bruecke ac" {
		t.Fatalf("Read: %q %v", got, err)
	}
	if err := m.Write(addr(buf), []byte("ZUG")); err != nil || string(buf[:4]) != "ZUGb" {
		t.Fatalf("Write: %q %v", buf, err)
	}
	if err := m.Read(addr(buf), nil); err != nil {
		t.Fatalf("empty Read: %v", err)
	}
	if err := m.Read(8, make([]byte, 4)); err == nil || !strings.Contains(err.Error(), "0x8") {
		t.Fatalf("Read of address 8: %v", err)
	}
	if err := m.Write(8, []byte{1}); err == nil {
		t.Fatal("Write of address 8 succeeded")
	}
	runtime.KeepAlive(buf)
}

func getPtr(b []byte, size int) uint64 {
	if size == 8 {
		return binary.LittleEndian.Uint64(b)
	}
	return uint64(binary.LittleEndian.Uint32(b))
}

func putPtr(b []byte, size int, v uint64) {
	if size == 8 {
		binary.LittleEndian.PutUint64(b, v)
	} else {
		binary.LittleEndian.PutUint32(b, uint32(v))
	}
}
