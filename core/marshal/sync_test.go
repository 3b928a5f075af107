package marshal_test

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"strings"
	"testing"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/layout"
	"github.com/zugbruecke/zugbruecke/core/marshal"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// arrayData: struct { int16 *data; int16 len; } (Linux: data@0 len@8, size 16).
func arrayData(t *testing.T) (st, i16 *layout.Type) {
	r := &layout.Registry{}
	s := scalar(t, r, abi.Int16, 2)
	p := mustAdd(t, r, &layout.Desc{Class: "pointer", Elem: s, Size: 8, Align: 8})
	id := mustAdd(t, r, &layout.Desc{Class: "struct", Size: 16, Align: 8, Fields: []layout.FieldDesc{
		{Name: "data", Type: p}, {Name: "len", Type: s, Offset: 8},
	}})
	return r.Get(id), r.Get(s)
}

func report(b []byte) (uint64, uint64) {
	return binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
}

func TestSyncedMember(t *testing.T) {
	st, i16 := arrayData(t)
	for _, a := range abi.Arches {
		ps := a.PtrSize
		data := []byte{1, 0, 2, 0, 3, 0}
		lin := make([]byte, 16)
		binary.LittleEndian.PutUint64(lin, uint64(addr(data)))
		binary.LittleEndian.PutUint16(lin[8:], 3)
		rep := make([]byte, 16)
		s := &marshal.Sync{Type: i16, Count: 3, Report: rep}
		e := marshal.Encoder{Arch: a, Mem: marshal.Self{}, Call: &wire.Call{},
			Syncs: map[uintptr]*marshal.Sync{addr(lin): s}}
		if _, err := e.Typed(st, lin, addr(lin), 1); err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		// All three elements travel, not the one a POINTER(c_int16) drags along.
		if len(e.Call.Regions) != 2 || !bytes.Equal(e.Call.Regions[1].Data, data) {
			t.Fatalf("%s: regions %+v", a.Name, e.Call.Regions)
		}
		if want := (wire.Patch{Target: 0, Pos: 0, Region: 1}); len(e.Call.Patches) != 1 || e.Call.Patches[0] != want {
			t.Fatalf("%s: patches %+v", a.Name, e.Call.Patches)
		}
		if state, _ := report(rep); state != marshal.SyncReached {
			t.Errorf("%s: state %d after encoding", a.Name, state)
		}
		w0 := append([]byte(nil), e.Call.Regions[0].Data...)
		putPtr(w0, ps, 0x20000) // still the region
		out := [][]byte{w0, {9, 0, 8, 0, 7, 0}}
		if err := e.Decode(&wire.CallReply{Out: out, Bases: []uint64{0x10000, 0x20000}}); err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		if !bytes.Equal(data, []byte{9, 0, 8, 0, 7, 0}) {
			t.Errorf("%s: data after the call %x", a.Name, data)
		}
		if state, value := report(rep); state != marshal.SyncInPlace || value != 0x20000 {
			t.Errorf("%s: report %d %#x", a.Name, state, value)
		}

		// The DLL points data at memory of its own: reported, the Linux pointer stays.
		e = marshal.Encoder{Arch: a, Mem: marshal.Self{}, Call: &wire.Call{},
			Syncs: map[uintptr]*marshal.Sync{addr(lin): s}}
		if _, err := e.Typed(st, lin, addr(lin), 1); err != nil {
			t.Fatal(err)
		}
		putPtr(w0, ps, 0x7000)
		if err := e.Decode(&wire.CallReply{Out: [][]byte{w0, make([]byte, 6)}, Bases: []uint64{1, 2}}); err != nil {
			t.Fatal(err)
		}
		if state, value := report(rep); state != marshal.SyncMoved || value != 0x7000 {
			t.Errorf("%s: report %d %#x, want moved to 0x7000", a.Name, state, value)
		}
		if binary.LittleEndian.Uint64(lin) != uint64(addr(data)) {
			t.Errorf("%s: Linux pointer changed to %#x", a.Name, binary.LittleEndian.Uint64(lin))
		}
		runtime.KeepAlive(data)
	}
}

func TestSyncedNullMemberAndData(t *testing.T) {
	st, i16 := arrayData(t)
	a := abi.Win64
	lin := make([]byte, 32) // two structures: data NULL, then data with bytes Python prepared
	other := []byte("zz")
	binary.LittleEndian.PutUint64(lin[16:], uint64(addr(other)))
	rep := make([]byte, 32)
	prepared := []byte("abc\x00")
	syncs := map[uintptr]*marshal.Sync{
		addr(lin):      {Type: i16, Count: 5, Report: rep[:16]},
		addr(lin) + 16: {Data: prepared, Report: rep[16:]},
		addr(lin) + 99: {Type: i16, Count: 1}, // nowhere: never reached
	}
	e := marshal.Encoder{Arch: a, Mem: marshal.Self{}, Call: &wire.Call{}, Syncs: syncs}
	if _, err := e.Typed(st, lin, addr(lin), 2); err != nil {
		t.Fatal(err)
	}
	if len(e.Call.Regions) != 2 || string(e.Call.Regions[1].Data) != "abc\x00" {
		t.Fatalf("regions %+v", e.Call.Regions)
	}
	w0 := append([]byte(nil), e.Call.Regions[0].Data...)
	putPtr(w0, 8, 0x4000)      // the DLL allocated the first one's data
	putPtr(w0[16:], 8, 0x9000) // and kept the second one's region
	if err := e.Decode(&wire.CallReply{Out: [][]byte{w0, []byte("ABC\x00")}, Bases: []uint64{1, 0x9000}}); err != nil {
		t.Fatal(err)
	}
	if string(prepared) != "ABC\x00" {
		t.Errorf("prepared bytes after the call: %q", prepared)
	}
	if state, value := report(rep); state != marshal.SyncMoved || value != 0x4000 {
		t.Errorf("NULL member: report %d %#x", state, value)
	}
	if state, value := report(rep[16:]); state != marshal.SyncInPlace || value != 0x9000 {
		t.Errorf("data member: report %d %#x", state, value)
	}
	if binary.LittleEndian.Uint64(lin) != 0 || string(other) != "zz" {
		t.Errorf("Linux memory changed: %x %q", lin[:8], other)
	}
}

