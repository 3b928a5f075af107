// Package session runs one zugbruecke server process under Wine and talks to it: the
// handshake, requests (load, symbol, call, read memory) and termination. It knows nothing
// of Python; pyext drives it.
//
// session.go starts and stops the server process; channel.go holds the channels, one per
// client thread, and routes frames to them; requests.go and call.go are the requests.
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
	// BeforeOutput, if set, runs on the calling thread before DLL output is written to
	// Options.Stdout or Options.Stderr at the end of a request or before a callback
	// (output.go): pyext flushes Python's sys.stdout and sys.stderr there.
	BeforeOutput func()

	opts Options
	cmd  *exec.Cmd
	tr   transport.Transport
	shm  *transport.ShmFile // nil with the pipe transport
	out  *output            // the files DLL output goes through; nil when it is discarded
	done chan struct{}      // closed when the process has exited
	wait error              // the process's exit status, once done is closed

	chMu   sync.Mutex
	chans  map[uint32]*Chan
	nextCh uint32
	idle   []*Chan // channels whose server thread ended (Chan.End), for NewChan to reuse

	dead  chan struct{} // closed when the reader stops
	errMu sync.Mutex
	err   error // sticky: why the session cannot be used any more

	closeOnce sync.Once
	// users counts who may touch the shared memory: 1 for the session until Close, plus
	// one for each request (exchange, Reply) in progress. The one that brings it to 0
	// unmaps the memory, so Close from any thread (a callback, while other threads
	// call) never unmaps memory a request still reads or writes.
	users atomic.Int64
}

// acquire registers a user of the shared memory; false once the session is closed and
// the last user has left.
func (s *Session) acquire() bool {
	for {
		n := s.users.Load()
		if n <= 0 {
			return false
		}
		if s.users.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release ends a use of the shared memory, unmapping it after the last one.
func (s *Session) release() {
	if s.users.Add(-1) == 0 && s.shm != nil {
		s.shm.Close()
	}
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
	s.users.Store(1)
	if err := s.launch(); err != nil {
		return nil, err
	}
	if err := s.awaitHandshake(opts.TimeoutStart); err != nil {
		s.kill()
		return nil, err
	}
	if s.shm != nil {
		s.shm.Unlink() // both sides have it mapped: nothing stays behind in the file system
	}
	s.out.started()
	go s.read()
	return s, nil
}

// launch runs the server under Wine, its standard input and output as the pipe transport,
// after creating the shared memory file for the shm transport.
func (s *Session) launch() error {
	opts := &s.opts
	args := []string{opts.Server}
	if opts.Transport == "shm" {
		shm, err := transport.CreateShm(opts.ShmDir, transport.DefaultLayout)
		if err != nil {
			return &StartError{Msg: "shared memory", Err: err}
		}
		s.shm = shm
		// Wine maps the Unix file system on drive Z:.
		args = append(args, "--shm", "Z:"+strings.ReplaceAll(shm.Path, "/", `\`))
	}
	out, err := newOutput(opts.ShmDir, opts.Stdout, opts.Stderr)
	if err != nil {
		if s.shm != nil {
			s.shm.Close()
		}
		return &StartError{Msg: "DLL output", Err: err}
	}
	s.out = out // nil when both streams are discarded
	if out != nil {
		out.before = func() {
			if s.BeforeOutput != nil {
				s.BeforeOutput()
			}
		}
	}
	args = append(args, out.args()...)
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
		s.out.close()
		return &StartError{Msg: "pipe", Err: err}
	}
	if opts.Stderr != nil {
		cmd.Stderr = opts.Stderr
	}
	if err := cmd.Start(); err != nil {
		if s.shm != nil {
			s.shm.Close()
		}
		s.out.close()
		return &StartError{Msg: "cannot run " + opts.Loader, Err: err}
	}
	s.cmd = cmd
	s.PID = cmd.Process.Pid
	go func() {
		s.wait = cmd.Wait()
		close(s.done)
	}()
	return nil
}

// awaitHandshake waits up to timeout (30 s if not positive) for the server's hello.
func (s *Session) awaitHandshake(timeout time.Duration) error {
	hello := make(chan error, 1)
	go func() { hello <- s.handshake() }()
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	select {
	case err := <-hello:
		return err
	case <-time.After(timeout):
		return &StartError{Msg: fmt.Sprintf("no handshake within %v", timeout)}
	}
}

// handshake reads the server's hello and checks that it speaks our protocol and arch.
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

// sticky returns why the session cannot be used any more, or nil.
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

// Close asks the server to exit, waits up to TimeoutStop, then kills it. It does not wait
// for a request in flight (it may run inside one, from a callback): that request fails
// with ErrTerminated once the server is gone, and the shared memory is unmapped when the
// last request has left it.
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
		// The reader stops at end of input; a child process the DLL started may hold
		// the pipe open.
		select {
		case <-s.dead:
		case <-time.After(250 * time.Millisecond):
		}
		s.out.close() // what the DLL wrote last, then the files
		s.tr.Close()
		if s.shm != nil {
			s.shm.Unlink()
		}
		s.release() // the memory goes when the last request using it has returned
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
	s.out.close()
}

// IsTerminated reports whether err means the session was terminated on purpose.
func IsTerminated(err error) bool { return errors.Is(err, ErrTerminated) }
