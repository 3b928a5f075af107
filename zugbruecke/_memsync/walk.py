"""Walking paths, shared by calls and callbacks: lengths through the Python objects, pointers
through Linux memory, strings between their Linux and Windows forms."""

import ctypes
import operator

from .. import _core
from .._ctypes_internals import _SimpleCData
from .._types import is_struct
from .adoption import _adopted, _data, adopt
from .common import MAX_BYTES, WILDCARD, MemsyncArgumentError, _name
from .roots import _extent, _Place, _pointer_target, _Ptr, _read_ptr, _strip


class _Walk:
    """What walking paths needs, shared by calls and callbacks: the session, the Python
    arguments (and result), element counts found so far (for '*')."""

    def __init__(self, memsync, state, args):
        self.memsync = memsync
        self.state = state
        self.sd = _data(state)
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
                raise self.fail(
                    d,
                    f"length path {list(path)} uses the return value, which only memory "
                    f"the DLL allocates can wait for",
                )
            obj = self.result
        else:
            if path[0] >= len(self.args):
                raise self.fail(
                    d, f"length path {list(path)} names argument {path[0] + 1}, but the call has {len(self.args)}"
                )
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
            raise self.fail(
                d,
                f"'*' after {list(prefix)} needs an earlier entry with pointer {list(prefix)} "
                f"(it gives the number of elements) or an array there",
            )
        return n

    def pointer_place(self, d, place):
        """Check that the place a path led to holds a pointer."""
        is_ptr, _ = _pointer_target(place.tp)
        if not is_ptr:
            if isinstance(place.tp, type) and issubclass(place.tp, ctypes.Array):
                raise self.fail(
                    d,
                    f"{_name(place.tp)} is an array inside its structure and travels with it: it needs no memsync",
                )
            raise self.fail(d, f"{_name(place.tp)} is not a pointer")

    def server_ptr(self, place):
        """The value the pointer at place has in the DLL's memory (callback arguments and
        memory Python mirrors)."""
        size = self.sd.ptr_size
        if place.win is not None:
            data, off = place.win
            if off + size <= len(data):
                return int.from_bytes(data[off : off + size], "little")
        if place.srv is None:
            return None
        data = _core.read(self.state.require(), place.srv, size, False)
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
            text = text.split("\0", 1)[0][: n_linux - 1] + "\0"
        else:
            text = text[:n_linux].ljust(n_linux, "\0")
        raw = text.encode("utf-32-le", "surrogatepass")
        ctypes.memmove(addr, raw, len(raw))

    def adopt(self, d, srv, n=None, k=None):
        """A Python array with what the DLL's memory at srv holds for d (n elements, or the
        string there)."""
        state = self.state
        handle = state.require()
        if d.null:
            data = _core.read(handle, srv, 0, d.wide)
            if d.wide:
                units = len(data) // 2 + 1
                return _wide_copy(data.decode("utf-16-le", "surrogatepass"), units), units
            data += b"\0"
            return adopt(state, srv, ctypes.c_char, len(data), data), len(data)
        if n is None:
            n = self.length(d, k)
        if d.wide:
            data = _core.read(handle, srv, 2 * n, False) if n else b""
            return _wide_copy(data.decode("utf-16-le", "surrogatepass"), n), n
        return adopt(state, srv, d.type, n), n


# Wide strings of memsync are Python str values (cut at their NUL or length here), sized in
# the UTF-16 units a directive gives, and they travel as Windows bytes (a BUFFER argument,
# or the bytearray of a sync, which core/marshal copies as is). CPython's codec encodes
# them; core/abi.UTF32ToUTF16 does the same for raw wchar_t memory that the marshaller
# meets (buffers, arrays in structures), by the same rule: a buffer of n units is cut
# never inside a surrogate pair and padded with NULs.


def _utf16(text, units):
    """text as units UTF-16 code units, cut as a Windows buffer of that size would (never
    inside a surrogate pair) or padded with NULs."""
    data = text.encode("utf-16-le", "surrogatepass")
    if len(data) > 2 * units:
        data = data[: 2 * units]
        if units and 0xD800 <= int.from_bytes(data[-2:], "little") < 0xDC00:
            data = data[:-2]
    return data.ljust(2 * units, b"\0")


def _wide_copy(text, units):
    """A Python wchar_t array of units elements holding text (sized in UTF-16 units, as
    create_unicode_buffer makes them, so that the text fits when it travels again)."""
    arr = (ctypes.c_wchar * units)()
    if text:
        arr.value = text[:units]
    return arr
