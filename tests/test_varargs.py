# -*- coding: utf-8 -*-
"""
Variadic routines, called as ctypes on Windows calls them: without argtypes
(or with argtypes for the fixed arguments only) and with c_double / c_longlong
wrappers where a plain Python int or float would not do. msvcrt's sprintf and
_snwprintf write into buffers from create_string_buffer /
create_unicode_buffer; tests/dlls/varargs.c sums ints and doubles.

Variadic routines are always cdecl, so these tests run over arch only.
"""

from hypothesis import given, strategies as st

int32 = st.integers(-(2**31), 2**31 - 1)


def test_sprintf_int_and_string(ctypes):
    msvcrt = ctypes.CDLL("msvcrt")
    buf = ctypes.create_string_buffer(100)
    written = msvcrt.sprintf(buf, b"%d %s!", 42, b"spam")
    assert buf.value == b"42 spam!"
    assert written == len(b"42 spam!")


def test_sprintf_double(ctypes):
    msvcrt = ctypes.CDLL("msvcrt")
    buf = ctypes.create_string_buffer(100)
    msvcrt.sprintf(buf, b"%.3f|%g|%e", ctypes.c_double(3.14159), ctypes.c_double(0.5), ctypes.c_double(-1e10))
    assert buf.value == b"3.142|0.5|-1.000000e+010" or buf.value == b"3.142|0.5|-1.000000e+10"


def test_sprintf_mixed_many(ctypes):
    # More arguments than registers on win64, ints and doubles interleaved.
    msvcrt = ctypes.CDLL("msvcrt")
    buf = ctypes.create_string_buffer(200)
    msvcrt.sprintf(
        buf,
        b"%d %.1f %s %d %.2f %I64d %c %x",
        -7,
        ctypes.c_double(2.5),
        b"mid",
        123456,
        ctypes.c_double(-0.25),
        ctypes.c_longlong(2**40 + 1),
        ord("Z"),
        255,
    )
    assert buf.value == b"-7 2.5 mid 123456 -0.25 1099511627777 Z ff"


def test_sprintf_with_fixed_argtypes(ctypes):
    # argtypes may name the fixed arguments only: cdecl takes more.
    msvcrt = ctypes.CDLL("msvcrt")
    sprintf = msvcrt.sprintf
    sprintf.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
    buf = ctypes.create_string_buffer(50)
    sprintf(buf, b"%s=%d", b"x", 5)
    assert buf.value == b"x=5"


@given(x=int32, y=int32)
def test_sprintf_ints_roundtrip(ctypes, x, y):
    msvcrt = ctypes.CDLL("msvcrt")
    buf = ctypes.create_string_buffer(64)
    msvcrt.sprintf(buf, b"%d,%d", x, y)
    assert buf.value == f"{x},{y}".encode()


@given(x=st.floats(-1e15, 1e15))
def test_sprintf_double_roundtrip(ctypes, x):
    msvcrt = ctypes.CDLL("msvcrt")
    buf = ctypes.create_string_buffer(64)
    msvcrt.sprintf(buf, b"%.17g", ctypes.c_double(x))
    assert float(buf.value) == x


def test_snwprintf_unicode(ctypes):
    msvcrt = ctypes.CDLL("msvcrt")
    buf = ctypes.create_unicode_buffer(50)
    written = msvcrt._snwprintf(buf, 49, "%d-%s", 7, "Br\u00fccke \u20ac")
    assert buf.value == "7-Br\u00fccke \u20ac"
    assert written == len("7-Br\u00fccke \u20ac")


def test_own_varargs_ints(ctypes, arch, dll_builder):
    lib = ctypes.CDLL(str(dll_builder("varargs", arch, "cdecl")))
    func = lib.sum_ints_varargs
    func.restype = ctypes.c_longlong
    assert func(0) == 0
    assert func(3, 1, 2, 3) == 1 + 4 + 9


@given(values=st.lists(int32, max_size=12))
def test_own_varargs_ints_any_count(ctypes, arch, dll_builder, values):
    lib = ctypes.CDLL(str(dll_builder("varargs", arch, "cdecl")))
    func = lib.sum_ints_varargs
    func.argtypes = (ctypes.c_int,)
    func.restype = ctypes.c_longlong
    assert func(len(values), *values) == sum(v * (i + 1) for i, v in enumerate(values))


@given(values=st.lists(st.floats(-1e6, 1e6), max_size=10))
def test_own_varargs_doubles(ctypes, arch, dll_builder, values):
    lib = ctypes.CDLL(str(dll_builder("varargs", arch, "cdecl")))
    func = lib.sum_doubles_varargs
    func.restype = ctypes.c_double
    expected = 0.0
    for i, v in enumerate(values):
        expected += v * (i + 1)
    assert func(len(values), *[ctypes.c_double(v) for v in values]) == expected
