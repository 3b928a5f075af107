package wire

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// MaxFrame bounds a frame body; larger announced lengths are rejected before allocating.
const MaxFrame = 1 << 30

// headerSize is the body prefix: type and channel.
const headerSize = 5

// Frame is one decoded frame header with its payload (which aliases the read buffer).
type Frame struct {
	Type    Type
	Channel uint32
	Payload []byte
}

// Append encodes a frame carrying m onto dst and returns the extended slice.
func Append(dst []byte, t Type, channel uint32, m Msg) []byte {
	start := len(dst)
	w := Writer{B: append(dst, 0, 0, 0, 0)}
	w.U8(uint8(t))
	w.U32(channel)
	if m != nil {
		m.Encode(&w)
	}
	binary.LittleEndian.PutUint32(w.B[start:], uint32(len(w.B)-start-4))
	return w.B
}

// FrameReader reads frames from a byte stream.
type FrameReader struct {
	r   *bufio.Reader
	buf []byte
}

// NewFrameReader reads frames from r.
func NewFrameReader(r io.Reader) *FrameReader {
	return &FrameReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next reads one frame. Its payload is valid until the next call.
func (fr *FrameReader) Next() (Frame, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(fr.r, hdr[:]); err != nil {
		return Frame{}, err
	}
	n := binary.LittleEndian.Uint32(hdr[:])
	if n < headerSize || n > MaxFrame {
		return Frame{}, fmt.Errorf("wire: bad frame length %d", n)
	}
	body, err := fr.read(int(n))
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Frame{}, err
	}
	return ParseBody(body)
}

// growStep is the first step by which FrameReader's buffer grows past its capacity.
const growStep = 64 << 10

// read reads n bytes into the reused buffer. A buffer too small grows with the bytes that
// actually arrive, at most doubling per step, so a forged length up to MaxFrame costs
// memory in proportion to the stream, not to the length.
func (fr *FrameReader) read(n int) ([]byte, error) {
	buf := fr.buf[:0]
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(n-len(buf), max(len(buf), growStep)))
			fr.buf = buf
		}
		k, err := io.ReadFull(fr.r, buf[len(buf):min(n, cap(buf))])
		buf = buf[:len(buf)+k]
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// ParseBody splits a frame body into its header fields and payload.
func ParseBody(body []byte) (Frame, error) {
	if len(body) < headerSize {
		return Frame{}, ErrTruncated
	}
	return Frame{
		Type:    Type(body[0]),
		Channel: binary.LittleEndian.Uint32(body[1:5]),
		Payload: body[headerSize:],
	}, nil
}

// Decode decodes f's payload into m and checks that nothing is left over.
func (f Frame) Decode(m Msg) error {
	r := NewReader(f.Payload)
	m.Decode(r)
	if err := r.Done(); err != nil {
		return fmt.Errorf("%w (in %v frame)", err, f.Type)
	}
	return nil
}
