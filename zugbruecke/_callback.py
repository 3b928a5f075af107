"""CFUNCTYPE and WINFUNCTYPE of a session: function pointer types that work both ways.

An instance made from a Python callable is a callback: passed to a DLL (as an argument,
in a structure or array), it becomes a native entry point in the server, and calls to it
run the Python function here. An instance made from an address (or returned by a DLL) is
a routine in the server, and calling it runs there. ``FUNCTYPE(...)((name, dll))`` is a
prototype for an export, with optional paramflags.

The classes derive from Linux ctypes' own function pointer types, so they fit in
``_fields_`` and arrays; the Linux closure an instance holds is never called by the DLL:
the marshaller swaps it for the server entry point (core/marshal, Encoder.Funcs).

A type's ``memsync`` (or ``_memsync_``) class attribute describes memory behind pointer
arguments, for both directions: what the DLL hands a Python callback, and what a call
through a function pointer passes (_memsync). It is checked when assigned.
"""

import ctypes
import json
import sys
import traceback
import weakref

from . import _core, _kinds as K
from ._ctypes_internals import PyCFuncPtrType, _CData, _CFuncPtr, _Pointer, _SimpleCData
from ._kinds import kind_of
from ._memsync import compile_memsync
from ._routine import Routine
from ._types import is_struct, type_id


class _FuncPtrType(PyCFuncPtrType):
    """Metaclass of the session's function types: ``memsync`` is compiled (and checked)
    when assigned to the class."""

    def __setattr__(cls, name, value):
        if name in ("memsync", "_memsync_"):
            compiled = compile_memsync(value, cls._zb_state)
            super().__setattr__("_zb_memsync", compiled)
            super().__setattr__("_zb_sig_json", None)  # the signature depends on it
        super().__setattr__(name, value)


PARAMFLAG_FIN, PARAMFLAG_FOUT, PARAMFLAG_FLCID = 1, 2, 4
_MISSING = object()


def functype_factory(state, conv):
    """CFUNCTYPE (conv cdecl) or WINFUNCTYPE (conv stdcall) for a session (its SessionState)."""
    cache = {}

    def FUNCTYPE(restype, *argtypes, use_errno=False, use_last_error=False):
        key = (restype, argtypes, use_errno, use_last_error)
        cls = cache.get(key)
        if cls is None:
            base = ctypes.CFUNCTYPE(restype, *argtypes, use_errno=use_errno, use_last_error=use_last_error)
            name = "CFunctionType" if conv == K.CDECL else "WinFunctionType"
            cls = _FuncPtrType(
                name,
                (_FuncPtr, base),
                {
                    "_argtypes_": base._argtypes_,
                    "_restype_": base._restype_,
                    "_flags_": base._flags_,
                    "_zb_state": state,
                    "_zb_conv": conv,
                },
            )
            cache[key] = cls
        return cls

    FUNCTYPE.__name__ = "CFUNCTYPE" if conv == K.CDECL else "WINFUNCTYPE"
    return FUNCTYPE


def dll_funcptr(state, conv, restype):
    """The ``_FuncPtr`` class of a session's DLL class, as ctypes' CDLL has one:
    ``dll._FuncPtr((name, dll))`` is the export as a function pointer object, with
    ``restype`` as the DLL's routines have it and no ``argtypes``."""
    flags = ctypes._FUNCFLAG_CDECL  # type: ignore[attr-defined]
    return _FuncPtrType(
        "_FuncPtr",
        (_FuncPtr, _CFuncPtr),
        {"_flags_": flags, "_restype_": restype, "_zb_state": state, "_zb_conv": conv},
    )


