package wire

// Fuzz targets for every decoder: a malformed or truncated frame must give an error, never
// a panic, an allocation out of proportion to the input, or a hang. Each target is seeded
// with valid encodings and all their truncations; inputs the fuzzer found interesting live
// in testdata/fuzz/<target>/ and replay with every `go test`. Run one with, for example:
//
//	go test ./core/wire -run '^$' -fuzz '^FuzzCall$' -fuzztime 10m -parallel 4

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

// msgFor returns an empty message of the type a frame of type t carries, or nil.
func msgFor(t Type) Msg {
	switch t {
	case THello:
		return &Hello{}
	case TError:
		return &Error{}
	case TLoad:
		return &Load{}
	case TSym:
		return &Sym{}
	case TFree:
		return &Free{}
	case TCall:
		return &Call{}
	case TQuit, TDoorbell, TEndThread:
		return &Quit{}
	case THandle:
		return &Handle{}
	case TCallReply:
		return &CallReply{}
	case TReadMem:
		return &ReadMem{}
	case TBlob:
		return &Blob{}
	case TOutput:
		return &Output{}
	case TCallbackNew:
		return &CallbackNew{}
	case TCallbackFree:
		return &CallbackFree{}
	case TCallback:
		return &Callback{}
	case TCallbackReply:
		return &CallbackReply{}
	}
	return nil
}

// seedFrames is one valid frame of every type, with fields of every shape: empty, nil and
// non-empty slices, strings, extreme values.
func seedFrames() [][]byte {
	msgs := []struct {
		t Type
		m Msg
	}{
		{THello, &Hello{Version: Version, Arch: "win32", PID: 4242}},
		{TError, &Error{Kind: ErrSym, Code: 127, Msg: "symbol not found"}},
		{TLoad, &Load{Name: `C:\windows\system32\msvcrt.dll`}},
		{TSym, &Sym{Lib: 0x7ff800000000, Name: "pow"}},
		{TSym, &Sym{Lib: 0x10000000, Ordinal: 7}},
		{TFree, &Free{Lib: 0x10000000}},
		{TCall, seedCall()},
		{TCall, &Call{}},
		{TQuit, &Quit{}},
		{THandle, &Handle{Value: ^uint64(0)}},
		{TCallReply, seedCallReply()},
		{TCallReply, &CallReply{}},
		{TReadMem, &ReadMem{Addr: 0x401000, Size: 16}},
		{TReadMem, &ReadMem{Addr: 0x401000, Wide: true}},
		{TBlob, &Blob{Data: []byte("abc\x00")}},
		{TOutput, &Output{Data: []byte("hello from the DLL\r\n")}},
		{TCallbackNew, seedCallbackNew()},
		{TCallbackFree, &CallbackFree{Addr: 0x7000}},
		{TCallback, seedCallback()},
		{TCallbackReply, seedCallbackReply()},
		{TDoorbell, nil},
		{TEndThread, &Quit{}},
	}
	var frames [][]byte
	for i, s := range msgs {
		frames = append(frames, Append(nil, s.t, uint32(i), s.m))
	}
	return frames
}

