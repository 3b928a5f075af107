"""Routine objects: what ``dll.name`` returns, the counterpart of ctypes' _FuncPtr.

A routine lowers each argument to a (kind, value) pair (see _kinds), lets the Go core
(``_core.call``) carry the call to the Windows server, and turns the result back into
what ctypes would return for its ``restype``, then runs ``errcheck``. Converters for the
declared ``argtypes`` and the result are compiled once, when the attributes are set, and
so are ``memsync`` directives (_memsync), which a call with them hands over to.
"""

import ctypes
import logging

from . import _core, _fork, _kinds as K
from ._ctypes_internals import _CArgObject, _CData, _CFuncPtr, _Pointer, _SimpleCData
from ._kinds import kind_of
from ._memsync import compile_memsync
from ._types import is_struct, type_id

log = logging.getLogger("zugbruecke")

ArgumentError = ctypes.ArgumentError
_INT_KINDS = frozenset(K.INT_RANGES)


def _cannot(i):
    return ArgumentError(f"argument {i}: TypeError: Don't know how to convert parameter {i}")


_NO_PY_OBJECT = (
    "zugbruecke: py_object cannot cross to the DLL: the DLL runs in another process, where "
    "Python objects do not exist"
)


def _names_exception_class():
    """How the running Python's ctypes names the exception class in an ArgumentError:
    "RuntimeError" (3.11 on) or "<class 'RuntimeError'>" (before), asked of ctypes itself."""

    class Probe:
        @classmethod
        def from_param(cls, value):
            raise RuntimeError("probe")

    try:
        ctypes.CFUNCTYPE(ctypes.c_int, Probe)(lambda value: 0)(0)
    except ArgumentError as exc:
        return "<class " not in str(exc)
    return True


_CLASS_NAME = _names_exception_class()


def _wrong_type(i, exc):
    """The ArgumentError ctypes raises when converting argument i raised exc."""
    kind = type(exc).__name__ if _CLASS_NAME else type(exc)
    return ArgumentError(f"argument {i}: {kind}: {exc}")


def _scalar(kind, value):
    """The integer or float a fundamental ctypes value travels as."""
    if kind == K.CHAR:
        return value[0] if isinstance(value, bytes) else value
    if kind == K.WCHAR:
        return ord(value) if isinstance(value, str) else value
    return value


def _short_of(obj):
    """The value of a 2-byte simple instance as its memory holds it (VARIANT_BOOL's value
    is a bool, its memory -1 or 0)."""
    return ctypes.c_short.from_buffer_copy(obj).value if type(obj)._type_ == "v" else obj.value


def _unwrap(value):
    """Follow ``_as_parameter_`` as ctypes does for objects that are not ctypes data."""
    while not isinstance(value, (int, float, bytes, str, _CData)) and hasattr(value, "_as_parameter_"):
        value = value._as_parameter_
    return value


