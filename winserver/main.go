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
	"runtime"
	"sync"

	"github.com/zugbruecke/zugbruecke/core/transport"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// frameWriter sends frames: into the channel's mailbox when there is shared memory and
// the frame fits (each channel's frames are sent from its own thread, so a mailbox and
// its encoding buffer have one user), otherwise onto the pipe, which all channels
// share.
type frameWriter struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte
	area *transport.Area
	back []replyBox // by channel id, for the channels that have mailboxes
}

// replyBox is a channel's server-to-client mailbox and its encoding buffer.
type replyBox struct {
	mb  *transport.Mailbox
	buf []byte
}

// attach sets up the mailboxes of area.
func (fw *frameWriter) attach(area *transport.Area) {
	fw.area = area
	for ch := uint32(0); ; ch++ {
		mb := area.Mailbox(ch, false)
		if mb == nil && ch > 0 {
			break
		}
		if mb != nil {
			doorbell := wire.Append(nil, wire.TDoorbell, ch, nil)
			mb.Ring = func() { fw.write(doorbell) }
		}
		fw.back = append(fw.back, replyBox{mb: mb})
	}
}

func (fw *frameWriter) send(t wire.Type, channel uint32, m wire.Msg) {
	if uint64(channel) < uint64(len(fw.back)) && fw.back[channel].mb != nil {
		rb := &fw.back[channel]
		if cap(rb.buf) > 4<<20 {
			rb.buf = nil // not kept after a bulk reply
		}
		rb.buf = wire.Append(rb.buf[:0], t, channel, m)
		if rb.mb.Fits(len(rb.buf) - 4) {
			if rb.mb.Put(rb.buf[4:]) {
				fw.write(wire.Append(nil, wire.TDoorbell, channel, nil))
			}
			return
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
	args, stdoutPath, stderrPath := outputArgs(os.Args[1:])
	std, err := takeStdio(stdoutPath, stderrPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v, setting up the standard handles\n", err)
		os.Exit(2)
	}
	defer runtime.KeepAlive(std.original)
	out.w = std.proto
	if err := loadNative(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if len(args) == 2 && args[0] == "--shm" {
		area, err := mapShm(args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		out.attach(area)
	}
	out.send(wire.THello, 0, &wire.Hello{Version: wire.Version, Arch: arch, PID: uint32(os.Getpid())})
	s := newServer(out)
	callbacks.init(s)
	fr := wire.NewFrameReader(std.in)
	for {
		f, err := fr.Next()
		if err != nil {
			if err != io.EOF {
				fmt.Fprintln(os.Stderr, "zb-server: reading request:", err)
			}
			return
		}
		if f.Type == wire.TQuit {
			flushOutput()
			return
		}
		s.route(f)
	}
}
