package abi

import (
	"math"
	"testing"

	"github.com/zugbruecke/zugbruecke/core/wire"
)

func TestSizes(t *testing.T) {
	cases := []struct {
		k          Kind
		win32, w64 int
	}{
		{Bool, 1, 1}, {Int8, 1, 1}, {Uint16, 2, 2}, {Int32, 4, 4}, {Uint64, 8, 8},
		{Float32, 4, 4}, {Float64, 8, 8}, {Pointer, 4, 8}, {Char, 1, 1}, {WChar, 2, 2},
		{CharP, 4, 8}, {WCharP, 4, 8}, {Buffer, 4, 8}, {Void, 0, 0},
	}
	for _, c := range cases {
		if got := Win32.Size(c.k); got != c.win32 {
			t.Errorf("win32 %v: %d, want %d", c.k, got, c.win32)
		}
		if got := Win64.Size(c.k); got != c.w64 {
			t.Errorf("win64 %v: %d, want %d", c.k, got, c.w64)
		}
	}
	for _, a := range Arches {
		if a.LongSize != 4 || a.WCharSize != 2 || a.LongDouble != 8 {
			t.Errorf("%s: long %d wchar %d long double %d", a.Name, a.LongSize, a.WCharSize, a.LongDouble)
		}
	}
}

func TestExtend(t *testing.T) {
	cases := []struct {
		a    *Arch
		k    Kind
		in   uint64
		want uint64
	}{
		{Win32, Int8, 0xff, math.MaxUint64},
		{Win32, Uint8, 0x1ff, 0xff},
		{Win32, Int16, 0x8000, 0xffffffffffff8000},
		{Win32, Int32, 1<<32 + 5, 5},
		{Win32, Uint32, math.MaxUint64, 0xffffffff},
		{Win32, Pointer, 0x1234567890, 0x34567890},
		{Win64, Pointer, 0x1234567890, 0x1234567890},
		{Win64, Int64, math.MaxUint64, math.MaxUint64},
		{Win64, Bool, 0x102, 2},
	}
	for _, c := range cases {
		if got := c.a.Extend(c.k, c.in); got != c.want {
			t.Errorf("%s %v %#x: got %#x, want %#x", c.a.Name, c.k, c.in, got, c.want)
		}
	}
}

func TestPackWin32(t *testing.T) {
	var call wire.Call
	args := []Arg{
		{Kind: Int32, Bits: uint64(math.MaxUint64)}, // -1
		{Kind: Int64, Bits: 0x1122334455667788},
		{Kind: Float64, Bits: math.Float64bits(1.5)},
		{Kind: Float32, Bits: math.Float64bits(2.5)},
		{Kind: CharP, Data: []byte("hi\x00")},
		{Kind: CharP, Null: true},
	}
	if err := Win32.Pack(&call, StdCall, Float64, args, nil); err != nil {
		t.Fatal(err)
	}
	f64 := math.Float64bits(1.5)
	want := []uint64{0xffffffff, 0x55667788, 0x11223344, f64 & 0xffffffff, f64 >> 32,
		uint64(math.Float32bits(2.5)), 0, 0}
	if len(call.Words) != len(want) {
		t.Fatalf("words %x, want %x", call.Words, want)
	}
	for i := range want {
		if call.Words[i] != want[i] {
			t.Fatalf("word %d: %#x, want %#x", i, call.Words[i], want[i])
		}
	}
	if len(call.Regions) != 1 || len(call.Patches) != 1 || call.Patches[0].Pos != 6 {
		t.Fatalf("regions %v patches %v", call.Regions, call.Patches)
	}
	if call.Conv != uint8(StdCall) || call.Ret != uint8(RetFloat) {
		t.Fatalf("conv %d ret %d", call.Conv, call.Ret)
	}
}

