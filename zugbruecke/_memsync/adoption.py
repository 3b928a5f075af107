"""Per session data (Windows sizes and field offsets, the helpers in msvcrt) and the memory
the DLL allocated: adopted into Python arrays, kept alive by their holders."""

import ctypes
import weakref
from typing import Any

from .. import _core
from .._types import _all_fields, type_id


class _SessionData:
    def __init__(self, state):
        self.state = weakref.ref(state)
        self.ptr_size = state.pointer_size
        self.sizes = {}
        self.fields = {}
        self.crt = None

    def size(self, tp):
        size = self.sizes.get(tp)
        if size is None:
            size = self.sizes[tp] = self.state().sizeof(tp)
        return size

    def field(self, tp, name):
        """(type, Linux offset, Windows offset) of field name of structure type tp."""
        table = self.fields.get(tp)
        if table is None:
            table = self.fields[tp] = self._fields(tp)
        return table.get(name)

    def _fields(self, tp):
        offsets = self.state().type_info(tp)[2:]
        anonymous = set(getattr(tp, "_anonymous_", ()))
        table = {}
        for j, entry in enumerate(_all_fields(tp)):
            name, ftype = entry[0], entry[1]
            if len(entry) > 2:
                continue  # a bitfield: neither a pointer nor a structure
            lin = getattr(tp, name).offset
            table[name] = (ftype, lin, offsets[j])
            if name in anonymous:
                for sub, (stype, slin, swin) in self._fields(ftype).items():
                    table.setdefault(sub, (stype, lin + slin, offsets[j] + swin))
        return table

    def routine(self, name):
        """Address of a routine of msvcrt in the server (memmove, memcpy)."""
        if self.crt is None:
            state = self.state()
            handle = state.load("msvcrt.dll")
            self.crt = {n: state.symbol(handle, n) for n in ("memmove", "memcpy")}
        return self.crt[name]


# SessionState -> its _SessionData.
_states: weakref.WeakKeyDictionary[Any, _SessionData] = weakref.WeakKeyDictionary()


def _data(state):
    sd = _states.get(state)
    if sd is None:
        sd = _states[state] = _SessionData(state)
    return sd


# Linux address of an adopted array -> (server address, element type, count).
_adopted: dict[int, tuple[int, type, int]] = {}
# id of a Python object holding pointers -> (weak reference to it, {address of a pointer:
# the array it points to}); ctypes objects are unhashable, hence ids.
_held: dict[int, tuple[weakref.ref[Any], dict[int, Any]]] = {}
# Arrays adopted through pointers no weak reference can follow (raw integer addresses):
# they live as long as their session.
_immortal: weakref.WeakKeyDictionary[Any, list[Any]] = weakref.WeakKeyDictionary()


def _forget(state_ref, lin):
    _adopted.pop(lin, None)
    state = state_ref()
    if state is not None and state.handle is not None:
        _core.unmirror(state.handle, lin)


def adopt(state, srv, tp, count, data=None):
    """A new Python array of count tp, filled from the DLL's memory at srv (or from data,
    its Windows bytes) and recorded as a mirror of it: passed back to the DLL, it is the
    DLL's own memory again, with Python's changes written through."""
    arr = (tp * count)()
    lin = ctypes.addressof(arr)
    _core.adopt(state.require(), srv, type_id(tp), count, lin, data)
    _adopted[lin] = (srv, tp, count)
    weakref.finalize(arr, _forget, weakref.ref(state), lin)
    return arr


def _hold(state, holder, loc, obj):
    """Keep obj alive as long as holder, the Python object whose memory at loc points to it."""
    key = id(holder)
    entry = _held.get(key)
    if entry is None or entry[0]() is not holder:
        try:
            ref = weakref.ref(holder, lambda ref, key=key: _release(key, ref))
        except TypeError:  # an integer address: nothing to tie the memory to
            _immortal.setdefault(state, []).append(obj)
            return
        entry = _held[key] = (ref, {})
    entry[1][loc] = obj


def _release(key, ref):
    if _held.get(key, (None,))[0] is ref:
        del _held[key]