def _byref_target(i, carg):
    """The object byref() refers to, or a view of it from the byref offset on (ctypes
    keeps the offset only in the address, which its repr shows)."""
    obj = carg._obj
    address = int(repr(carg)[13:-2], 16)
    offset = address - ctypes.addressof(obj)
    if not offset:
        return obj
    try:
        if isinstance(obj, ctypes.Array):
            size = ctypes.sizeof(obj._type_)
            if offset % size == 0:
                return (obj._type_ * (len(obj) - offset // size)).from_buffer(obj, offset)
        return (ctypes.c_ubyte * (ctypes.sizeof(obj) - offset)).from_buffer(obj, offset)
    except (ValueError, TypeError) as exc:
        raise ArgumentError(f"argument {i}: {type(exc).__name__}: byref offset {offset}: {exc}") from None


def _known(obj):
    """True when obj's memory is Python's: the object owns it, a from_buffer object keeps
    its exporter, a member lies inside a known object. False for from_address objects
    and pointees, whose address Python cannot vouch for (see _lower_memory)."""
    while not obj._b_needsfree_:
        base = obj._b_base_
        if base is None:
            objs = obj._objects
            return type(objs) is dict and any(type(v) is memoryview for v in objs.values())
        start = ctypes.addressof(base)
        if not start <= ctypes.addressof(obj) < start + ctypes.sizeof(base):
            return False  # the pointee of a pointer, not a member of it
        obj = base
    return True


def _known_pointee(pointer, target):
    """True when the pointer keeps (pointer(), cast() of a ctypes object) a known object
    whose memory holds its target."""
    objs = pointer._objects
    if type(objs) is not dict:
        return False
    start, end = ctypes.addressof(target), ctypes.addressof(target) + ctypes.sizeof(target)
    for obj in objs.values():
        if isinstance(obj, _CData):
            at = ctypes.addressof(obj)
            if at <= start and end <= at + ctypes.sizeof(obj) and _known(obj):
                return True
    return False


def _text_pointer(kind, arg):
    """A c_char_p / c_wchar_p instance: its bytes when it points to the bytes object it
    keeps, else its address, which the core reads checked (a pointer it cannot read goes
    to the DLL as it is, as ctypes on Windows passes it; reading .value would crash)."""
    address = ctypes.c_void_p.from_buffer(arg).value
    if not address:
        return kind, None
    objs = arg._objects
    if kind == K.CHARP and type(objs) is bytes and address == id(objs) + _BYTES_DATA:
        return kind, objs
    return kind, address


# Where a bytes object's data starts (CPython's PyBytesObject.ob_sval).
_BYTES_DATA = bytes.__basicsize__ - 1


def _lower_memory(i, obj):
    """A ctypes object whose memory travels in and out (arrays, byref, pointers,
    structures): the memory it refers to goes to the DLL in the Windows layout and comes
    back. Character buffers go as plain bytes (their layout is the same on both sides,
    but for wchar_t, which converts between UTF-32 and UTF-16). byref(p) of a pointer p
    is the address of p itself (a T**): p travels with what it points to."""
    if isinstance(obj, _CArgObject):
        tag = repr(obj)[9]  # "<cparam 'z' (0x...)>"
        if tag == "z":  # POINTER(c_char).from_param(bytes), as c_char_p
            return K.CHARP, obj._obj
        if tag == "Z":  # POINTER(c_wchar).from_param(str), as c_wchar_p
            return K.WCHARP, ctypes.wstring_at(int(repr(obj)[13:-2], 16))
        known = _known(obj._obj)
        obj = _byref_target(i, obj)
    elif isinstance(obj, _Pointer):
        if not obj:
            return K.POINTER, None
        pointer, obj = obj, obj.contents
        known = _known_pointee(pointer, obj)
    else:
        known = _known(obj)
    if not known:
        # Memory Python cannot vouch for (cast(0x1234, POINTER(T)), from_address): the
        # core reads it checked, and passes the address as it is if it cannot be read.
        return K.TYPED, (type_id(type(obj)), ctypes.addressof(obj), 1, K.MEMORY_UNVERIFIED)
    if isinstance(obj, ctypes.Array):
        elem = obj._type_
        if elem is ctypes.c_wchar:
            return K.WBUFFER, obj
        if elem is ctypes.c_char:
            return K.BUFFER, obj
    if isinstance(obj, (ctypes.Array, ctypes.Structure, ctypes.Union, _SimpleCData, _Pointer)):
        return K.TYPED, (type_id(type(obj)), ctypes.addressof(obj))
    raise _cannot(i)


def lower_default(i, arg, state=None):
    """Convert an argument without a declared argtype, as ctypes does (state: the
    routine's session, which a Python callback must belong to)."""
    if arg is None:
        return K.POINTER, None
    if isinstance(arg, int):
        # ctypes passes Python ints as C int: Windows long range, then truncated.
        if not -(2**31) <= arg < 2**32:
            raise ArgumentError(f"argument {i}: OverflowError: int too long to convert")
        return K.INT32, arg
    if isinstance(arg, bytes):
        return K.CHARP, arg
    if isinstance(arg, str):
        return K.WCHARP, arg
    if isinstance(arg, _SimpleCData):
        kind = kind_of(type(arg))
        if kind is None:
            if type(arg)._type_ == "O":
                raise ArgumentError(f"argument {i}: TypeError: {_NO_PY_OBJECT}")
            raise _cannot(i)
        if kind in (K.CHARP, K.WCHARP):
            return _text_pointer(kind, arg)
        if kind == K.POINTER:
            return kind, arg.value
        return kind, _scalar(kind, _short_of(arg) if kind == K.INT16 else arg.value)
    if isinstance(arg, (ctypes.Structure, ctypes.Union)):
        memory = K.MEMORY_DIRECT if _known(arg) else K.MEMORY_UNVERIFIED
        return K.STRUCT, (type_id(type(arg)), ctypes.addressof(arg), 1, memory)
    if isinstance(arg, _CFuncPtr):
        if "_zb_callable" in getattr(arg, "__dict__", ()):
            owner = type(arg)._zb_state
            if state is not None and owner is not state:
                raise TypeError(
                    f"argument {i}: a callback of session {owner.config['id']} cannot be passed to a routine "
                    f"of session {state.config['id']}: make it with this session's CFUNCTYPE or WINFUNCTYPE"
                )
            return K.POINTER, arg._zb_entry()  # a Python callback: its server entry point
        return K.POINTER, ctypes.cast(arg, ctypes.c_void_p).value  # an address in the server
    if isinstance(arg, (_CArgObject, ctypes.Array, _Pointer)):
        return _lower_memory(i, arg)
    param = getattr(arg, "_as_parameter_", _cannot)
    if param is not _cannot:
        return lower_default(i, param, state)
    raise _cannot(i)


def _pointer_like(i, arg, text_kind, text_type, buffer_kind):
    """c_char_p / c_wchar_p / c_void_p arguments after from_param accepted them."""
    if arg is None:
        return K.POINTER, None
    if isinstance(arg, text_type):
        return text_kind, arg
    if isinstance(arg, int):
        return K.POINTER, arg
    if isinstance(arg, _SimpleCData):
        return lower_default(i, arg)
    kind, obj = _lower_memory(i, arg)
    return (buffer_kind if kind == K.BUFFER else kind), obj


def converter(argtype, state=None):
    """Compile the converter for one declared argtype: (index, value) -> (kind, value)."""
    kind = kind_of(argtype)
    from_param = argtype.from_param
    if getattr(argtype, "_type_", None) == "O":

        def refuse(i, value):
            raise ArgumentError(f"argument {i}: TypeError: {_NO_PY_OBJECT}")

        return refuse

    def checked(i, value):
        try:
            return from_param(value)
        except Exception as exc:  # ctypes wraps whatever from_param raises
            raise _wrong_type(i, exc) from None

    # ctypes' own from_param (not one a subclass defines) takes any Python int for an
    # integer type and any int or float for a float type: those skip the checks.
    builtin = not hasattr(from_param, "__func__")
    variant_bool = getattr(argtype, "_type_", None) == "v"
    plain_ints = builtin and not variant_bool  # VARIANT_BOOL turns any true int into -1

    if kind in (K.FLOAT32, K.FLOAT64):

        def convert(i, value):
            if builtin and type(value) is float:
                return kind, value
            converted = checked(i, value)
            value = _unwrap(value if builtin or isinstance(converted, _CArgObject) else converted)
            return kind, float(value.value if isinstance(value, _SimpleCData) else value)
    elif kind in _INT_KINDS or kind in (K.CHAR, K.WCHAR):

        def convert(i, value):
            if plain_ints and type(value) is int and -0x8000000000000000 <= value <= 0x7FFFFFFFFFFFFFFF:
                return kind, value
            converted = checked(i, value)
            value = _unwrap(value if builtin or isinstance(converted, _CArgObject) else converted)
            if variant_bool and not isinstance(value, _SimpleCData):
                value = argtype(value)
            if isinstance(value, _SimpleCData):
                value = _short_of(value) if kind == K.INT16 else value.value
            return kind, _scalar(kind, value)
    elif kind == K.CHARP:

        def convert(i, value):
            converted = checked(i, value)
            return _pointer_like(i, _unwrap(value if builtin else converted), K.CHARP, bytes, K.BUFFER)
    elif kind == K.WCHARP:

        def convert(i, value):
            converted = checked(i, value)
            return _pointer_like(i, _unwrap(value if builtin else converted), K.WCHARP, str, K.WBUFFER)
    elif kind == K.POINTER:

        def convert(i, value):
            converted = checked(i, value)
            value = _unwrap(value if builtin else converted)
            if isinstance(value, bytes):
                return K.CHARP, value
            if isinstance(value, str):
                return K.WCHARP, value
            return _pointer_like(i, value, K.CHARP, bytes, K.BUFFER)
    else:
        # POINTER(T), structures, classes with their own from_param: whatever from_param
        # returns is converted like an argument without argtype.
        def convert(i, value):
            return lower_default(i, checked(i, value), state)

    return convert


def _fundamental(tp):
    """True for the fundamental types themselves (direct subclasses of _SimpleCData);
    ctypes returns plain Python values for these and instances for their subclasses."""
    return tp.__base__ is _SimpleCData


def _variant_bool_value(value):
    return value != 0


def result_spec(restype, state):
    """(kind, deref, wrap) for a restype: wrap turns the core's value into the result."""
    if restype is None:
        return K.VOID, K.DEREF_NONE, None
    if is_struct(restype):
        type_id(restype)
        return K.STRUCT, K.DEREF_NONE, None
    if isinstance(restype, type) and issubclass(restype, _Pointer):
        return K.POINTER, K.DEREF_NONE, state.pointer_result(restype)
    if isinstance(restype, type) and issubclass(restype, _CFuncPtr):
        # A function pointer the DLL hands out: callable, it runs in the server.
        return K.POINTER, K.DEREF_NONE, lambda address: restype(address or 0)
    if isinstance(restype, type) and issubclass(restype, _CData):
        kind = kind_of(restype)
        if kind is None:
            if restype._type_ == "O":
                raise TypeError(_NO_PY_OBJECT)
            raise TypeError(f"zugbruecke: restype {restype.__name__} is not supported yet")
        deref = {K.CHARP: K.DEREF_CSTR, K.WCHARP: K.DEREF_WSTR}.get(kind, K.DEREF_NONE)
        if not _fundamental(restype):
            wrap = restype
        elif restype._type_ == "v":
            wrap = _variant_bool_value
        else:
            wrap = None
        check = getattr(restype, "_check_retval_", None)
        if check is not None:  # it receives what the call would return without it
            return kind, deref, check if wrap is None else lambda value: check(wrap(value))
        return kind, deref, wrap
    if callable(restype):
        return K.INT32, K.DEREF_NONE, restype
    raise TypeError("restype must be a type, a callable, or None")


class Routine:
    """A routine in the session's Windows process: an export of a DLL (owner is the DLL
    object) or a function pointer the DLL handed out."""

    def __init__(self, state, name, address, flags, restype, owner=None):
        self._dll = owner
        self._state = state
        self._use_last_error = bool(getattr(owner, "_use_last_error", False))
        self.__name__ = name if isinstance(name, str) else f"ordinal {name}"
        self._address = address
        self._flags = flags
        self._argtypes = None
        self._converters = None
        self._memsync = None
        self._memsync_given = None
        self.errcheck = None
        self.restype = restype

    def __reduce_ex__(self, protocol):
        raise _fork.not_picklable(self)

    def __repr__(self):
        where = f" of {self._dll!r}" if self._dll is not None else ""
        return f"<{type(self).__name__} {self.__name__}{where} at {self._address:#x}>"

    @property
    def argtypes(self):
        return self._argtypes

    @argtypes.setter
    def argtypes(self, value):
        if value is None:
            self._argtypes = self._converters = None
            return
        value = tuple(value)
        for tp in value:
            if not hasattr(tp, "from_param"):
                raise TypeError(f"item {value.index(tp) + 1} in _argtypes_ has no from_param method")
        self._converters = tuple(converter(tp, self._state) for tp in value)
        self._argtypes = value
        if log.isEnabledFor(logging.DEBUG):
            # argtypes may hold any object with from_param, not only types.
            names = ", ".join(getattr(tp, "__name__", type(tp).__name__) for tp in value)
            log.debug("%s: argtypes compiled: %s", self.__name__, names)

    @property
    def memsync(self):
        """Memory synchronisation directives (a list of dicts, see docs/memsync.md),
        checked and compiled when assigned; ctypes on Windows ignores the attribute."""
        return self._memsync_given

    @memsync.setter
    def memsync(self, value):
        self._memsync = compile_memsync(value, self._state)
        self._memsync_given = value

    _memsync_ = memsync

    @property
    def restype(self):
        return self._restype

    @restype.setter
    def restype(self, value):
        self._result = result_spec(value, self._state)
        self._restype = value
        log.debug("%s: restype compiled: %s", self.__name__, getattr(value, "__name__", value))

    @restype.deleter
    def restype(self):
        # As ctypes: without a restype the result is a C int.
        self.restype = ctypes.c_int

    def _check_count(self, given):
        required = len(self._converters)
        if self._flags == K.CDECL:
            if given < required:
                s = "" if required == 1 else "s"
                raise TypeError(f"this function takes at least {required} argument{s} ({given} given)")
        elif given != required:
            s = "" if required == 1 else "s"
            raise TypeError(f"this function takes {required} argument{s} ({given} given)")

    def __call__(self, *args):
        kinds = bytearray()
        values = []
        converters = self._converters
        if converters is not None and len(args) != len(converters):
            self._check_count(len(args))
        for i, arg in enumerate(args, 1):
            if converters is not None and i <= len(converters):
                kind, value = converters[i - 1](i, arg)
            else:
                kind, value = lower_default(i, arg, self._state)
            kinds.append(kind)
            values.append(value)
        if self._memsync is not None:
            return self._memsync.call(self, args, kinds, values)
        value = self._invoke(kinds, values, None)
        wrap = self._result[2]
        if wrap is not None:
            value = wrap(value)
        if self.errcheck is not None:
            return self.errcheck(value, self, args)
        return value

    def _invoke(self, kinds, values, syncs):
        """The call itself: the core's value for the result, before ``restype`` wraps it.
        syncs are memsync descriptions of pointers in memory that travels (_memsync) or None.
        LastError goes in and comes back per Python thread (SessionState.tls)."""
        kind, deref, _ = self._result
        state = self._state
        tls = state.tls
        use_last_error = self._use_last_error
        last_error = getattr(tls, "private" if use_last_error else "seen", 0) & 0xFFFFFFFF
        flags = self._flags | kind << 8 | deref << 16 | last_error << 32
        handle = state.require()
        if kind == K.STRUCT:
            value = self._restype()
            _, last_error = _core.call(
                handle,
                self._address,
                flags,
                bytes(kinds),
                tuple(values),
                (type_id(self._restype), ctypes.addressof(value)),
                syncs,
            )
        elif syncs is None:
            value, last_error = _core.call(handle, self._address, flags, bytes(kinds), tuple(values))
        else:
            value, last_error = _core.call(handle, self._address, flags, bytes(kinds), tuple(values), None, syncs)
        tls.seen = last_error
        if use_last_error:
            tls.private = last_error
        return value