func TestCheckedRegion(t *testing.T) {
	r := &layout.Registry{}
	i32 := r.Get(scalar(t, r, abi.Int32, 4))
	lin := []byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}
	e := marshal.Encoder{Arch: abi.Win32, Mem: marshal.Self{}, Call: &wire.Call{}}
	if _, err := e.Checked(i32, addr(lin), 3); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.Call.Regions[0].Data, lin) {
		t.Fatalf("region %x", e.Call.Regions[0].Data)
	}
	if err := e.Decode(&wire.CallReply{Out: [][]byte{{7, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0}}, Bases: []uint64{1}}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(lin, []byte{7, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0}) {
		t.Errorf("after the call %x", lin)
	}
	for _, c := range []struct {
		addr  uintptr
		count int
		want  string
	}{
		{16, 3, "cannot be read"},
		{addr(lin), -1, "too much"},
		{addr(lin), marshal.MaxSync, "too much"},
	} {
		e := marshal.Encoder{Arch: abi.Win32, Mem: marshal.Self{}, Call: &wire.Call{}}
		if _, err := e.Checked(i32, c.addr, c.count); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Checked(%#x, %d): %v, want %q", c.addr, c.count, err, c.want)
		}
	}
}

func TestMirrorN(t *testing.T) {
	st, i16 := arrayData(t)
	// Plain values: one copy.
	lin := make([]byte, 6)
	if err := marshal.MirrorN(abi.Win32, i16, []byte{1, 0, 2, 0, 3, 0}, lin, 3); err != nil || lin[4] != 3 {
		t.Fatalf("int16: %v %x", err, lin)
	}
	// Structures with pointers: each element, typed pointers NULL.
	win := []byte{0x10, 0, 0, 0, 5, 0, 0, 0, 0x20, 0, 0, 0, 6, 0, 0, 0}
	lin = bytes.Repeat([]byte{0xFF}, 32)
	if err := marshal.MirrorN(abi.Win32, st, win, lin, 2); err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint64(lin) != 0 || lin[8] != 5 || binary.LittleEndian.Uint64(lin[16:]) != 0 || lin[24] != 6 {
		t.Errorf("structures %x", lin)
	}
	if err := marshal.MirrorN(abi.Win32, st, win[:8], lin, 2); err == nil {
		t.Error("short Windows bytes: no error")
	}
}

// A DLL that swaps two synced pointers (a sort of structures) leaves each pointing at the
// other's region: the Linux pointers follow, nothing is reported moved.
func TestSyncedMembersRelocate(t *testing.T) {
	st, i16 := arrayData(t)
	a := abi.Win32
	one, two := []byte{1, 0}, []byte{2, 0, 2, 0}
	lin := make([]byte, 32)
	binary.LittleEndian.PutUint64(lin, uint64(addr(one)))
	binary.LittleEndian.PutUint64(lin[16:], uint64(addr(two)))
	rep := make([]byte, 32)
	e := marshal.Encoder{Arch: a, Mem: marshal.Self{}, Call: &wire.Call{}, Syncs: map[uintptr]*marshal.Sync{
		addr(lin): {Type: i16, Count: 1, Report: rep[:16]}, addr(lin) + 16: {Type: i16, Count: 2, Report: rep[16:]},
	}}
	if _, err := e.Typed(st, lin, addr(lin), 2); err != nil {
		t.Fatal(err)
	}
	w0 := append([]byte(nil), e.Call.Regions[0].Data...)
	putPtr(w0, 4, 0x3000)     // element 0 now points at element 1's data
	putPtr(w0[8:], 4, 0x2000) // and the other way round
	out := [][]byte{w0, {5, 0}, {6, 0, 7, 0}}
	if err := e.Decode(&wire.CallReply{Out: out, Bases: []uint64{0x1000, 0x2000, 0x3000}}); err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint64(lin) != uint64(addr(two)) || binary.LittleEndian.Uint64(lin[16:]) != uint64(addr(one)) {
		t.Errorf("pointers after the swap: %#x %#x", binary.LittleEndian.Uint64(lin), binary.LittleEndian.Uint64(lin[16:]))
	}
	if one[0] != 5 || two[2] != 7 {
		t.Errorf("data after the call: %x %x", one, two)
	}
	for k := 0; k < 2; k++ {
		if state, _ := report(rep[16*k:]); state != marshal.SyncInPlace {
			t.Errorf("member %d: state %d", k, state)
		}
	}
	runtime.KeepAlive(one)
	runtime.KeepAlive(two)
}
