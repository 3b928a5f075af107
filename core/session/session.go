// Package session runs one zugbruecke server process under Wine and talks to it: the
// handshake, requests (load, symbol, call, read memory) and termination. It knows nothing
// of Python; pyext drives it.
package session

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/transport"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// Options configure Start.
type Options struct {
	Arch         string
	Loader       string   // Wine loader binary (core/prefix.FindWine)
	Env          []string // environment of the server process (core/prefix.Prefix.Env)
	Server       string   // path of the zb-server executable for Arch
	TimeoutStart time.Duration
	TimeoutStop  time.Duration
	Stdout       io.Writer // where DLL standard output goes; nil discards it
	Stderr       io.Writer // where the server's and Wine's standard error goes; nil discards it
	// Transport is "shm" (frames through shared memory, the pipes as doorbell and for
	// frames too large for a mailbox) or "pipe" (everything through the pipes).
	Transport string
	ShmDir    string // where the shared memory file is made ("" = /dev/shm)
}

// Session is one running server process.
//
// Each client thread talks on a channel of its own (Chan): the server gives every channel
// its own thread. A reader goroutine routes incoming frames to the channel waiting for
// them; a Callback frame is handled on the waiting thread (OnCallback), so callbacks and
// calls nest; a Callback on a channel nobody waits on comes from a thread the DLL made
// and goes to OnAsync.
type Session struct {
	ABI    *abi.Arch
	PID    int    // Linux process id of the server
	WinPID uint32 // its Windows process id

	// OnCallback runs a callback for the thread waiting on ch, inside its request.
	OnCallback func(ch *Chan, cb *wire.Callback) *wire.CallbackReply
	// OnAsync runs a callback from a thread the DLL created, on channel id; it must not
	// block the reader (start a goroutine) and answers with Chan(id).Reply.
	OnAsync func(id uint32, cb *wire.Callback)
	// Interrupted, if set, is asked every InterruptPoll while a request waits; true
	// gives the request up with ErrInterrupted (Python's Ctrl-C).
	Interrupted func() bool

	opts Options
	cmd  *exec.Cmd
	tr   transport.Transport
	shm  *transport.ShmFile // nil with the pipe transport
	done chan struct{}      // closed when the process has exited
	wait error              // the process's exit status, once done is closed

	chMu   sync.Mutex
	chans  map[uint32]*Chan
	nextCh uint32

	dead  chan struct{} // closed when the reader stops
	errMu sync.Mutex
	err   error // sticky: why the session cannot be used any more

	closeOnce sync.Once
}

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
}

// keepBuffer is the largest frame buffer a channel keeps for the next frame.
const keepBuffer = 4 << 20

// InterruptPoll is how often a waiting request asks Session.Interrupted.
const InterruptPoll = 100 * time.Millisecond

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

// Start launches the server under Wine and completes the handshake within
// opts.TimeoutStart.
func Start(opts Options) (*Session, error) {
	s, err := start(opts)
	for retry := 0; retry < startRetries && isEarlyExit(err); retry++ {
		// A Wine process that starts while the prefix's wineserver shuts down (the last
		// session just ended) can exit before it runs anything: try again.
		time.Sleep(time.Duration(retry+1) * 100 * time.Millisecond)
		s, err = start(opts)
	}
	return s, err
}

// startRetries bounds how often Start tries again after an early exit.
const startRetries = 2

func isEarlyExit(err error) bool {
	var se *StartError
	return errors.As(err, &se) && se.Exited
}

