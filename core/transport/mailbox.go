package transport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"
)

// Shared memory layout, the same bytes in the client (Linux mmap of a file) and in the
// server (Wine's MapViewOfFile of the same file):
//
//	header (64 bytes): magic "ZBSHM1\0\0", version u32, mailboxes u32, capacity u32
//	then for channel 1..mailboxes-1: the client-to-server mailbox, then server-to-client
//
// A mailbox carries one frame body (type, channel, payload: wire framing without the
// length prefix) at a time, in one direction:
//
//	seq     u32 at 0    bumped by the writer after the body is in place
//	ack     u32 at 4    set to seq by the reader once it has copied the body
//	waiting u32 at 8    set by a reader about to sleep; a writer that swaps it from 1 to 0
//	                    owes the reader a doorbell (a small frame on the pipe)
//	length  u32 at 12   body length
//	body    at 64       capacity bytes
//
// All flags use sequentially consistent atomics on both sides (Go's sync/atomic on linux
// and windows), which orders the body before seq and seq against waiting.
const (
	shmMagic      = "ZBSHM1\x00\x00"
	shmVersion    = 1
	shmHeader     = 64
	mailboxHeader = 64
)

// Layout is the geometry of a shared memory area.
type Layout struct {
	Mailboxes int // channels 1..Mailboxes-1 have mailboxes; channel 0 never does
	Capacity  int // body bytes per mailbox
}

// DefaultLayout fits a 32-bit server's address space: 32 channels, 1 MiB per direction.
var DefaultLayout = Layout{Mailboxes: 32, Capacity: 1 << 20}

// Size is the bytes the area needs.
func (l Layout) Size() int { return shmHeader + 2*l.Mailboxes*(mailboxHeader+l.Capacity) }

// Area is a mapped shared memory area.
type Area struct {
	mem []byte
	l   Layout
}

// Init writes the header into mem (the creating side).
func Init(mem []byte, l Layout) (*Area, error) {
	if len(mem) < l.Size() {
		return nil, fmt.Errorf("transport: %d bytes for a %d-byte area", len(mem), l.Size())
	}
	copy(mem, shmMagic)
	binary.LittleEndian.PutUint32(mem[8:], shmVersion)
	binary.LittleEndian.PutUint32(mem[12:], uint32(l.Mailboxes))
	binary.LittleEndian.PutUint32(mem[16:], uint32(l.Capacity))
	a := &Area{mem: mem, l: l}
	// The server starts a channel's thread when the channel's first frame arrives on the
	// pipe: mark every server-bound mailbox as sleeping, so that first frame rings.
	for ch := 1; ch < l.Mailboxes; ch++ {
		atomic.StoreUint32(a.Mailbox(uint32(ch), true).word(8), 1)
	}
	return a, nil
}

// Attach reads the header of an area another process created.
func Attach(mem []byte) (*Area, error) {
	if len(mem) < shmHeader || string(mem[:8]) != shmMagic || binary.LittleEndian.Uint32(mem[8:]) != shmVersion {
		return nil, errors.New("transport: not a zugbruecke shared memory area")
	}
	// Check the geometry in uint64 and by division: Layout.Size of forged counts overflows
	// int (on 386 already at 2 GiB). A capacity that is a multiple of 4 keeps every
	// mailbox's words aligned for atomics.
	mailboxes, capacity := uint64(binary.LittleEndian.Uint32(mem[12:])), uint64(binary.LittleEndian.Uint32(mem[16:]))
	if mailboxes == 0 || capacity == 0 || capacity%4 != 0 ||
		mailboxes > uint64(len(mem)-shmHeader)/(2*(mailboxHeader+capacity)) {
		return nil, fmt.Errorf("transport: shared memory header does not fit %d bytes", len(mem))
	}
	return &Area{mem: mem, l: Layout{Mailboxes: int(mailboxes), Capacity: int(capacity)}}, nil
}

// Mailbox returns the mailbox of channel ch in one direction (toServer or back), or nil
// when the channel has none.
func (a *Area) Mailbox(ch uint32, toServer bool) *Mailbox {
	if ch == 0 || ch >= uint32(a.l.Mailboxes) {
		return nil
	}
	i := 2 * int(ch)
	if !toServer {
		i++
	}
	off := shmHeader + i*(mailboxHeader+a.l.Capacity)
	return &Mailbox{hdr: a.mem[off : off+mailboxHeader], body: a.mem[off+mailboxHeader : off+mailboxHeader+a.l.Capacity]}
}

