# -*- coding: utf-8 -*-
"""
Memory synchronisation (memsync): directives that describe memory only raw pointers
reach, on routines and on callback types, with every key and its short alias, every
path form (an argument, structure fields nested to any depth, -1 for a pointer to a
pointer, element indices and '*' for arrays of structures, 'r' for the return value),
memory the DLL allocates in each of its three shapes (a pointer field it sets, a
``void **`` output, a returned pointer), wide strings with surrogate pairs, a 64 MiB
round trip, and bad directives: when assigned (TypeError/ValueError) and when called
(MemsyncArgumentError, both a ctypes.ArgumentError and a ValueError, raised before the
DLL is reached: calls() counts what reaches it).

Routines from tests/dlls/memsync.c. Expectations are what CPython's ctypes gives on
Windows for the same code (where memsync is an attribute ctypes ignores).
"""

import array
import gc
import warnings

import pytest

from zugbruecke import _memsync
from zugbruecke._memsync import MemsyncArgumentError

BIG = 64 << 20


@pytest.fixture
def lib(dll):
    return dll("memsync")


@pytest.fixture
def FT(ctypes, conv):
    """The callback type factory of this build's convention. Function types are cached
    per signature, like ctypes' own, and memsync is a class attribute: these types ask
    for use_errno (which changes nothing here) to be types of their own, and tests put
    their memsync back to None."""
    factory = ctypes.CFUNCTYPE if conv == "cdecl" else ctypes.WINFUNCTYPE

    def FT(restype, *argtypes):
        return factory(restype, *argtypes, use_errno=True)

    return FT


def routine(lib, name, argtypes, restype=None, memsync=None):
    func = getattr(lib, name)
    func.argtypes = argtypes
    func.restype = restype
    if memsync is not None:
        func.memsync = memsync
    return func


def float_pointer(c, values):
    """A POINTER(c_float) to the first of values, as ctypes code makes it (cast)."""
    arr = (c.c_float * len(values))(*values)
    return arr, c.cast(c.pointer(arr), c.POINTER(c.c_float))


_TYPES = {}


def types(c):
    if id(c) not in _TYPES:

        class ArrayData(c.Structure):
            _fields_ = [("data", c.POINTER(c.c_int16)), ("len", c.c_int16)]

        class Outer(c.Structure):
            _fields_ = [("tag", c.c_int), ("inner", c.POINTER(ArrayData))]

        class Names(c.Structure):
            _fields_ = [("name", c.c_char_p), ("wname", c.c_wchar_p), ("count", c.c_int)]

        class Vector5d(c.Structure):
            _fields_ = [(n, c.c_int16) for n in "xyzuw"]

        class Image(c.Structure):
            _fields_ = [("data", c.POINTER(c.c_int16)), ("width", c.c_int16), ("height", c.c_int16)]

        class Blob(c.Structure):
            _fields_ = [("data", c.c_void_p), ("len", c.c_int)]

        _TYPES[id(c)] = type("Types", (), dict(ArrayData=ArrayData, Outer=Outer, Names=Names,
                                               Vector5d=Vector5d, Image=Image, Blob=Blob))
    return _TYPES[id(c)]


def array_data(c, values):
    T = types(c)
    arr = (c.c_int16 * len(values))(*values)
    return T.ArrayData(c.cast(arr, c.POINTER(c.c_int16)), len(values)), arr


SORT_IN = [5.75, 3.5, 6.25, 8.5, 9.25, 6.5, 2.0, 9.0, 4.25, 4.75]


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# keys and aliases
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@pytest.mark.parametrize("spelling", [
    lambda c: {"pointer": [0], "length": [1], "type": c.c_float},
    lambda c: {"p": [0], "l": [1], "t": c.c_float},
    lambda c: {"p": [0], "l": [1], "t": "c_float"},  # a type name, as releases before 0.1 took it
    lambda c: {"p": (0,), "l": (1,), "_t": c.c_float},  # the oldest documented spelling
], ids=["keys", "aliases", "type-name", "oldest"])
def test_pointer_argument_with_length_argument(ctypes, lib, spelling):
    sort = routine(lib, "bubblesort", (ctypes.POINTER(ctypes.c_float), ctypes.c_int), None, [spelling(ctypes)])
    arr, ptr = float_pointer(ctypes, SORT_IN)
    sort(ptr, len(SORT_IN))
    assert list(arr) == sorted(SORT_IN)


