# -*- coding: utf-8 -*-
"""
Unions across the boundary, named after CPython's test_ctypes/test_unions.py: members
that overlap come back as the DLL wrote them through any member, unions by value as
arguments and results, unions inside structures (tagged variants, padding), anonymous
unions, unions of structures, and a union that holds a pointer beside integers.

Routines from tests/dlls/unions.c.
"""

import struct

import pytest
from hypothesis import given, strategies as st

_TYPES = {}


def types(ct):
    if id(ct) in _TYPES:
        return _TYPES[id(ct)]

    class Word(ct.Union):
        _fields_ = [("i", ct.c_int32), ("f", ct.c_float), ("b", ct.c_uint8 * 4)]

    class Wide(ct.Union):
        _fields_ = [("q", ct.c_int64), ("d", ct.c_double), ("w", ct.c_int32 * 2)]

    class Triple(ct.Union):
        _fields_ = [("i", ct.c_int32 * 3), ("f", ct.c_float)]

    class Value(ct.Union):
        _fields_ = [("i", ct.c_int), ("d", ct.c_double), ("s", ct.c_char * 8)]

    class Variant(ct.Structure):
        _fields_ = [("tag", ct.c_int), ("v", Value)]

    class IntOrFloat(ct.Union):
        _fields_ = [("i", ct.c_int), ("f", ct.c_float)]

    class Anon(ct.Structure):
        _anonymous_ = ("u",)
        _fields_ = [("tag", ct.c_int), ("u", IntOrFloat), ("after", ct.c_short)]

    class Parts(ct.Structure):
        _fields_ = [("lo", ct.c_uint16), ("hi", ct.c_uint16)]

    class Split(ct.Union):
        _fields_ = [("parts", Parts), ("whole", ct.c_uint32)]

    class Offsets(ct.Structure):
        _fields_ = [("offset", ct.c_uint32), ("offset_high", ct.c_uint32)]

    class Overlapped(ct.Union):
        _fields_ = [("s", Offsets), ("pointer", ct.c_void_p)]

    class SmallFirst(ct.Union):
        _fields_ = [("tag", ct.c_uint8), ("p", ct.c_void_p)]

    class CharOrDouble(ct.Union):
        _fields_ = [("c", ct.c_char), ("d", ct.c_double)]

    class Padded(ct.Structure):
        _fields_ = [("c", ct.c_byte), ("u", CharOrDouble), ("e", ct.c_char)]

    _TYPES[id(ct)] = t = type("Types", (), {k: v for k, v in locals().items() if isinstance(v, type)})
    return t


@pytest.fixture
def lib(dll):
    return dll("unions")


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def test_sizes(ctypes, lib, arch):
    T = types(ctypes)
    ptr = 4 if arch == "win32" else 8
    want = [(T.Word, 4, 4), (T.Wide, 8, 8), (T.Triple, 12, 4), (T.Variant, 16, 8), (T.Anon, 12, 4),
            (T.Split, 4, 4), (T.Overlapped, 8, 8 if ptr == 8 else 4), (T.SmallFirst, ptr, ptr), (T.Padded, 24, 8)]
    for which, (cls, size, align) in enumerate(want):
        assert (ctypes.sizeof(cls), ctypes.alignment(cls)) == (size, align), cls.__name__
        assert lib.union_size(which) == size, cls.__name__


@given(v=st.integers(-(2**31), 2**31 - 1))
def test_member_written_by_dll_reads_through_others(ctypes, lib, v):
    T = types(ctypes)
    w = T.Word()
    w.f = 1.5
    lib.word_set_int.restype = None
    lib.word_set_int(ctypes.byref(w), v)
    raw = struct.pack("<i", v)
    assert w.i == v
    assert list(w.b) == list(raw)
    got = struct.unpack("<f", raw)[0]
    assert w.f == got or (got != got and w.f != w.f)


@given(f=st.floats(width=32, allow_nan=False))
def test_member_written_by_python_reads_in_dll(ctypes, lib, f):
    T = types(ctypes)
    w = T.Word()
    w.f = f
    get = lib.word_get_float
    get.argtypes = (ctypes.POINTER(T.Word),)
    get.restype = ctypes.c_float
    assert get(w) == f


