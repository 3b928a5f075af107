"""Compiling memsync directives: checked when assigned to a routine or function type."""

import builtins
import ctypes

from .._ctypes_internals import _CData
from .callback_call import _CallbackCall
from .common import WILDCARD
from .routine_call import _RoutineCall

# The keys, with the short spellings of older releases.
_KEYS = {
    "pointer": "pointer",
    "p": "pointer",
    "length": "length",
    "l": "length",
    "type": "type",
    "t": "type",
    "_t": "type",
    "null": "null",
    "n": "null",
    "unic": "unic",
    "w": "unic",
    "func": "func",
    "f": "func",
    "custom": "custom",
    "_c": "custom",
}
_KEY_LIST = "pointer (p), length (l), type (t), null (n), unic (w), func (f), custom (_c)"


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


def compile_memsync(value, state):
    """Check and compile a memsync attribute: None or a list of dicts. Returns None when
    there is nothing to do, else a Memsync. TypeError and ValueError name the entry."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"memsync must be a list of dicts, not {type(value).__name__}")
    directives = tuple(_directive(i, entry, state) for i, entry in enumerate(value))
    return Memsync(directives) if directives else None


def _directive(i, entry, state):
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
    d.type = _element_type(i, values.get("type"), d, state)
    if d.type is ctypes.c_wchar:
        d.wide = True
    if d.null and not d.wide and ctypes.sizeof(d.type) != 1:
        raise ValueError(
            f"memsync entry {i}: null=True needs a character type (c_char), or unic=True "
            f"for wchar_t strings; type is {d.type.__name__}"
        )
    d.func = _func(i, values["func"]) if values.get("func") is not None else None
    d.lengths = _lengths(i, values.get("length"), d)
    for path in d.lengths:
        if WILDCARD in path and d.star < 0:
            raise ValueError(f"memsync entry {i}: length path {list(path)} has '*' but the pointer has none")
    custom = values.get("custom")
    if custom is not None:
        if not hasattr(custom, "from_param"):
            raise TypeError(
                f"memsync entry {i}: custom must have a from_param method ({type(custom).__name__} has none)"
            )
        if not d.top:
            raise ValueError(
                f"memsync entry {i}: custom converts an argument, so its pointer must be "
                f"[index], not {list(d.pointer)}"
            )
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
        raise ValueError(
            f"memsync entry {i}: {what} path {list(value)} must start with an argument "
            f"index (0, 1, ...) or 'r' (the return value)"
        )
    for seg in value[1:]:
        if isinstance(seg, bool) or not isinstance(seg, (int, str)):
            raise ValueError(
                f"memsync entry {i}: {what} path {list(value)}: {seg!r} is neither a field name nor an index"
            )
        if isinstance(seg, int) and seg < -1:
            raise ValueError(
                f"memsync entry {i}: {what} path {list(value)}: {seg} is neither -1 "
                f"(dereference) nor an element index"
            )
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
        raise ValueError(
            f"memsync entry {i}: 'length' is missing (a path to the element count, "
            f"such as [1]; only null=True strings need none)"
        )
    if not _is_path(length):
        raise ValueError(
            f"memsync entry {i}: length {length!r} is not a path such as [1] (a tuple of "
            f"paths needs func to combine them)"
        )
    return (_path(i, "length", length),)


def _element_type(i, tp, d, state):
    if tp is None:
        return ctypes.c_wchar if d.wide else ctypes.c_char if d.null else ctypes.c_ubyte
    if isinstance(tp, str):
        resolved = state.namespace.get(tp) or getattr(ctypes, tp, None)
        if not (isinstance(resolved, type) and issubclass(resolved, _CData)):
            raise ValueError(
                f"memsync entry {i}: type {tp!r} is not a ctypes type name (give structure types as classes)"
            )
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
        raise TypeError(
            f"memsync entry {i}: func must be a string with a lambda or function, not {type(func).__name__}"
        )
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
