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

	"github.com/zugbruecke/zugbruecke/core/transport"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// frameWriter sends frames: into the channel's mailbox when there is shared memory and
// the frame fits (each channel's frames are sent from its own thread, so a mailbox has
// one writer), otherwise onto the pipe, which the output forwarder and all channels share.
type frameWriter struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte
	area *transport.Area
}

func (fw *frameWriter) send(t wire.Type, channel uint32, m wire.Msg) {
	if fw.area != nil {
		if mb := fw.area.Mailbox(channel, false); mb != nil {
			frame := wire.Append(nil, t, channel, m)
			if mb.Fits(len(frame) - 4) {
				if mb.Put(frame[4:]) {
					fw.write(wire.Append(nil, wire.TDoorbell, channel, nil))
				}
				return
			}
		}
	}
	fw.mu.Lock()
	fw.buf = wire.Append(fw.buf[:0], t, channel, m)
	fw.writeLocked(fw.buf)
	fw.mu.Unlock()
}

func (fw *frameWriter) write(frame []byte) {
	fw.mu.Lock()
	fw.writeLocked(frame)
	fw.mu.Unlock()
}

func (fw *frameWriter) writeLocked(frame []byte) {
	if _, err := fw.w.Write(frame); err != nil {
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
	if len(os.Args) == 3 && os.Args[1] == "--shm" {
		area, err := mapShm(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		out.area = area
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
