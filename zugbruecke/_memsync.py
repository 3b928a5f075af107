"""Memory synchronisation (memsync): memory that only raw pointers reach.

The DLL runs in another process. What a ctypes type describes travels by itself (arrays,
structures, the one element a ``POINTER(T)`` points to); memory that only a raw pointer
reaches (``float *a`` with its length in another argument, a buffer the DLL allocates and
hands back through ``void **``) is described by directives, as the original zugbruecke
introduced them: a list of dicts on a routine (``dll.func.memsync = [...]``) or on a
``CFUNCTYPE``/``WINFUNCTYPE`` type (``FuncType.memsync = [...]``, for what the DLL hands a
Python callback). docs/memsync.md is the guide; this module compiles the directives when
they are assigned (that is when they are checked) and carries them out for each call.

A call with directives, step by step:

1. Before the call, each directive's pointer path is walked through the Linux memory of
   the arguments (``_Ptr`` is a pointer value, ``_Place`` a value stored at a Linux
   address). A pointer that is an argument itself (``[i]``) changes how the argument
   travels: ``length`` values of ``type`` at the address (checked against the Python
   buffer that holds them; where none is known, the core reads and writes them through
   process_vm_readv/writev, so that a wrong length is an error, not a crash), or, for
   strings, a bytearray with the Windows bytes (UTF-16 for wide strings).
2. A pointer stored in memory (a structure field, an element, the target of a pointer
   argument) becomes a *sync*: (address of the pointer, type id, count, report) or
   (address of the pointer, bytearray, report). The core (core/marshal/sync.go) makes
   its pointee a region of that many elements wherever it meets the pointer in memory
   that travels, and after the call writes the pointer's value in the DLL into the report.
3. After the call, a pointer the DLL set to memory of its own (a NULL ``void *`` filled in,
   a ``void **`` output, a pointer result with ``'r'``) has its length evaluated (now, so
   that lengths the DLL wrote count), its memory copied into a new Python array that
   mirrors the DLL's memory (``_core.adopt``), and the Python pointer set to that array.
   The array lives as long as the Python object holding the pointer (``_hold``).

Lengths are evaluated here only: ``func`` strings are compiled once, in this process, and
never reach the server.
"""

import builtins
import ctypes
import operator
import warnings
import weakref

from . import _core
from . import _kinds as K
from ._types import _all_fields, is_struct, type_id

_SimpleCData = ctypes.c_int.__mro__[1]
_CData = _SimpleCData.__mro__[1]
_CArgObject = type(ctypes.byref(ctypes.c_int()))
_CFuncPtr = ctypes.CFUNCTYPE(None).__mro__[1]

# Bytes one directive may describe (core/marshal.MaxSync): more is taken for a mistake.
MAX_BYTES = 1 << 30

# The keys, with the short spellings of older releases.
_KEYS = {
    "pointer": "pointer", "p": "pointer",
    "length": "length", "l": "length",
    "type": "type", "t": "type", "_t": "type",
    "null": "null", "n": "null",
    "unic": "unic", "w": "unic",
    "func": "func", "f": "func",
    "custom": "custom", "_c": "custom",
}
_KEY_LIST = "pointer (p), length (l), type (t), null (n), unic (w), func (f), custom (_c)"

# What the core reports for a sync (core/marshal: SyncUnreached ...).
_UNREACHED, _REACHED, _IN_PLACE, _MOVED = range(4)

WILDCARD = "*"


class MemsyncArgumentError(ctypes.ArgumentError, ValueError):
    """A memsync directive does not fit the arguments of a call (a negative or absurd
    length, a NULL pointer with a length, a path that leads nowhere). Raised before the
    call reaches the DLL; it is both a ``ctypes.ArgumentError`` and a ``ValueError``."""


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# COMPILING: checked when assigned
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


class Directive:
    """One compiled entry: a pointer path, how to find its length, the element type."""

    __slots__ = ("entry", "pointer", "lengths", "func", "type", "null", "wide", "custom", "star", "where")

    def __repr__(self):
        return f"<memsync {self.where}>"

    @property
    def top(self):
        """True when the pointer is an argument itself."""
        return len(self.pointer) == 1 and self.pointer[0] != "r"


class Memsync:
    """The compiled directives of a routine or function type (``compile_memsync``)."""

    __slots__ = ("directives", "results")

    def __init__(self, directives):
        self.directives = directives
        self.results = any(d.pointer[0] == "r" for d in directives)

    def top_args(self):
        """Indices of the arguments that are memsync pointers themselves."""
        return {d.pointer[0] for d in self.directives if d.top}

    def call(self, routine, args, kinds, values):
        """Call routine with args (lowered to kinds and values) under these directives."""
        return _RoutineCall(self, routine, args).run(kinds, values)

    def callback(self, handler, raw, mems, args, back):
        """Prepare the arguments of a callback invocation; returns what to do after the
        Python function ran (``_CallbackCall.finish``)."""
        state = _CallbackCall(self, handler, raw, mems, args, back)
        state.prepare()
        return state