def test_pointer_argument_forms(ctypes, lib):
    """The pointer may be a cast pointer, an array, byref() of an array, or an address."""
    c = ctypes
    neg = routine(lib, "sum_negate", (c.c_void_p, c.c_int), c.c_int, [dict(p=[0], l=[1], t=c.c_int)])
    arr = (c.c_int * 5)(1, 2, 3, 4, 5)
    assert neg(c.cast(arr, c.POINTER(c.c_int)), 5) == 15
    assert neg(arr, 5) == -15
    assert neg(c.byref(arr), 3) == 6 and list(arr) == [-1, -2, -3, 4, 5]
    assert neg(c.byref(arr, 2 * c.sizeof(c.c_int)), 2) == 1  # from element 2 on
    assert list(arr) == [-1, -2, 3, -4, 5]
    assert neg(c.addressof(arr), 5) == 1 and list(arr) == [1, 2, -3, 4, -5]


def test_length_zero_and_null(ctypes, lib):
    c = ctypes
    neg = routine(lib, "sum_negate", (c.POINTER(c.c_int), c.c_int), c.c_int, [dict(p=[0], l=[1], t=c.c_int)])
    assert neg(None, 0) == 0
    arr = (c.c_int * 2)(7, 8)
    assert neg(arr, 0) == 0 and list(arr) == [7, 8]


@pytest.mark.parametrize("func", [
    "lambda x, y: x * y",
    "def length(x, y):\n    return x * y\n",
    lambda x, y: x * y,
], ids=["lambda", "def", "callable"])
def test_length_function(ctypes, lib, func):
    c = ctypes
    sort = routine(lib, "bubblesort_segments", (c.POINTER(c.c_float), c.c_int, c.c_int), None,
                   [{"p": [0], "l": ([1], [2]), "f": func, "t": c.c_float}])
    arr, ptr = float_pointer(c, SORT_IN)
    sort(ptr, 2, 5)
    assert list(arr) == sorted(SORT_IN)


def test_length_function_gets_the_items_themselves(ctypes, lib):
    """func gets what the paths lead to (here the buffer), and ctypes in its namespace."""
    c = ctypes
    neg = routine(lib, "sum_negate", (c.POINTER(c.c_int), c.c_int), c.c_int,
                  [dict(pointer=[0], length=([0],), func="lambda buf: ctypes.sizeof(buf) // 4 - 1", type=c.c_int)])
    arr = (c.c_int * 4)(1, 2, 3, 100)
    assert neg(arr, 3) == 6
    assert list(arr) == [-1, -2, -3, 100]


def test_custom_type(ctypes, lib):
    """custom (alias _c) converts the argument (a list, a tuple, an array.array) into
    ctypes memory, as the argtype's from_param does."""
    c = ctypes

    class DoubleArray:
        def from_param(self, param):
            if isinstance(param, (list, tuple)):
                return (c.c_double * len(param))(*param)
            if isinstance(param, array.array) and param.typecode == "d":
                address, n = param.buffer_info()
                return c.cast(address, c.POINTER(c.c_double * n))
            if isinstance(param, c.Array):
                return param
            raise TypeError(f"cannot convert {type(param).__name__}")

    conv = DoubleArray()
    avg = routine(lib, "avg", (conv, c.c_int), c.c_double, [dict(pointer=[0], length=[1], type=c.c_double, custom=conv)])
    assert avg([1, 2, 3, 4], 4) == 2.5
    assert avg((1.0, 2.0, 3.0, 4.0), 4) == 2.5
    assert avg(array.array("d", [1.0, 2.0, 3.0, 10.0]), 4) == 4.0
    avg.memsync = [{"p": [0], "l": [1], "t": c.c_double, "_c": conv}]
    assert avg([2.0] * 7, 7) == 2.0
    with pytest.raises(c.ArgumentError, match="cannot convert"):
        avg({1: 2}, 1)


