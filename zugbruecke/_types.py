"""Descriptions of ctypes types for the Go core (core/layout).

Every type an argument, result or member uses is described once, with the offsets Linux
ctypes gave its members, and registered with ``_core.type_register``; the core lays it
out for each Windows ABI and translates values between the two layouts. Types are
immutable once their ``_fields_`` are set, so the id is cached per class. A structure
without ``_fields_`` of its own (even one that inherits its base's), and anything that
contains or points to one, is *incomplete*: ctypes lets ``_fields_`` be assigned later,
so its id is kept only while it stays incomplete and the type is described again once
it is complete.
"""

import ctypes
import json
import weakref

from . import _core, _kinds as K, _zcontract as Z
from ._ctypes_internals import _CFuncPtr, _Pointer

_ids: weakref.WeakKeyDictionary[type, int] = weakref.WeakKeyDictionary()
_incomplete: weakref.WeakKeyDictionary[type, int] = weakref.WeakKeyDictionary()
_in_progress: dict[type, list[int]] = {}  # structure types being described -> pointer type ids waiting for them


def type_id(tp):
    """The core's id for ctypes type tp (registering it and what it uses on first use)."""
    tid = _ids.get(tp)
    if tid is None:
        tid = _incomplete.get(tp)
        if tid is None or _complete(tp):
            tid = _register(tp)
    return tid


def _complete(tp, seen=None):
    """False for a structure without ``_fields_`` of its own and for types that contain
    or point to one; those may still change (see the module doc)."""
    if seen is None:
        seen = set()
    while tp not in seen:
        seen.add(tp)
        if issubclass(tp, (ctypes.Structure, ctypes.Union)):
            if "_fields_" not in tp.__dict__:  # it may still get its own
                return False
            return all(_complete(entry[1], seen) for entry in _all_fields(tp))
        target = getattr(tp, "_type_", None)
        if not (issubclass(tp, (ctypes.Array, _Pointer)) and isinstance(target, type)):
            return True
        tp = target
    return True


def _cache(tp, tid):
    if _complete(tp):
        _ids[tp] = tid
        _incomplete.pop(tp, None)
    else:
        _incomplete[tp] = tid


def _add(desc):
    return _core.type_register(json.dumps(desc))


def _register(tp):
    size = ctypes.sizeof(tp)
    kind = K.kind_of(tp)
    if kind is not None:
        tid = _add({"class": Z.TYPE_CLASS_SIMPLE, "kind": kind, "size": size, "align": ctypes.alignment(tp)})
    elif issubclass(tp, ctypes.Array):
        tid = _add(
            {
                "class": Z.TYPE_CLASS_ARRAY,
                "elem": type_id(tp._type_),
                "len": tp._length_,
                "size": size,
                "align": ctypes.alignment(tp),
            }
        )
    elif issubclass(tp, _Pointer):
        target = tp._type_
        if target in _in_progress:
            # A structure that points to itself (a linked list): the pointee is bound
            # once the structure is registered.
            tid = _add({"class": Z.TYPE_CLASS_POINTER, "elem": -1, "size": size, "align": size})
            _in_progress[target].append(tid)
            return tid  # not cached: the binding is pending
        tid = _add({"class": Z.TYPE_CLASS_POINTER, "elem": type_id(target), "size": size, "align": size})
    elif issubclass(tp, _CFuncPtr):
        tid = _add({"class": Z.TYPE_CLASS_POINTER, "elem": -1, "size": size, "align": size})
    elif issubclass(tp, (ctypes.Structure, ctypes.Union)):
        tid = _register_struct(tp, size)
    else:
        raise TypeError(f"zugbruecke: {tp.__name__} cannot cross to the DLL")
    _cache(tp, tid)
    return tid


def _register_struct(tp, size):
    if tp in _in_progress:
        raise TypeError(f"zugbruecke: {tp.__name__} contains itself")
    _in_progress[tp] = []
    try:
        fields = []
        anonymous = set(getattr(tp, "_anonymous_", ()))
        for entry in _all_fields(tp):
            name, ftype = entry[0], entry[1]
            cfield = getattr(tp, name)
            bits, bit = 0, 0
            if len(entry) > 2:
                bits, bit = cfield.size >> 16, cfield.size & 0xFFFF
            fields.append(
                {
                    "name": name,
                    "type": type_id(ftype),
                    "bits": bits,
                    "offset": cfield.offset,
                    "bit": bit,
                    "anon": name in anonymous,
                }
            )
        tid = _add(
            {
                "class": Z.TYPE_CLASS_UNION if issubclass(tp, ctypes.Union) else Z.TYPE_CLASS_STRUCT,
                "size": size,
                "align": ctypes.alignment(tp),
                "pack": getattr(tp, "_pack_", 0),
                "fields": fields,
            }
        )
        for pointer in _in_progress[tp]:
            _core.type_bind(pointer, tid)
        return tid
    finally:
        del _in_progress[tp]


def _all_fields(tp):
    """The _fields_ entries of tp, those of its base structures first (a derived
    structure continues its base's layout)."""
    entries = []
    for klass in reversed(tp.__mro__):
        if "_fields_" in klass.__dict__ and issubclass(klass, (ctypes.Structure, ctypes.Union)):
            entries.extend(klass.__dict__["_fields_"])
    return entries


def is_struct(tp):
    return isinstance(tp, type) and issubclass(tp, (ctypes.Structure, ctypes.Union))
