package main

/*
#include "shim.h"
*/
import "C"

import (
	"encoding/json"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/layout"
	"github.com/zugbruecke/zugbruecke/core/marshal"
	"github.com/zugbruecke/zugbruecke/core/session"
)

// types holds every ctypes type the Python side described; ids are process-wide, layouts
// are computed per arch on first use.
var types layout.Registry

//export zbTypeRegister
func zbTypeRegister(p *C.char, n C.int) *C.PyObject {
	var d layout.Desc
	if err := json.Unmarshal([]byte(goString(p, n)), &d); err != nil {
		return raise(session.ErrorOther, 0, "zugbruecke: type description: "+err.Error())
	}
	id, err := types.Add(&d)
	if err != nil {
		return raise(session.ErrorType, 0, err.Error())
	}
	return C.PyLong_FromLong(C.long(id))
}

//export zbTypeBind
func zbTypeBind(ptr, elem C.long) *C.PyObject {
	if err := types.Bind(int(ptr), int(elem)); err != nil {
		return raise(session.ErrorType, 0, err.Error())
	}
	return C.zb_none()
}

//export zbTypeInfo
func zbTypeInfo(h C.ulonglong, id C.long) *C.PyObject {
	s := sessionArg(h)
	if s == nil {
		return nil
	}
	t := types.Get(int(id))
	if t == nil {
		return raise(session.ErrorType, 0, "zugbruecke: unknown type id")
	}
	l := t.Layout(s.ABI)
	offs := append([]int{l.Size, l.Align}, l.Offsets...)
	b, _ := json.Marshal(offs)
	return pyString(string(b))
}

//export zbMirror
func zbMirror(h C.ulonglong, srv C.ulonglong, id C.long, lin C.ulonglong) *C.PyObject {
	s := sessionArg(h)
	if s == nil {
		return nil
	}
	t := types.Get(int(id))
	if t == nil {
		return raise(session.ErrorType, 0, "zugbruecke: unknown type id")
	}
	l := t.Layout(s.ABI)
	var win []byte
	var err error
	withoutGIL(func() { win, err = s.ch().ReadMem(uint64(srv), uint32(l.Size), false) })
	if err != nil {
		return raiseErr(err)
	}
	mem := unsafe.Slice((*byte)(ptrAt(uintptr(lin))), t.LinuxSize)
	if err := marshal.Mirror(s.ABI, t, win, mem); err != nil {
		return raiseErr(err)
	}
	s.mirrors.Add(uintptr(lin), uint64(srv), win)
	return C.zb_none()
}

//export zbUnmirror
func zbUnmirror(h C.ulonglong, lin C.ulonglong) *C.PyObject {
	if s := lookup(h); s != nil {
		s.mirrors.Drop(uintptr(lin))
	}
	return C.zb_none()
}

// ptrAt views an address from Python (ctypes.addressof) as a pointer.
func ptrAt(addr uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&addr)) }

//export zbFromWin
func zbFromWin(h C.ulonglong, id C.long, data *C.char, n C.int, lin C.ulonglong) *C.PyObject {
	s := lookup(h)
	t := types.Get(int(id))
	if s == nil || t == nil {
		return raise(session.ErrorType, 0, "zugbruecke: unknown session or type")
	}
	win := C.GoBytes(unsafe.Pointer(data), n)
	mem := unsafe.Slice((*byte)(ptrAt(uintptr(lin))), t.LinuxSize)
	if err := marshal.Mirror(s.ABI, t, win, mem); err != nil {
		return raiseErr(err)
	}
	return C.zb_none()
}

//export zbToWin
func zbToWin(h C.ulonglong, id C.long, lin C.ulonglong, orig *C.char, n C.int) *C.PyObject {
	s := lookup(h)
	t := types.Get(int(id))
	if s == nil || t == nil {
		return raise(session.ErrorType, 0, "zugbruecke: unknown session or type")
	}
	mem := unsafe.Slice((*byte)(ptrAt(uintptr(lin))), t.LinuxSize)
	win, err := marshal.ToWinKeep(s.ABI, t, mem, C.GoBytes(unsafe.Pointer(orig), n))
	if err != nil {
		return raiseErr(err)
	}
	return pyBytes(win)
}