def compile_memsync(value, session):
    """Check and compile a memsync attribute: None or a list of dicts. Returns None when
    there is nothing to do, else a Memsync. TypeError and ValueError name the entry."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"memsync must be a list of dicts, not {type(value).__name__}")
    directives = tuple(_directive(i, entry, session) for i, entry in enumerate(value))
    return Memsync(directives) if directives else None


def _directive(i, entry, session):
    if not isinstance(entry, dict):
        raise TypeError(f"memsync entry {i} must be a dict, not {type(entry).__name__}")
    given = {}
    for key, val in entry.items():
        name = _KEYS.get(key) if isinstance(key, str) else None
        if name is None:
            raise ValueError(f"memsync entry {i}: unknown key {key!r} (keys: {_KEY_LIST})")
        if name in given:
            raise ValueError(f"memsync entry {i}: {key!r} and {given[name][0]!r} both give {name!r}")
        given[name] = (key, val)
    values = {name: val for name, (_, val) in given.items()}
    if "pointer" not in values:
        raise ValueError(f"memsync entry {i}: 'pointer' is missing (a path such as [0] or [0, 'field'])")
    d = Directive()
    d.entry = i
    d.pointer = _path(i, "pointer", values["pointer"])
    d.where = f"entry {i} (pointer {list(d.pointer)})"
    d.star = d.pointer.index(WILDCARD) if WILDCARD in d.pointer else -1
    d.null = _flag(i, "null", values.get("null", False))
    d.wide = _flag(i, "unic", values.get("unic", False))
    d.type = _element_type(i, values.get("type"), d, session)
    if d.type is ctypes.c_wchar:
        d.wide = True
    if d.null and not d.wide and ctypes.sizeof(d.type) != 1:
        raise ValueError(f"memsync entry {i}: null=True needs a character type (c_char), or unic=True "
                         f"for wchar_t strings; type is {d.type.__name__}")
    d.func = _func(i, values["func"]) if values.get("func") is not None else None
    d.lengths = _lengths(i, values.get("length"), d)
    for path in d.lengths:
        if WILDCARD in path and d.star < 0:
            raise ValueError(f"memsync entry {i}: length path {list(path)} has '*' but the pointer has none")
    custom = values.get("custom")
    if custom is not None:
        if not hasattr(custom, "from_param"):
            raise TypeError(f"memsync entry {i}: custom must have a from_param method "
                            f"({type(custom).__name__} has none)")
        if not d.top:
            raise ValueError(f"memsync entry {i}: custom converts an argument, so its pointer must be "
                             f"[index], not {list(d.pointer)}")
    d.custom = custom
    return d


def _flag(i, key, value):
    if isinstance(value, bool) or isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise TypeError(f"memsync entry {i}: {key} must be True or False, not {value!r}")


def _path(i, what, value):
    """A path: an argument index or 'r', then field names, -1 (dereference), element
    indices and at most one '*' (every element)."""
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"memsync entry {i}: {what} must be a path such as [0] or [0, 'field'], not {value!r}")
    first = value[0]
    if first != "r" and not (isinstance(first, int) and not isinstance(first, bool) and first >= 0):
        raise ValueError(f"memsync entry {i}: {what} path {list(value)} must start with an argument "
                         f"index (0, 1, ...) or 'r' (the return value)")
    for seg in value[1:]:
        if isinstance(seg, bool) or not isinstance(seg, (int, str)):
            raise ValueError(f"memsync entry {i}: {what} path {list(value)}: {seg!r} is neither a field "
                             f"name nor an index")
        if isinstance(seg, int) and seg < -1:
            raise ValueError(f"memsync entry {i}: {what} path {list(value)}: {seg} is neither -1 "
                             f"(dereference) nor an element index")
        if seg == "":
            raise ValueError(f"memsync entry {i}: {what} path {list(value)}: empty field name")
    if list(value).count(WILDCARD) > 1:
        raise ValueError(f"memsync entry {i}: {what} path {list(value)} may hold one '*' at most")
    return tuple(value)


def _is_path(value):
    return isinstance(value, (list, tuple)) and bool(value) and isinstance(value[0], (int, str))


def _lengths(i, length, d):
    if d.func is not None:
        if length is None:
            raise ValueError(f"memsync entry {i}: func needs length: a tuple of paths whose values it gets")
        if _is_path(length):
            return (_path(i, "length", length),)
        if not isinstance(length, (list, tuple)):
            raise ValueError(f"memsync entry {i}: length must be a path or a tuple of paths, not {length!r}")
        return tuple(_path(i, "length", p) for p in length)
    if length is None:
        if d.null:
            return ()
        raise ValueError(f"memsync entry {i}: 'length' is missing (a path to the element count, "
                         f"such as [1]; only null=True strings need none)")
    if not _is_path(length):
        raise ValueError(f"memsync entry {i}: length {length!r} is not a path such as [1] (a tuple of "
                         f"paths needs func to combine them)")
    return (_path(i, "length", length),)


def _element_type(i, tp, d, session):
    if tp is None:
        return ctypes.c_wchar if d.wide else ctypes.c_char if d.null else ctypes.c_ubyte
    if isinstance(tp, str):
        resolved = getattr(session, "_namespace", {}).get(tp) or getattr(ctypes, tp, None)
        if not (isinstance(resolved, type) and issubclass(resolved, _CData)):
            raise ValueError(f"memsync entry {i}: type {tp!r} is not a ctypes type name (give structure "
                             f"types as classes)")
        return resolved
    if isinstance(tp, type) and issubclass(tp, _CData):
        return tp
    raise TypeError(f"memsync entry {i}: type must be a ctypes type, not {tp!r}")


def _func(i, func):
    """A length function: a callable, or the source of a lambda or of one function, compiled
    here (with ctypes in its namespace) and never sent anywhere."""
    if callable(func):
        return func
    if not isinstance(func, str):
        raise TypeError(f"memsync entry {i}: func must be a string with a lambda or function, not "
                        f"{type(func).__name__}")
    namespace = {"ctypes": ctypes, "__builtins__": builtins}
    try:
        result = eval(func, namespace)
    except SyntaxError:
        try:
            exec(func, namespace)
        except Exception as exc:
            raise ValueError(f"memsync entry {i}: func {func!r} does not compile: {exc}") from exc
        found = [v for k, v in namespace.items() if k not in ("ctypes", "__builtins__") and callable(v)]
        if len(found) != 1:
            raise ValueError(f"memsync entry {i}: func {func!r} must define one function") from None
        result = found[0]
    except Exception as exc:
        raise ValueError(f"memsync entry {i}: func {func!r} does not evaluate: {exc}") from exc
    if not callable(result):
        raise ValueError(f"memsync entry {i}: func {func!r} is not a function")
    return result


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# PER SESSION: Windows sizes and field offsets, the helpers in msvcrt
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


class _SessionData:
    def __init__(self, session):
        self.session = weakref.ref(session)
        self.ptr_size = session._pointer_size
        self.sizes = {}
        self.fields = {}
        self.crt = None

    def size(self, tp):
        size = self.sizes.get(tp)
        if size is None:
            size = self.sizes[tp] = self.session().sizeof(tp)
        return size

    def field(self, tp, name):
        """(type, Linux offset, Windows offset) of field name of structure type tp."""
        table = self.fields.get(tp)
        if table is None:
            table = self.fields[tp] = self._fields(tp)
        return table.get(name)

    def _fields(self, tp):
        offsets = self.session()._type_info(tp)[2:]
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
            session = self.session()
            handle = session._load("msvcrt.dll")
            self.crt = {n: session._symbol(handle, n) for n in ("memmove", "memcpy")}
        return self.crt[name]


_sessions = weakref.WeakKeyDictionary()


def _data(session):
    sd = _sessions.get(session)
    if sd is None:
        sd = _sessions[session] = _SessionData(session)
    return sd


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# MEMORY THE DLL ALLOCATED: adopted into Python arrays, kept alive by their holders
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++

# Linux address of an adopted array -> (server address, element type, count).
_adopted = {}
# id of a Python object holding pointers -> (weak reference to it, {address of a pointer:
# the array it points to}); ctypes objects are unhashable, hence ids.
_held = {}
# Arrays adopted through pointers no weak reference can follow (raw integer addresses):
# they live as long as their session.
_immortal = weakref.WeakKeyDictionary()


def _forget(session_ref, lin):
    _adopted.pop(lin, None)
    session = session_ref()
    if session is not None and session._handle is not None:
        _core.unmirror(session._handle, lin)


def adopt(session, srv, tp, count, data=None):
    """A new Python array of count tp, filled from the DLL's memory at srv (or from data,
    its Windows bytes) and recorded as a mirror of it: passed back to the DLL, it is the
    DLL's own memory again, with Python's changes written through."""
    arr = (tp * count)()
    lin = ctypes.addressof(arr)
    _core.adopt(session._require(), srv, type_id(tp), count, lin, data)
    _adopted[lin] = (srv, tp, count)
    weakref.finalize(arr, _forget, weakref.ref(session), lin)
    return arr


def _wide_copy(text, units):
    """A Python wchar_t array of units elements holding text (sized in UTF-16 units, as
    create_unicode_buffer makes them, so that the text fits when it travels again)."""
    arr = (ctypes.c_wchar * units)()
    if text:
        arr.value = text[:units]
    return arr


def _hold(session, holder, loc, obj):
    """Keep obj alive as long as holder, the Python object whose memory at loc points to it."""
    key = id(holder)
    entry = _held.get(key)
    if entry is None or entry[0]() is not holder:
        try:
            ref = weakref.ref(holder, lambda ref, key=key: _release(key, ref))
        except TypeError:  # an integer address: nothing to tie the memory to
            _immortal.setdefault(session, []).append(obj)
            return
        entry = _held[key] = (ref, {})
    entry[1][loc] = obj


def _release(key, ref):
    if _held.get(key, (None,))[0] is ref:
        del _held[key]


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


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# WALKING PATHS
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


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
        if issubclass(tp, ctypes._Pointer):
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
    while obj is not None and not isinstance(obj, (int, bytes, str, _CData, _CArgObject)) \
            and hasattr(obj, "_as_parameter_"):
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
    if isinstance(obj, ctypes._Pointer):
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
    if isinstance(obj, ctypes._Pointer):
        return obj.contents
    if isinstance(obj, _CArgObject):
        return obj._obj
    return obj


class _Walk:
    """What walking paths needs, shared by calls and callbacks: the session, the Python
    arguments (and result), element counts found so far (for '*')."""

    def __init__(self, memsync, session, args):
        self.memsync = memsync
        self.session = session
        self.sd = _data(session)
        self.args = args
        self.result = None
        self.have_result = False
        self.counts = {}

    # ---- errors ------------------------------------------------------------------------

    def fail(self, d, message, cls=None):
        if cls is None:
            cls = MemsyncArgumentError if d.pointer[0] != "r" and not self.have_result else ValueError
        if cls is MemsyncArgumentError:
            return cls(f"argument {d.pointer[0] + 1}: ValueError: memsync {d.where}: {message}")
        return cls(f"memsync {d.where}: {message}")

    # ---- lengths: paths through the Python objects ---------------------------------------

    def item(self, d, path, k):
        if path[0] == "r":
            if not self.have_result:
                raise self.fail(d, f"length path {list(path)} uses the return value, which only memory "
                                   f"the DLL allocates can wait for")
            obj = self.result
        else:
            if path[0] >= len(self.args):
                raise self.fail(d, f"length path {list(path)} names argument {path[0] + 1}, but the call has "
                                   f"{len(self.args)}")
            obj = self.args[path[0]]
        for seg in path[1:]:
            if seg == WILDCARD:
                seg = k
            try:
                if isinstance(seg, str):
                    obj = getattr(_strip(obj), seg)
                elif seg < 0:
                    obj = _strip(obj)
                else:
                    obj = obj[seg]
            except (AttributeError, ValueError, TypeError, IndexError) as exc:
                raise self.fail(d, f"length path {list(path)} at {seg!r}: {exc}") from None
        return obj

    def length(self, d, k):
        if d.func is None:
            value = self.item(d, d.lengths[0], k)
        else:
            items = [self.item(d, p, k) for p in d.lengths]
            try:
                value = d.func(*items)
            except Exception as exc:
                raise self.fail(d, f"func raised {type(exc).__name__}: {exc}") from exc
        if isinstance(value, _SimpleCData):
            value = value.value
        try:
            n = operator.index(value)
        except TypeError:
            raise self.fail(d, f"length must be an integer, not {value!r}") from None
        if n < 0:
            raise self.fail(d, f"length {n} is negative")
        size = max(ctypes.sizeof(d.type), self.sd.size(d.type), 1)
        if n * size > MAX_BYTES:
            raise self.fail(d, f"length {n} ({n * size} bytes) is beyond any buffer (at most {MAX_BYTES} bytes)")
        return n

    # ---- pointers: paths through Linux memory --------------------------------------------

    def walk(self, d, root, path):
        """The places path leads to from root: [(element index of '*' or None, place)];
        places behind NULL pointers are left out."""
        items = [(None, root)]
        for pos in range(1, len(path)):
            seg = path[pos]
            following = []
            for k, cur in items:
                if seg == WILDCARD:
                    for j in range(self.count(d, path[:pos], cur)):
                        place = self.index(d, cur, j)
                        if place is not None:
                            following.append((j, place))
                    continue
                if isinstance(seg, str):
                    place = self.field(d, cur, seg)
                elif seg < 0:
                    place = self.deref(d, cur)
                else:
                    place = self.index(d, cur, seg)
                if place is not None:
                    following.append((k, place))
            items = following
        return items

    def as_ptr(self, d, cur):
        """cur as a pointer value, or None when it points nowhere Python can follow."""
        if isinstance(cur, _Ptr):
            return cur
        tp = cur.tp
        if isinstance(tp, type) and issubclass(tp, ctypes.Array):
            return _Ptr(cur.loc, tp._type_, tp._length_, cur.srv, cur.holder, cur.win)
        is_ptr, target = _pointer_target(tp)
        if not is_ptr:
            raise self.fail(d, f"{_name(tp)} is not a pointer")
        value = _read_ptr(cur.loc)
        if not value:
            return None
        adopted = _adopted.get(value)
        if adopted is not None:
            return _Ptr(value, target, adopted[2], adopted[0], cur.holder)
        if cur.srv is not None or cur.win is not None:
            # A copy of DLL memory: the pointer's target is not in Python (unless an
            # earlier entry adopted it, above).
            return None
        return _Ptr(value, target, None, None, cur.holder)

    def field(self, d, cur, name):
        if not (isinstance(cur, _Place) and is_struct(cur.tp)):
            ptr = self.as_ptr(d, cur)
            if ptr is None or not ptr.value:
                return None
            if not is_struct(ptr.target):
                raise self.fail(d, f"field {name!r}: {_name(ptr.target)} is not a structure")
            cur = _Place(ptr.value, ptr.target, ptr.srv, ptr.win, ptr.holder)
        found = self.sd.field(cur.tp, name)
        if found is None:
            raise self.fail(d, f"{cur.tp.__name__} has no field {name!r}")
        ftype, lin, win = found
        srv = None if cur.srv is None else cur.srv + win
        wbytes = None if cur.win is None else (cur.win[0], cur.win[1] + win)
        return _Place(cur.loc + lin, ftype, srv, wbytes, cur.holder)

    def deref(self, d, cur):
        ptr = self.as_ptr(d, cur)
        if ptr is None or not ptr.value:
            return None
        target = ptr.target if ptr.target is not None else ctypes.c_void_p
        return _Place(ptr.value, target, ptr.srv, ptr.win, ptr.holder)

    def index(self, d, cur, j):
        ptr = self.as_ptr(d, cur)
        if ptr is None or not ptr.value:
            return None
        if ptr.bound is not None and j >= ptr.bound:
            raise self.fail(d, f"element {j} is past the {ptr.bound} elements there")
        target = ptr.target if ptr.target is not None else ctypes.c_void_p
        step = self.sd.size(target)
        srv = None if ptr.srv is None else ptr.srv + j * step
        win = None if ptr.win is None else (ptr.win[0], ptr.win[1] + j * step)
        return _Place(ptr.value + j * ctypes.sizeof(target), target, srv, win, ptr.holder)

    def count(self, d, prefix, cur):
        n = self.counts.get(prefix)
        if n is None:
            ptr = self.as_ptr(d, cur)
            n = None if ptr is None else ptr.bound
        if n is None:
            raise self.fail(d, f"'*' after {list(prefix)} needs an earlier entry with pointer {list(prefix)} "
                               f"(it gives the number of elements) or an array there")
        return n

    def pointer_place(self, d, place):
        """Check that the place a path led to holds a pointer."""
        is_ptr, _ = _pointer_target(place.tp)
        if not is_ptr:
            if isinstance(place.tp, type) and issubclass(place.tp, ctypes.Array):
                raise self.fail(d, f"{_name(place.tp)} is an array inside its structure and travels with "
                                   f"it: it needs no memsync")
            raise self.fail(d, f"{_name(place.tp)} is not a pointer")

    def server_ptr(self, place):
        """The value the pointer at place has in the DLL's memory (callback arguments and
        memory Python mirrors)."""
        size = self.sd.ptr_size
        if place.win is not None:
            data, off = place.win
            if off + size <= len(data):
                return int.from_bytes(data[off:off + size], "little")
        if place.srv is None:
            return None
        data = _core.read(self.session._require(), place.srv, size, False)
        return int.from_bytes(data, "little")

    # ---- strings -------------------------------------------------------------------------

    def text_in(self, d, k, addr, root):
        """(Windows bytes, Linux elements it may write back) of the string or wide buffer
        at addr: within the Python buffer that holds it when that is known."""
        end = _extent(root, addr)
        unit = ctypes.sizeof(ctypes.c_wchar) if d.wide else 1
        avail = None if end is None else (end - addr) // unit
        if d.wide and not d.null:
            n = self.length(d, k)
            n_linux = n if avail is None else min(n, avail)
            return bytearray(_utf16(ctypes.wstring_at(addr, n_linux), n)), n_linux
        if d.wide:
            text = ctypes.wstring_at(addr) if avail is None else ctypes.wstring_at(addr, avail)
            text = text.split("\0", 1)[0]
            data = _utf16(text, len(text.encode("utf-16-le", "surrogatepass")) // 2 + 1)
            return bytearray(data), len(text) + 1 if avail is None else avail
        text = ctypes.string_at(addr) if avail is None else ctypes.string_at(addr, avail)
        text = text.split(b"\0", 1)[0]
        return bytearray(text + b"\0"), len(text) + 1 if avail is None else min(len(text) + 1, avail)

    def text_out(self, d, addr, data, n_linux):
        """Write the Windows bytes data of a string back into n_linux Linux elements at addr."""
        if not d.wide:
            ctypes.memmove(addr, bytes(data[:n_linux]), min(len(data), n_linux))
            return
        text = bytes(data).decode("utf-16-le", "surrogatepass")
        if d.null:
            text = text.split("\0", 1)[0][:n_linux - 1] + "\0"
        else:
            text = text[:n_linux].ljust(n_linux, "\0")
        raw = text.encode("utf-32-le", "surrogatepass")
        ctypes.memmove(addr, raw, len(raw))

    def adopt(self, d, srv, n=None, k=None):
        """A Python array with what the DLL's memory at srv holds for d (n elements, or the
        string there)."""
        session = self.session
        handle = session._require()
        if d.null:
            data = _core.read(handle, srv, 0, d.wide)
            if d.wide:
                units = len(data) // 2 + 1
                return _wide_copy(data.decode("utf-16-le", "surrogatepass"), units), units
            data += b"\0"
            return adopt(session, srv, ctypes.c_char, len(data), data), len(data)
        if n is None:
            n = self.length(d, k)
        if d.wide:
            data = _core.read(handle, srv, 2 * n, False) if n else b""
            return _wide_copy(data.decode("utf-16-le", "surrogatepass"), n), n
        return adopt(session, srv, d.type, n), n


def _utf16(text, units):
    """text as units UTF-16 code units, cut as a Windows buffer of that size would (never
    inside a surrogate pair) or padded with NULs."""
    data = text.encode("utf-16-le", "surrogatepass")
    if len(data) > 2 * units:
        data = data[:2 * units]
        if units and 0xD800 <= int.from_bytes(data[-2:], "little") < 0xDC00:
            data = data[:-2]
    return data.ljust(2 * units, b"\0")


def _name(tp):
    return getattr(tp, "__name__", repr(tp))


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# A CALL FROM PYTHON
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


class _Member:
    """A sync of this call: a pointer in memory that a directive found, with its count (or
    its string: the bytearray that travels, its Linux size and its bytes before)."""

    __slots__ = ("d", "k", "place", "root", "addr", "count", "text", "n_linux", "before")

    def __init__(self, d, k, place, root, addr):
        self.d, self.k, self.place, self.root, self.addr = d, k, place, root, addr
        self.count = 0
        self.text = self.before = None
        self.n_linux = 0


class _RoutineCall(_Walk):
    def __init__(self, memsync, routine, args):
        super().__init__(memsync, routine._session, args)
        self.routine = routine
        self.members = {}  # directive entry -> [_Member]
        self.texts = []    # (directive, address, bytearray, Linux elements, before) of argument strings
        self.keep = []     # what custom and from_param made of arguments, alive until the call ends
        self.roots = {}    # (argument index, custom) -> root_of the argument, found once a call

    def run(self, kinds, values):
        routine = self.routine
        syncs = self.before(kinds, values)
        try:
            value = routine._invoke(kinds, values, syncs[0])
        except ctypes.ArgumentError as exc:
            if "memsync" in str(exc):
                raise MemsyncArgumentError(str(exc)) from None
            raise
        value = self.after(value, syncs[1])
        if routine.errcheck is not None:
            return routine.errcheck(value, routine, self.args)
        return value

    # ---- before the call -----------------------------------------------------------------

    def before(self, kinds, values):
        args = self.args
        members = []
        for d in self.memsync.directives:
            first = d.pointer[0]
            if first == "r":
                restype = self.routine.restype
                if not (isinstance(restype, type) and issubclass(restype, ctypes._Pointer)):
                    raise TypeError(f"memsync {d.where}: a path into the return value needs restype "
                                    f"POINTER(T), not {_name(restype)}")
                continue
            if first >= len(args):
                raise self.fail(d, f"the call has {len(args)} arguments")
            root = self.root(d, first)
            if root is None:
                continue
            if d.top:
                self.top(d, first, root, kinds, values)
                continue
            for k, place in self.walk(d, root, d.pointer):
                self.pointer_place(d, place)
                members.append(self.member(d, k, place, root))
        if not members:
            return None, None
        reports = (ctypes.c_uint64 * (2 * len(members)))()
        base = ctypes.addressof(reports)
        syncs = []
        for j, m in enumerate(members):
            report = base + 16 * j
            if m.text is not None:
                syncs.append((m.place.loc, m.text, report))
            else:
                syncs.append((m.place.loc, type_id(m.d.type), m.count, report))
            self.members.setdefault(m.d.entry, []).append(m)
        return tuple(syncs), (reports, members)

    def root(self, d, i):
        key = (i, d.custom)
        if key not in self.roots:
            self.roots[key] = self.find_root(d, i)
        return self.roots[key]

    def find_root(self, d, i):
        arg = self.args[i]
        if d.custom is not None:
            try:
                arg = d.custom.from_param(arg)
            except Exception as exc:
                raise MemsyncArgumentError(f"argument {i + 1}: {type(exc).__name__}: {exc}") from None
            self.keep.append(arg)
        root = root_of(arg)
        if root is NotImplemented:
            argtypes = self.routine.argtypes
            if argtypes and i < len(argtypes):
                try:
                    arg = argtypes[i].from_param(arg)
                except Exception:
                    arg = None
                root = NotImplemented if arg is None else root_of(arg)
                self.keep.append(arg)
        if root is NotImplemented:
            raise self.fail(d, f"no memory found in a {type(self.args[i]).__name__} argument (custom may "
                               f"convert it)")
        if root is not None and root.holder is None:
            root.holder = self.args[i]
        return root

    def top(self, d, i, root, kinds, values):
        """The argument is the pointer: it travels as that many elements."""
        if isinstance(root, _Place):
            if not is_struct(root.tp):
                raise self.fail(d, f"a {_name(root.tp)} argument is not a pointer")
            root = _Ptr(root.loc, root.tp, 1, None, root.holder)
        addr = root.value
        if d.null or d.wide:
            if not addr:
                if not d.null and self.length(d, None):
                    raise self.fail(d, "NULL pointer with a length")
                return
            data, n_linux = self.text_in(d, None, addr, root.holder)
            kinds[i] = K.BUFFER
            values[i] = data
            readonly = isinstance(getattr(root.holder, "_objects", None), bytes)
            if not readonly:
                self.texts.append((d, addr, data, n_linux, bytes(data)))
            return
        n = self.length(d, None)
        if not addr:
            if n:
                raise self.fail(d, f"NULL pointer with length {n}")
            return
        size = ctypes.sizeof(d.type)
        end = _extent(root.holder, addr)
        if end is not None and addr + n * size > end:
            raise self.fail(d, f"length {n} runs past the end of the buffer ({(end - addr) // size} "
                               f"elements of {d.type.__name__} there)")
        kinds[i] = K.TYPED
        # Inside a Python buffer the memory is known to be there; elsewhere (an address,
        # a NumPy array) the core reads it checked: a wrong length is an error, no crash.
        values[i] = (type_id(d.type), addr, n) if end is not None else (type_id(d.type), addr, n, 1)
        self.counts[d.pointer] = n

    def member(self, d, k, place, root):
        value = _read_ptr(place.loc)
        m = _Member(d, k, place, root, value)
        if not value:
            return m  # the DLL may set it: seen after the call
        if d.null or d.wide:
            m.text, m.n_linux = self.text_in(d, k, value, root.holder)
            m.before = bytes(m.text)
            return m
        n = self.length(d, k)
        size = ctypes.sizeof(d.type)
        end = _extent(root.holder, value)
        if end is not None and value + n * size > end:
            raise self.fail(d, f"length {n} runs past the end of the buffer ({(end - value) // size} "
                               f"elements of {d.type.__name__} there)")
        m.count = n
        if d.star < 0:
            self.counts[d.pointer] = n
        return m

    # ---- after the call ------------------------------------------------------------------

    def after(self, raw, reported):
        self.result = self.make_result(raw)
        self.have_result = True
        for d, addr, data, n_linux, before in self.texts:
            if bytes(data) != before:
                self.text_out(d, addr, data, n_linux)
        reports, members = reported or (None, ())
        state = {id(m): (reports[2 * j], reports[2 * j + 1]) for j, m in enumerate(members)}
        for d in self.memsync.directives:
            if d.top or d.pointer == ("r",):
                continue
            done = self.members.get(d.entry)
            if done is not None:
                for m in done:
                    self.settle(m, *state[id(m)])
                continue
            if d.pointer[0] == "r":
                if not raw:
                    continue
                root = self.result_root
            else:
                root = self.root(d, d.pointer[0])
                if root is None:
                    continue
            for k, place in self.walk(d, root, d.pointer):
                self.pointer_place(d, place)
                srv = self.server_ptr(place)
                if srv:
                    self.place_adopted(d, k, place, root, srv)
        return self.result

    def make_result(self, raw):
        routine = self.routine
        wrap = routine._result[2]
        if not self.memsync.results:
            return raw if wrap is None else wrap(raw)
        restype = routine.restype
        if not raw:
            return restype()
        top = next((d for d in self.memsync.directives if d.pointer == ("r",)), None)
        if top is not None:
            arr, n = self.adopt(top, raw)
            target = top.type
        else:
            target, n = restype._type_, 1
            arr = adopt(self.session, raw, target, 1)
        result = ctypes.cast(arr, restype)
        self.result_root = _Ptr(ctypes.addressof(arr), target, n, raw, result)
        self.counts[("r",)] = n
        return result

    def settle(self, m, state, value):
        d = m.d
        if state == _UNREACHED:
            warnings.warn(f"zugbruecke: memsync {d.where}: the pointer was not in memory that travels to "
                          f"the DLL (describe the memory that holds it too)", RuntimeWarning, stacklevel=4)
            return
        if m.text is not None and bytes(m.text) != m.before:
            # The string goes back where it came from, whichever pointer has it now.
            self.text_out(d, m.addr, m.text, m.n_linux)
        if state == _MOVED and value:
            self.place_adopted(d, m.k, m.place, m.root, value)

    def place_adopted(self, d, k, place, root, srv):
        """The DLL set the pointer at place to its memory at srv: adopt that memory and
        point place at the Python copy."""
        arr, n = self.adopt(d, srv, None, k)
        _write_ptr(place.loc, ctypes.addressof(arr))
        _hold(self.session, _holder(root.holder, place.loc), place.loc, arr)
        if d.star < 0:
            self.counts[d.pointer] = n


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# A CALLBACK INVOCATION
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


class _CallbackCall(_Walk):
    """Directives of a function type, for one call of a Python callback by the DLL: every
    pointer they name is DLL memory; it is adopted into Python arrays before the Python
    function runs, and what the function changed there is written back after."""

    def __init__(self, memsync, handler, raw, mems, args, back):
        super().__init__(memsync, handler.session, args)
        self.argtypes = handler.argtypes
        self.raw, self.mems, self.back = raw, mems, back
        self.adopted = []   # (array, server address, directive, bytes before)
        self.restore = []   # (Linux address, server value, array address): untyped pointers set here
        self.keep = []      # arrays only an integer argument refers to

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
                _hold(self.session, _holder(root.holder, place.loc), place.loc, arr)
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
        if isinstance(arg, ctypes._Pointer):
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
                raise self.fail(d, f"argument {i + 1} is an untyped pointer: an entry with pointer [{i}] "
                                   f"before this one tells what it points to")
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
        if isinstance(tp, type) and issubclass(tp, ctypes._Pointer):
            self.args[i] = ctypes.cast(arr, tp)
        else:
            self.args[i] = ctypes.addressof(arr)
            self.keep.append(arr)
        self.back[i] = None  # the memory goes back below, not as the argument's pointee
        if d.star < 0:
            self.counts[d.pointer] = n

    def finish(self):
        """After the Python function: what it changed in adopted memory goes back to the DLL."""
        session = self.session
        flags = K.CDECL | K.POINTER << 8 | session._last_error_in(False) << 32
        for arr, srv, d, before in self.adopted:
            if bytes(arr) == before:
                continue
            if arr._type_ is ctypes.c_wchar:  # a copy: its UTF-16 goes back with memcpy
                data = _utf16(arr.value if d.null else arr[:], len(arr))
                session._call(self.sd.routine("memcpy"), flags, bytes([K.POINTER, K.CHARP, K.POINTER]),
                              (srv, data, len(data)))
                continue
            # A mirror: any call that receives it writes it through to the DLL's memory;
            # memmove(mirror, srv, 0) does nothing else.
            session._call(self.sd.routine("memmove"), flags, bytes([K.TYPED, K.POINTER, K.POINTER]),
                          ((type_id(arr._type_), ctypes.addressof(arr), len(arr)), srv, 0))
        for loc, srv, lin in self.restore:
            if _read_ptr(loc) == lin:
                _write_ptr(loc, srv)