def test_numpy_arrays(ctypes, lib):
    np = pytest.importorskip("numpy")
    c = ctypes

    class DoubleArray:
        @staticmethod
        def from_param(param):
            return param.ctypes.data_as(c.POINTER(c.c_double))

    avg = routine(lib, "avg", (DoubleArray, c.c_int), c.c_double,
                  [dict(p=[0], l=[1], t=c.c_double, _c=DoubleArray)])
    assert avg(np.array([1.0, 2.0, 3.0, 6.0]), 4) == 3.0
    neg = routine(lib, "sum_negate", (c.c_void_p, c.c_int), c.c_int, [dict(p=[0], l=[1], t=c.c_int)])
    values = np.arange(1, 6, dtype=np.int32)
    assert neg(values.ctypes.data, 5) == 15
    assert values.tolist() == [-1, -2, -3, -4, -5]


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# strings: null (n) and unic (w)
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@pytest.mark.parametrize("argtype", ["POINTER(c_char)", "c_char_p"])
def test_null_terminated_string(ctypes, lib, argtype):
    c = ctypes
    ptype = c.POINTER(c.c_char) if argtype == "POINTER(c_char)" else c.c_char_p
    replace = routine(lib, "replace_letter", (ptype, c.c_char, c.c_char), None, [{"p": [0], "n": True}])
    buf = c.create_string_buffer(128)
    buf.value = b"zategahuba"
    replace(buf, b"a", b"e")
    assert buf.value == b"zetegehube"
    exact = c.create_string_buffer(b"zategahuba")
    replace(exact, b"a", b"o")
    assert exact.value == b"zotegohubo"
    replace(b"bytes are immutable", b"e", b"E")  # travels as a value, nothing comes back


@pytest.mark.parametrize("argtype", ["POINTER(c_wchar)", "c_wchar_p"])
def test_wide_string_with_surrogate_pairs(ctypes, lib, argtype):
    c = ctypes
    ptype = c.POINTER(c.c_wchar) if argtype == "POINTER(c_wchar)" else c.c_wchar_p
    replace = routine(lib, "replace_letter_w", (ptype, c.c_wchar, c.c_wchar), None, [{"p": [0], "n": True, "w": True}])
    buf = c.create_unicode_buffer("za\U0001F600tegahuba\U00010348")
    replace(buf, "a", "e")
    assert buf.value == "ze\U0001F600tegehube\U00010348"
    units = routine(lib, "wunits", (c.POINTER(c.c_wchar),), c.c_int, [dict(pointer=[0], null=True, unic=True)])
    assert units(c.create_unicode_buffer("a\U0001F600b")) == 4  # the DLL sees UTF-16


def test_wide_buffer_with_length(ctypes, lib):
    """unic=True with a length in UTF-16 units: the buffer travels as UTF-16, both ways."""
    c = ctypes
    high = routine(lib, "whigh_surrogates", (c.POINTER(c.c_wchar), c.c_int), c.c_int,
                   [dict(p=[0], l=[1], w=True)])
    buf = c.create_unicode_buffer("x\U0001F600x\U0001F601")  # 6 units with the NUL
    assert high(buf, 6) == 2
    assert buf.value == "\xe9\U0001F600\xe9\U0001F601"
    smile = routine(lib, "wsmile", (c.c_void_p, c.c_int), None, [dict(p=[0], l=[1], t=c.c_wchar)])
    out = c.create_unicode_buffer(8)
    smile(out, 8)
    assert out.value == "\U0001F600!"


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# pointers inside structures
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_struct_field_set_by_dll(ctypes, lib):
    """The DLL points out.data at memory of its own: it comes back into a Python array
    that lives as long as out, and out.data points at it."""
    c = ctypes
    T = types(c)
    square = routine(lib, "square_int_array_with_struct", (c.POINTER(T.ArrayData), c.POINTER(T.ArrayData)), None, [
        dict(pointer=[0, "data"], length=[0, "len"], type=c.c_int16),
        dict(pointer=[1, "data"], length=[1, "len"], type=c.c_int16),
    ])
    ins, keep = array_data(c, [2, 4, 3, 5])
    out = T.ArrayData()
    square(ins, c.pointer(out))  # a temporary pointer: out itself keeps the memory
    gc.collect()
    junk = [(c.c_int16 * 4)(-1, -1, -1, -1) for _ in range(100)]
    assert out.len == 4 and out.data[:4] == [4, 16, 9, 25]
    assert list(keep) == [2, 4, 3, 5]
    adopted = c.addressof(out.data.contents)
    assert adopted in _memsync._adopted
    del out, junk
    gc.collect()
    assert adopted not in _memsync._adopted  # freed with the structure


