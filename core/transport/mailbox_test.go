package transport

import (
	"bytes"
	"sync"
	"sync/atomic"
	"testing"
)

func TestMailboxPingPong(t *testing.T) {
	l := Layout{Mailboxes: 4, Capacity: 256}
	mem := make([]byte, l.Size())
	a, err := Init(mem, l)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Attach(mem)
	if err != nil {
		t.Fatal(err)
	}
	if a.Mailbox(0, true) != nil || a.Mailbox(4, true) != nil {
		t.Fatal("channel 0 and channels past the layout have no mailbox")
	}
	req, rep := a.Mailbox(2, true), b.Mailbox(2, true)
	back, backR := b.Mailbox(2, false), a.Mailbox(2, false)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the server: echo every body back, reversed
		defer wg.Done()
		var buf []byte
		for i := 0; i < 1000; i++ {
			var ok bool
			for buf, ok = rep.TryGet(buf); !ok; buf, ok = rep.TryGet(buf) {
			}
			out := make([]byte, len(buf))
			for j := range buf {
				out[len(buf)-1-j] = buf[j]
			}
			back.Put(out)
		}
	}()
	var got []byte
	for i := 0; i < 1000; i++ {
		msg := []byte{byte(i), byte(i >> 8), 7}
		req.Put(msg)
		var ok bool
		for got, ok = backR.TryGet(got); !ok; got, ok = backR.TryGet(got) {
		}
		if !bytes.Equal(got, []byte{7, byte(i >> 8), byte(i)}) {
			t.Fatalf("round %d: %v", i, got)
		}
	}
	wg.Wait()
}

func TestMailboxSleepAndDoorbell(t *testing.T) {
	l := Layout{Mailboxes: 2, Capacity: 16}
	a, _ := Init(make([]byte, l.Size()), l)
	m := a.Mailbox(1, true)
	if !m.Sleep() {
		t.Fatal("nothing arrived, the reader may sleep")
	}
	if !m.Put([]byte("x")) {
		t.Fatal("the writer must ring for a sleeping reader")
	}
	if m.Sleep() {
		t.Fatal("a body arrived, the reader must not sleep")
	}
	if b, ok := m.TryGet(nil); !ok || string(b) != "x" {
		t.Fatalf("got %q %v", b, ok)
	}
	if m.Put([]byte("y")) {
		t.Fatal("no doorbell for a reader that is not sleeping")
	}
}

func TestAttachRejectsGarbage(t *testing.T) {
	if _, err := Attach(make([]byte, 128)); err == nil {
		t.Fatal("garbage accepted")
	}
	l := Layout{Mailboxes: 1 << 20, Capacity: 1 << 20}
	mem := make([]byte, 64)
	copy(mem, shmMagic)
	mem[8] = shmVersion
	mem[12], mem[13], mem[14] = byte(l.Mailboxes), byte(l.Mailboxes>>8), byte(l.Mailboxes>>16)
	mem[18] = 16
	if _, err := Attach(mem); err == nil {
		t.Fatal("a header larger than the mapping was accepted")
	}
}

func TestMailboxOfAsyncChannel(t *testing.T) {
	l := Layout{Mailboxes: 4, Capacity: 16}
	a, _ := Init(make([]byte, l.Size()), l)
	if a.Mailbox(1<<31|600, true) != nil {
		t.Fatal("a channel id with the high bit set has no mailbox")
	}
}

func TestChunkedBody(t *testing.T) {
	l := Layout{Mailboxes: 2, Capacity: 64}
	a, err := Init(make([]byte, l.Size()), l)
	if err != nil {
		t.Fatal(err)
	}
	w := a.Mailbox(1, true)
	r := a.Mailbox(1, true)
	atomic.StoreUint32(w.word(8), 0)
	rings := 0
	w.Ring = func() { rings++ }
	for _, size := range []int{0, 1, 64, 65, 128, 1000, 4096 + 3} {
		body := make([]byte, size)
		for i := range body {
			body[i] = byte(i*7 + size)
		}
		done := make(chan struct{})
		go func() {
			w.Put(body)
			close(done)
		}()
		var got []byte
		var ok bool
		for got, ok = r.TryGet(nil); !ok; got, ok = r.TryGet(nil) {
		}
		<-done
		if !bytes.Equal(got, body) {
			t.Fatalf("size %d: got %d bytes, want %d", size, len(got), size)
		}
	}
	if rings != 0 {
		t.Fatalf("rang %d times for a reader that never slept", rings)
	}
}

func TestChunkedBodyRingsSleepingReader(t *testing.T) {
	l := Layout{Mailboxes: 2, Capacity: 8}
	a, err := Init(make([]byte, l.Size()), l)
	if err != nil {
		t.Fatal(err)
	}
	w, r := a.Mailbox(1, true), a.Mailbox(1, true)
	atomic.StoreUint32(w.word(8), 0)
	rang := make(chan struct{}, 16)
	w.Ring = func() { rang <- struct{}{} }
	body := bytes.Repeat([]byte("abcdefgh"), 3)
	go w.Put(body)
	// Take the first chunk, then sleep: the writer must ring before the next.
	for _, ok := r.TryGet(nil); ; _, ok = r.TryGet(nil) {
		if !ok && r.acc != nil {
			break
		}
	}
	if r.Sleep() {
		<-rang
	}
	var got []byte
	var ok bool
	for got, ok = r.TryGet(nil); !ok; got, ok = r.TryGet(nil) {
	}
	if !bytes.Equal(got, body) {
		t.Fatalf("got %q", got)
	}
}
