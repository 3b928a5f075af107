# -*- coding: utf-8 -*-
"""
Fundamental integer types with argtypes and restype set, as CPython's ctypes
on Windows handles them: sizes of the Windows ABI (long is 32 bits, wchar_t 16
bits, size_t follows the pointer), the full value range of every type, the
silent masking of too-large Python ints, c_bool, c_char, c_wchar and c_void_p.

Routines from tests/dlls/integers.c: echo_<name>, add_<name>, widen_<name>.
"""

import pytest
from hypothesis import given, strategies as st

# (suffix in integers.c, ctypes type name, bits or None for pointer-sized, signed)
INTEGERS = [
    ("schar", "c_byte", 8, True),
    ("uchar", "c_ubyte", 8, False),
    ("short", "c_short", 16, True),
    ("ushort", "c_ushort", 16, False),
    ("int", "c_int", 32, True),
    ("uint", "c_uint", 32, False),
    ("long", "c_long", 32, True),
    ("ulong", "c_ulong", 32, False),
    ("longlong", "c_longlong", 64, True),
    ("ulonglong", "c_ulonglong", 64, False),
    ("size_t", "c_size_t", None, False),
    ("ssize_t", "c_ssize_t", None, True),
    ("int8", "c_int8", 8, True),
    ("uint8", "c_uint8", 8, False),
    ("int16", "c_int16", 16, True),
    ("uint16", "c_uint16", 16, False),
    ("int32", "c_int32", 32, True),
    ("uint32", "c_uint32", 32, False),
    ("int64", "c_int64", 64, True),
    ("uint64", "c_uint64", 64, False),
]
INTEGER_IDS = [item[0] for item in INTEGERS]

POINTER_BITS = {"win32": 32, "win64": 64}


def bits_of(bits, arch):
    return POINTER_BITS[arch] if bits is None else bits


def value_range(bits, signed):
    if signed:
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1


def wrap(value, bits, signed):
    """value reduced to the type's width, two's complement, as C and ctypes do."""
    value &= 2**bits - 1
    if signed and value >= 2 ** (bits - 1):
        value -= 2**bits
    return value


def routine(lib, ctypes, prefix, suffix, tname, nargs, restype=None):
    ctype = getattr(ctypes, tname)
    func = getattr(lib, f"{prefix}_{suffix}")
    func.argtypes = (ctype,) * nargs
    func.restype = ctype if restype is None else restype
    return func


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# sizes
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@pytest.mark.parametrize("suffix,tname,bits,signed", INTEGERS, ids=INTEGER_IDS)
def test_integer_sizes(ctypes, arch, suffix, tname, bits, signed):
    assert ctypes.sizeof(getattr(ctypes, tname)) * 8 == bits_of(bits, arch)


def test_other_sizes(ctypes, arch):
    pointer_size = POINTER_BITS[arch] // 8
    assert ctypes.sizeof(ctypes.c_void_p) == pointer_size
    assert ctypes.sizeof(ctypes.c_char_p) == pointer_size
    assert ctypes.sizeof(ctypes.c_wchar_p) == pointer_size
    assert ctypes.sizeof(ctypes.c_wchar) == 2
    assert ctypes.sizeof(ctypes.c_bool) == 1
    assert ctypes.sizeof(ctypes.c_char) == 1
    assert ctypes.sizeof(ctypes.c_float) == 4
    assert ctypes.sizeof(ctypes.c_double) == 8
    assert ctypes.sizeof(ctypes.c_longdouble) == 8  # long double is double with MSVC


def test_sizes_seen_by_the_dll(ctypes, dll, arch):
    lib = dll("integers")
    assert lib.sizeof_wchar() == 2
    assert lib.sizeof_void_p() == POINTER_BITS[arch] // 8


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# full range, identity and arithmetic
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@pytest.mark.parametrize("suffix,tname,bits,signed", INTEGERS, ids=INTEGER_IDS)
@given(data=st.data())
def test_echo_full_range(ctypes, dll, arch, suffix, tname, bits, signed, data):
    lo, hi = value_range(bits_of(bits, arch), signed)
    func = routine(dll("integers"), ctypes, "echo", suffix, tname, 1)
    x = data.draw(st.integers(lo, hi), label="x")
    result = func(x)
    assert type(result) is int
    assert result == x


