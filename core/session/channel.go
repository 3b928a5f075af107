package session

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/zugbruecke/zugbruecke/core/transport"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// Chan is one client thread's conversation with the server.
type Chan struct {
	s     *Session
	ID    uint32
	in    chan wire.Frame
	out   *transport.Mailbox // to the server, nil without shared memory
	back  *transport.Mailbox // from the server
	buf   []byte             // the request being sent
	rbuf  []byte             // the last frame from the back mailbox
	call  wire.Call
	reply wire.CallReply

	abandoned atomic.Bool
	quiet     bool // not interruptible (End runs on no Python thread)
}

// keepBuffer is the largest frame buffer a channel keeps for the next frame.
const keepBuffer = 4 << 20

// InterruptPoll is how often a waiting request asks Session.Interrupted.
const InterruptPoll = 100 * time.Millisecond

// NewChan opens a channel for a client thread: one whose server thread ended (End), with
// its mailboxes, or a new one.
func (s *Session) NewChan() *Chan {
	s.chMu.Lock()
	if n := len(s.idle); n > 0 {
		ch := s.idle[n-1]
		s.idle = s.idle[:n-1]
		s.chMu.Unlock()
		return ch
	}
	s.nextCh++
	id := s.nextCh
	s.chMu.Unlock()
	return s.chanFor(id)
}

// Chan returns channel id if it exists.
func (s *Session) Chan(id uint32) *Chan {
	s.chMu.Lock()
	defer s.chMu.Unlock()
	return s.chans[id]
}

// chanFor returns the channel id, creating it.
func (s *Session) chanFor(id uint32) *Chan {
	s.chMu.Lock()
	defer s.chMu.Unlock()
	if ch := s.chans[id]; ch != nil {
		return ch
	}
	ch := &Chan{s: s, ID: id, in: make(chan wire.Frame, 4)}
	if s.shm != nil {
		ch.out = s.shm.Area.Mailbox(id, true)
		if ch.out != nil {
			ch.out.Abort = s.isDead
			doorbell := wire.Append(nil, wire.TDoorbell, id, nil)
			ch.out.Ring = func() { s.tr.Send(doorbell) }
		}
		ch.back = s.shm.Area.Mailbox(id, false)
	}
	s.chans[id] = ch
	return ch
}

// End ends the server thread of ch, whose client thread has ended, and keeps ch for
// NewChan: a pool of threads that come and go uses a bounded number of server threads and
// mailboxes. It must not run while a request on ch is in progress.
func (ch *Chan) End() error {
	if ch.Abandoned() {
		return nil // its server thread is stuck in the call given up; no reply would come
	}
	ch.quiet = true
	var h wire.Handle
	err := ch.request("end thread", wire.TEndThread, &wire.Quit{}, wire.THandle, &h, nil)
	ch.quiet = false
	if err != nil || ch.Abandoned() {
		return err
	}
	ch.s.chMu.Lock()
	ch.s.idle = append(ch.s.idle, ch)
	ch.s.chMu.Unlock()
	return nil
}

// Abandoned reports whether a request on ch was given up (ErrInterrupted): the channel
// cannot be used again.
func (ch *Chan) Abandoned() bool { return ch.abandoned.Load() }

// abandon drops ch from the session: a late reply for it is discarded.
func (ch *Chan) abandon() {
	ch.abandoned.Store(true)
	ch.s.chMu.Lock()
	delete(ch.s.chans, ch.ID)
	ch.s.chMu.Unlock()
}

// read routes frames to channels until the transport fails.
func (s *Session) read() {
	defer close(s.dead)
	for {
		f, err := s.tr.Recv()
		if err != nil {
			s.fail("read", err)
			return
		}
		if f.Type == wire.TOutput {
			continue // servers before output.go sent DLL output this way
		}
		f.Payload = append([]byte(nil), f.Payload...)
		s.chMu.Lock()
		ch := s.chans[f.Channel]
		s.chMu.Unlock()
		if ch == nil && f.Type == wire.TCallback && s.OnAsync != nil {
			var cb wire.Callback
			if f.Decode(&cb) == nil {
				s.chanFor(f.Channel)
				s.OnAsync(f.Channel, &cb)
			}
			continue
		}
		if ch == nil {
			continue // a reply nobody waits for any more
		}
		if f.Type == wire.TDoorbell {
			// One pending doorbell wakes the channel; more would fill ch.in of a channel
			// nobody reads (an idle one) and block this reader.
			select {
			case ch.in <- f:
			default:
			}
			continue
		}
		ch.in <- f
	}
}