def test_nested_structures(ctypes, lib):
    c = ctypes
    T = types(c)
    total = routine(lib, "outer_sum_reverse", (c.POINTER(T.Outer),), c.c_int,
                    [dict(p=[0, "inner", "data"], l=[0, "inner", "len"], t=c.c_int16)])
    inner, values = array_data(c, [1, 2, 3, 4, 5])
    outer = T.Outer(1000, c.pointer(inner))
    assert total(c.byref(outer)) == 1015
    assert list(values) == [5, 4, 3, 2, 1]

    make = routine(lib, "outer_make", (c.POINTER(T.Outer), c.c_int), None, [
        dict(pointer=[0, "inner"], length=(), func="lambda: 1", type=T.ArrayData),  # one structure
        dict(pointer=[0, "inner", "data"], length=[0, "inner", "len"], type=c.c_int16),
    ])
    made = T.Outer()
    make(made, 3)
    assert made.inner.contents.len == 3
    assert made.inner.contents.data[:3] == [10, 20, 30]
    # The copies mirror the DLL's memory: passed back, the DLL works on its own memory.
    assert total(made) == 60
    assert made.inner.contents.data[:3] == [30, 20, 10]


def test_arrays_of_structures_with_pointers(ctypes, lib):
    """'*' walks every element: the array of structures, then each one's data."""
    c = ctypes
    T = types(c)
    double = routine(lib, "double_arrays", (c.POINTER(T.ArrayData), c.c_int), c.c_int, [
        dict(p=[0], l=[1], t=T.ArrayData),
        dict(p=[0, "*", "data"], l=[0, "*", "len"], t=c.c_int16),
    ])
    parts = [array_data(c, v) for v in ([1, 2], [3, 4, 5], [], [6])]
    arrs = (T.ArrayData * 4)(*(p[0] for p in parts))
    assert double(c.cast(arrs, c.POINTER(T.ArrayData)), 4) == 21
    assert [list(p[1]) for p in parts] == [[2, 4], [6, 8, 10], [], [12]]
    double.memsync = [dict(p=[0, "*", "data"], l=[0, "*", "len"], t=c.c_int16)]  # an array knows its size
    assert double(arrs, 4) == 42
    assert [list(p[1]) for p in parts] == [[4, 8], [12, 16, 20], [], [24]]
    double.memsync = [dict(p=[0, k, "data"], l=[0, k, "len"], t=c.c_int16) for k in (0, 1)]  # by index
    assert double(arrs, 2) == 4 + 8 + 12 + 16 + 20
    assert [list(p[1]) for p in parts] == [[8, 16], [24, 32, 40], [], [24]]


def test_sorting_structures_with_strings(ctypes):
    """msvcrt's qsort permutes structures whose names travel by memsync, and calls a
    Python comparison whose type's memsync fetches the names: the Python structures
    end up sorted, each name pointer following its structure."""
    c = ctypes

    class Person(c.Structure):
        _fields_ = [("name", c.c_char_p), ("age", c.c_int)]

    Compare = c.CFUNCTYPE(c.c_int, c.POINTER(Person), c.POINTER(Person))
    Compare.memsync = [dict(p=[0, "name"], n=True), dict(p=[1, "name"], n=True)]
    qsort = routine(c.CDLL("msvcrt"), "qsort", (c.POINTER(Person), c.c_size_t, c.c_size_t, Compare), None, [
        dict(pointer=[0], length=[1], type=Person),
        dict(pointer=[0, "*", "name"], null=True),
    ])

    @Compare
    def by_name(a, b):
        x, y = a.contents.name, b.contents.name
        return (x > y) - (x < y)

    def name_pointers():
        return {c.c_void_p.from_buffer(p, Person.name.offset).value for p in people}

    names = [b"mia", b"ali", b"zoe", b"bo", b"kim"]
    people = (Person * 5)(*(Person(n, 20 + i) for i, n in enumerate(names)))
    before = name_pointers()
    try:
        qsort(c.cast(people, c.POINTER(Person)), 5, c.sizeof(Person), by_name)
    finally:
        Compare.memsync = None
    assert [(p.name, p.age) for p in people] == sorted((n, 20 + i) for i, n in enumerate(names))
    assert name_pointers() == before  # the names themselves, not copies


def test_struct_array_as_element_type(ctypes, lib):
    c = ctypes
    T = types(c)
    add = routine(lib, "vector5d_add_array", (c.POINTER(T.Vector5d), c.c_int16), c.POINTER(T.Vector5d),
                  [{"p": [0], "l": [1], "t": T.Vector5d}])
    vs = (T.Vector5d * 2)(T.Vector5d(5, 7, 2, 4, 6), T.Vector5d(1, 9, 8, 3, 2))
    got = add(c.cast(c.pointer(vs), c.POINTER(T.Vector5d)), 2).contents
    assert [getattr(got, n) for n in "xyzuw"] == [6, 16, 10, 7, 8]


