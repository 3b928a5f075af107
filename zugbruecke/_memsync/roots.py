"""Where a path starts and what memory is there: the roots of arguments (pointer values and
places in Linux memory), the Python objects that own an address and the end of the buffer
that holds it."""

import ctypes

from .._ctypes_internals import _CArgObject, _CData, _CFuncPtr, _Pointer, _SimpleCData
from .adoption import _adopted


def _holder(root, loc):
    """The object whose memory holds address loc, among root (or the object root is a
    view of) and what it keeps alive (its ctypes _objects); that object if none does."""
    while isinstance(getattr(root, "_b_base_", None), _CData):
        root = root._b_base_
    found = _owner(root, loc, 0)
    return root if found is None else found


def _owner(obj, loc, depth):
    if isinstance(obj, _CData):
        start = ctypes.addressof(obj)
        if start <= loc < start + ctypes.sizeof(obj):
            return obj
        children = obj._objects
    else:
        children = obj
    if depth > 8:
        return None
    if isinstance(children, dict):
        children = children.values()
    elif isinstance(children, _CData):
        children = (children,)
    else:
        return None
    for child in children:
        found = _owner(child, loc, depth + 1)
        if found is not None:
            return found
    return None


def _extent(root, addr):
    """End address of the Python buffer that holds addr (found from root as _owner does,
    or among adopted arrays), or None when unknown."""
    owner = _owner(_holder(root, addr), addr, 0) if root is not None else None
    if owner is not None:
        return ctypes.addressof(owner) + ctypes.sizeof(owner)
    for lin, (_, tp, count) in _adopted.items():
        if lin <= addr < lin + ctypes.sizeof(tp) * count:
            return lin + ctypes.sizeof(tp) * count
    return None


def _read_ptr(addr):
    return ctypes.c_void_p.from_address(addr).value or 0


def _write_ptr(addr, value):
    ctypes.c_void_p.from_address(addr).value = value


class _Ptr:
    """A pointer value: value (a Linux address) to elements of target (None: untyped);
    bound elements are known to be there (None: unknown); srv is the pointee's server
    address when it is DLL memory Python mirrors; win holds Windows bytes of the pointee
    when they are at hand (a callback argument); holder is the Python object the path
    started from."""

    __slots__ = ("value", "target", "bound", "srv", "win", "holder")

    def __init__(self, value, target, bound=None, srv=None, holder=None, win=None):
        self.value, self.target, self.bound = value, target, bound
        self.srv, self.holder, self.win = srv, holder, win


class _Place:
    """A value of type tp stored at Linux address loc (srv: its server address if the
    memory mirrors DLL memory; win: (Windows bytes, offset) of it if at hand)."""

    __slots__ = ("loc", "tp", "srv", "win", "holder")

    def __init__(self, loc, tp, srv=None, win=None, holder=None):
        self.loc, self.tp, self.srv, self.win, self.holder = loc, tp, srv, win, holder


_POINTER_CODES = {"P": None, "z": ctypes.c_char, "Z": ctypes.c_wchar}


def _pointer_target(tp):
    """(True, target) if tp is a pointer type (target None when untyped), else (False, None)."""
    if tp is None:
        return True, None
    if isinstance(tp, type):
        if issubclass(tp, _Pointer):
            return True, tp._type_
        if issubclass(tp, _CFuncPtr):
            return True, None
        if issubclass(tp, _SimpleCData) and tp._type_ in _POINTER_CODES:
            return True, _POINTER_CODES[tp._type_]
    return False, None


def root_of(obj):
    """What an argument value is for a path: a _Ptr (what the DLL gets is a pointer), a
    _Place (a structure or number in Linux memory), None (bytes and str: they travel as
    strings already) or NotImplemented (nothing memsync knows)."""
    while (
        obj is not None
        and not isinstance(obj, (int, bytes, str, _CData, _CArgObject))
        and hasattr(obj, "_as_parameter_")
    ):
        obj = obj._as_parameter_
    if obj is None:
        return _Ptr(0, None)
    if isinstance(obj, (bytes, str)):
        return None
    if isinstance(obj, int):
        return _Ptr(obj, None)
    if isinstance(obj, _CArgObject):
        target = obj._obj
        addr = ctypes.cast(obj, ctypes.c_void_p).value or 0
        if isinstance(target, ctypes.Array):
            end = ctypes.addressof(target) + ctypes.sizeof(target)
            return _Ptr(addr, target._type_, (end - addr) // max(ctypes.sizeof(target._type_), 1), holder=target)
        if addr == ctypes.addressof(target):
            return _Ptr(addr, type(target), 1, holder=target)
        return _Ptr(addr, None, holder=target)
    if isinstance(obj, ctypes.Array):
        return _Ptr(ctypes.addressof(obj), obj._type_, len(obj), holder=obj)
    if isinstance(obj, _Pointer):
        return _Ptr(ctypes.cast(obj, ctypes.c_void_p).value or 0, obj._type_, holder=obj)
    if isinstance(obj, (ctypes.Structure, ctypes.Union)):
        return _Place(ctypes.addressof(obj), type(obj), holder=obj)
    if isinstance(obj, _CFuncPtr):
        return _Ptr(ctypes.cast(obj, ctypes.c_void_p).value or 0, None, holder=obj)
    if isinstance(obj, _SimpleCData):
        if obj._type_ in _POINTER_CODES:
            return _Ptr(ctypes.cast(obj, ctypes.c_void_p).value or 0, _POINTER_CODES[obj._type_], holder=obj)
        return _Place(ctypes.addressof(obj), type(obj), holder=obj)
    return NotImplemented


def _strip(obj):
    """Follow a pointer or byref to what it points to (paths to lengths)."""
    if isinstance(obj, _Pointer):
        return obj.contents
    if isinstance(obj, _CArgObject):
        return obj._obj
    return obj
