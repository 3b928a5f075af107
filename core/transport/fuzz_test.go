package transport

import (
	"bytes"
	"encoding/binary"
	"sync/atomic"
	"testing"

	"github.com/zugbruecke/zugbruecke/core/wire"
)

// FuzzArea attaches to a shared memory area of arbitrary bytes, as the server does with the
// client's file, and reads every mailbox: a forged header or body length must give an
// error or an empty body, never a panic or a read outside the area. Run with
//
//	go test ./core/transport -run '^$' -fuzz '^FuzzArea$' -fuzztime 10m -parallel 4
func FuzzArea(f *testing.F) {
	for _, l := range []Layout{{Mailboxes: 3, Capacity: 32}, {Mailboxes: 2, Capacity: 4}, {Mailboxes: 1, Capacity: 8}} {
		mem := make([]byte, l.Size())
		a, err := Init(mem, l)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.Clone(mem))
		body := wire.Append(nil, wire.THandle, 1, &wire.Handle{Value: 7})[4:]
		for ch := 1; ch < l.Mailboxes; ch++ {
			if m := a.Mailbox(uint32(ch), ch%2 == 0); len(body) <= len(m.body) {
				m.Put(body)
			} else {
				m.Put(body[:l.Capacity])
			}
		}
		for n := len(mem); n >= 0; n -= 4 {
			f.Add(bytes.Clone(mem[:n]))
		}
	}
	f.Add(forgedHeader(1<<31, 1<<32-mailboxHeader, 64))        // Size wraps to 64 with 64-bit int
	f.Add(forgedHeader(2, 1<<31-mailboxHeader, 64))            // Size wraps to 64 with 32-bit int
	f.Add(forgedHeader(1<<20, 1<<20, 64))                      // larger than the mapping
	f.Add(forgedHeader(2, 6, shmHeader+2*2*(mailboxHeader+6))) // misaligned mailbox words
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := make([]byte, len(data)) // 8-byte aligned, as a mapping is
		copy(mem, data)
		a, err := Attach(mem)
		if err != nil {
			return
		}
		if a.l.Size() > len(mem) || a.l.Capacity%4 != 0 {
			t.Fatalf("attached a %+v area to %d bytes", a.l, len(mem))
		}
		for _, ch := range []uint32{uint32(a.l.Mailboxes), uint32(a.l.Mailboxes) + 1, 1 << 31, ^uint32(0)} {
			if a.Mailbox(ch, true) != nil || a.Mailbox(ch, false) != nil {
				t.Fatalf("channel %d of a %+v area has a mailbox", ch, a.l)
			}
		}
		for ch := uint32(1); ch < uint32(a.l.Mailboxes); ch++ {
			for _, toServer := range []bool{true, false} {
				m := a.Mailbox(ch, toServer)
				if m == nil || len(m.body) != a.l.Capacity {
					t.Fatalf("channel %d of a %+v area: %v", ch, a.l, m)
				}
				body, ok := m.TryGet(nil)
				if ok {
					if len(body) > a.l.Capacity {
						t.Fatalf("a %d-byte body from a %d-byte mailbox", len(body), a.l.Capacity)
					}
					if fr, err := wire.ParseBody(body); err == nil {
						_ = fr.Decode(&wire.Handle{})
					}
				}
				m.Sleep()
				// Put waits for the previous body's ack: only write where none is pending.
				if atomic.LoadUint32(m.word(4)) != atomic.LoadUint32(m.word(0)) || len(body) > len(m.body) {
					continue
				}
				m.Put(body)
				got, ok := m.TryGet(nil)
				if !ok || !bytes.Equal(got, body) {
					t.Fatalf("put %q, got %q %v", body, got, ok)
				}
			}
		}
	})
}

// forgedHeader is an area header announcing a geometry, padded to size bytes.
func forgedHeader(mailboxes, capacity uint32, size int) []byte {
	mem := make([]byte, size)
	copy(mem, shmMagic)
	binary.LittleEndian.PutUint32(mem[8:], shmVersion)
	binary.LittleEndian.PutUint32(mem[12:], mailboxes)
	binary.LittleEndian.PutUint32(mem[16:], capacity)
	return mem
}

// TestAttachOverflow: geometries whose size overflows int used to pass the size check and
// make Mailbox slice outside the mapping.
func TestAttachOverflow(t *testing.T) {
	for _, mem := range [][]byte{
		forgedHeader(1<<31, 1<<32-mailboxHeader, 64),
		forgedHeader(2, 1<<31-mailboxHeader, 64),
		forgedHeader(1<<31, 1<<32-mailboxHeader, 1<<12),
		forgedHeader(2, 6, shmHeader+2*2*(mailboxHeader+6)),
	} {
		if a, err := Attach(mem); err == nil {
			t.Errorf("attached %+v to %d bytes", a.l, len(mem))
		}
	}
	l := Layout{Mailboxes: 2, Capacity: 4}
	if _, err := Attach(forgedHeader(2, 4, l.Size())); err != nil {
		t.Errorf("the smallest fitting area: %v", err)
	}
	if _, err := Attach(forgedHeader(2, 4, l.Size()-1)); err == nil {
		t.Error("an area one byte short was attached")
	}
}

// TestTryGetForgedLength: a body length past the capacity delivers an empty body. With a
// length of 2 GiB or more, int(n) is negative on 386 and the check used to let it through.
func TestTryGetForgedLength(t *testing.T) {
	l := Layout{Mailboxes: 2, Capacity: 16}
	a, _ := Init(make([]byte, l.Size()), l)
	m := a.Mailbox(1, true)
	for _, n := range []uint32{17, 1 << 31, ^uint32(0)} {
		m.Put([]byte("body"))
		atomic.StoreUint32(m.word(12), n)
		if b, ok := m.TryGet(nil); !ok || len(b) != 0 {
			t.Errorf("length %d: got %q %v", n, b, ok)
		}
	}
}
