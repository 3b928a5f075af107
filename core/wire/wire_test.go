package wire

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

func roundTrip(t *testing.T, typ Type, in, out Msg) {
	t.Helper()
	b := Append(nil, typ, 7, in)
	fr := NewFrameReader(bytes.NewReader(b))
	f, err := fr.Next()
	if err != nil {
		t.Fatalf("%v: %v", typ, err)
	}
	if f.Type != typ || f.Channel != 7 {
		t.Fatalf("header: got %v/%d", f.Type, f.Channel)
	}
	if err := f.Decode(out); err != nil {
		t.Fatalf("%v: decode: %v", typ, err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("%v: got %#v, want %#v", typ, out, in)
	}
}

func TestRoundTrip(t *testing.T) {
	roundTrip(t, THello, &Hello{Version: Version, Arch: "win64", PID: 42}, &Hello{})
	roundTrip(t, TError, &Error{Kind: ErrLoad, Code: 126, Msg: "not found"}, &Error{})
	roundTrip(t, TLoad, &Load{Name: `C:\windows\system32\kernel32.dll`}, &Load{})
	roundTrip(t, TSym, &Sym{Lib: 1 << 40, Name: "", Ordinal: 3}, &Sym{})
	roundTrip(t, THandle, &Handle{Value: ^uint64(0)}, &Handle{})
	roundTrip(t, TReadMem, &ReadMem{Addr: 0x1000, Size: 0, Wide: true}, &ReadMem{})
	roundTrip(t, TBlob, &Blob{Data: []byte("abc\x00")}, &Blob{})
	roundTrip(t, TCall, &Call{
		Fn: 0x401000, Conv: 1, Ret: 2, Deref: DerefWStr, LastError: 183,
		Words:   []uint64{1, 2, 0xffffffff},
		Regions: []Region{{Flags: RegionOut, Data: []byte{1, 2, 3}}, {Flags: RegionFixed, Addr: 0x1000, Data: []byte{}}},
		Patches: []Patch{{Target: PatchWord, Pos: 1, Region: 0, Offset: 0}, {Target: 1, Pos: 0, Region: 0, Offset: 2}},
	}, &Call{})
	roundTrip(t, TCallbackNew, &CallbackNew{Conv: 1, Ret: 11, Args: []CallbackArg{{Kind: 6}, {Kind: 17, Deref: 1, Size: 12}}}, &CallbackNew{})
	roundTrip(t, TCallbackFree, &CallbackFree{Addr: 0x7000}, &CallbackFree{})
	roundTrip(t, TCallback, &Callback{Addr: 1, Args: []uint64{1, 2}, Mem: [][]byte{{}, {3}}}, &Callback{})
	roundTrip(t, TCallbackReply, &CallbackReply{Result: 9, Mem: [][]byte{{}, {4}}}, &CallbackReply{})
	roundTrip(t, TCallReply, &CallReply{Int: 5, Float: 6, LastError: 7, Popped: -8, Exception: 0xc0000005,
		ExcInfo: [3]uint64{1, 2, 3}, Out: [][]byte{{9}, {}}, Bases: []uint64{0x10, 0x20}, RetData: []byte("x")}, &CallReply{})
}

func TestTruncated(t *testing.T) {
	b := Append(nil, TCall, 0, &Call{Words: []uint64{1, 2}, Regions: []Region{{Data: []byte("xyz")}}})
	body := b[4:]
	for n := headerSize; n < len(body); n++ {
		f, err := ParseBody(body[:n])
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Decode(&Call{}); err == nil {
			t.Fatalf("prefix of %d bytes decoded without error", n)
		}
	}
}

func TestForgedCount(t *testing.T) {
	w := Writer{}
	w.U64(0)
	w.U8(0)
	w.U8(0)
	w.U32(0xffffffff) // words: far more than the payload holds
	f := Frame{Type: TCall, Payload: w.B}
	if err := f.Decode(&Call{}); err == nil {
		t.Fatal("forged count accepted")
	}
}

func TestFrameReaderErrors(t *testing.T) {
	cases := map[string][]byte{
		"short header": {1, 0},
		"tiny length":  {2, 0, 0, 0, 1, 0},
		"huge length":  {0xff, 0xff, 0xff, 0xff},
		"short body":   {9, 0, 0, 0, 1, 0, 0, 0, 0},
	}
	for name, b := range cases {
		_, err := NewFrameReader(bytes.NewReader(b)).Next()
		if err == nil || errors.Is(err, io.EOF) {
			t.Errorf("%s: got %v", name, err)
		}
	}
	if _, err := NewFrameReader(bytes.NewReader(nil)).Next(); err != io.EOF {
		t.Errorf("empty stream: got %v, want io.EOF", err)
	}
}

// FuzzDecode feeds arbitrary frame bodies to every decoder: errors are fine, panics are not.
func FuzzDecode(f *testing.F) {
	f.Add(Append(nil, TCall, 1, &Call{Words: []uint64{1}, Regions: []Region{{Data: []byte("a")}}, Patches: []Patch{{}}})[4:])
	f.Add(Append(nil, TCallReply, 1, &CallReply{Out: [][]byte{{1}}})[4:])
	f.Add(Append(nil, THello, 0, &Hello{Arch: "win32"})[4:])
	f.Fuzz(func(t *testing.T, body []byte) {
		fr, err := ParseBody(body)
		if err != nil {
			return
		}
		for _, m := range []Msg{&Hello{}, &Error{}, &Load{}, &Sym{}, &Free{}, &Handle{}, &Call{},
			&CallReply{}, &ReadMem{}, &Blob{}, &Output{}, &Quit{}, &CallbackNew{}, &CallbackFree{},
			&Callback{}, &CallbackReply{}} {
			_ = fr.Decode(m)
		}
	})
}
