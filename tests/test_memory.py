# -*- coding: utf-8 -*-
"""
The DLL writes into memory the caller owns and the caller sees it after the
call: buffers from create_string_buffer / create_unicode_buffer (UTF-16 on
Windows, 2 bytes a character), and single values passed with byref() or
pointer(), with and without argtypes.

Routines from tests/dlls/memory.c.
"""

import string

from hypothesis import given, strategies as st

LETTERS = string.ascii_lowercase.encode()
GREEK = "".join(chr(0x3B1 + i) for i in range(24))


def expected_fill(n):
    return bytes(LETTERS[i % 26] for i in range(n - 1))


def expected_wfill(n):
    return "".join(GREEK[i % 24] for i in range(n - 1))


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# buffers
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_buffer_sizes(ctypes):
    assert ctypes.sizeof(ctypes.create_string_buffer(8)) == 8
    assert ctypes.sizeof(ctypes.create_string_buffer(b"abc")) == 4
    assert ctypes.sizeof(ctypes.create_unicode_buffer(8)) == 16  # wchar_t is 2 bytes
    assert ctypes.sizeof(ctypes.create_unicode_buffer("\U0001F309")) == 6  # surrogate pair + NUL


@given(n=st.integers(1, 300))
def test_fill_string_buffer(ctypes, dll, n):
    fill = dll("memory").fill
    fill.restype = None
    buf = ctypes.create_string_buffer(n)
    assert fill(buf, n) is None
    assert buf.value == expected_fill(n)
    assert buf.raw == expected_fill(n) + b"\x00"


def test_fill_with_argtypes(ctypes, dll):
    fill = dll("memory").fill
    fill.argtypes = (ctypes.c_char_p, ctypes.c_int)
    fill.restype = None
    buf = ctypes.create_string_buffer(b"\xee" * 10)
    assert fill(buf, 5) is None
    assert buf.raw == b"abcd\x00" + b"\xee" * 5 + b"\x00"


def test_fill_part_of_buffer(ctypes, dll):
    # Bytes beyond what the DLL wrote keep their contents.
    fill = dll("memory").fill
    fill.restype = None
    buf = ctypes.create_string_buffer(b"0123456789")
    fill(buf, 3)
    assert buf.raw == b"ab\x00" + b"3456789\x00"
    assert buf.value == b"ab"


@given(data=st.binary(min_size=0, max_size=200))
def test_buffer_in_and_out(ctypes, dll, data):
    reverse = dll("memory").reverse_bytes
    reverse.restype = None
    buf = ctypes.create_string_buffer(data, len(data) + 1)
    reverse(buf, len(data))
    assert buf.raw[: len(data)] == data[::-1]


@given(n=st.integers(1, 200))
def test_fill_unicode_buffer(ctypes, dll, n):
    wfill = dll("memory").wfill
    wfill.argtypes = (ctypes.c_wchar_p, ctypes.c_int)
    wfill.restype = None
    buf = ctypes.create_unicode_buffer(n)
    wfill(buf, n)
    assert buf.value == expected_wfill(n)


def test_buffer_usable_after_call(ctypes, dll):
    # The same buffer goes into several calls and keeps what each one wrote.
    lib = dll("memory")
    lib.fill.restype = None
    lib.reverse_bytes.restype = None
    buf = ctypes.create_string_buffer(6)
    lib.fill(buf, 6)
    lib.reverse_bytes(buf, 5)
    assert buf.value == b"edcba"
    assert dll("strings").str_len(buf) == 5


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# byref and pointer
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(v=st.integers(-(2**31), 2**31 - 1))
def test_byref_int_out(ctypes, dll, v):
    set_int = dll("memory").set_int
    set_int.restype = None
    x = ctypes.c_int(0)
    set_int(ctypes.byref(x), v)
    assert x.value == v


def test_pointer_int_with_argtypes(ctypes, dll):
    lib = dll("memory")
    set_int = lib.set_int
    set_int.argtypes = (ctypes.POINTER(ctypes.c_int), ctypes.c_int)
    set_int.restype = None
    get_int = lib.get_int
    get_int.argtypes = (ctypes.POINTER(ctypes.c_int),)
    x = ctypes.c_int(5)
    set_int(ctypes.pointer(x), -17)
    assert x.value == -17
    set_int(ctypes.byref(x), 23)  # byref is accepted for a POINTER argtype too
    assert x.value == 23
    assert get_int(ctypes.byref(ctypes.c_int(77))) == 77


def test_pointer_object_sees_change(ctypes, dll):
    set_int = dll("memory").set_int
    set_int.restype = None
    x = ctypes.c_int(1)
    p = ctypes.pointer(x)
    set_int(p, 99)
    assert p.contents.value == 99
    assert x.value == 99


@given(start=st.floats(-1e6, 1e6), step=st.floats(-1e6, 1e6))
def test_byref_double_in_out(ctypes, dll, start, step):
    add = dll("memory").add_to_double
    add.argtypes = (ctypes.POINTER(ctypes.c_double), ctypes.c_double)
    add.restype = None
    d = ctypes.c_double(start)
    add(ctypes.byref(d), step)
    assert d.value == start + step


@given(a=st.integers(-(2**63), 2**63 - 1), b=st.integers(-(2**63), 2**63 - 1))
def test_two_pointers(ctypes, dll, a, b):
    swap = dll("memory").swap_longlong
    swap.restype = None
    x, y = ctypes.c_longlong(a), ctypes.c_longlong(b)
    swap(ctypes.byref(x), ctypes.byref(y))
    assert (x.value, y.value) == (b, a)
