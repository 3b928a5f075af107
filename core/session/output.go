//go:build linux

package session

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DLL output in order.
//
// What a DLL writes to its standard output and standard error goes into two files the
// client makes (in the shared memory folder), one per stream; the server opens them as
// the DLL's standard handles (winserver/stdio.go). Wine writes to a file with one system
// call, so when a routine returns, everything it wrote is in the file. The client reads
// the new bytes when a reply or a callback arrives, before the caller sees it, and writes
// them to Options.Stdout and Options.Stderr: output reaches the Python process's
// descriptors 1 and 2 before the call returns, in order with what Python writes around
// the call (Session.BeforeOutput flushes Python's own buffers first).
//
// Knowing whether anything was written must cost next to nothing on every call: an
// inotify descriptor watches both files (the kernel queues the event inside the write
// that the DLL made), and a request during which nothing was written costs one
// epoll_wait with a zero timeout that finds no event (about 0.2 µs). Output from threads
// the DLL made, between calls, is written by a goroutine woken by the same descriptor, a
// moment later.
type output struct {
	mu      sync.Mutex
	streams []*outStream
	ino     int      // the inotify descriptor, non-blocking; -1 without one (or once closed)
	ep      int      // an epoll descriptor holding ino (-1 with it)
	watch   *os.File // ino, for the goroutine that waits on it
	events  [4096]byte
	ready   [1]syscall.EpollEvent
	buf     []byte
	before  func() // Session.BeforeOutput
}

type outStream struct {
	flag    string // the server's option naming the file: --stdout or --stderr
	path    string
	f       *os.File
	off     int64 // bytes read so far
	punched int64 // bytes given back to the file system so far
	dst     io.Writer
}

// outputDelay is how long the goroutine leaves new output to a call that is about to
// return, which writes it after flushing Python's buffers.
const outputDelay = 20 * time.Millisecond

// punchEvery is how much read output the files keep before the space is given back.
const punchEvery = 1 << 20

// newOutput makes the files for the streams that go somewhere (nil if none does).
func newOutput(dir string, stdout, stderr io.Writer) (*output, error) {
	if stdout == nil && stderr == nil {
		return nil, nil
	}
	if dir == "" {
		dir = "/dev/shm"
		if _, err := os.Stat(dir); err != nil {
			dir = os.TempDir()
		}
	}
	o := &output{ino: -1, ep: -1, buf: make([]byte, 64<<10)}
	for _, s := range []struct {
		flag string
		dst  io.Writer
	}{{"--stdout", stdout}, {"--stderr", stderr}} {
		if s.dst == nil {
			continue
		}
		var rnd [12]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			o.close()
			return nil, err
		}
		path := filepath.Join(dir, fmt.Sprintf("zugbruecke-%d-%s%s", os.Getuid(), s.flag[2:], hex.EncodeToString(rnd[:])))
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			o.close()
			return nil, fmt.Errorf("output file: %w", err)
		}
		o.streams = append(o.streams, &outStream{flag: s.flag, path: path, f: f, dst: s.dst})
	}
	if fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC); err == nil {
		ok := true
		for _, s := range o.streams {
			if _, err := syscall.InotifyAddWatch(fd, s.path, syscall.IN_MODIFY); err != nil {
				ok = false
			}
		}
		ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err == nil && ok {
			err = syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)})
		}
		if err == nil && ok {
			o.ino, o.ep = fd, ep
			o.watch = os.NewFile(uintptr(fd), "inotify")
		} else {
			// Without a watch, every sync reads the files.
			syscall.Close(fd)
			if ep >= 0 {
				syscall.Close(ep)
			}
		}
	}
	return o, nil
}

// args are the server's command-line arguments naming the files (Wine maps the Unix
// file system on drive Z:).
func (o *output) args() []string {
	if o == nil {
		return nil
	}
	var a []string
	for _, s := range o.streams {
		a = append(a, s.flag, "Z:"+strings.ReplaceAll(s.path, "/", `\`))
	}
	return a
}

// started unlinks the files (the server has them open) and starts the goroutine for
// output between calls.
func (o *output) started() {
	if o == nil {
		return
	}
	for _, s := range o.streams {
		os.Remove(s.path)
	}
	if o.watch == nil {
		return
	}
	rc, err := o.watch.SyscallConn()
	if err != nil {
		return
	}
	go func() {
		first := true
		rc.Read(func(uintptr) bool {
			if !first {
				time.Sleep(outputDelay)
			}
			first = false
			o.mu.Lock()
			defer o.mu.Unlock()
			if o.ino < 0 {
				return true
			}
			o.syncLocked(false)
			return false // wait for the next event
		})
	}()
}

// sync writes what the DLL wrote since the last sync, calling before first when there is
// any. It runs on the thread that waited for a reply or a callback.
func (o *output) sync() {
	if o == nil {
		return
	}
	o.mu.Lock()
	o.syncLocked(true)
	o.mu.Unlock()
}

func (o *output) syncLocked(hook bool) {
	if o.ep >= 0 {
		n, err := syscall.EpollWait(o.ep, o.ready[:], 0)
		for err == syscall.EINTR {
			n, err = syscall.EpollWait(o.ep, o.ready[:], 0)
		}
		if n == 0 && err == nil {
			return // nothing written: the common case, one system call
		}
		for {
			if n, _ := syscall.Read(o.ino, o.events[:]); n <= 0 {
				break
			}
		}
	}
	o.drainLocked(hook)
}

// drainLocked writes what the files hold beyond what was read.
func (o *output) drainLocked(hook bool) {
	for _, s := range o.streams {
		for {
			n, _ := s.f.ReadAt(o.buf, s.off)
			if n <= 0 {
				break
			}
			if hook && o.before != nil {
				o.before()
				hook = false
			}
			s.dst.Write(o.buf[:n])
			s.off += int64(n)
		}
		if s.off-s.punched >= punchEvery {
			// tmpfs gives the pages back; the offsets stay as they are.
			to := s.off &^ 4095
			if syscall.Fallocate(int(s.f.Fd()), 0x1|0x2, s.punched, to-s.punched) == nil { // PUNCH_HOLE|KEEP_SIZE
				s.punched = to
			}
		}
	}
}

// close writes what is left (the server has exited) and closes the files.
func (o *output) close() {
	if o == nil {
		return
	}
	o.mu.Lock()
	o.drainLocked(true)
	watch := o.watch
	if o.ep >= 0 {
		syscall.Close(o.ep)
	}
	o.ino, o.ep, o.watch = -1, -1, nil
	for _, s := range o.streams {
		s.f.Close()
		os.Remove(s.path)
	}
	o.streams = nil
	o.mu.Unlock()
	if watch != nil {
		watch.Close() // outside mu: Close waits for the goroutine, which may wait for mu
	}
}
