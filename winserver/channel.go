//go:build windows

package main

import (
	"runtime"
	"sync"

	"github.com/zugbruecke/zugbruecke/core/transport"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// A channel is one client thread's conversation. Each gets a server thread of its own
// (a goroutine locked to an OS thread), so calls from different Python threads run in
// the DLL concurrently and GetLastError stays per thread. Frames for a channel are
// processed on that thread in order; a callback waiting for its reply keeps processing
// the channel's frames, which is how calls nest inside callbacks.
//
// Channels created by the server for DLL-made threads (asyncChannel) have no worker: the
// callback dispatcher on that thread reads the frames itself.
type channel struct {
	id  uint32
	in  chan wire.Frame
	mb  *transport.Mailbox // frames from the client through shared memory, or nil
	buf []byte             // the last frame from mb (valid until the next one)
	ctx []*callContext     // one per nesting level of calls on this channel
	// overflowed: a call on this thread overflowed its stack. The guard page is used up
	// (a second overflow would have no room for the exception), so the thread retires.
	overflowed bool
	// running: a worker serves the channel (under channelsMu). A TEndThread ends the
	// worker (its Python thread ended); the channel's next frame starts a new one.
	running bool
}

// excStackOverflow is EXCEPTION_STACK_OVERFLOW.
const excStackOverflow = 0xC00000FD

// asyncChannel marks channel ids the server made for threads the DLL created.
const asyncChannel = 1 << 31

var (
	channelsMu sync.Mutex
	channels   = map[uint32]*channel{}
	byThread   sync.Map // Windows thread id -> *channel
)

// channelFor returns the channel, starting its worker when a client thread speaks first.
func (s *server) channelFor(id uint32) *channel {
	channelsMu.Lock()
	defer channelsMu.Unlock()
	ch := channels[id]
	if ch == nil {
		ch = &channel{id: id, in: make(chan wire.Frame, 16)}
		if s.out.area != nil {
			ch.mb = s.out.area.Mailbox(id, true)
		}
		channels[id] = ch
	}
	if id&asyncChannel == 0 && !ch.running {
		ch.running = true
		go s.work(ch)
	}
	return ch
}

// work is a channel's thread.
func (s *server) work(ch *channel) {
	runtime.LockOSThread()
	byThread.Store(currentThreadID(), ch)
	for {
		f := ch.next()
		if f.Type == wire.TEndThread {
			s.endThread(ch, f.Channel)
			return // still locked: the runtime ends this OS thread, and its stack goes
		}
		s.handle(ch, f)
		if ch.overflowed {
			ch.overflowed = false
			byThread.Delete(currentThreadID())
			go s.work(ch)
			return // still locked: the runtime ends this OS thread, and its stack goes
		}
	}
}

// endThread retires the worker of ch, whose Python thread has ended. The mailbox is
// marked as sleeping first, so that the channel's next frame rings the doorbell on the
// pipe and route starts a new worker for it; the client sends it only after the reply.
func (s *server) endThread(ch *channel, id uint32) {
	byThread.Delete(currentThreadID())
	if ch.mb != nil {
		ch.mb.Sleep()
	}
	channelsMu.Lock()
	ch.running = false
	channelsMu.Unlock()
	s.out.send(wire.THandle, id, &wire.Handle{})
}

// next waits for the channel's next frame: spinning on the mailbox for a while after the
// last one, then sleeping until the pipe brings a frame or a doorbell.
func (ch *channel) next() wire.Frame {
	for {
		if ch.mb != nil {
			// The body buffer is reused: a frame is decoded before the next is read
			// (a call's regions are copied into its arena before callbacks nest).
			if cap(ch.buf) > 4<<20 {
				ch.buf = nil // not kept after a bulk request
			}
			if body, ok := ch.mb.Poll(ch.buf[:0]); ok {
				ch.buf = body
				if f, err := wire.ParseBody(body); err == nil {
					return f
				}
				continue
			}
			if !ch.mb.Sleep() {
				continue
			}
		}
		f := <-ch.in
		if f.Type != wire.TDoorbell {
			return f
		}
	}
}

// route hands a frame to its channel. The payload is copied: the reader reuses its buffer.
func (s *server) route(f wire.Frame) {
	f.Payload = append([]byte(nil), f.Payload...)
	ch := s.channelFor(f.Channel)
	if f.Type == wire.TDoorbell {
		// One pending doorbell wakes the worker; more would fill ch.in of a channel whose
		// worker ended (TEndThread) and block the reader.
		select {
		case ch.in <- f:
		default:
		}
		return
	}
	ch.in <- f
}

// enter returns the call context for the next nesting level on ch.
func (ch *channel) enter() *callContext {
	depth := 0
	for _, c := range ch.ctx {
		if c.busy {
			depth++
		}
	}
	if depth == len(ch.ctx) {
		ch.ctx = append(ch.ctx, &callContext{})
	}
	c := ch.ctx[depth]
	c.busy = true
	return c
}
