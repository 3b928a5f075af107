package main

// Callbacks, client side: a Python function wrapped by a CFUNCTYPE/WINFUNCTYPE object is
// registered once per session (zbCallbackNew): the server makes a native entry point and
// the extension remembers the Python handler under its address. When the DLL calls it,
// the Callback frame reaches the thread waiting for its call (onCallback: the GIL is
// taken back on that thread, the handler runs, the GIL is released again) or, from a
// thread the DLL created, a new thread of ours (onAsync, PyGILState_Ensure).

/*
#include "shim.h"
*/
import "C"

import (
	"encoding/json"
	"math"
	"runtime"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/session"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// pyCallback is a registered Python handler: handler(args, mem) -> (result, mem).
type pyCallback struct {
	handler *C.PyObject
	sig     wire.CallbackNew
	linux   uintptr // the ctypes closure of the CFUNCTYPE object (in structures)
}

type callbackSig struct {
	Conv uint8 `json:"conv"`
	Ret  uint8 `json:"ret"`
	Args []struct {
		Kind  uint8  `json:"kind"`
		Deref uint8  `json:"deref"`
		Size  uint32 `json:"size"`
	} `json:"args"`
}

//export zbCallbackNew
func zbCallbackNew(h C.ulonglong, handler *C.PyObject, p *C.char, n C.int, lin C.ulonglong) *C.PyObject {
	s := sessionArg(h)
	if s == nil {
		return nil
	}
	var cs callbackSig
	if err := json.Unmarshal([]byte(goString(p, n)), &cs); err != nil {
		return raise(session.ErrorOther, 0, "zugbruecke: callback signature: "+err.Error())
	}
	cb := &pyCallback{handler: handler, sig: wire.CallbackNew{Conv: cs.Conv, Ret: cs.Ret}, linux: uintptr(lin)}
	for _, a := range cs.Args {
		cb.sig.Args = append(cb.sig.Args, wire.CallbackArg{Kind: a.Kind, Deref: a.Deref, Size: a.Size})
	}
	var addr uint64
	var err error
	withoutGIL(func() { addr, err = s.ch().NewCallback(&cb.sig) })
	if err != nil {
		return raiseErr(err)
	}
	C.Py_IncRef(handler)
	s.callbacks.Store(addr, cb)
	if lin != 0 {
		s.funcs.Store(uintptr(lin), addr)
	}
	return C.PyLong_FromUnsignedLongLong(C.ulonglong(addr))
}

//export zbCallbackFree
func zbCallbackFree(h, addr C.ulonglong) *C.PyObject {
	s := lookup(h)
	if s == nil {
		return C.zb_none() // the session is gone, and its entry points with it
	}
	v, ok := s.callbacks.LoadAndDelete(uint64(addr))
	if !ok {
		return C.zb_none()
	}
	if lin := v.(*pyCallback).linux; lin != 0 {
		s.funcs.Delete(lin)
	}
	var err error
	withoutGIL(func() { err = s.ch().FreeCallback(uint64(addr)) })
	C.zb_decref(v.(*pyCallback).handler)
	if err != nil && s.Alive() {
		return raiseErr(err)
	}
	return C.zb_none()
}

// onCallback runs on the thread that waits for its call, without the GIL.
func (s *sess) onCallback(ch *session.Chan, cb *wire.Callback) *wire.CallbackReply {
	g := C.PyGILState_Ensure()
	rep := s.invoke(cb)
	C.PyGILState_Release(g)
	return rep
}

// onAsync runs a callback from a thread the DLL created on a thread of our own, which
// uses the server thread's channel for calls the Python function makes.
func (s *sess) onAsync(id uint32, cb *wire.Callback) {
	go func() {
		runtime.LockOSThread() // PyGILState ties the thread state to this OS thread
		defer runtime.UnlockOSThread()
		ch := s.Chan(id)
		if ch == nil {
			return
		}
		tid := gettid()
		s.chans.Store(tid, ch)
		g := C.PyGILState_Ensure()
		rep := s.invoke(cb)
		C.PyGILState_Release(g)
		s.chans.Delete(tid)
		ch.Reply(rep)
	}()
}

// invoke calls the Python handler with the GIL held: handler((arg, ...), (mem, ...))
// returns (result, (mem, ...)).
func (s *sess) invoke(cb *wire.Callback) *wire.CallbackReply {
	rep := &wire.CallbackReply{}
	v, ok := s.callbacks.Load(cb.Addr)
	if !ok {
		return rep
	}
	pc := v.(*pyCallback)
	n := len(cb.Args)
	args := C.PyTuple_New(C.Py_ssize_t(n))
	mems := C.PyTuple_New(C.Py_ssize_t(n))
	for i := 0; i < n; i++ {
		var k abi.Kind
		if i < len(pc.sig.Args) {
			k = abi.Kind(pc.sig.Args[i].Kind)
		}
		C.zb_tuple_set(args, C.Py_ssize_t(i), argObject(k, cb.Args[i]))
		if i < len(cb.Mem) && cb.Mem[i] != nil {
			C.zb_tuple_set(mems, C.Py_ssize_t(i), pyBytes(cb.Mem[i]))
		} else {
			C.zb_tuple_set(mems, C.Py_ssize_t(i), C.zb_none())
		}
	}
	pair := C.PyTuple_New(2)
	C.zb_tuple_set(pair, 0, args)
	C.zb_tuple_set(pair, 1, mems)
	out := C.PyObject_CallObject(pc.handler, pair)
	C.zb_decref(pair)
	if out == nil {
		C.PyErr_WriteUnraisable(pc.handler)
		return rep
	}
	defer C.zb_decref(out)
	if C.zb_is_tuple(out) == 0 || C.zb_tuple_size(out) != 2 {
		return rep
	}
	res := C.zb_tuple_item(out, 0)
	switch k := abi.Kind(pc.sig.Ret); {
	case C.zb_is_none(res) != 0 || k == abi.Void:
	case k.IsFloat():
		rep.Result = math.Float64bits(float64(C.PyFloat_AsDouble(res)))
	default:
		rep.Result = uint64(C.PyLong_AsUnsignedLongLongMask(res))
	}
	if C.PyErr_Occurred() != nil {
		C.PyErr_WriteUnraisable(pc.handler)
		rep.Result = 0
	}
	outMem := C.zb_tuple_item(out, 1)
	if C.zb_is_tuple(outMem) != 0 {
		m := int(C.zb_tuple_size(outMem))
		rep.Mem = make([][]byte, m)
		for i := 0; i < m; i++ {
			o := C.zb_tuple_item(outMem, C.Py_ssize_t(i))
			if C.zb_is_bytes(o) != 0 {
				rep.Mem[i] = C.GoBytes(unsafe.Pointer(C.zb_bytes_data(o)), C.int(C.zb_bytes_size(o)))
			}
		}
	}
	return rep
}

// argObject converts one callback argument for Python by its kind.
func argObject(k abi.Kind, bits uint64) *C.PyObject {
	switch {
	case k.IsFloat():
		return C.PyFloat_FromDouble(C.double(math.Float64frombits(bits)))
	case k.IsSigned():
		return C.PyLong_FromLongLong(C.longlong(int64(bits)))
	}
	return C.PyLong_FromUnsignedLongLong(C.ulonglong(bits))
}