def test_strings_in_structures(ctypes, lib):
    c = ctypes
    T = types(c)
    upcase = routine(lib, "names_upcase", (c.POINTER(T.Names),), None, [
        dict(pointer=[0, "name"], null=True),
        dict(pointer=[0, "wname"], null=True, unic=True),
    ])
    name = c.create_string_buffer(b"abc")
    wname = c.create_unicode_buffer("ab\U0001F600c")
    names = T.Names(c.cast(name, c.c_char_p), c.cast(wname, c.c_wchar_p), 0)
    upcase(c.byref(names))
    assert (name.value, wname.value, names.count) == (b"ABC", "AB\U0001F600C", 3 + 5)
    make = routine(lib, "names_make", (c.POINTER(T.Names),), None, upcase.memsync)
    fresh = T.Names()
    make(fresh)
    assert (fresh.name, fresh.wname) == (b"hello", "hi\U0001F600")


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# memory the DLL allocates: void ** outputs and pointer results
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_void_pointer_pointer_output(ctypes, lib):
    c = ctypes
    square = routine(lib, "square_int_array", (c.POINTER(c.c_int16), c.c_void_p, c.c_int16), None, [
        dict(pointer=[0], length=[2], type=c.c_int16),
        dict(pointer=[1, -1], length=[2], type=c.c_int16),
    ])
    ins = (c.c_int16 * 4)(2, 4, 3, 5)
    out = c.pointer(c.c_void_p())
    square(c.cast(c.pointer(ins), c.POINTER(c.c_int16)), out, c.c_int16(4))
    assert c.cast(out.contents, c.POINTER(c.c_int16 * 4)).contents[:] == [4, 16, 9, 25]
    target = c.c_void_p()
    square(ins, c.byref(target), 4)
    assert c.cast(target, c.POINTER(c.c_int16))[:4] == [4, 16, 9, 25]


def test_length_from_the_return_value(ctypes, lib):
    c = ctypes
    make = routine(lib, "make_squares", (c.POINTER(c.POINTER(c.c_int)), c.c_int), c.c_int,
                   [dict(p=[0, -1], l=["r"], t=c.c_int)])
    out = c.POINTER(c.c_int)()
    assert make(c.byref(out), 6) == 6
    assert out[:6] == [1, 4, 9, 16, 25, 36]


def test_string_outputs(ctypes, lib):
    c = ctypes
    greet = routine(lib, "make_greeting", (c.c_void_p,), None, [dict(p=[0, -1], n=True)])
    out = c.c_char_p()
    greet(c.byref(out))
    assert out.value == b"<html>"
    wgreet = routine(lib, "make_wgreeting", (c.POINTER(c.c_wchar_p),), None, [dict(p=[0, -1], n=True, w=True)])
    wout = c.c_wchar_p()
    wgreet(c.byref(wout))
    assert wout.value == "a\U0001F600b"


def test_returned_pointers(ctypes, lib):
    c = ctypes
    T = types(c)
    fib = routine(lib, "fibonacci_sequence", (c.c_int16,), c.POINTER(T.ArrayData),
                  [dict(pointer=["r", "data"], length=["r", "len"], type=c.c_int16)])
    seq = fib(10)
    assert seq.contents.data[:10] == [1, 1, 2, 3, 5, 8, 13, 21, 34, 55]

    make = routine(lib, "make_floats", (c.c_int,), c.POINTER(c.c_float), [dict(p=["r"], l=[0], t=c.c_float)])
    floats = make(5)
    assert floats[:5] == [0.5, 1.5, 2.5, 3.5, 4.5]
    # The Python array mirrors the DLL's memory: the DLL gets its own pointer back, with
    # the changes made in Python written through.
    routine(lib, "is_last_floats", (c.POINTER(c.c_float),), c.c_int)
    assert lib.is_last_floats(floats) == 1
    floats[4] = 100.0
    total = routine(lib, "sum_floats", (c.POINTER(c.c_float), c.c_int), c.c_float,
                    [dict(p=[0], l=[1], t=c.c_float)])
    assert total(floats, 5) == 0.5 + 1.5 + 2.5 + 3.5 + 100.0
    assert lib.is_last_floats(floats) == 1

    name = routine(lib, "get_name", (), c.POINTER(c.c_char), [dict(p=["r"], n=True)])
    assert name()[:8] == b"memsync\0"


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# callbacks
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_callback_pointer_argument(ctypes, FT, lib):
    """The DLL hands the callback n floats of its own; the callback's changes go back."""
    c = ctypes
    CB = FT(c.c_int, c.POINTER(c.c_float), c.c_int)
    CB.memsync = [dict(pointer=[0], length=[1], type=c.c_float)]
    seen = []

    def body(values, n):
        seen.append(values[:n])
        for i in range(n):
            values[i] *= 2
        return n

    call = routine(lib, "call_with_floats", (CB, c.c_int), c.c_int)
    assert call(CB(body), 4) == 4 + 1000 * 20
    assert seen == [[1.0, 2.0, 3.0, 4.0]]
    CB.memsync = None


