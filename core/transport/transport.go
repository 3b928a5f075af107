// Package transport moves wire frames between the client and the server process. A
// Transport carries whole frames; the pipe transport uses the server's standard input and
// output. Faster transports (shared memory) implement the same interface.
package transport

import (
	"errors"
	"io"
	"sync"

	"github.com/zugbruecke/zugbruecke/core/wire"
)

// ErrClosed is returned after Close.
var ErrClosed = errors.New("transport: closed")

// Transport sends and receives frames. Send may be called from several goroutines; Recv
// from one at a time.
type Transport interface {
	// Send writes one encoded frame (as built by wire.Append).
	Send(frame []byte) error
	// Recv reads the next frame; its payload is valid until the next Recv.
	Recv() (wire.Frame, error)
	// CloseWrite ends the sending direction only: the peer sees end of input, and Recv
	// goes on until the peer's last frame.
	CloseWrite() error
	// Close releases the transport; a blocked Recv returns an error.
	Close() error
}

// Pipe is a Transport over a byte stream pair, such as a child process's stdin and stdout.
type Pipe struct {
	mu     sync.Mutex
	w      io.WriteCloser
	r      io.Closer
	fr     *wire.FrameReader
	closed bool
}

// NewPipe sends frames to w and reads them from r.
func NewPipe(w io.WriteCloser, r io.ReadCloser) *Pipe {
	return &Pipe{w: w, r: r, fr: wire.NewFrameReader(r)}
}

// Send writes one frame.
func (p *Pipe) Send(frame []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	_, err := p.w.Write(frame)
	return err
}

// Recv reads one frame.
func (p *Pipe) Recv() (wire.Frame, error) { return p.fr.Next() }

// CloseWrite closes the sending direction.
func (p *Pipe) CloseWrite() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	return p.w.Close()
}

// Close closes both directions; the server sees end of input and exits.
func (p *Pipe) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var err error
	if !p.closed {
		p.closed = true
		err = p.w.Close()
	}
	p.r.Close()
	return err
}
