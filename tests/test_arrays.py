# -*- coding: utf-8 -*-
"""
Arrays across the boundary, named after CPython's test_ctypes/test_arrays.py: arrays of
integers, doubles and floats, of structures with padding, of typed pointers (each pointee
travels and comes back) and of handles (c_void_p), multidimensional arrays, character
arrays, with and without argtypes. An array argument decays to a pointer to its first
element; what the DLL writes comes back into the same Python array.

Routines from tests/dlls/arrays.c.
"""

import struct

import pytest
from hypothesis import given, strategies as st

INT32 = st.integers(-(2**31), 2**31 - 1)
_TYPES = {}


def item_type(ct):
    if id(ct) not in _TYPES:

        class Item(ct.Structure):
            _fields_ = [("id", ct.c_short), ("weight", ct.c_double), ("code", ct.c_char * 3)]

        _TYPES[id(ct)] = Item
    return _TYPES[id(ct)]


@pytest.fixture
def lib(dll):
    return dll("arrays")


@given(values=st.lists(INT32, max_size=200))
def test_int_array_in(ctypes, lib, values):
    arr = (ctypes.c_int * len(values))(*values)
    f = lib.sum_ints
    f.restype = ctypes.c_int64
    assert f(arr, len(values)) == sum(values)
    f.argtypes = (ctypes.POINTER(ctypes.c_int), ctypes.c_int)
    assert f(arr, len(values)) == sum(values)


@given(n=st.integers(0, 300), start=st.integers(-(2**20), 2**20))
def test_int_array_filled(ctypes, lib, n, start):
    arr = (ctypes.c_int * (n + 1))(*([7] * (n + 1)))
    lib.fill_ints.restype = None
    lib.fill_ints(arr, n, start)
    assert list(arr) == [start + i * i for i in range(n)] + [7]  # the element past n is kept


@given(values=st.lists(st.integers(-(2**15), 2**15 - 1), max_size=100))
def test_short_array_in_out(ctypes, lib, values):
    arr = (ctypes.c_short * len(values))(*values)
    lib.reverse_shorts.restype = None
    lib.reverse_shorts(arr, len(values))
    assert list(arr) == values[::-1]


@given(values=st.lists(st.integers(0, 2**64 - 1), max_size=50))
def test_uint64_array(ctypes, lib, values):
    want = 0
    for i, v in enumerate(values):
        want ^= v * (i + 1) % 2**64
    lib.xor_u64.restype = ctypes.c_uint64
    assert lib.xor_u64((ctypes.c_uint64 * len(values))(*values), len(values)) == want


@given(pairs=st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), max_size=64))
def test_double_arrays(ctypes, lib, pairs):
    a = (ctypes.c_double * len(pairs))(*(p[0] for p in pairs))
    b = (ctypes.c_double * len(pairs))(*(p[1] for p in pairs))
    dot = lib.dot
    dot.restype = ctypes.c_double
    want = 0.0
    for x, y in pairs:
        want += x * y
    assert dot(a, b, len(pairs)) == want
    scale = lib.scale_doubles
    scale.argtypes = (ctypes.POINTER(ctypes.c_double), ctypes.c_int, ctypes.c_double)
    scale.restype = None
    scale(a, len(pairs), -0.5)
    assert list(a) == [p[0] * -0.5 for p in pairs]


def test_float_array(ctypes, lib):
    values = [1.0, -3.5, 1e30, 2.0**-100]
    arr = (ctypes.c_float * 4)(*values)
    lib.halve_floats.restype = None
    lib.halve_floats(arr, 4)
    assert list(arr) == [struct.unpack("<f", struct.pack("<f", v / 2))[0] for v in values]


def test_array_of_structures(ctypes, lib):
    Item = item_type(ctypes)
    assert ctypes.sizeof(Item) == 24  # short, 6 bytes padding, double, char[3], 5 bytes padding
    items = (Item * 3)(Item(1, 0.5, b"xyz"), Item(2, 1.5, b"uv"), Item(-3, 2.0, b""))
    f = lib.items_weigh
    f.argtypes = (ctypes.POINTER(Item), ctypes.c_int)
    f.restype = ctypes.c_double
    assert f(items, 3) == 0.5 + 3.0 - 6.0
    assert [(i.id, i.weight, i.code) for i in items] == [(2, 0.5, b"A"), (4, 1.5, b"B"), (-6, 2.0, b"C")]