def test_callback_struct_with_untyped_pointer(ctypes, FT, lib):
    c = ctypes
    T = types(c)
    CB = FT(c.c_int, c.POINTER(T.Blob))
    CB._memsync_ = [dict(pointer=[0, "data"], length=[0, "len"])]  # ctypes-style spelling, c_ubyte
    seen = []

    def body(blob):
        data = c.cast(blob.contents.data, c.POINTER(c.c_ubyte))
        seen.append(data[:blob.contents.len])
        for i in range(4):
            data[i] = 10 * (i + 1)
        return 7

    call = routine(lib, "call_with_blob", (CB,), c.c_int)
    assert call(CB(body)) == 7 + 100 * 100 + 100000  # changed bytes, the DLL's own pointer
    assert seen == [[1, 2, 3, 4]]
    CB._memsync_ = None


def test_callback_wide_string(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_int, c.POINTER(c.c_wchar))
    CB.memsync = [dict(p=[0], n=True, w=True)]
    seen = []

    def body(text):
        seen.append(c.cast(text, c.c_wchar_p).value)
        text[0] = "z"
        return 3

    out = c.create_unicode_buffer(8)
    call = routine(lib, "call_with_wstring", (CB, c.c_wchar_p, c.c_int), c.c_int)
    assert call(CB(body), out, 5) == 3
    assert seen == ["x\U0001F600y"]
    assert out.value == "z\U0001F600y"
    CB.memsync = None


def _edge_filter(image, width, height):
    kernel = [[0, 1, 0], [1, -4, 1], [0, 1, 0]]

    def at(x, y):
        return image[y][x] if 0 <= x < width and 0 <= y < height else 0

    return [[sum(kernel[j][i] * at(x + i - 1, y + j - 1) for j in range(3) for i in range(3))
             for x in range(width)] for y in range(height)]


def test_callback_and_routine_memsync_together(ctypes, FT, lib):
    """The original's image filter: the routine's input travels by memsync, its output is
    memory the DLL allocates, and the callback gets a section of the DLL's own."""
    c = ctypes
    T = types(c)
    Filter = FT(c.c_int16, c.POINTER(T.Image))
    Filter.memsync = [dict(pointer=[0, "data"], length=([0, "width"], [0, "height"]),
                           func="lambda x, y: x * y", type=c.c_int16)]
    apply = routine(lib, "apply_filter_to_image", (c.POINTER(T.Image), c.POINTER(T.Image), Filter), None, [
        dict(pointer=[i, "data"], length=([i, "width"], [i, "height"]), func="lambda x, y: x * y", type=c.c_int16)
        for i in (0, 1)
    ])
    kernel = [0, 1, 0, 1, -4, 1, 0, 1, 0]

    @Filter
    def edge(section):
        s = section.contents
        assert (s.width, s.height) == (3, 3)
        return sum(k * v for k, v in zip(kernel, s.data[:9]))

    width, height = 5, 4
    image = [[(7 * x + 13 * y) % 31 for x in range(width)] for y in range(height)]
    pixels = (c.c_int16 * (width * height))(*(v for row in image for v in row))
    image_in = T.Image(c.cast(pixels, c.POINTER(c.c_int16)), width, height)
    image_out = T.Image()
    apply(c.pointer(image_in), c.pointer(image_out), edge)
    got = image_out.data[:width * height]
    assert [got[y * width:(y + 1) * width] for y in range(height)] == _edge_filter(image, width, height)
    Filter.memsync = None