func seedCall() *Call {
	return &Call{
		Fn: 0x401000, Conv: 1, Ret: 2, Deref: DerefCStr, LastError: 183,
		Words: []uint64{1, 0xffffffff, 0x4000000000000000},
		Regions: []Region{
			{Flags: RegionOut, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
			{Flags: RegionFixed | RegionOut, Addr: 0x10002000, Data: []byte{}},
			{Data: []byte("a string\x00")},
		},
		Patches: []Patch{
			{Target: PatchWord, Pos: 0, Region: 2},
			{Target: 0, Pos: 4, Region: 2, Offset: 2},
			{Target: PatchWordLoad, Pos: 1, Region: 0, Offset: 4},
		},
	}
}

func seedCallReply() *CallReply {
	return &CallReply{
		Int: 0x100000002, Float: 0x400921fb54442d18, LastError: 5, Popped: 12,
		Exception: 0xc0000005, ExcInfo: [3]uint64{0, 0xdeadbeef, 0x401234},
		Out: [][]byte{{8, 7, 6}, {}}, Bases: []uint64{0x20000, 0x10002000, 0x30000},
		RetData: []byte("result"),
	}
}

func seedCallbackNew() *CallbackNew {
	return &CallbackNew{Conv: 2, Ret: 11, Args: []CallbackArg{{Kind: 6}, {Kind: 17, Size: 24}, {Kind: 9, Deref: DerefWStr}}}
}

func seedCallback() *Callback {
	return &Callback{Addr: 0x7000, Args: []uint64{3, 0x3ff0000000000000, 0x20000}, Mem: [][]byte{{}, {}, []byte("abc")}}
}

func seedCallbackReply() *CallbackReply {
	return &CallbackReply{Result: 1, Mem: [][]byte{{}, {}, []byte("xyz")}}
}

// addTruncations seeds f with b and every proper prefix of it, each followed by more, the
// target's further arguments.
func addTruncations(f *testing.F, b []byte, more ...any) {
	for n := len(b); n >= 0; n-- {
		f.Add(append([]any{bytes.Clone(b[:n])}, more...)...)
	}
}

// payload encodes m without a frame around it.
func payload(m Msg) []byte {
	var w Writer
	m.Encode(&w)
	return w.B
}

// checkDecode decodes p into m; when that succeeds, m must survive a whole frame's round
// trip unchanged: Append, FrameReader, ParseBody, Decode.
func checkDecode(t *testing.T, typ Type, p []byte, m Msg, fresh func() Msg) {
	t.Helper()
	if err := (Frame{Type: typ, Payload: p}).Decode(m); err != nil {
		return
	}
	b := Append(nil, typ, 3, m)
	if len(b) > 4+headerSize+len(p) {
		t.Fatalf("%v: %d payload bytes re-encode to a %d-byte frame", typ, len(p), len(b))
	}
	f, err := NewFrameReader(bytes.NewReader(b)).Next()
	if err != nil {
		t.Fatalf("%v: re-encoded frame: %v", typ, err)
	}
	again := fresh()
	if err := f.Decode(again); err != nil {
		t.Fatalf("%v: re-encoded frame: %v", typ, err)
	}
	if !reflect.DeepEqual(m, again) {
		t.Fatalf("%v: decoded %#v, re-decoded %#v", typ, m, again)
	}
}

// FuzzFrameReader reads a stream of frames, delivered in reads of 1 to 16 bytes, and
// decodes each payload as its type says. The stream ends with io.EOF at a frame boundary
// and with another error anywhere else; the read buffer stays in proportion to the stream.
func FuzzFrameReader(f *testing.F) {
	var all []byte
	for _, b := range seedFrames() {
		all = append(all, b...)
		f.Add(b, uint8(15))
	}
	addTruncations(f, all[:min(len(all), 200)], uint8(2))
	f.Add(all, uint8(0))
	f.Add(all, uint8(6))
	f.Add([]byte{0xff, 0xff, 0xff, 0x3f, 1, 0, 0, 0, 0}, uint8(15)) // forged length, 5 bytes follow
	f.Add([]byte{0x00, 0x00, 0x00, 0x40, 1, 0, 0, 0, 0}, uint8(15)) // length MaxFrame
	f.Add([]byte{0x01, 0x00, 0x00, 0x40, 1, 0, 0, 0, 0}, uint8(15)) // length past MaxFrame
	f.Add([]byte{4, 0, 0, 0, 1, 0, 0, 0}, uint8(15))                // length below the header
	f.Fuzz(func(t *testing.T, stream []byte, chunk uint8) {
		fr := NewFrameReader(&chunkReader{b: stream, n: int(chunk%16) + 1})
		consumed := 0
		for {
			fm, err := fr.Next()
			if err != nil {
				if errors.Is(err, io.EOF) != (consumed == len(stream)) {
					t.Fatalf("error %v after %d of %d bytes", err, consumed, len(stream))
				}
				break
			}
			consumed += 4 + headerSize + len(fm.Payload)
			if consumed > len(stream) {
				t.Fatalf("frames of %d bytes from a %d-byte stream", consumed, len(stream))
			}
			if m := msgFor(fm.Type); m != nil {
				_ = fm.Decode(m)
			}
		}
		if c := cap(fr.buf); c > 2*len(stream)+2*growStep {
			t.Fatalf("a %d-byte stream grew the read buffer to %d bytes", len(stream), c)
		}
	})
}

// chunkReader returns at most n bytes per Read, to exercise short reads.
type chunkReader struct {
	b []byte
	n int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.b)
	r.b = r.b[k:]
	return k, nil
}

