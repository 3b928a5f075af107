package main

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import "unsafe"

// events is the Python callable events(kind, message) a session reports rare happenings
// to (zugbruecke/_session.py logs them): the steps of creating a Wine prefix ("prefix")
// and each new server thread ("thread"). Never on the path of a call.
type events struct {
	fn *C.PyObject // an owned reference; nil when nobody listens
}

// newEvents keeps fn (borrowed from the caller) unless it is None; with the GIL held.
func newEvents(fn *C.PyObject) *events {
	if fn == nil || C.zb_is_none(fn) != 0 {
		return &events{}
	}
	C.zb_incref(fn)
	return &events{fn: fn}
}

// emit calls events(kind, msg). It takes the GIL (it runs inside a withoutGIL wait, on
// the thread that released it), which also orders it with release.
func (e *events) emit(kind, msg string) {
	st := C.PyGILState_Ensure()
	defer C.PyGILState_Release(st)
	if e.fn == nil {
		return
	}
	ck := C.CString(kind)
	cm := C.CString(msg)
	C.zb_event(e.fn, ck, cm, C.Py_ssize_t(len(msg)))
	C.free(unsafe.Pointer(ck))
	C.free(unsafe.Pointer(cm))
}

// release drops the reference; with the GIL held.
func (e *events) release() {
	if fn := e.fn; fn != nil {
		e.fn = nil
		C.zb_decref(fn)
	}
}
