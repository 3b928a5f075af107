package main

// A call through zugbruecke, end to end:
//
//  1. Python (zugbruecke/_routine.py) converts each argument with its argtype's from_param
//     rules and lowers it to a (kind, value) pair: kinds are abi.Kind numbers in a bytes
//     object compiled once per argtypes change, values are ints, floats, bytes, str, None
//     or writable buffers (ctypes arrays).
//  2. zbCall (here) turns the values into abi.Arg without copying Python memory: bytes and
//     buffers are referenced in place, str is encoded to UTF-16, wchar_t buffers are
//     converted from UTF-32 (abi.UTF32ToUTF16).
//  3. The GIL is released; session.Call packs the arguments into the arch's word layout
//     (abi.Arch.Pack), sends a wire.Call frame over the transport and waits for the
//     wire.CallReply.
//  4. In the server (winserver/call.go) the regions are placed in memory, pointers patched,
//     the routine called through the thunk; results and out-regions come back.
//  5. Still without the GIL, out-regions are copied back into the Python buffers; then
//     the GIL is re-taken, buffers released, and the result converted by its kind.

/*
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/layout"
	"github.com/zugbruecke/zugbruecke/core/marshal"
	"github.com/zugbruecke/zugbruecke/core/session"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// outArg is Python memory that receives a region after the call.
type outArg struct {
	mem  []byte
	wide bool // convert UTF-16 back to UTF-32
}

// typedArg is typed memory of an argument (abi.Typed, abi.Struct) or of a structure result.
type typedArg struct {
	arg    int // index in args, -1 for the result
	t      *layout.Type
	addr   uintptr
	count  int
	memory int // marshal.Memory*: how to read the memory (in place, or through marshal.Self)
}

// callState holds what one call borrowed from Python until it is given back.
type callState struct {
	args  []abi.Arg
	outs  []outArg
	bufs  []*C.Py_buffer
	objs  []*C.PyObject
	typed []typedArg
	syncs map[uintptr]*marshal.Sync // memsync descriptions of pointer members (memsync.go)
}

func (cs *callState) release() {
	for _, b := range cs.bufs {
		C.zb_buffer_release(b)
	}
	for _, o := range cs.objs {
		C.zb_decref(o)
	}
}

func memOf(p unsafe.Pointer, n int) []byte {
	if n == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(p), n)
}

// argError raises ctypes.ArgumentError-style errors (the package adds "argument N: ").
func argError(i int, format string, a ...any) *C.PyObject {
	return raise(session.ErrorArgument, int64(i+1), fmt.Sprintf(format, a...))
}

// lower converts value o for kind k into arg; it returns false with a Python exception set.
func (cs *callState) lower(i int, k abi.Kind, o *C.PyObject, arg *abi.Arg) bool {
	arg.Kind = k
	switch k {
	case abi.Float32, abi.Float64:
		d := C.PyFloat_AsDouble(o)
		if d == -1 && C.PyErr_Occurred() != nil {
			C.PyErr_Clear()
			argError(i, "TypeError: wrong type")
			return false
		}
		arg.Bits = math.Float64bits(float64(d))
	case abi.Bool:
		t := C.PyObject_IsTrue(o)
		if t < 0 {
			return false
		}
		arg.Bits = uint64(t)
	case abi.CharP, abi.WCharP, abi.Buffer, abi.WBuffer:
		return cs.lowerMemory(i, k, o, arg)
	case abi.Typed, abi.Struct:
		ta, ok := typedValue(o)
		if !ok {
			argError(i, "TypeError: bad typed value")
			return false
		}
		ta.arg = i
		cs.typed = append(cs.typed, ta)
	default:
		if C.zb_is_none(o) != 0 && k == abi.Pointer {
			return true
		}
		v := C.PyLong_AsUnsignedLongLongMask(o)
		if v == C.ulonglong(math.MaxUint64) && C.PyErr_Occurred() != nil {
			C.PyErr_Clear()
			argError(i, "TypeError: wrong type")
			return false
		}
		arg.Bits = uint64(v)
	}
	return true
}

func (cs *callState) lowerMemory(i int, k abi.Kind, o *C.PyObject, arg *abi.Arg) bool {
	switch {
	case C.zb_is_none(o) != 0:
		arg.Null = true
	case C.zb_is_bytes(o) != 0 && k != abi.WCharP && k != abi.WBuffer:
		// PyBytes keeps a NUL after its data: pass it along as the terminator.
		arg.Data = memOf(unsafe.Pointer(C.zb_bytes_data(o)), int(C.zb_bytes_size(o))+1)
	case C.zb_is_long(o) != 0 && (k == abi.CharP || k == abi.WCharP):
		// A c_char_p / c_wchar_p whose string Python cannot vouch for: read checked; a
		// pointer that cannot be read goes to the DLL as it is (OSError there, as on Windows).
		addr := uintptr(C.PyLong_AsUnsignedLongLongMask(o))
		str, err := marshal.CString(marshal.Self{}, addr, k == abi.WCharP)
		switch {
		case err != nil:
			*arg = abi.Arg{Kind: abi.Pointer, Bits: uint64(addr)}
		case k == abi.WCharP:
			arg.Data = append(abi.AppendUTF16(make([]byte, 0, len(str)/2+2), str), 0, 0)
		default:
			arg.Data = append(str, 0)
		}
	case C.zb_is_str(o) != 0 && k == abi.WCharP:
		enc := C.PyUnicode_AsEncodedString(o, cUTF16, cSurrogatePass)
		if enc == nil {
			return false
		}
		cs.objs = append(cs.objs, enc)
		n := int(C.zb_bytes_size(enc))
		data := make([]byte, n+2)
		copy(data, memOf(unsafe.Pointer(C.zb_bytes_data(enc)), n))
		arg.Data = data
	default:
		b := C.zb_buffer_get(o)
		if b == nil {
			C.PyErr_Clear()
			argError(i, "TypeError: wrong type")
			return false
		}
		cs.bufs = append(cs.bufs, b)
		mem := memOf(b.buf, int(b.len))
		arg.Out = true
		if k == abi.WBuffer || k == abi.WCharP {
			arg.Data = abi.UTF32ToUTF16(mem)
			cs.outs = append(cs.outs, outArg{mem: mem, wide: true})
		} else {
			arg.Data = mem
			cs.outs = append(cs.outs, outArg{mem: mem})
		}
	}
	return true
}

// typedValue reads (type id, address[, count[, memory]]) as the Python side lowers typed
// memory; memory (marshal.Memory*) says whether Python vouches for it.
func typedValue(o *C.PyObject) (typedArg, bool) {
	if C.zb_is_tuple(o) == 0 {
		return typedArg{}, false
	}
	n := C.zb_tuple_size(o)
	if n < 2 || n > 4 {
		return typedArg{}, false
	}
	id := C.PyLong_AsLong(C.zb_tuple_item(o, 0))
	addr := C.PyLong_AsUnsignedLongLong(C.zb_tuple_item(o, 1))
	count := C.long(1)
	if n >= 3 {
		count = C.PyLong_AsLong(C.zb_tuple_item(o, 2))
	}
	memory := C.long(marshal.MemoryDirect)
	if n == 4 {
		memory = C.PyLong_AsLong(C.zb_tuple_item(o, 3))
	}
	if C.PyErr_Occurred() != nil {
		C.PyErr_Clear()
		return typedArg{}, false
	}
	t := types.Get(int(id))
	if t == nil || addr == 0 || count < 0 || memory < marshal.MemoryDirect || memory > marshal.MemoryUnverified {
		return typedArg{}, false
	}
	return typedArg{t: t, addr: uintptr(addr), count: int(count), memory: int(memory)}, true
}

// prepare places typed arguments and the structure result in regions (core/marshal).
func (cs *callState) prepare(s *sess, spec *session.CallSpec, enc *marshal.Encoder, call *wire.Call) error {
	enc.Call = call
	enc.Syncs = cs.syncs
	for _, ta := range cs.typed {
		switch {
		case ta.memory == marshal.MemoryChecked && ta.arg >= 0:
			region, err := enc.Checked(ta.t, ta.addr, ta.count)
			if err != nil {
				return &syncArgError{arg: ta.arg, err: err}
			}
			cs.args[ta.arg].Region = region
			continue
		case ta.memory == marshal.MemoryUnverified && ta.arg >= 0:
			if err := cs.unverified(s, enc, ta); err != nil {
				return err
			}
			continue
		}
		mem := unsafe.Slice((*byte)(ptrAt(ta.addr)), ta.t.LinuxSize*ta.count)
		var err error
		if ta.arg < 0 {
			l := ta.t.Layout(s.ABI)
			spec.SRet = &abi.StructRet{Size: l.Size, Region: enc.Result(ta.t, mem, ta.addr)}
			continue
		}
		arg := &cs.args[ta.arg]
		if arg.Kind == abi.Struct {
			arg.Region, err = enc.Value(ta.t, mem, ta.addr)
			arg.Size = ta.t.Layout(s.ABI).Size
		} else {
			arg.Region, err = enc.Typed(ta.t, mem, ta.addr, ta.count)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// unverified places typed memory Python could not vouch for: read through marshal.Self,
// and when it cannot be read, a pointer passes as its address (the DLL's access violation
// becomes OSError, as on Windows) and a structure by value is an ArgumentError.
func (cs *callState) unverified(s *sess, enc *marshal.Encoder, ta typedArg) error {
	arg := &cs.args[ta.arg]
	byValue := arg.Kind == abi.Struct
	region, ok, err := enc.Unverified(ta.t, ta.addr, ta.count, byValue)
	switch {
	case err != nil:
		return err
	case ok:
		arg.Region = region
		if byValue {
			arg.Size = ta.t.Layout(s.ABI).Size
		}
	case byValue:
		return &syncArgError{arg: ta.arg, err: fmt.Errorf("the structure's memory at %#x cannot be read", ta.addr)}
	default:
		*arg = abi.Arg{Kind: abi.Pointer, Bits: uint64(ta.addr)}
	}
	return nil
}

var (
	cUTF16         = C.CString("utf-16-le")
	cSurrogatePass = C.CString("surrogatepass")
)

// Flags of zbCall: the convention in bits 0-7, the result kind in 8-15, the result
// dereference (wire.Deref*) in 16-23, the LastError to start with in 32-63.
func splitFlags(f C.ulong) (abi.Conv, abi.Kind, uint8, uint32) {
	return abi.Conv(f & 0xff), abi.Kind(f >> 8 & 0xff), uint8(f >> 16 & 0xff), uint32(uint64(f) >> 32)
}

//export zbCall
func zbCall(h, fn C.ulonglong, flags C.ulong, kinds *C.char, values, result, syncs *C.PyObject) *C.PyObject {
	s := sessionArg(h)
	if s == nil {
		return nil
	}
	conv, ret, deref, lastErr := splitFlags(flags)
	if !ret.Valid() {
		return raise(session.ErrorOther, 0, fmt.Sprintf("zugbruecke: bad result kind %d", ret))
	}
	n := int(C.zb_tuple_size(values))
	ks := memOf(unsafe.Pointer(kinds), n)
	cs := callState{args: make([]abi.Arg, n)}
	for i := 0; i < n; i++ {
		k := abi.Kind(ks[i])
		if !k.Valid() || k == abi.Void {
			cs.release()
			return raise(session.ErrorOther, 0, fmt.Sprintf("zugbruecke: bad argument kind %d", k))
		}
		if !cs.lower(i, k, C.zb_tuple_item(values, C.Py_ssize_t(i)), &cs.args[i]) {
			cs.release()
			return nil
		}
	}

	if C.zb_is_none(syncs) == 0 && !cs.lowerSyncs(syncs) {
		cs.release()
		return nil
	}

	if ret == abi.Struct {
		ta, ok := typedValue(result)
		if !ok {
			cs.release()
			return raise(session.ErrorOther, 0, "zugbruecke: a structure result needs (type id, address)")
		}
		ta.arg = -1
		cs.typed = append(cs.typed, ta)
	}

	var (
		bits      uint64
		retData   []byte
		hasData   bool
		lastError uint32
	)
	spec := session.CallSpec{Fn: uint64(fn), Conv: conv, Ret: ret, Deref: deref, Args: cs.args, LastError: lastErr}
	enc := marshal.Encoder{Arch: s.ABI, Mem: marshal.Self{}, Mirrors: &s.mirrors, Funcs: &s.funcs}
	if len(cs.typed) > 0 {
		spec.Prepare = func(call *wire.Call) error { return cs.prepare(s, &spec, &enc, call) }
	}
	// reply runs on this thread, still without the GIL, when the CallReply has come.
	reply := func(rep *wire.CallReply) error {
		// Buffer regions come after the typed ones (Prepare runs before Pack).
		if len(rep.Out) < len(cs.outs) {
			return fmt.Errorf("zugbruecke: reply has %d regions for %d buffers", len(rep.Out), len(cs.outs))
		}
		untyped := rep.Out[len(rep.Out)-len(cs.outs):]
		for j, o := range cs.outs {
			if o.wide {
				abi.UTF16ToUTF32(o.mem, untyped[j])
			} else {
				copy(o.mem, untyped[j])
			}
		}
		bits = s.ABI.Result(ret, rep)
		lastError = rep.LastError
		if spec.SRet != nil && s.ABI.RegStruct(spec.SRet.Size) {
			enc.SetResult(spec.SRet.Region, rep.Int)
		}
		if len(cs.typed) > 0 {
			if err := enc.Decode(rep); err != nil {
				return err
			}
		}
		if rep.RetData != nil {
			retData, hasData = append([]byte(nil), rep.RetData...), true
		}
		return nil
	}
	var err error
	withoutGIL(func() { err = s.ch().Call(&spec, reply) })
	cs.release()
	if err != nil {
		var se *syncArgError
		if errors.As(err, &se) {
			return argError(se.arg, "ValueError: %v", se.err)
		}
		return raiseErr(err)
	}
	return C.zb_result(resultObject(ret, deref, bits, retData, hasData), C.ulong(lastError))
}

// resultObject converts a result to the Python value ctypes gives for its restype.
func resultObject(k abi.Kind, deref uint8, bits uint64, data []byte, hasData bool) *C.PyObject {
	if deref != wire.DerefNone {
		if !hasData {
			return C.zb_none()
		}
		if deref == wire.DerefWStr {
			return decodeUTF16(data)
		}
		return pyBytes(data)
	}
	switch k {
	case abi.Void:
		return C.zb_none()
	case abi.Bool:
		return C.zb_bool(C.int(b2i(bits != 0)))
	case abi.Float32, abi.Float64:
		return C.PyFloat_FromDouble(C.double(math.Float64frombits(bits)))
	case abi.Pointer, abi.CharP, abi.WCharP, abi.Buffer, abi.WBuffer:
		if bits == 0 {
			return C.zb_none()
		}
		return C.PyLong_FromUnsignedLongLong(C.ulonglong(bits))
	case abi.Char:
		return pyBytes([]byte{byte(bits)})
	case abi.Struct:
		return C.zb_none() // the structure went into the object the caller passed
	case abi.WChar:
		return C.PyUnicode_FromOrdinal(C.int(uint16(bits)))
	}
	if k.IsSigned() {
		return C.PyLong_FromLongLong(C.longlong(int64(bits)))
	}
	return C.PyLong_FromUnsignedLongLong(C.ulonglong(bits))
}

// decodeUTF16 decodes little-endian UTF-16, keeping lone surrogates as Windows strings may
// hold them.
func decodeUTF16(b []byte) *C.PyObject {
	order := C.int(-1)
	if len(b) == 0 {
		return C.PyUnicode_FromStringAndSize(nil, 0)
	}
	return C.PyUnicode_DecodeUTF16((*C.char)(unsafe.Pointer(&b[0])), C.Py_ssize_t(len(b)), cSurrogatePass, &order)
}
