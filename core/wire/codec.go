// Package wire is the message layer between the Python-side client and the Windows server.
//
// A frame on any transport is a little-endian uint32 body length followed by the body:
//
//	body := type:u8 channel:u32 payload
//
// The channel names the client thread a frame belongs to (0 for session-wide frames), so
// concurrent calls and nested callbacks can share one transport. Payloads are encoded with
// Writer and decoded with Reader; every length read from the wire is checked against what
// is left, so a truncated or malformed frame gives an error, never a panic or a huge
// allocation.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrTruncated reports a payload that ends before a field it announces.
var ErrTruncated = errors.New("wire: truncated payload")

// Writer appends encoded values to a byte slice.
type Writer struct {
	B []byte
}

// U8 appends one byte.
func (w *Writer) U8(v uint8) { w.B = append(w.B, v) }

// U32 appends a little-endian uint32.
func (w *Writer) U32(v uint32) { w.B = binary.LittleEndian.AppendUint32(w.B, v) }

// U64 appends a little-endian uint64.
func (w *Writer) U64(v uint64) { w.B = binary.LittleEndian.AppendUint64(w.B, v) }

// I32 appends a little-endian int32.
func (w *Writer) I32(v int32) { w.U32(uint32(v)) }

// F64 appends the bits of a float64.
func (w *Writer) F64(v float64) { w.U64(math.Float64bits(v)) }

// Bytes appends a uint32 length and the bytes.
func (w *Writer) Bytes(b []byte) {
	w.U32(uint32(len(b)))
	w.B = append(w.B, b...)
}

// String appends a uint32 length and the string's bytes.
func (w *Writer) String(s string) {
	w.U32(uint32(len(s)))
	w.B = append(w.B, s...)
}

// Reader decodes values from a byte slice. The first error sticks: later reads return
// zero values, and Err reports it.
type Reader struct {
	b   []byte
	off int
	err error
}

// NewReader reads from b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Err is the first decoding error, or nil.
func (r *Reader) Err() error { return r.err }

// Len is the number of bytes not yet read.
func (r *Reader) Len() int { return len(r.b) - r.off }

func (r *Reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.err = ErrTruncated
		return nil
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

// U8 reads one byte.
func (r *Reader) U8() uint8 {
	if p := r.take(1); p != nil {
		return p[0]
	}
	return 0
}

// U32 reads a little-endian uint32.
func (r *Reader) U32() uint32 {
	if p := r.take(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

// U64 reads a little-endian uint64.
func (r *Reader) U64() uint64 {
	if p := r.take(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

// I32 reads a little-endian int32.
func (r *Reader) I32() int32 { return int32(r.U32()) }

// F64 reads the bits of a float64.
func (r *Reader) F64() float64 { return math.Float64frombits(r.U64()) }

// Bytes reads a length-prefixed byte slice. It aliases the reader's buffer.
func (r *Reader) Bytes() []byte {
	n := r.U32()
	return r.take(int(n))
}

// String reads a length-prefixed string.
func (r *Reader) String() string { return string(r.Bytes()) }

// Count reads a uint32 element count and checks that at least min bytes per element are
// left, so a forged count cannot make the decoder allocate more than the frame holds.
func (r *Reader) Count(min int) int {
	n := r.U32()
	if r.err != nil {
		return 0
	}
	if uint64(n)*uint64(min) > uint64(r.Len()) {
		r.err = fmt.Errorf("wire: count %d exceeds payload", n)
		return 0
	}
	return int(n)
}

// Done checks that the whole payload was consumed.
func (r *Reader) Done() error {
	if r.err == nil && r.off != len(r.b) {
		r.err = fmt.Errorf("wire: %d trailing bytes", len(r.b)-r.off)
	}
	return r.err
}