def test_calling_a_function_pointer_uses_its_types_memsync(ctypes, FT, lib):
    c = ctypes
    Sort = FT(None, c.POINTER(c.c_float), c.c_int)
    Sort.memsync = [dict(p=[0], l=[1], t=c.c_float)]
    sort = Sort(("bubblesort", lib))
    arr, ptr = float_pointer(c, SORT_IN)
    sort(ptr, len(SORT_IN))
    assert list(arr) == sorted(SORT_IN)
    Sort.memsync = None


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# bulk
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_64_mib_round_trip(ctypes, lib):
    c = ctypes
    inc = routine(lib, "bulk_increment", (c.POINTER(c.c_ubyte), c.c_int), c.c_uint,
                  [dict(pointer=[0], length=[1], type=c.c_ubyte)])
    pattern = bytes(range(256))
    buf = (c.c_ubyte * BIG).from_buffer_copy(pattern * (BIG // 256))
    assert inc(c.cast(buf, c.POINTER(c.c_ubyte)), BIG) == (sum(pattern) * (BIG // 256)) & 0xFFFFFFFF
    assert bytes(buf) == (pattern[1:] + b"\0") * (BIG // 256)


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# bad directives
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


class _Conv:
    from_param = staticmethod(lambda value: value)


BAD_AT_ASSIGNMENT = [
    ({}, TypeError, "memsync must be a list of dicts, not dict"),
    ("p", TypeError, "memsync must be a list"),
    ([[0, 1]], TypeError, "memsync entry 0 must be a dict, not list"),
    ([{"p": [0], "l": [1]}, {"pointer": [0], "lenght": [1]}], ValueError, "entry 1: unknown key 'lenght'"),
    ([{"l": [1]}], ValueError, "entry 0: 'pointer' is missing"),
    ([{"p": [0], "pointer": [0], "l": [1]}], ValueError, "entry 0: 'pointer' and 'p' both give 'pointer'"),
    ([{"p": 0, "l": [1]}], ValueError, "entry 0: pointer must be a path"),
    ([{"p": [], "l": [1]}], ValueError, "entry 0: pointer must be a path"),
    ([{"p": ["data"], "l": [1]}], ValueError, "must start with an argument index"),
    ([{"p": [-1], "l": [1]}], ValueError, "must start with an argument index"),
    ([{"p": [0, -2], "l": [1]}], ValueError, "neither -1"),
    ([{"p": [0, 1.5], "l": [1]}], ValueError, "neither a field name nor an index"),
    ([{"p": [0, "*", "a", "*"], "l": [1]}], ValueError, "one '\\*' at most"),
    ([{"p": [0]}], ValueError, "entry 0: 'length' is missing"),
    ([{"p": [0], "l": ([1], [2])}], ValueError, "needs func"),
    ([{"p": [0], "l": [1, "*"]}], ValueError, "has '\\*' but the pointer has none"),
    ([{"p": [0], "f": "lambda x: x"}], ValueError, "func needs length"),
    ([{"p": [0], "l": ([1],), "f": "lambda x:"}], ValueError, "does not compile"),
    ([{"p": [0], "l": ([1],), "f": "42"}], ValueError, "is not a function"),
    ([{"p": [0], "l": ([1],), "f": 42}], TypeError, "func must be a string"),
    ([{"p": [0], "l": [1], "t": "c_flaot"}], ValueError, "'c_flaot' is not a ctypes type name"),
    ([{"p": [0], "l": [1], "t": float}], TypeError, "type must be a ctypes type"),
    ([{"p": [0], "n": "yes"}], TypeError, "null must be True or False"),
    ([{"p": [0], "n": True, "t": "c_int"}], ValueError, "null=True needs a character type"),
    ([{"p": [0], "l": [1], "_c": object()}], TypeError, "custom must have a from_param"),
    ([{"p": [0, "x"], "l": [1], "custom": _Conv}], ValueError, "custom converts an argument"),
]


@pytest.mark.parametrize("value,exc,match", BAD_AT_ASSIGNMENT,
                         ids=[str(i) for i in range(len(BAD_AT_ASSIGNMENT))])
def test_bad_directives_at_assignment(ctypes, lib, FT, value, exc, match):
    sort = lib.bubblesort
    sort.memsync = [{"p": [0], "l": [1], "t": ctypes.c_float}]
    with pytest.raises(exc, match=match):
        sort.memsync = value
    assert sort.memsync == [{"p": [0], "l": [1], "t": ctypes.c_float}]  # unchanged
    CB = FT(ctypes.c_int, ctypes.c_void_p, ctypes.c_double)
    with pytest.raises(exc, match=match):
        CB.memsync = value
    assert getattr(CB, "memsync", None) is None


def test_memsync_attribute(ctypes, lib):
    sort = lib.bubblesort
    assert sort.memsync is None
    given = [{"p": [0], "l": [1], "t": ctypes.c_float}]
    sort.memsync = given
    assert sort.memsync is given and sort._memsync_ is given
    sort.memsync = None
    assert sort.memsync is None
    sort.memsync = []
    assert sort.memsync == []


def _bad_call(ctypes, lib, call, match, exc=MemsyncArgumentError):
    before = lib.calls()
    with pytest.raises(exc, match=match) as info:
        call()
    assert lib.calls() == before, "the DLL was reached"
    return info.value


def test_bad_lengths_at_call_time(ctypes, lib):
    c = ctypes
    neg = routine(lib, "sum_negate", (c.POINTER(c.c_int), c.c_int), c.c_int, [dict(p=[0], l=[1], t=c.c_int)])
    arr = (c.c_int * 4)(1, 2, 3, 4)
    err = _bad_call(c, lib, lambda: neg(arr, -1), "argument 1: ValueError: memsync entry 0 .*length -1 is negative")
    assert isinstance(err, c.ArgumentError) and isinstance(err, ValueError)
    _bad_call(c, lib, lambda: neg(arr, 1 << 40), "beyond any buffer")
    _bad_call(c, lib, lambda: neg(arr, 5), "runs past the end of the buffer \\(4 elements of c_int there\\)")
    _bad_call(c, lib, lambda: neg(c.cast(c.pointer(arr), c.POINTER(c.c_int)), 5), "runs past the end")
    _bad_call(c, lib, lambda: neg(None, 3), "NULL pointer with length 3")
    raw = routine(lib, "sum_negate", (c.c_void_p, c.c_int), c.c_int, [dict(p=[0], l=[1], t=c.c_int)])
    _bad_call(c, lib, lambda: raw(16, 3), "argument 1: ValueError: .*cannot be read")
    neg.memsync = [dict(p=[0], l=[1], f=lambda n: n / 2, t=c.c_int)]
    _bad_call(c, lib, lambda: neg(arr, 3), "length must be an integer, not 1.5")
    neg.memsync = [dict(p=[0], l=([1],), f=lambda n: 1 // n, t=c.c_int)]
    _bad_call(c, lib, lambda: neg(arr, 0), "func raised ZeroDivisionError")
    neg.memsync = [dict(p=[0], l=[2], t=c.c_int)]
    _bad_call(c, lib, lambda: neg(arr, 1), "names argument 3, but the call has 2")
    neg.memsync = [dict(p=[3], l=[1], t=c.c_int)]
    _bad_call(c, lib, lambda: neg(arr, 1), "the call has 2 arguments")
    neg.memsync = [dict(p=[0], l=[1], t=c.c_int)]
    assert neg(arr, 4) == 10 and list(arr) == [-1, -2, -3, -4]  # the session is fine


def test_bad_paths_at_call_time(ctypes, lib):
    c = ctypes
    T = types(c)
    square = routine(lib, "square_int_array_with_struct", (c.POINTER(T.ArrayData), c.POINTER(T.ArrayData)), None,
                     [dict(pointer=[0, "dat"], length=[0, "len"], type=c.c_int16)])
    ins, _ = array_data(c, [1, 2])
    _bad_call(c, lib, lambda: square(ins, T.ArrayData()), "ArrayData has no field 'dat'")
    square.memsync = [dict(pointer=[0, "len"], length=[0, "len"], type=c.c_int16)]
    _bad_call(c, lib, lambda: square(ins, T.ArrayData()), "c_short is not a pointer")
    square.memsync = [dict(pointer=[0, "data"], length=[0, "size"], type=c.c_int16)]
    _bad_call(c, lib, lambda: square(ins, T.ArrayData()), "length path \\[0, 'size'\\] at 'size'")
    square.memsync = [dict(pointer=[0, "*", "data"], length=[0, "*", "len"], type=c.c_int16)]
    _bad_call(c, lib, lambda: square(c.pointer(ins), T.ArrayData()), "'\\*' after \\[0\\] needs an earlier entry")
    square.memsync = [dict(pointer=["r", "data"], length=["r", "len"], type=c.c_int16)]
    _bad_call(c, lib, lambda: square(ins, T.ArrayData()), "needs restype POINTER", TypeError)


def test_pointer_outside_travelling_memory_warns(ctypes, lib):
    c = ctypes
    T = types(c)
    blob_data = (c.c_ubyte * 4)(1, 2, 3, 4)
    blob = T.Blob(c.addressof(blob_data), 4)
    neg = routine(lib, "sum_negate", (c.c_void_p, c.c_int), c.c_int,
                  [dict(p=[0, "data"], l=[0, "len"]), dict(p=[0], l=[1], t=c.c_int)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        neg(c.pointer(blob), 0)  # the second entry sends no Blob: the first finds no pointer
    assert any("not in memory that travels" in str(w.message) for w in caught)
