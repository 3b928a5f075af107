"""A call from Python: the directives of a routine carried out around one call."""

import ctypes
import warnings

from .. import _kinds as K
from .._ctypes_internals import _Pointer
from .._types import is_struct, type_id
from .adoption import _hold, adopt
from .common import _MOVED, _UNREACHED, MemsyncArgumentError, _name
from .roots import _extent, _holder, _Place, _Ptr, _read_ptr, _write_ptr, root_of
from .walk import _Walk


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
        super().__init__(memsync, routine._state, args)
        self.routine = routine
        self.members = {}  # directive entry -> [_Member]
        self.texts = []  # (directive, address, bytearray, Linux elements, before) of argument strings
        self.keep = []  # what custom and from_param made of arguments, alive until the call ends
        self.roots = {}  # (argument index, custom) -> root_of the argument, found once a call

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
                if not (isinstance(restype, type) and issubclass(restype, _Pointer)):
                    raise TypeError(
                        f"memsync {d.where}: a path into the return value needs restype "
                        f"POINTER(T), not {_name(restype)}"
                    )
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
            raise self.fail(
                d, f"no memory found in a {type(self.args[i]).__name__} argument (custom may convert it)"
            )
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
            raise self.fail(
                d,
                f"length {n} runs past the end of the buffer ({(end - addr) // size} "
                f"elements of {d.type.__name__} there)",
            )
        kinds[i] = K.TYPED
        # Inside a Python buffer the memory is known to be there; elsewhere (an address,
        # a NumPy array) the core reads it checked: a wrong length is an error, no crash.
        values[i] = (type_id(d.type), addr, n, K.MEMORY_DIRECT if end is not None else K.MEMORY_CHECKED)
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
            raise self.fail(
                d,
                f"length {n} runs past the end of the buffer ({(end - value) // size} "
                f"elements of {d.type.__name__} there)",
            )
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
            arr = adopt(self.state, raw, target, 1)
        result = ctypes.cast(arr, restype)
        self.result_root = _Ptr(ctypes.addressof(arr), target, n, raw, result)
        self.counts[("r",)] = n
        return result

    def settle(self, m, state, value):
        d = m.d
        if state == _UNREACHED:
            warnings.warn(
                f"zugbruecke: memsync {d.where}: the pointer was not in memory that travels to "
                f"the DLL (describe the memory that holds it too)",
                RuntimeWarning,
                stacklevel=4,
            )
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
        _hold(self.state, _holder(root.holder, place.loc), place.loc, arr)
        if d.star < 0:
            self.counts[d.pointer] = n