class _FuncPtr:
    """Mixin of every session function pointer type (see the module doc)."""

    _zb_memsync = None  # the compiled memsync of the type (_FuncPtrType)

    def __new__(cls, *args):
        if args and isinstance(args[0], tuple):
            return cls._prototype(*args)
        if len(args) >= 2 and isinstance(args[0], int) and isinstance(args[1], str):
            return cls._com_method(*args)
        self = super().__new__(cls, *args)
        if args and callable(args[0]) and not isinstance(args[0], int):
            self._zb_callable = args[0]
            _closures[ctypes.cast(self, ctypes.c_void_p).value] = self
            if cls._zb_state.handle is not None:
                # Registered now, so the callback also works where the marshaller
                # finds it by its Linux address (structure members, arrays).
                try:
                    self._zb_entry()
                except TypeError:
                    # A signature the DLL cannot call (py_object, arrays): it still works
                    # from Python; passing it to a DLL raises this TypeError again.
                    pass
        return self

    def __init__(self, *args):
        pass

    @classmethod
    def from_param(cls, value):
        if value is None or isinstance(value, cls):
            return value
        if isinstance(value, int):
            return cls(value)
        param = getattr(value, "_as_parameter_", _MISSING)
        if param is not _MISSING:
            return cls.from_param(param)
        raise TypeError(f"expected {cls.__name__} instance instead of {type(value).__name__}")

    @classmethod
    def _prototype(cls, spec, paramflags=None):
        name, dll = spec
        address = dll._zb_state.symbol(dll._zb_handle, name)
        self = super().__new__(cls, address)
        self._zb_name = name
        self._zb_owner = dll
        self._zb_paramflags = tuple(paramflags) if paramflags is not None else None
        if self._zb_paramflags is not None and len(self._zb_paramflags) != len(cls._argtypes_):
            raise ValueError("paramflags must have the same length as argtypes")
        return self

    @classmethod
    def _com_method(cls, index, name, paramflags=None, iid=None):
        """``prototype(vtbl_index, name[, paramflags[, iid]])``: a COM method, called with
        the interface pointer first; it runs the function at that index of the object's
        vtable (read in the server at each call, as the object may differ)."""
        self = super().__new__(cls)
        self._zb_vtbl_index = index
        self._zb_name = name
        self._zb_iid = iid
        self._zb_paramflags = tuple(paramflags) if paramflags is not None else None
        if self._zb_paramflags is not None and len(self._zb_paramflags) != len(cls._argtypes_):
            raise ValueError("paramflags must have the same length as argtypes")
        return self

    def _zb_com_call(self, index, args, kwargs):
        if not args:
            raise ValueError("native com method call without 'this' parameter")
        this, args = args[0], args[1:]
        if not isinstance(this, _CData):
            raise TypeError("Expected a COM this pointer as first argument")
        interface = ctypes.c_void_p.from_buffer_copy(this).value if ctypes.sizeof(this) >= 8 else None
        if not interface:
            raise ValueError("NULL COM pointer access")
        state = type(self)._zb_state
        size = state.pointer_size
        handle = state.require()
        vtbl = int.from_bytes(_core.read(handle, interface, size, False), "little")
        address = int.from_bytes(_core.read(handle, vtbl + index * size, size, False), "little")
        routine = Routine(state, self._zb_name, address, type(self)._zb_conv, self.restype)
        routine.argtypes = (ctypes.c_void_p, *(self.argtypes or ()))
        return self._zb_call_through(routine, args, kwargs, interface, this)

    def _zb_call_through(self, routine, args, kwargs, *this):
        """Call routine as ctypes calls a prototype: paramflags build the arguments (and
        the out parameters), errcheck sees the result, out parameters are returned. For a
        COM method, this is (the interface address passed, the this object errcheck sees)."""
        paramflags = self.__dict__.get("_zb_paramflags")
        if paramflags is None:
            if kwargs:
                raise TypeError("this function takes no keyword arguments")
            callargs, outs = args, ()
        else:
            callargs, outs = _build_callargs(self.argtypes or (), paramflags, args, kwargs)
        result = routine(*this[:1], *callargs)
        errcheck = getattr(self, "errcheck", None)
        if errcheck is not None:
            # As in ctypes: errcheck gets this object and the actual arguments, and
            # anything it returns but those arguments is the call's result.
            checked = errcheck(result, self, (*this[1:], *callargs) if this else callargs)
            if checked is not callargs:
                return checked
        if not outs:
            return result
        values = [getattr(o, "__ctypes_from_outparam__", lambda o=o: o)() for o in outs]
        return values[0] if len(values) == 1 else tuple(values)

    # ---- a callback: the Python function, reachable from the DLL ----------------------------

    def _zb_entry(self):
        """The server entry point of this callback (registered on first use)."""
        entry = self.__dict__.get("_zb_addr")
        if entry is not None:
            return entry
        state = type(self)._zb_state
        handle = state.require()
        linux = ctypes.cast(self, ctypes.c_void_p).value or 0
        cls = type(self)
        sig = cls.__dict__.get("_zb_sig_json")
        if sig is None:  # once per type (its argtypes and restype are fixed)
            sig = cls._zb_sig_json = json.dumps(_signature(cls))
        entry = _core.callback_new(handle, _Handler(self), sig, linux)
        self._zb_addr = entry
        weakref.finalize(self, _free, state, entry)
        return entry

    # ---- calling it from Python ---------------------------------------------------------------

    def __call__(self, *args, **kwargs):
        address = ctypes.cast(self, ctypes.c_void_p).value
        if address in _closures:
            # A Python callback (or a copy of it read back from a structure or array):
            # Linux ctypes calls its closure, converting arguments and the result by
            # argtypes and restype and printing what the function raises, as on Windows.
            # Windows checks the count of a stdcall function's arguments; Linux never.
            required = len(self.argtypes or ())
            if type(self)._zb_conv == K.STDCALL and self.argtypes is not None and len(args) != required:
                s = "" if required == 1 else "s"
                raise TypeError(f"this function takes {required} argument{s} ({len(args)} given)")
            return _CFuncPtr.__call__(self, *args, **kwargs)
        index = self.__dict__.get("_zb_vtbl_index")
        if index is not None:
            return self._zb_com_call(index, args, kwargs)
        if not address:
            raise ValueError("NULL function pointer cannot be called")
        return self._zb_call_through(self._zb_routine(), args, kwargs)

    def _zb_routine(self):
        routine = self.__dict__.get("_zb_rt")
        address = ctypes.cast(self, ctypes.c_void_p).value
        if routine is None or routine._address != address:
            state = type(self)._zb_state
            name = self.__dict__.get("_zb_name", "function pointer")
            routine = Routine(
                state, name, address, type(self)._zb_conv, self.restype, self.__dict__.get("_zb_owner")
            )
            self._zb_rt = routine
        if routine.argtypes != self.argtypes:
            routine.argtypes = self.argtypes
        if routine.restype is not self.restype:
            routine.restype = self.restype
        routine._memsync = type(self)._zb_memsync
        return routine


