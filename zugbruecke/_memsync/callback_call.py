"""A callback invocation: the directives of a function type carried out around one call of
a Python callback by the DLL."""

import ctypes

from .. import _kinds as K
from .._ctypes_internals import _Pointer
from .._types import type_id
from .adoption import _adopted, _hold
from .roots import _holder, _Place, _pointer_target, _Ptr, _read_ptr, _write_ptr
from .walk import _utf16, _Walk


class _CallbackCall(_Walk):
    """Directives of a function type, for one call of a Python callback by the DLL: every
    pointer they name is DLL memory; it is adopted into Python arrays before the Python
    function runs, and what the function changed there is written back after."""

    def __init__(self, memsync, handler, raw, mems, args, back):
        super().__init__(memsync, handler.state, args)
        self.argtypes = handler.argtypes
        self.raw, self.mems, self.back = raw, mems, back
        self.adopted = []  # (array, server address, directive, bytes before)
        self.restore = []  # (Linux address, server value, array address): untyped pointers set here
        self.keep = []  # arrays only an integer argument refers to

    def fail(self, d, message, cls=None):
        return super().fail(d, message, ValueError)

    def prepare(self):
        for d in self.memsync.directives:
            i = d.pointer[0]
            if i == "r":
                continue  # a callback's result is a value Python returns
            if i >= len(self.args):
                raise self.fail(d, f"the callback has {len(self.args)} arguments")
            if d.top:
                self.top(d, i)
                continue
            root = self.root(d, i)
            if root is None:
                continue
            for k, place in self.walk(d, root, d.pointer):
                self.pointer_place(d, place)
                srv = self.server_ptr(place)
                if not srv:
                    continue
                arr, n = self.adopt(d, srv, None, k)
                self.adopted.append((arr, srv, d, bytes(arr)))
                _write_ptr(place.loc, ctypes.addressof(arr))
                _hold(self.state, _holder(root.holder, place.loc), place.loc, arr)
                if _pointer_target(place.tp)[1] is None:
                    # The DLL's copy of an untyped member takes Python's value: put the
                    # DLL's address back before the structure returns (finish).
                    self.restore.append((place.loc, srv, ctypes.addressof(arr)))
                if d.star < 0:
                    self.counts[d.pointer] = n

    def root(self, d, i):
        tp = self.argtypes[i]
        arg = self.args[i]
        raw = self.raw[i]
        if isinstance(arg, (ctypes.Structure, ctypes.Union)):
            mem = self.mems[i]
            return _Place(ctypes.addressof(arg), type(arg), None, (mem, 0) if mem else None, arg)
        if isinstance(arg, _Pointer):
            if not raw or not arg:
                return None
            lin = ctypes.cast(arg, ctypes.c_void_p).value
            adopted = _adopted.get(lin)
            if adopted is not None:
                return _Ptr(lin, adopted[1], adopted[2], adopted[0], arg)
            mem = self.mems[i]
            return _Ptr(lin, tp._type_, 1, raw, arg, (mem, 0) if mem else None)
        if isinstance(arg, int) and arg:
            adopted = _adopted.get(arg)
            if adopted is None:
                raise self.fail(
                    d,
                    f"argument {i + 1} is an untyped pointer: an entry with pointer [{i}] "
                    f"before this one tells what it points to",
                )
            return _Ptr(arg, adopted[1], adopted[2], adopted[0], self.args)
        return None

    def top(self, d, i):
        tp = self.argtypes[i]
        raw = self.raw[i]
        kind = K.kind_of(tp)
        if kind in (K.CHARP, K.WCHARP):
            return  # the string arrived as a value
        if not raw:
            return
        arr, n = self.adopt(d, raw, None, None)
        self.adopted.append((arr, raw, d, bytes(arr)))
        if isinstance(tp, type) and issubclass(tp, _Pointer):
            self.args[i] = ctypes.cast(arr, tp)
        else:
            self.args[i] = ctypes.addressof(arr)
            self.keep.append(arr)
        self.back[i] = None  # the memory goes back below, not as the argument's pointee
        if d.star < 0:
            self.counts[d.pointer] = n

    def finish(self):
        """After the Python function: what it changed in adopted memory goes back to the DLL."""
        state = self.state
        flags = K.CDECL | K.POINTER << 8 | state.last_error_in(False) << 32
        for arr, srv, d, before in self.adopted:
            if bytes(arr) == before:
                continue
            if arr._type_ is ctypes.c_wchar:  # a copy: its UTF-16 goes back with memcpy
                data = _utf16(arr.value if d.null else arr[:], len(arr))
                state.call(
                    self.sd.routine("memcpy"),
                    flags,
                    bytes([K.POINTER, K.CHARP, K.POINTER]),
                    (srv, data, len(data)),
                )
                continue
            # A mirror: any call that receives it writes it through to the DLL's memory;
            # memmove(mirror, srv, 0) does nothing else.
            state.call(
                self.sd.routine("memmove"),
                flags,
                bytes([K.TYPED, K.POINTER, K.POINTER]),
                ((type_id(arr._type_), ctypes.addressof(arr), len(arr)), srv, 0),
            )
        for loc, srv, lin in self.restore:
            if _read_ptr(loc) == lin:
                _write_ptr(loc, srv)