// Mailbox is one direction of one channel.
type Mailbox struct {
	hdr  []byte
	body []byte
	last uint32 // reader side: the seq last consumed
	acc  []byte // reader side: the chunks of a large body so far
	// Abort, if set, is asked while Put waits for the reader: true gives up.
	Abort func() bool
	// Ring, if set, wakes a sleeping reader while Put sends a body in chunks.
	Ring func()
}

func (m *Mailbox) word(off int) *uint32 { return (*uint32)(unsafe.Pointer(&m.hdr[off])) }

// MaxBody bounds a body sent through a mailbox (in chunks when larger than it holds).
const MaxBody = 1 << 30

// moreChunks in the length word marks a chunk that more of the same body follows.
const moreChunks = 1 << 31

// Fits reports whether a body of n bytes can go through the mailbox: at once when it
// fits the capacity, else in capacity-sized chunks.
func (m *Mailbox) Fits(n int) bool { return n <= MaxBody }

// Put writes a frame body; it reports whether the reader sleeps and needs a doorbell.
// The previous body must have been consumed (the protocol alternates per channel). A body
// larger than the capacity goes in chunks, each waiting for the reader to take the one
// before; should the reader sleep meanwhile, Ring wakes it (it must be set for bodies
// that need chunks).
func (m *Mailbox) Put(body []byte) (doorbell bool) {
	for {
		n, more := len(body), false
		if n > len(m.body) {
			n, more = len(m.body), true
		}
		seq := atomic.LoadUint32(m.word(0))
		if !m.waitAck(seq) {
			return false
		}
		copy(m.body, body[:n])
		length := uint32(n)
		if more {
			length |= moreChunks
		}
		atomic.StoreUint32(m.word(12), length)
		atomic.StoreUint32(m.word(0), seq+1)
		sleeping := atomic.SwapUint32(m.word(8), 0) == 1
		if !more {
			return sleeping
		}
		if sleeping && m.Ring != nil {
			m.Ring()
		}
		body = body[n:]
	}
}

// waitAck waits until the reader has taken body seq: rare, and brief, unless the reader
// is gone (then Abort, if set, ends the wait and the body is dropped).
func (m *Mailbox) waitAck(seq uint32) bool {
	for i := 0; atomic.LoadUint32(m.word(4)) != seq; i++ {
		if i >= spinPolls {
			yield()
			if m.Abort != nil && i%1024 == 0 && m.Abort() {
				return false
			}
		}
	}
	return true
}

// TryGet copies a new body into dst if one arrived whole. A chunk of a larger body is
// collected and taken (so the writer can go on), and TryGet reports false until the last
// chunk is in; the body then is a buffer of the mailbox's, not dst.
func (m *Mailbox) TryGet(dst []byte) ([]byte, bool) {
	seq := atomic.LoadUint32(m.word(0))
	if seq == m.last {
		return dst, false
	}
	length := atomic.LoadUint32(m.word(12))
	n, more := length&^moreChunks, length&moreChunks != 0
	if uint64(n) > uint64(len(m.body)) { // not int(n): negative on 386 for n >= 2 GiB
		n, more = 0, false // a corrupt length: deliver an empty body, which fails to parse
	}
	switch {
	case more && uint64(len(m.acc))+uint64(n) > MaxBody:
		m.acc, dst = nil, dst[:0] // a corrupt stream: deliver an empty body
	case more:
		m.acc = append(m.acc, m.body[:n]...)
	case m.acc != nil:
		dst, m.acc = append(m.acc, m.body[:n]...), nil
	default:
		dst = append(dst[:0], m.body[:n]...)
	}
	m.last = seq
	atomic.StoreUint32(m.word(4), seq)
	return dst, !more || m.acc == nil
}

// Sleep announces that the reader is about to block; it returns false if a body arrived
// meanwhile (then the reader must not block).
func (m *Mailbox) Sleep() bool {
	atomic.StoreUint32(m.word(8), 1)
	if atomic.LoadUint32(m.word(0)) != m.last {
		atomic.StoreUint32(m.word(8), 0)
		return false
	}
	return true
}

// Poll waits a while for a body: a short busy spin, then polls that yield the processor
// between tries (the other side may need it: these machines have two cores), about
// 100 microseconds in all. It returns false when the reader should Sleep instead.
func (m *Mailbox) Poll(dst []byte) ([]byte, bool) {
	for i := 0; i < spinPolls; i++ {
		if b, ok := m.TryGet(dst); ok {
			return b, true
		}
	}
	for i := 0; i < yieldPolls; i++ {
		yield()
		if b, ok := m.TryGet(dst); ok {
			return b, true
		}
	}
	return dst, false
}

const (
	spinPolls  = 20000
	yieldPolls = 100
)