# The Linux closure address of every live Python callback -> the callback object.
_closures: "weakref.WeakValueDictionary[int, _FuncPtr]" = weakref.WeakValueDictionary()


def _free(state, entry):
    if state.handle is not None:
        _core.callback_free(state.handle, entry)


def _arg_spec(state, tp, synced=False):
    """What the server sends for an argument of type tp (synced: a memsync pointer, whose
    memory Python fetches itself)."""
    kind = kind_of(tp)
    if kind == K.CHARP:
        return {"kind": K.POINTER, "deref": K.DEREF_CSTR, "size": 0}
    if kind == K.WCHARP:
        return {"kind": K.POINTER, "deref": K.DEREF_WSTR, "size": 0}
    if kind is not None:
        return {"kind": kind, "deref": K.DEREF_NONE, "size": 0}
    if isinstance(tp, type) and issubclass(tp, _Pointer):
        return {"kind": K.POINTER, "deref": K.DEREF_NONE, "size": 0 if synced else state.sizeof(tp._type_)}
    if is_struct(tp):
        return {"kind": K.STRUCT, "deref": K.DEREF_NONE, "size": state.sizeof(tp)}
    if isinstance(tp, type) and issubclass(tp, _CFuncPtr):
        return {"kind": K.POINTER, "deref": K.DEREF_NONE, "size": 0}
    raise TypeError(f"zugbruecke: callbacks cannot take {tp!r} arguments")


def _signature(cls):
    state = cls._zb_state
    restype = cls._restype_
    if restype is None:
        ret = K.VOID
    else:
        ret = kind_of(restype)
        if ret is None or ret in (K.CHARP, K.WCHARP):
            raise TypeError(f"zugbruecke: callbacks cannot return {restype!r}")
    synced = cls._zb_memsync.top_args() if cls._zb_memsync is not None else ()
    return {
        "conv": cls._zb_conv,
        "ret": ret,
        "args": [_arg_spec(state, tp, i in synced) for i, tp in enumerate(cls._argtypes_)],
    }


