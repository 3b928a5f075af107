package main

// Memory synchronisation, extension side: the memsync descriptions zugbruecke/_memsync/
// passes to call (pointer members and their pointees, see core/marshal/sync.go), and
// adopt, which copies memory the DLL allocated into Python-owned memory that mirrors it.

/*
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/marshal"
	"github.com/zugbruecke/zugbruecke/core/session"
)

// syncArgError is a memsync directive that does not fit the memory of argument arg.
type syncArgError struct {
	arg int
	err error
}

func (e *syncArgError) Error() string { return e.err.Error() }
func (e *syncArgError) Unwrap() error { return e.err }

// lowerSyncs reads the memsync descriptions of a call: a tuple of
// (member address, type id, count, report address) or (member address, bytearray,
// report address). The report address names 16 bytes of Python memory (or is 0).
func (cs *callState) lowerSyncs(o *C.PyObject) bool {
	if C.zb_is_tuple(o) == 0 {
		raise(session.ErrorOther, 0, "zugbruecke: call: memsync descriptions must be a tuple")
		return false
	}
	n := int(C.zb_tuple_size(o))
	cs.syncs = make(map[uintptr]*marshal.Sync, n)
	for i := 0; i < n; i++ {
		item := C.zb_tuple_item(o, C.Py_ssize_t(i))
		s, loc, err := cs.lowerSync(item)
		if err != nil {
			if C.PyErr_Occurred() == nil {
				raise(session.ErrorOther, 0, "zugbruecke: call: memsync description "+fmt.Sprint(i)+": "+err.Error())
			}
			return false
		}
		cs.syncs[loc] = s
	}
	return true
}

func (cs *callState) lowerSync(o *C.PyObject) (*marshal.Sync, uintptr, error) {
	if C.zb_is_tuple(o) == 0 || C.zb_tuple_size(o) < 3 || C.zb_tuple_size(o) > 4 {
		return nil, 0, fmt.Errorf("not a tuple of 3 or 4 items")
	}
	last := C.zb_tuple_size(o) - 1
	loc := C.PyLong_AsUnsignedLongLong(C.zb_tuple_item(o, 0))
	report := C.PyLong_AsUnsignedLongLong(C.zb_tuple_item(o, last))
	if C.PyErr_Occurred() != nil {
		C.PyErr_Clear()
		return nil, 0, fmt.Errorf("addresses must be integers")
	}
	s := &marshal.Sync{}
	if report != 0 {
		s.Report = unsafe.Slice((*byte)(ptrAt(uintptr(report))), 16)
	}
	if last == 2 {
		b := C.zb_buffer_get(C.zb_tuple_item(o, 1))
		if b == nil {
			C.PyErr_Clear()
			return nil, 0, fmt.Errorf("data must be a writable buffer")
		}
		cs.bufs = append(cs.bufs, b)
		s.Data = memOf(b.buf, int(b.len))
		return s, uintptr(loc), nil
	}
	id := C.PyLong_AsLong(C.zb_tuple_item(o, 1))
	count := C.PyLong_AsLong(C.zb_tuple_item(o, 2))
	if C.PyErr_Occurred() != nil {
		C.PyErr_Clear()
		return nil, 0, fmt.Errorf("type id and count must be integers")
	}
	if s.Type = types.Get(int(id)); s.Type == nil || count < 0 {
		return nil, 0, fmt.Errorf("unknown type %d or negative count %d", id, count)
	}
	s.Count = int(count)
	return s, uintptr(loc), nil
}

//export zbAdopt
func zbAdopt(h, srv C.ulonglong, id, count C.long, lin C.ulonglong, data *C.PyObject) *C.PyObject {
	s := sessionArg(h)
	if s == nil {
		return nil
	}
	t := types.Get(int(id))
	if t == nil || count < 0 || lin == 0 {
		return raise(session.ErrorType, 0, "zugbruecke: adopt: unknown type, negative count or NULL address")
	}
	l := t.Layout(s.ABI)
	if t.LinuxSize > 0 && int(count) > marshal.MaxSync/t.LinuxSize || l.Size > 0 && int(count) > marshal.MaxSync/l.Size {
		return raise(session.ErrorOther, 0, fmt.Sprintf("zugbruecke: adopt: %d elements of %d bytes is too much", count, l.Size))
	}
	size := l.Size * int(count)
	var win []byte
	switch {
	case C.zb_is_bytes(data) != 0:
		win = C.GoBytes(unsafe.Pointer(C.zb_bytes_data(data)), C.int(C.zb_bytes_size(data)))
		if len(win) < size {
			return raise(session.ErrorOther, 0, fmt.Sprintf("zugbruecke: adopt: %d bytes for %d", len(win), size))
		}
	case size > 0:
		var err error
		withoutGIL(func() { win, err = s.ch().ReadMem(uint64(srv), uint32(size), false) })
		if err != nil {
			return raiseErr(err)
		}
	}
	mem := unsafe.Slice((*byte)(ptrAt(uintptr(lin))), t.LinuxSize*int(count))
	if err := marshal.MirrorN(s.ABI, t, win, mem, int(count)); err != nil {
		return raiseErr(err)
	}
	s.mirrors.Add(uintptr(lin), uint64(srv), win)
	return C.zb_none()
}