// FuzzFrameBody parses a frame body (as a mailbox delivers it) and decodes its payload as
// the message its type names; what decodes must survive a round trip.
func FuzzFrameBody(f *testing.F) {
	for _, b := range seedFrames() {
		addTruncations(f, b[4:])
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fm, err := ParseBody(body)
		if err != nil {
			if len(body) >= headerSize {
				t.Fatalf("a %d-byte body: %v", len(body), err)
			}
			return
		}
		_ = fm.Type.String()
		if m := msgFor(fm.Type); m != nil {
			checkDecode(t, fm.Type, fm.Payload, m, func() Msg { return msgFor(fm.Type) })
		}
	})
}

// FuzzCall decodes Call payloads, the request the server acts on.
func FuzzCall(f *testing.F) {
	addTruncations(f, payload(seedCall()))
	f.Add(payload(&Call{}))
	f.Add(payload(&Call{Words: make([]uint64, 6), Patches: []Patch{{Target: PatchWordLoad}}}))
	f.Fuzz(func(t *testing.T, p []byte) {
		checkDecode(t, TCall, p, &Call{}, func() Msg { return &Call{} })
	})
}

// FuzzCallReply decodes CallReply payloads, the answer the client copies into Python memory.
func FuzzCallReply(f *testing.F) {
	addTruncations(f, payload(seedCallReply()))
	f.Add(payload(&CallReply{}))
	f.Add(payload(&CallReply{RetData: []byte{}}))
	f.Fuzz(func(t *testing.T, p []byte) {
		checkDecode(t, TCallReply, p, &CallReply{}, func() Msg { return &CallReply{} })
	})
}

// FuzzCallback decodes payloads as each message of the callback protocol.
func FuzzCallback(f *testing.F) {
	for _, m := range []Msg{seedCallbackNew(), &CallbackFree{Addr: 1}, seedCallback(), seedCallbackReply()} {
		addTruncations(f, payload(m))
	}
	f.Add(payload(&CallbackNew{}))
	f.Add(payload(&Callback{}))
	f.Fuzz(func(t *testing.T, p []byte) {
		checkDecode(t, TCallbackNew, p, &CallbackNew{}, func() Msg { return &CallbackNew{} })
		checkDecode(t, TCallbackFree, p, &CallbackFree{}, func() Msg { return &CallbackFree{} })
		checkDecode(t, TCallback, p, &Callback{}, func() Msg { return &Callback{} })
		checkDecode(t, TCallbackReply, p, &CallbackReply{}, func() Msg { return &CallbackReply{} })
	})
}

// TestFrameReaderForgedLength: a length prefix just under MaxFrame followed by a few bytes
// must not allocate the announced gigabyte (FuzzFrameReader's buffer check).
func TestFrameReaderForgedLength(t *testing.T) {
	stream := []byte{0xff, 0xff, 0xff, 0x3f, 1, 0, 0, 0, 0, 'x'}
	fr := NewFrameReader(bytes.NewReader(stream))
	if _, err := fr.Next(); err != io.ErrUnexpectedEOF {
		t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
	}
	if c := cap(fr.buf); c > 2*growStep {
		t.Fatalf("read buffer of %d bytes for a %d-byte stream", c, len(stream))
	}
}

// TestFrameReaderLargeFrame: a frame larger than the first growth step arrives whole, and
// the next one reuses the buffer.
func TestFrameReaderLargeFrame(t *testing.T) {
	big := &Blob{Data: bytes.Repeat([]byte("0123456789abcdef"), 3*growStep/16+1)}
	stream := Append(nil, TBlob, 1, big)
	stream = Append(stream, TBlob, 2, &Blob{Data: []byte("small")})
	fr := NewFrameReader(&chunkReader{b: stream, n: 1000})
	for i, want := range []*Blob{big, {Data: []byte("small")}} {
		f, err := fr.Next()
		if err != nil {
			t.Fatal(err)
		}
		var got Blob
		if err := f.Decode(&got); err != nil || !bytes.Equal(got.Data, want.Data) || f.Channel != uint32(i+1) {
			t.Fatalf("frame %d: %v, %d bytes on channel %d", i, err, len(got.Data), f.Channel)
		}
	}
	if _, err := fr.Next(); err != io.EOF {
		t.Fatalf("got %v, want io.EOF", err)
	}
}