def test_union_by_value_argument(ctypes, lib):
    T = types(ctypes)
    w = T.Word()
    w.b[:] = [1, 2, 3, 4]
    assert lib.word_bytes(100, w, 7) == 100 + 1 + 4 + 9 + 16 - 7
    lib.wide_get.restype = ctypes.c_int64
    wide = T.Wide()
    wide.w[0], wide.w[1] = 5, -1
    assert lib.wide_get(3, wide, 1) == struct.unpack("<q", struct.pack("<ii", 5, -1))[0] + 2
    wide.d = -2.0
    assert lib.wide_get(0, wide, 0) == struct.unpack("<q", struct.pack("<d", -2.0))[0]
    t = T.Triple()
    t.i[:] = [1, 2, 3]
    lib.triple_sum.argtypes = (T.Triple,)
    assert lib.triple_sum(t) == 321


@given(v=st.integers(-(2**31), 2**31 - 3))
def test_union_by_value_result(ctypes, lib, v):
    T = types(ctypes)
    lib.word_make.restype = T.Word
    w = lib.word_make(v)
    assert isinstance(w, T.Word) and w.i == v and bytes(w.b) == struct.pack("<i", v)
    lib.wide_make.restype = T.Wide
    wide = lib.wide_make(v, -v // 2)
    assert wide.q == struct.unpack("<q", struct.pack("<ii", v, -v // 2))[0]
    lib.triple_make.restype = T.Triple
    assert list(lib.triple_make(v).i) == [v, v + 1, v + 2]


@pytest.mark.parametrize("tag, member, value, result", [
    (0, "i", -7, -7.0), (1, "d", 1e-300, 1e-300), (2, "s", b"1234567", 7.0)])
def test_tagged_variant_from_python(ctypes, lib, tag, member, value, result):
    T = types(ctypes)
    v = T.Variant(tag)
    setattr(v.v, member, value)
    lib.variant_value.restype = ctypes.c_double
    assert lib.variant_value(ctypes.byref(v)) == result


def test_tagged_variant_from_dll(ctypes, lib):
    T = types(ctypes)
    lib.variant_set.restype = None
    v = T.Variant(9)
    lib.variant_set(ctypes.byref(v), 0)
    assert (v.tag, v.v.i) == (0, -12345)
    lib.variant_set(ctypes.byref(v), 1)
    assert (v.tag, v.v.d) == (1, 0.1)
    lib.variant_set(ctypes.byref(v), 2)
    assert (v.tag, v.v.s) == (2, b"union!")
    assert bytes(v.v)[:8] == b"union!\x00\x3f"  # the last byte of 0.1 is still there


def test_anonymous_union(ctypes, lib):
    T = types(ctypes)
    a = T.Anon(0)
    a.i = 77
    assert lib.anon_get(ctypes.byref(a)) == 77
    assert a.after == 12
    a = T.Anon(1)
    a.f = 2.75
    assert (a.u.f, lib.anon_get(ctypes.byref(a))) == (2.75, 11)


@given(lo=st.integers(0, 0xFFFF), hi=st.integers(0, 0xFFFF))
def test_union_of_structure(ctypes, lib, lo, hi):
    T = types(ctypes)
    s = T.Split()
    s.parts.lo, s.parts.hi = lo, hi
    lib.split_swap.restype = ctypes.c_uint32
    assert lib.split_swap(ctypes.byref(s)) == (lo << 16 | hi)
    assert (s.parts.lo, s.parts.hi, s.whole) == (hi, lo, lo << 16 | hi)


@given(data=st.data())
def test_pointer_member_beside_integers(ctypes, lib, arch, data):
    # Like OVERLAPPED: { struct { DWORD Offset, OffsetHigh; }; PVOID Pointer; }.
    T = types(ctypes)
    p = data.draw(st.integers(1, 2 ** (32 if arch == "win32" else 64) - 1))
    o = T.Overlapped()
    o.pointer = p
    lib.overlapped_pointer.restype = ctypes.c_size_t
    assert lib.overlapped_pointer(ctypes.byref(o)) == p


def test_pointer_member_after_small_first_member(ctypes, lib):
    # The DLL sees the whole union, not only its first (1-byte) member.
    T = types(ctypes)
    u = T.SmallFirst()
    u.p = 0x12345678
    lib.small_first_pointer.restype = ctypes.c_size_t
    assert lib.small_first_pointer(ctypes.byref(u)) == 0x12345678


def test_union_inside_structure_padding(ctypes, lib):
    T = types(ctypes)
    p = T.Padded(3)
    p.u.d = 0.5
    lib.padded_get.restype = ctypes.c_double
    assert lib.padded_get(ctypes.byref(p)) == 3.5
    assert p.e == b"E" and p.u.d == 0.5