@pytest.mark.parametrize("suffix,tname,bits,signed", INTEGERS, ids=INTEGER_IDS)
def test_echo_limits(ctypes, dll, arch, suffix, tname, bits, signed):
    lo, hi = value_range(bits_of(bits, arch), signed)
    func = routine(dll("integers"), ctypes, "echo", suffix, tname, 1)
    for x in (lo, lo + 1, -1 if signed else 1, 0, 1, hi - 1, hi):
        assert func(x) == x


@pytest.mark.parametrize("suffix,tname,bits,signed", INTEGERS, ids=INTEGER_IDS)
@given(data=st.data())
def test_add_wraps(ctypes, dll, arch, suffix, tname, bits, signed, data):
    width = bits_of(bits, arch)
    lo, hi = value_range(width, signed)
    func = routine(dll("integers"), ctypes, "add", suffix, tname, 2)
    a = data.draw(st.integers(lo, hi), label="a")
    b = data.draw(st.integers(lo, hi), label="b")
    assert func(a, b) == wrap(a + b, width, signed)


@pytest.mark.parametrize("suffix,tname,bits,signed", INTEGERS, ids=INTEGER_IDS)
@given(data=st.data())
def test_widen_in_dll(ctypes, dll, arch, suffix, tname, bits, signed, data):
    # The DLL converts its argument to long long: sign or zero extension of
    # narrow arguments happens on the DLL side, as the ABI demands.
    width = bits_of(bits, arch)
    lo, hi = value_range(width, signed)
    func = routine(dll("integers"), ctypes, "widen", suffix, tname, 1, restype=ctypes.c_longlong)
    x = data.draw(st.integers(lo, hi), label="x")
    assert func(x) == wrap(x, 64, True)


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# out-of-range Python ints: ctypes masks them silently
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@pytest.mark.parametrize("suffix,tname,bits,signed", INTEGERS, ids=INTEGER_IDS)
@given(x=st.integers(-(2**80), 2**80))
def test_argument_is_masked(ctypes, dll, arch, suffix, tname, bits, signed, x):
    func = routine(dll("integers"), ctypes, "echo", suffix, tname, 1)
    assert func(x) == wrap(x, bits_of(bits, arch), signed)


def test_masking_examples(ctypes, dll):
    lib = dll("integers")
    echo_uint = routine(lib, ctypes, "echo", "uint", "c_uint", 1)
    assert echo_uint(2**32 + 5) == 5
    assert echo_uint(-1) == 2**32 - 1
    echo_uchar = routine(lib, ctypes, "echo", "uchar", "c_ubyte", 1)
    assert echo_uchar(-1) == 255
    assert echo_uchar(256 + 7) == 7
    echo_schar = routine(lib, ctypes, "echo", "schar", "c_byte", 1)
    assert echo_schar(200) == -56
    echo_long = routine(lib, ctypes, "echo", "long", "c_long", 1)
    assert echo_long(2**31) == -(2**31)  # long is 32 bits on Windows
    echo_ulong = routine(lib, ctypes, "echo", "ulong", "c_ulong", 1)
    assert echo_ulong(2**32 + 1) == 1


def test_restype_narrower_than_value(ctypes, dll):
    # A return value read through a narrower restype keeps its low bits only.
    echo_int = dll("integers").echo_int
    echo_int.argtypes = (ctypes.c_int,)
    echo_int.restype = ctypes.c_ubyte
    assert echo_int(0x1234) == 0x34
    echo_int.restype = ctypes.c_short
    assert echo_int(0x18000) == -0x8000


def test_non_integer_argument_raises_argument_error(ctypes, dll):
    echo_int = routine(dll("integers"), ctypes, "echo", "int", "c_int", 1)
    with pytest.raises(ctypes.ArgumentError, match="argument 1"):
        echo_int(1.5)
    with pytest.raises(ctypes.ArgumentError, match="argument 1"):
        echo_int("5")
    assert echo_int(5) == 5


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# c_bool
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(a=st.booleans(), b=st.booleans())
def test_bool(ctypes, dll, a, b):
    lib = dll("integers")
    echo_bool = routine(lib, ctypes, "echo", "bool", "c_bool", 1)
    and_bool = routine(lib, ctypes, "and", "bool", "c_bool", 2)
    assert echo_bool(a) is a
    assert and_bool(a, b) is (a and b)