@given(values=st.lists(st.one_of(st.none(), INT32), max_size=20))
def test_array_of_typed_pointers(ctypes, lib, values):
    ints = [ctypes.c_int(v) if v is not None else None for v in values]
    ptrs = (ctypes.POINTER(ctypes.c_int) * len(values))(
        *(ctypes.pointer(x) if x is not None else None for x in ints))
    want = sum(v for v in values if v is not None)
    assert lib.sum_through(ptrs, len(values)) == (want + 2**31) % 2**32 - 2**31
    # Every pointee came back with what the DLL wrote through the pointer.
    assert [x.value if x is not None else None for x in ints] == [
        -i if v is not None else None for i, v in enumerate(values)]


def test_array_of_handles(ctypes, arch, lib):
    top = 2**32 - 1 if arch == "win32" else 2**64 - 1
    handles = (ctypes.c_void_p * 5)(1, None, top, 0x1000, None)
    assert lib.count_nonnull(handles, 5) == 3
    assert list(handles) == [1, None, top, 0x1000, None]


def test_two_dimensional(ctypes, lib):
    Matrix = (ctypes.c_int * 3) * 3
    m = Matrix((1, 2, 3), (4, 5, 6), (7, 8, 9))
    assert ctypes.sizeof(Matrix) == 36
    assert lib.trace3(m) == 15
    lib.transpose3.restype = None
    lib.transpose3(m)
    assert [list(row) for row in m] == [[1, 4, 7], [2, 5, 8], [3, 6, 9]]
    lib.transpose3.argtypes = (ctypes.POINTER(ctypes.c_int * 3),)
    lib.transpose3(m)
    assert [list(row) for row in m] == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


def test_three_dimensional(ctypes, lib):
    Cube = ((ctypes.c_double * 3) * 4) * 2
    flat = [i * 0.25 for i in range(24)]
    c = Cube()
    for n, v in enumerate(flat):
        c[n // 12][n // 3 % 4][n % 3] = v
    lib.sum_2x4x3.restype = ctypes.c_double
    assert lib.sum_2x4x3(c) == sum(v * (k + 1) for k, v in enumerate(flat))


@given(text=st.binary(max_size=100))
def test_char_array(ctypes, lib, text):
    buf = (ctypes.c_char * max(len(text), 1))()
    buf.raw = text.ljust(1, b"\0")
    n = lib.upper_chars(buf, len(text))
    assert n == sum(1 for c in text if 97 <= c <= 122)
    assert buf.raw[: len(text)] == bytes(c - 32 if 97 <= c <= 122 else c for c in text)


def test_wchar_array_utf16(ctypes, lib):
    buf = ctypes.create_unicode_buffer("a\U0001F309b\U00010348")
    assert ctypes.sizeof(buf) == 2 * 7  # UTF-16 units: a, pair, b, pair, NUL
    assert lib.wide_units(buf, 6) == 2  # two high surrogates in the DLL's copy
    assert buf.value == "a\U0001F309b\U00010348"


def test_empty_and_large_arrays(ctypes, lib):
    f = lib.sum_ints
    f.restype = ctypes.c_int64
    assert f((ctypes.c_int * 0)(), 0) == 0
    n = 40_000  # i * i stays in int range
    big = (ctypes.c_int * n)(*range(n))
    assert f(big, n) == n * (n - 1) // 2
    lib.fill_ints.restype = None
    lib.fill_ints(big, n, -5)
    assert list(big) == [-5 + i * i for i in range(n)]


def test_wrong_element_type_is_rejected(ctypes, lib):
    f = lib.sum_ints
    f.argtypes = (ctypes.POINTER(ctypes.c_int), ctypes.c_int)
    with pytest.raises(ctypes.ArgumentError, match="argument 1"):
        f((ctypes.c_double * 2)(1, 2), 2)
    with pytest.raises(ctypes.ArgumentError, match="argument 1"):
        f([1, 2], 2)