class _Handler:
    """What the core calls for each invocation: (raw args, memory) -> (result, memory)."""

    def __init__(self, fptr):
        cls = type(fptr)
        self.cls = cls
        # Weakly: the core holds the handler, and a function that refers back to its
        # callback (a reference cycle) must not keep it, and its server slot, alive.
        self.fptr = weakref.ref(fptr)
        self.state = cls._zb_state
        self.argtypes = cls._argtypes_
        self.restype = cls._restype_
        # Kinds looked up once: this runs for every invocation from the DLL.
        self.kinds = tuple(kind_of(tp) for tp in self.argtypes)
        self.ret_kind = kind_of(self.restype) if self.restype is not None else None

    def __call__(self, raw, mems):
        try:
            back = [None] * len(raw)
            args = [
                self._arg(i, tp, kind, raw[i], mems[i], back)
                for i, (tp, kind) in enumerate(zip(self.argtypes, self.kinds))
            ]
            memsync = self.cls._zb_memsync
            synced = memsync.callback(self, raw, mems, args, back) if memsync is not None else None
            result = self.fptr()._zb_callable(*args)
            if synced is not None:
                synced.finish()
            if not any(back):
                return self._result(result), ()
            return self._result(result), tuple(fn() if fn else None for fn in back)
        except BaseException:
            fptr = self.fptr()
            func = fptr._zb_callable if fptr is not None else None
            print(f"Exception ignored on calling ctypes callback function: {func!r}", file=sys.stderr)
            traceback.print_exc()
            return None, ()

    def _arg(self, i, tp, kind, raw, mem, back):
        if kind == K.CHARP:
            return mem if raw else None
        if kind == K.WCHARP:
            return mem.decode("utf-16-le", "surrogatepass") if raw and mem is not None else None
        if kind == K.POINTER:
            return raw or None
        if kind == K.CHAR:
            return bytes([raw & 0xFF])
        if kind == K.WCHAR:
            return chr(raw & 0xFFFF)
        if kind == K.BOOL:
            return bool(raw)
        if kind is not None:
            return raw
        handle = self.state.require()
        if isinstance(tp, type) and issubclass(tp, _Pointer):
            if not raw:
                return tp()
            target = tp._type_
            obj = target()
            if mem:  # empty when memsync fetches the memory (_memsync)
                tid = type_id(target)
                _core.from_win(handle, tid, mem, ctypes.addressof(obj))
                back[i] = lambda: _core.to_win(handle, tid, ctypes.addressof(obj), mem)
            return ctypes.pointer(obj)
        if is_struct(tp):
            obj = tp()
            if mem:
                _core.from_win(handle, type_id(tp), mem, ctypes.addressof(obj))
            return obj
        return tp(raw)  # a function pointer type

    def _result(self, value):
        restype = self.restype
        if restype is None:
            return None
        if isinstance(value, _SimpleCData):
            value = value.value
        kind = self.ret_kind
        if kind == K.CHAR and isinstance(value, bytes):
            return value[0]
        if kind == K.WCHAR and isinstance(value, str):
            return ord(value)
        if kind == K.FLOAT32:
            return ctypes.c_float(value).value  # a float, whatever register carries it
        if kind == K.FLOAT64:
            return float(value)
        if value is None and kind == K.POINTER:
            return 0
        if not isinstance(value, int):
            raise TypeError(f"int expected instead of {type(value).__name__}")
        return value


def _build_callargs(argtypes, paramflags, args, kwargs):
    """ctypes' paramflags: the actual arguments ('in' parameters from the call, 'out'
    ones created and passed by reference) and the out objects, returned by the call (one
    value, or a tuple)."""
    args = list(args)
    actual, outs = [], []
    for i, flags in enumerate(paramflags):
        direction = flags[0] & (PARAMFLAG_FIN | PARAMFLAG_FOUT | PARAMFLAG_FLCID)
        name = flags[1] if len(flags) > 1 else None
        if direction & PARAMFLAG_FOUT and not direction & PARAMFLAG_FIN:
            obj = argtypes[i]._type_()
            actual.append(obj)  # POINTER(T).from_param passes it by reference
            outs.append(obj)
            continue
        if args:
            actual.append(args.pop(0))
        elif name is not None and name in kwargs:
            actual.append(kwargs.pop(name))
        elif len(flags) > 2:
            actual.append(flags[2])
        elif direction & PARAMFLAG_FLCID:
            actual.append(0)
        else:
            raise TypeError(f"required argument '{name}' missing")
    if kwargs:
        raise TypeError(f"unexpected keyword argument {next(iter(kwargs))!r}")
    return tuple(actual), outs