def test_bool_converts_any_object_by_truth(ctypes, dll):
    lib = dll("integers")
    int_of_bool = lib.int_of_bool
    int_of_bool.argtypes = (ctypes.c_bool,)
    for value, expected in [(7, 1), (-1, 1), (0, 0), ("x", 1), ("", 0), ([], 0), ([0], 1), (None, 0), (2**70, 1)]:
        assert int_of_bool(value) == expected, value


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# c_char: one byte
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++

one_byte = st.binary(min_size=1, max_size=1)


@given(a=one_byte, b=one_byte)
def test_char(ctypes, dll, a, b):
    lib = dll("integers")
    echo_char = routine(lib, ctypes, "echo", "char", "c_char", 1)
    xor_char = routine(lib, ctypes, "xor", "char", "c_char", 2)
    code_of_char = lib.code_of_char
    code_of_char.argtypes = (ctypes.c_char,)
    assert echo_char(a) == a
    assert type(echo_char(a)) is bytes
    assert xor_char(a, b) == bytes([a[0] ^ b[0]])
    assert code_of_char(a) == a[0]


def test_char_accepts_int_code(ctypes, dll):
    echo_char = routine(dll("integers"), ctypes, "echo", "char", "c_char", 1)
    assert echo_char(65) == b"A"
    assert echo_char(255) == b"\xff"


def test_char_rejects_longer_bytes_and_str(ctypes, dll):
    echo_char = routine(dll("integers"), ctypes, "echo", "char", "c_char", 1)
    with pytest.raises(ctypes.ArgumentError, match="argument 1"):
        echo_char(b"ab")
    with pytest.raises(ctypes.ArgumentError, match="argument 1"):
        echo_char("a")


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# c_wchar: one UTF-16 code unit on Windows (a non-BMP character needs two,
# which one c_wchar cannot hold, so only BMP characters are drawn)
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++

bmp_char = st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs",))


@given(a=bmp_char, b=bmp_char)
def test_wchar(ctypes, dll, a, b):
    lib = dll("integers")
    echo_wchar = routine(lib, ctypes, "echo", "wchar", "c_wchar", 1)
    max_wchar = routine(lib, ctypes, "max", "wchar", "c_wchar", 2)
    code_of_wchar = lib.code_of_wchar
    code_of_wchar.argtypes = (ctypes.c_wchar,)
    assert echo_wchar(a) == a
    assert type(echo_wchar(a)) is str
    assert max_wchar(a, b) == max(a, b)
    assert code_of_wchar(a) == ord(a)


def test_wchar_examples(ctypes, dll):
    lib = dll("integers")
    code_of_wchar = lib.code_of_wchar
    code_of_wchar.argtypes = (ctypes.c_wchar,)
    assert code_of_wchar("\u20ac") == 0x20AC
    assert code_of_wchar("\uffff") == 0xFFFF
    assert code_of_wchar("\x00") == 0
    echo_wchar = routine(lib, ctypes, "echo", "wchar", "c_wchar", 1)
    assert echo_wchar("\u00fc") == "\u00fc"
    with pytest.raises(ctypes.ArgumentError, match="argument 1"):
        echo_wchar("ab")


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# c_void_p: an address as int, NULL as None
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(data=st.data())
def test_void_p(ctypes, dll, arch, data):
    bits = POINTER_BITS[arch]
    lib = dll("integers")
    echo = routine(lib, ctypes, "echo", "void_p", "c_void_p", 1)
    offset = lib.offset_void_p
    offset.argtypes = (ctypes.c_void_p, ctypes.c_ssize_t)
    offset.restype = ctypes.c_void_p
    p = data.draw(st.integers(1, 2**bits - 1), label="p")
    n = data.draw(st.integers(-4096, 4096), label="n")
    assert echo(p) == p
    moved = (p + n) % 2**bits
    assert offset(p, n) == (moved or None)


def test_void_p_null(ctypes, dll):
    lib = dll("integers")
    echo = routine(lib, ctypes, "echo", "void_p", "c_void_p", 1)
    assert echo(None) is None
    assert echo(0) is None
    is_null = lib.is_null
    is_null.argtypes = (ctypes.c_void_p,)
    assert is_null(None) == 1
    assert is_null(0) == 1
    assert is_null(4096) == 0