// closedErr is the error of a request after Close.
func (s *Session) closedErr() error {
	if err := s.sticky(); err != nil {
		return err
	}
	return ErrTerminated
}

// isDead reports whether the reader has stopped (the server is gone).
func (s *Session) isDead() bool {
	select {
	case <-s.dead:
		return true
	default:
		return false
	}
}

// send puts an encoded frame in the channel's mailbox when it fits, ringing the doorbell
// if the server's thread sleeps, or else writes it to the pipe.
func (ch *Chan) send(frame []byte) error {
	body := frame[4:]
	if ch.out != nil && ch.out.Fits(len(body)) {
		if ch.out.Put(body) {
			return ch.s.tr.Send(wire.Append(nil, wire.TDoorbell, ch.ID, nil))
		}
		return nil
	}
	return ch.s.tr.Send(frame)
}

// next waits for the channel's next frame: spinning on the mailbox for a while, then
// sleeping until the pipe brings a frame or a doorbell.
func (ch *Chan) next() (wire.Frame, error) {
	exited := ch.s.done
	for {
		if ch.back != nil {
			// The buffer is reused: a frame is valid until the next exchange on ch
			// (but a bulk one is not kept).
			if cap(ch.rbuf) > keepBuffer {
				ch.rbuf = nil
			}
			if body, ok := ch.back.Poll(ch.rbuf[:0]); ok {
				ch.rbuf = body
				return wire.ParseBody(body)
			}
			if !ch.back.Sleep() {
				continue
			}
		}
		var tick <-chan time.Time
		if ch.s.Interrupted != nil && !ch.quiet {
			tick = time.After(InterruptPoll)
		}
		select {
		case f := <-ch.in:
			if f.Type == wire.TDoorbell {
				continue
			}
			return f, nil
		case <-ch.s.dead:
			return wire.Frame{}, ErrTerminated
		case <-exited:
			// The process is gone but the pipe may not end: another Wine process (the
			// wineserver it started) can hold its write end. Frames it sent before it
			// exited are in by now.
			exited = nil
			if ch.back != nil {
				if body, ok := ch.back.TryGet(ch.rbuf[:0]); ok {
					ch.rbuf = body
					return wire.ParseBody(body)
				}
			}
			select {
			case f := <-ch.in:
				if f.Type != wire.TDoorbell {
					return f, nil
				}
			case <-time.After(exitGrace):
			}
			return wire.Frame{}, ErrTerminated
		case <-tick:
			if ch.s.Interrupted() {
				return wire.Frame{}, ErrInterrupted
			}
		}
	}
}

// exitGrace is how long a request waits for frames still on their way from a server
// process that has exited.
const exitGrace = 50 * time.Millisecond

// exchange sends a request on ch and returns its reply frame, running callbacks that
// arrive meanwhile. The frame is valid until the next exchange on ch.
func (ch *Chan) exchange(op string, t wire.Type, m wire.Msg) (wire.Frame, error) {
	s := ch.s
	if !s.acquire() {
		return wire.Frame{}, s.closedErr()
	}
	defer s.release()
	if err := s.sticky(); err != nil {
		return wire.Frame{}, err
	}
	ch.buf = wire.Append(ch.buf[:0], t, ch.ID, m)
	if err := ch.send(ch.buf); err != nil {
		return wire.Frame{}, s.fail(op, err)
	}
	for {
		f, err := ch.next()
		if errors.Is(err, ErrInterrupted) {
			ch.abandon()
			return wire.Frame{}, err
		}
		if err != nil {
			return wire.Frame{}, s.fail(op, err)
		}
		s.out.sync() // what the DLL wrote so far, before the caller or a callback goes on
		if f.Type != wire.TCallback {
			return f, nil
		}
		var cb wire.Callback
		if err := f.Decode(&cb); err != nil {
			return wire.Frame{}, s.fail(op, err)
		}
		var rep *wire.CallbackReply
		if s.OnCallback != nil {
			rep = s.OnCallback(ch, &cb)
		}
		if rep == nil {
			rep = &wire.CallbackReply{}
		}
		if err := ch.Reply(rep); err != nil {
			return wire.Frame{}, err
		}
	}
}

// Reply answers the callback pending on ch.
func (ch *Chan) Reply(rep *wire.CallbackReply) error {
	if !ch.s.acquire() {
		return ch.s.closedErr()
	}
	defer ch.s.release()
	buf := wire.Append(nil, wire.TCallbackReply, ch.ID, rep)
	if err := ch.send(buf); err != nil {
		return ch.s.fail("callback", err)
	}
	return nil
}