func TestPackWin64(t *testing.T) {
	var call wire.Call
	args := []Arg{{Kind: Int8, Bits: 0x1ff}, {Kind: Int64, Bits: 7}, {Kind: Float64, Bits: math.Float64bits(-1)},
		{Kind: Buffer, Data: make([]byte, 4), Out: true}, {Kind: Uint16, Bits: 0x12345}}
	if err := Win64.Pack(&call, CDecl, Int32, args, nil); err != nil {
		t.Fatal(err)
	}
	want := []uint64{math.MaxUint64, 7, math.Float64bits(-1), 0, 0x2345}
	for i := range want {
		if call.Words[i] != want[i] {
			t.Fatalf("slot %d: %#x, want %#x", i, call.Words[i], want[i])
		}
	}
	if call.Regions[0].Flags != wire.RegionOut || call.Patches[0].Pos != 3 {
		t.Fatalf("buffer region: %+v %+v", call.Regions, call.Patches)
	}
	if err := Win64.Pack(&call, CDecl, Int32, []Arg{{Kind: Void}}, nil); err == nil {
		t.Fatal("void argument accepted")
	}
}

func TestResult(t *testing.T) {
	rep := &wire.CallReply{Int: 0xffffffff80000000 | 0xfe, Float: math.Float64bits(0.25)}
	if got := int64(Win32.Result(Int8, rep)); got != -2 {
		t.Errorf("int8: %d", got)
	}
	if got := math.Float64frombits(Win32.Result(Float32, rep)); got != 0.25 {
		t.Errorf("win32 float32 from x87: %v", got)
	}
	rep64 := &wire.CallReply{Float: uint64(math.Float32bits(0.75))}
	if got := math.Float64frombits(Win64.Result(Float32, rep64)); got != 0.75 {
		t.Errorf("win64 float32 from xmm0: %v", got)
	}
}

func TestWideBuffers(t *testing.T) {
	text := []rune{'h', 'ä', 0x1F600, 0}
	src := make([]byte, 4*len(text))
	for i, r := range text {
		src[4*i] = byte(r)
		src[4*i+1] = byte(r >> 8)
		src[4*i+2] = byte(r >> 16)
	}
	u16 := UTF32ToUTF16(src)
	if len(u16) != 8 {
		t.Fatalf("utf16 length %d, want 8 (one unit per element)", len(u16))
	}
	want16 := []uint16{'h', 'ä', 0xD83D, 0xDE00}
	for i, w := range want16 {
		if got := uint16(u16[2*i]) | uint16(u16[2*i+1])<<8; got != w {
			t.Fatalf("unit %d: %#x, want %#x", i, got, w)
		}
	}
	back := make([]byte, len(src))
	UTF16ToUTF32(back, u16)
	for i, r := range []rune{'h', 'ä', 0x1F600, 0} {
		if got := rune(back[4*i]) | rune(back[4*i+1])<<8 | rune(back[4*i+2])<<16; got != r {
			t.Fatalf("element %d: %#x, want %#x", i, got, r)
		}
	}
}

func TestByName(t *testing.T) {
	for _, a := range Arches {
		if got, err := ByName(a.Name); got != a || err != nil {
			t.Errorf("ByName(%q) = %v, %v", a.Name, got, err)
		}
	}
	_, err := ByName("win16")
	const want = `abi: arch "win16": must be one of "win32", "win64"`
	if err == nil || err.Error() != want {
		t.Errorf("ByName(win16): %v, want %s", err, want)
	}
	if got := ArchNames(); len(got) != 2 || got[0] != "win32" || got[1] != "win64" {
		t.Errorf("ArchNames() = %q", got)
	}
}

func TestKindNames(t *testing.T) {
	seen := map[string]bool{}
	for k := Kind(0); k.Valid(); k++ {
		if name := k.String(); name == "" || seen[name] {
			t.Errorf("kind %d: name %q missing or repeated", uint8(k), name)
		} else {
			seen[name] = true
		}
	}
}