func start(opts Options) (*Session, error) {
	a, err := abi.ByName(opts.Arch)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(opts.Server); err != nil {
		return nil, &StartError{Msg: "server executable missing", Err: err}
	}
	s := &Session{ABI: a, opts: opts, done: make(chan struct{}), dead: make(chan struct{}),
		chans: map[uint32]*Chan{}}
	args := []string{opts.Server}
	if opts.Transport == "shm" {
		shm, err := transport.CreateShm(opts.ShmDir, transport.DefaultLayout)
		if err != nil {
			return nil, &StartError{Msg: "shared memory", Err: err}
		}
		s.shm = shm
		// Wine maps the Unix file system on drive Z:.
		args = append(args, "--shm", "Z:"+strings.ReplaceAll(shm.Path, "/", `\`))
	}
	cmd := exec.Command(opts.Loader, args...)
	cmd.Env = opts.Env
	// Own process group: a Ctrl-C in the terminal reaches Python, not the server. No
	// Pdeathsig: it fires when the forking thread ends, and Go ends threads; the server
	// exits when its standard input closes, which is also what happens when we die.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err == nil {
		var stdout io.ReadCloser
		if stdout, err = cmd.StdoutPipe(); err == nil {
			s.tr = transport.NewPipe(stdin, stdout)
		}
	}
	if err != nil {
		if s.shm != nil {
			s.shm.Close()
		}
		return nil, &StartError{Msg: "pipe", Err: err}
	}
	if opts.Stderr != nil {
		cmd.Stderr = opts.Stderr
	}
	if err := cmd.Start(); err != nil {
		if s.shm != nil {
			s.shm.Close()
		}
		return nil, &StartError{Msg: "cannot run " + opts.Loader, Err: err}
	}
	s.cmd = cmd
	s.PID = cmd.Process.Pid
	go func() {
		s.wait = cmd.Wait()
		close(s.done)
	}()

	hello := make(chan error, 1)
	go func() { hello <- s.handshake() }()
	timeout := opts.TimeoutStart
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	select {
	case err = <-hello:
	case <-time.After(timeout):
		err = &StartError{Msg: fmt.Sprintf("no handshake within %v", timeout)}
	}
	if err != nil {
		s.kill()
		return nil, err
	}
	if s.shm != nil {
		s.shm.Unlink() // both sides have it mapped: nothing stays behind in the file system
	}
	go s.read()
	return s, nil
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
			s.output(f)
			continue
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
		ch.in <- f
	}
}

// NewChan opens a channel for a client thread.
func (s *Session) NewChan() *Chan {
	s.chMu.Lock()
	s.nextCh++
	id := s.nextCh
	s.chMu.Unlock()
	return s.chanFor(id)
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
		if ch.s.Interrupted != nil {
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

// isDead reports whether the reader has stopped (the server is gone).
func (s *Session) isDead() bool {
	select {
	case <-s.dead:
		return true
	default:
		return false
	}
}

// Chan returns channel id if it exists.
func (s *Session) Chan(id uint32) *Chan {
	s.chMu.Lock()
	defer s.chMu.Unlock()
	return s.chans[id]
}

func (s *Session) handshake() error {
	f, err := s.tr.Recv()
	if err != nil {
		<-s.done
		return &StartError{Msg: fmt.Sprintf("server exited (%v)", s.wait), Err: err, Exited: true}
	}
	var h wire.Hello
	if f.Type != wire.THello {
		return &StartError{Msg: fmt.Sprintf("expected hello, got %v frame", f.Type)}
	}
	if err := f.Decode(&h); err != nil {
		return &StartError{Msg: "bad hello", Err: err}
	}
	if h.Version != wire.Version || h.Arch != s.ABI.Name {
		return &StartError{Msg: fmt.Sprintf("server speaks protocol %d for %s, client wants %d for %s",
			h.Version, h.Arch, wire.Version, s.ABI.Name)}
	}
	s.WinPID = h.PID
	return nil
}

// Alive reports whether the server process is running and usable.
func (s *Session) Alive() bool {
	select {
	case <-s.done:
		return false
	default:
	}
	return s.sticky() == nil
}

func (s *Session) sticky() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// fail makes err sticky, describing how the server ended if it did.
func (s *Session) fail(op string, err error) error {
	if e := s.sticky(); e != nil {
		return e
	}
	select {
	case <-s.done:
		err = &ServerError{Op: op, Msg: fmt.Sprintf("server process ended (%v)", s.wait), Err: err}
	case <-time.After(200 * time.Millisecond):
		err = &ServerError{Op: op, Msg: "lost the server", Err: err}
	}
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.err == nil {
		s.err = err
	}
	return s.err
}

// exchange sends a request on ch and returns its reply frame, running callbacks that
// arrive meanwhile. The frame is valid until the next exchange on ch.
func (ch *Chan) exchange(op string, t wire.Type, m wire.Msg) (wire.Frame, error) {
	s := ch.s
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
	buf := wire.Append(nil, wire.TCallbackReply, ch.ID, rep)
	if err := ch.send(buf); err != nil {
		return ch.s.fail("callback", err)
	}
	return nil
}

func (s *Session) output(f wire.Frame) {
	var o wire.Output
	if f.Decode(&o) == nil && s.opts.Stdout != nil {
		s.opts.Stdout.Write(o.Data)
	}
}

// request runs one exchange and decodes the reply into rep, turning Error frames into
// errors via onErr.
func (ch *Chan) request(op string, t wire.Type, m wire.Msg, want wire.Type, rep wire.Msg,
	onErr func(*wire.Error) error) error {
	s := ch.s
	f, err := ch.exchange(op, t, m)
	if err != nil {
		return err
	}
	switch f.Type {
	case want:
		if err := f.Decode(rep); err != nil {
			return s.fail(op, err)
		}
		return nil
	case wire.TError:
		var e wire.Error
		if err := f.Decode(&e); err != nil {
			return s.fail(op, err)
		}
		if onErr != nil && e.Kind != wire.ErrRequest {
			return onErr(&e)
		}
		return &ServerError{Op: op, Msg: e.Msg}
	default:
		return s.fail(op, fmt.Errorf("unexpected %v frame", f.Type))
	}
}

// Load loads a DLL by name or Windows path and returns its module handle.
func (ch *Chan) Load(name string) (uint64, error) {
	var h wire.Handle
	err := ch.request("load", wire.TLoad, &wire.Load{Name: name}, wire.THandle, &h,
		func(e *wire.Error) error { return &LoadError{Name: name, Code: e.Code, Msg: e.Msg} })
	return h.Value, err
}

// Sym resolves an export by name, or by ordinal when name is "".
func (ch *Chan) Sym(lib uint64, name string, ordinal uint32) (uint64, error) {
	var h wire.Handle
	label := name
	if name == "" {
		label = fmt.Sprintf("ordinal %d", ordinal)
	}
	err := ch.request("symbol", wire.TSym, &wire.Sym{Lib: lib, Name: name, Ordinal: ordinal}, wire.THandle, &h,
		func(e *wire.Error) error { return &SymbolError{Name: label, Code: e.Code, Msg: e.Msg} })
	return h.Value, err
}

// Free unloads a DLL.
func (ch *Chan) Free(lib uint64) error {
	var h wire.Handle
	return ch.request("free", wire.TFree, &wire.Free{Lib: lib}, wire.THandle, &h,
		func(e *wire.Error) error { return &LoadError{Name: fmt.Sprintf("%#x", lib), Code: e.Code, Msg: e.Msg} })
}

// ReadMem reads size bytes at a server address, or a NUL-terminated string when size is 0.
func (ch *Chan) ReadMem(addr uint64, size uint32, wide bool) ([]byte, error) {
	var b wire.Blob
	err := ch.request("read memory", wire.TReadMem, &wire.ReadMem{Addr: addr, Size: size, Wide: wide},
		wire.TBlob, &b, func(e *wire.Error) error { return &ServerError{Op: "read memory", Msg: e.Msg} })
	return append([]byte(nil), b.Data...), err
}

// CallSpec describes one call.
type CallSpec struct {
	Fn    uint64
	Conv  abi.Conv
	Ret   abi.Kind
	Deref uint8 // wire.DerefNone, DerefCStr, DerefWStr
	Args  []abi.Arg
	// LastError is set as the thread's Windows LastError before the routine runs.
	LastError uint32
	SRet      *abi.StructRet // a structure result, or nil
	// Prepare, if set, runs before the arguments are packed: it adds the regions that
	// typed arguments (abi.Typed, abi.Struct) and SRet refer to (core/marshal).
	Prepare func(call *wire.Call) error
}

// Call performs a call. done runs with the reply while the session is still locked: the
// reply (and its Out regions) is only valid inside it. A Windows exception the routine
// left unhandled is returned as *ExceptionError after done has seen the reply.
func (ch *Chan) Call(spec *CallSpec, done func(*wire.CallReply) error) error {
	s := ch.s
	call := &ch.call
	*call = wire.Call{Fn: spec.Fn, Deref: spec.Deref, LastError: spec.LastError, Words: call.Words[:0],
		Regions: call.Regions[:0], Patches: call.Patches[:0]}
	if spec.Prepare != nil {
		if err := spec.Prepare(call); err != nil {
			return err
		}
	}
	if err := s.ABI.Pack(call, spec.Conv, spec.Ret, spec.Args, spec.SRet); err != nil {
		return err
	}
	if err := ch.request("call", wire.TCall, call, wire.TCallReply, &ch.reply, nil); err != nil {
		return err
	}
	if err := done(&ch.reply); err != nil {
		return err
	}
	if rep := &ch.reply; rep.Exception != 0 {
		return &ExceptionError{Code: rep.Exception, Addr: rep.ExcInfo[0],
			Info: [2]uint64{rep.ExcInfo[1], rep.ExcInfo[2]}, PtrSize: s.ABI.PtrSize}
	}
	return nil
}

// Close asks the server to exit, waits up to TimeoutStop, then kills it. It does not wait
// for a request in flight: that request fails once the server is gone.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		s.errMu.Lock()
		if s.err == nil {
			s.err = ErrTerminated
		}
		s.errMu.Unlock()
		quit := wire.Append(nil, wire.TQuit, 0, &wire.Quit{})
		s.tr.Send(quit)
		s.tr.CloseWrite()
		timeout := s.opts.TimeoutStop
		if timeout <= 0 {
			timeout = 10 * time.Second
		}
		select {
		case <-s.done:
		case <-time.After(timeout):
			s.kill()
		}
		// The reader forwards what the server wrote before it exited (DLL output), then
		// stops at end of input; a child process the DLL started may hold the pipe open.
		select {
		case <-s.dead:
		case <-time.After(250 * time.Millisecond):
		}
		s.tr.Close()
		if s.shm != nil {
			s.shm.Close()
		}
	})
	return nil
}

// kill ends the server process now and waits for it.
func (s *Session) kill() {
	if s.shm != nil {
		s.shm.Unlink()
	}
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	syscall.Kill(-s.PID, syscall.SIGKILL)
	s.cmd.Process.Kill()
	s.tr.Close()
	<-s.done
}

// IsTerminated reports whether err means the session was terminated on purpose.
func IsTerminated(err error) bool { return errors.Is(err, ErrTerminated) }

// NewCallback creates a native entry point in the server for a callback signature.
func (ch *Chan) NewCallback(sig *wire.CallbackNew) (uint64, error) {
	var h wire.Handle
	err := ch.request("callback", wire.TCallbackNew, sig, wire.THandle, &h,
		func(e *wire.Error) error { return &ServerError{Op: "callback", Msg: e.Msg} })
	return h.Value, err
}

// FreeCallback releases an entry point.
func (ch *Chan) FreeCallback(addr uint64) error {
	var h wire.Handle
	return ch.request("callback", wire.TCallbackFree, &wire.CallbackFree{Addr: addr}, wire.THandle, &h, nil)
}
