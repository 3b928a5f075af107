//go:build windows

// Command zb-server is zugbruecke's server: it runs under Wine, one process per session,
// speaks the core/wire protocol on its standard input and output, and does every
// ctypes-equivalent operation on the Windows side: loading DLLs, resolving symbols,
// calling routines through the call thunk of its arch, reading memory.
//
// It exits when its standard input closes (the client went away) or on a Quit frame.
package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/zugbruecke/zugbruecke/core/wire"
)

// frameWriter serialises frames onto the protocol stream; the output forwarder and the
// request handlers share it.
type frameWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

func (fw *frameWriter) send(t wire.Type, channel uint32, m wire.Msg) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	fw.buf = wire.Append(fw.buf[:0], t, channel, m)
	if _, err := fw.w.Write(fw.buf); err != nil {
		// The client is gone: nothing left to serve.
		os.Exit(3)
	}
}

func main() {
	out := &frameWriter{}
	in, proto, err := takeStdio(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "zb-server: cannot set up standard handles:", err)
		os.Exit(2)
	}
	out.w = proto
	if err := loadNative(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out.send(wire.THello, 0, &wire.Hello{Version: wire.Version, Arch: arch, PID: uint32(os.Getpid())})
	s := newServer(out)
	callbacks.init(s)
	fr := wire.NewFrameReader(in)
	for {
		f, err := fr.Next()
		if err != nil {
			if err != io.EOF {
				fmt.Fprintln(os.Stderr, "zb-server: reading request:", err)
			}
			return
		}
		if f.Type == wire.TQuit {
			return
		}
		s.route(f)
	}
}
