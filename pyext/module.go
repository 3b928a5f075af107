// Package main is the CPython extension zugbruecke._core, built with
// `go build -buildmode=c-shared`. It stays thin: argument conversion between Python
// objects and core types, the GIL released around every wait, errors turned into the
// exceptions the Python package maps. The logic lives in core/.
package main

/*
#include "shim.h"

long zb_gettid(void); // tid.c
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/config"
	"github.com/zugbruecke/zugbruecke/core/marshal"
	"github.com/zugbruecke/zugbruecke/core/prefix"
	"github.com/zugbruecke/zugbruecke/core/session"
)

func main() {}

// sess is a session with what the extension keeps beside it: mirrors of DLL memory,
// each thread's channel, the callbacks Python registered.
type sess struct {
	*session.Session
	mirrors   marshal.MirrorTable
	chans     sync.Map // OS thread id -> *session.Chan
	callbacks sync.Map // entry point address -> *pyCallback
	funcs     sync.Map // Linux closure address -> entry point address (marshal.Encoder.Funcs)
	events    *events  // Python's events(kind, message), or none
}

// ch is the calling thread's channel (the server gives each its own thread).
func (s *sess) ch() *session.Chan {
	tid := gettid()
	if c, ok := s.chans.Load(tid); ok && !c.(*session.Chan).Abandoned() {
		return c.(*session.Chan)
	}
	c := s.NewChan()
	s.chans.Store(tid, c)
	s.events.emit("thread", fmt.Sprintf("channel %d: a server thread for Linux thread %d", c.ID, tid))
	return c
}

// Sessions by handle. A plain map (not runtime/cgo.Handle) so that a stale or forged
// handle from Python is an exception, not a crash.
var (
	sessionsMu sync.Mutex
	sessions   = map[uint64]*sess{}
	nextHandle uint64
)

func register(s *session.Session, ev *events) uint64 {
	sessionsMu.Lock()
	defer sessionsMu.Unlock()
	nextHandle++
	ss := &sess{Session: s, events: ev}
	s.OnCallback = ss.onCallback
	s.OnAsync = ss.onAsync
	s.Interrupted = signalled
	s.BeforeOutput = flushPythonStreams
	sessions[nextHandle] = ss
	return nextHandle
}

func lookup(h C.ulonglong) *sess {
	sessionsMu.Lock()
	defer sessionsMu.Unlock()
	return sessions[uint64(h)]
}

// sessionArg is the session of handle h, or nil with the exception for a terminated
// session set.
func sessionArg(h C.ulonglong) *sess {
	s := lookup(h)
	if s == nil {
		raiseErr(session.ErrTerminated)
	}
	return s
}

func unregister(h C.ulonglong) *sess {
	sessionsMu.Lock()
	defer sessionsMu.Unlock()
	s := sessions[uint64(h)]
	delete(sessions, uint64(h))
	return s
}

// gettid is the calling OS thread's id (cached in C thread-local storage).
func gettid() int { return int(C.zb_gettid()) }

// withoutGIL runs wait with the GIL released: every blocking wait goes through it, and
// wait touches no Python object. A callback arriving during the wait takes the GIL back
// on the same thread with PyGILState_Ensure, which finds the thread state saved here.
// wait does not escape, so a function literal passed here costs no allocation.
func withoutGIL(wait func()) {
	ts := C.PyEval_SaveThread()
	wait()
	C.PyEval_RestoreThread(ts)
}

// signalled runs Python's signal handlers (only the main thread does); true when one
// raised, for example KeyboardInterrupt on Ctrl-C: the exception stays set for the
// call that is given up.
func signalled() bool {
	st := C.PyGILState_Ensure()
	failed := C.PyErr_CheckSignals() != 0
	C.PyGILState_Release(st)
	return failed
}

// flushPythonStreams flushes sys.stdout and sys.stderr before DLL output is written to
// the descriptors under them; it runs on a thread that waited without the GIL.
func flushPythonStreams() {
	st := C.PyGILState_Ensure()
	C.zb_flush_std()
	C.PyGILState_Release(st)
}

// raise sets a Python exception through the package's factory and returns NULL.
func raise(kind session.ErrorKind, code int64, msg string) *C.PyObject {
	ck := C.CString(string(kind))
	defer C.free(unsafe.Pointer(ck))
	cm := C.CString(msg)
	defer C.free(unsafe.Pointer(cm))
	C.zb_raise(ck, C.longlong(code), cm, C.Py_ssize_t(len(msg)))
	return nil
}

// raiseErr maps a core error to an exception kind the Python package understands.
func raiseErr(err error) *C.PyObject {
	var (
		le *session.LoadError
		se *session.SymbolError
		st *session.StartError
		sv *session.ServerError
		wm *prefix.WineMissingError
		ex *session.ExceptionError
		uk *config.UnknownKeyError
		ve *config.ValueError
		fe *config.FileError
	)
	switch {
	case errors.Is(err, session.ErrInterrupted) && C.PyErr_Occurred() != nil:
		return nil // the signal handler's exception
	case errors.As(err, &le):
		return raise(session.ErrorLoad, int64(le.Code), le.Msg)
	case errors.As(err, &se):
		return raise(session.ErrorSymbol, int64(se.Code), se.Msg)
	case errors.As(err, &ex):
		return raise(session.ErrorException, int64(ex.Code), ex.Error())
	case errors.As(err, &wm):
		return raise(session.ErrorWine, 0, err.Error())
	case errors.As(err, &uk), errors.As(err, &ve), errors.As(err, &fe):
		return raise(session.ErrorConfig, 0, err.Error())
	case session.IsTerminated(err):
		return raise(session.ErrorTerminated, 0, err.Error())
	case errors.As(err, &st):
		return raise(session.ErrorStart, 0, err.Error())
	case errors.As(err, &sv):
		return raise(session.ErrorServer, 0, err.Error())
	}
	return raise(session.ErrorOther, 0, err.Error())
}

func goString(p *C.char, n C.int) string { return C.GoStringN(p, n) }

func pyBytes(b []byte) *C.PyObject {
	if len(b) == 0 {
		return C.PyBytes_FromStringAndSize(nil, 0)
	}
	return C.PyBytes_FromStringAndSize((*C.char)(unsafe.Pointer(&b[0])), C.Py_ssize_t(len(b)))
}

func pyString(s string) *C.PyObject {
	if len(s) == 0 {
		return C.PyUnicode_FromStringAndSize(nil, 0)
	}
	return C.PyUnicode_FromStringAndSize((*C.char)(unsafe.Pointer(unsafe.StringData(s))), C.Py_ssize_t(len(s)))
}
