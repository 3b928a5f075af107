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
	"sync"
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
}

// Session is one running server process.
type Session struct {
	ABI    *abi.Arch
	PID    int    // Linux process id of the server
	WinPID uint32 // its Windows process id

	opts Options
	cmd  *exec.Cmd
	tr   transport.Transport
	done chan struct{} // closed when the process has exited
	wait error         // the process's exit status, once done is closed

	mu    sync.Mutex // one request at a time
	buf   []byte
	call  wire.Call
	reply wire.CallReply
	err   error // sticky: why the session cannot be used any more

	closeOnce sync.Once
}

// Start launches the server under Wine and completes the handshake within
// opts.TimeoutStart.
func Start(opts Options) (*Session, error) {
	a, err := abi.ByName(opts.Arch)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(opts.Server); err != nil {
		return nil, &StartError{Msg: "server executable missing", Err: err}
	}
	s := &Session{ABI: a, opts: opts, done: make(chan struct{})}
	cmd := exec.Command(opts.Loader, opts.Server)
	cmd.Env = opts.Env
	// Own process group: a Ctrl-C in the terminal reaches Python, not the server; the
	// server dies with the thread that started it (a Go thread, see below).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, &StartError{Msg: "pipe", Err: err}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, &StartError{Msg: "pipe", Err: err}
	}
	if opts.Stderr != nil {
		cmd.Stderr = opts.Stderr
	}
	// Start from a goroutine of our own: the calling thread may be a Python thread that
	// ends later, and Pdeathsig fires when the thread that forked exits. Goroutines not
	// locked to a foreign thread run on threads the Go runtime keeps.
	started := make(chan error, 1)
	go func() { started <- cmd.Start() }()
	if err := <-started; err != nil {
		return nil, &StartError{Msg: "cannot run " + opts.Loader, Err: err}
	}
	s.cmd = cmd
	s.PID = cmd.Process.Pid
	s.tr = transport.NewPipe(stdin, stdout)
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
	return s, nil
}

func (s *Session) handshake() error {
	f, err := s.tr.Recv()
	if err != nil {
		<-s.done
		return &StartError{Msg: fmt.Sprintf("server exited (%v)", s.wait), Err: err}
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
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err == nil
}

// fail makes err sticky, describing how the server ended if it did.
func (s *Session) fail(op string, err error) error {
	if s.err != nil {
		return s.err
	}
	select {
	case <-s.done:
		err = &ServerError{Op: op, Msg: fmt.Sprintf("server process ended (%v)", s.wait), Err: err}
	case <-time.After(200 * time.Millisecond):
		err = &ServerError{Op: op, Msg: "lost the server", Err: err}
	}
	s.err = err
	return err
}

// exchange sends a request and returns its reply frame, forwarding DLL output that arrives
// meanwhile. The caller holds s.mu; the frame is valid until the next exchange.
func (s *Session) exchange(op string, t wire.Type, m wire.Msg) (wire.Frame, error) {
	if s.err != nil {
		return wire.Frame{}, s.err
	}
	s.buf = wire.Append(s.buf[:0], t, 0, m)
	if err := s.tr.Send(s.buf); err != nil {
		return wire.Frame{}, s.fail(op, err)
	}
	for {
		f, err := s.tr.Recv()
		if err != nil {
			return wire.Frame{}, s.fail(op, err)
		}
		if f.Type == wire.TOutput {
			s.output(f)
			continue
		}
		return f, nil
	}
}

func (s *Session) output(f wire.Frame) {
	var o wire.Output
	if f.Decode(&o) == nil && s.opts.Stdout != nil {
		s.opts.Stdout.Write(o.Data)
	}
}

// request runs one exchange and decodes the reply into rep, turning Error frames into
// errors via onErr.
func (s *Session) request(op string, t wire.Type, m wire.Msg, want wire.Type, rep wire.Msg,
	onErr func(*wire.Error) error) error {
	f, err := s.exchange(op, t, m)
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
func (s *Session) Load(name string) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var h wire.Handle
	err := s.request("load", wire.TLoad, &wire.Load{Name: name}, wire.THandle, &h,
		func(e *wire.Error) error { return &LoadError{Name: name, Code: e.Code, Msg: e.Msg} })
	return h.Value, err
}

// Sym resolves an export by name, or by ordinal when name is "".
func (s *Session) Sym(lib uint64, name string, ordinal uint32) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var h wire.Handle
	label := name
	if name == "" {
		label = fmt.Sprintf("ordinal %d", ordinal)
	}
	err := s.request("symbol", wire.TSym, &wire.Sym{Lib: lib, Name: name, Ordinal: ordinal}, wire.THandle, &h,
		func(e *wire.Error) error { return &SymbolError{Name: label, Code: e.Code, Msg: e.Msg} })
	return h.Value, err
}

// Free unloads a DLL.
func (s *Session) Free(lib uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var h wire.Handle
	return s.request("free", wire.TFree, &wire.Free{Lib: lib}, wire.THandle, &h, nil)
}

// ReadMem reads size bytes at a server address, or a NUL-terminated string when size is 0.
func (s *Session) ReadMem(addr uint64, size uint32, wide bool) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b wire.Blob
	err := s.request("read memory", wire.TReadMem, &wire.ReadMem{Addr: addr, Size: size, Wide: wide},
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
	SRet  *abi.StructRet // a structure result, or nil
	// Prepare, if set, runs before the arguments are packed: it adds the regions that
	// typed arguments (abi.Typed, abi.Struct) and SRet refer to (core/marshal).
	Prepare func(call *wire.Call) error
}

// Call performs a call. done runs with the reply while the session is still locked: the
// reply (and its Out regions) is only valid inside it. A Windows exception the routine
// left unhandled is returned as *ExceptionError after done has seen the reply.
func (s *Session) Call(spec *CallSpec, done func(*wire.CallReply) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	call := &s.call
	*call = wire.Call{Fn: spec.Fn, Deref: spec.Deref, Words: call.Words[:0],
		Regions: call.Regions[:0], Patches: call.Patches[:0]}
	if spec.Prepare != nil {
		if err := spec.Prepare(call); err != nil {
			return err
		}
	}
	if err := s.ABI.Pack(call, spec.Conv, spec.Ret, spec.Args, spec.SRet); err != nil {
		return err
	}
	if err := s.request("call", wire.TCall, call, wire.TCallReply, &s.reply, nil); err != nil {
		return err
	}
	if err := done(&s.reply); err != nil {
		return err
	}
	if rep := &s.reply; rep.Exception != 0 {
		return &ExceptionError{Code: rep.Exception, Addr: rep.ExcInfo[0],
			Info: [2]uint64{rep.ExcInfo[1], rep.ExcInfo[2]}, PtrSize: s.ABI.PtrSize}
	}
	return nil
}

// Close asks the server to exit, waits up to TimeoutStop, then kills it. It does not wait
// for a request in flight: that request fails once the server is gone.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		quit := wire.Append(nil, wire.TQuit, 0, &wire.Quit{})
		s.tr.Send(quit)
		s.tr.Close()
		timeout := s.opts.TimeoutStop
		if timeout <= 0 {
			timeout = 10 * time.Second
		}
		select {
		case <-s.done:
		case <-time.After(timeout):
			s.kill()
		}
		s.mu.Lock()
		if s.err == nil {
			s.err = ErrTerminated
		}
		s.mu.Unlock()
	})
	return nil
}

// kill ends the server process now and waits for it.
func (s *Session) kill() {
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
