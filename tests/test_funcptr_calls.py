# -*- coding: utf-8 -*-
"""
Calling routines without argtypes, as ctypes converts the arguments then:
Python int -> C int (a value must fit in 32 bits, signed or unsigned: Windows'
long is 32 bits), bool -> int, bytes -> char *, str -> wchar_t * (UTF-16),
None -> NULL, ctypes instances as their own type, objects with
_as_parameter_; a float needs wrapping (c_double) or ArgumentError follows.
Also restype None, callable restypes, errcheck, and the argument count rules
with argtypes set (cdecl accepts extra arguments, stdcall does not).

Routines from tests/dlls/integers.c, floats.c, strings.c, state.c and many.c.
"""

import pytest
from hypothesis import given, strategies as st


def wrap32(value):
    value &= 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# plain Python objects
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(x=st.integers(-(2**31), 2**32 - 1))
def test_int_travels_as_c_int(ctypes, dll, x):
    lib = dll("integers")
    assert lib.echo_int(x) == wrap32(x)


def test_int_examples(ctypes, dll):
    lib = dll("integers")
    assert lib.echo_int(0) == 0
    assert lib.echo_int(-1) == -1
    assert lib.echo_int(2**31) == -(2**31)
    assert lib.echo_int(2**32 - 1) == -1
    assert lib.add_int(2**31 - 1, 1) == -(2**31)


@pytest.mark.parametrize("value", [2**32, -(2**31) - 1, 2**64, -(2**63)])
def test_int_too_large_raises_argument_error(ctypes, dll, value):
    lib = dll("integers")
    with pytest.raises(ctypes.ArgumentError, match="argument 1.*int too long to convert"):
        lib.echo_int(value)
    assert lib.echo_int(3) == 3


def test_int_in_second_position_too_large(ctypes, dll):
    lib = dll("integers")
    with pytest.raises(ctypes.ArgumentError, match="argument 2"):
        lib.add_int(1, 2**40)


def test_bool(ctypes, dll):
    lib = dll("integers")
    assert lib.echo_int(True) == 1
    assert lib.echo_int(False) == 0


def test_none_is_null(ctypes, dll):
    assert dll("integers").is_null(None) == 1
    assert dll("strings").str_is_null(None) == 1
    assert dll("strings").wstr_len(None) == -1


def test_bytes_is_char_pointer(ctypes, dll):
    lib = dll("strings")
    assert lib.str_len(b"zugbruecke") == 10
    assert lib.str_len(b"") == 0
    assert lib.str_is_null(b"") == 0
    sum_ = lib.str_sum
    sum_.restype = ctypes.c_longlong
    assert sum_(b"\xff\x01") == 256


def test_str_is_wchar_pointer(ctypes, dll):
    lib = dll("strings")
    assert lib.wstr_len("Br\u00fccke") == 6
    assert lib.wstr_len("\U0001F309") == 2  # one non-BMP character: a surrogate pair
    sum_ = lib.wstr_sum
    sum_.restype = ctypes.c_longlong
    assert sum_("\u20ac") == 0x20AC


def test_float_needs_wrapping(ctypes, dll):
    lib = dll("floats")
    with pytest.raises(ctypes.ArgumentError, match="argument 1.*Don't know how to convert parameter 1"):
        lib.echo_double(1.5)
    with pytest.raises(ctypes.ArgumentError, match="argument 2"):
        lib.add_double(ctypes.c_double(1.0), 2.5)


def test_unsupported_objects_raise_argument_error(ctypes, dll):
    lib = dll("integers")
    for value in ([1], {"a": 1}, object(), 1j):
        with pytest.raises(ctypes.ArgumentError, match="argument 1"):
            lib.echo_int(value)


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# ctypes instances
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(x=st.floats(allow_nan=False))
def test_c_double_instance(ctypes, dll, x):
    echo = dll("floats").echo_double
    echo.restype = ctypes.c_double
    assert echo(ctypes.c_double(x)) == x


def test_c_float_instance(ctypes, dll):
    lib = dll("floats")
    echo = lib.echo_float
    echo.restype = ctypes.c_float
    assert echo(ctypes.c_float(2.5)) == 2.5
    add = lib.add_float
    add.restype = ctypes.c_float
    assert add(ctypes.c_float(1.25), ctypes.c_float(-3.5)) == -2.25


def test_mixed_ctypes_instances(ctypes, dll):
    func = dll("floats").trunc_double_plus_longlong
    func.restype = ctypes.c_longlong
    assert func(ctypes.c_longlong(2**40), ctypes.c_double(-7.9)) == 2**40 - 7


@given(x=st.integers(-(2**63), 2**63 - 1))
def test_c_longlong_instance(ctypes, dll, x):
    echo = dll("integers").echo_longlong
    echo.restype = ctypes.c_longlong
    assert echo(ctypes.c_longlong(x)) == x


@pytest.mark.parametrize(
    "suffix,tname,value",
    [
        ("schar", "c_byte", -100),
        ("uchar", "c_ubyte", 200),
        ("short", "c_short", -30000),
        ("ushort", "c_ushort", 60000),
        ("uint", "c_uint", 4000000000),
        ("ulonglong", "c_ulonglong", 2**64 - 2),
        ("size_t", "c_size_t", 12345),
    ],
)
def test_integer_instances(ctypes, dll, suffix, tname, value):
    ctype = getattr(ctypes, tname)
    echo = getattr(dll("integers"), f"echo_{suffix}")
    echo.restype = ctype
    assert echo(ctype(value)) == value


def test_char_and_wchar_instances(ctypes, dll):
    lib = dll("integers")
    echo_char = lib.echo_char
    echo_char.restype = ctypes.c_char
    assert echo_char(ctypes.c_char(b"z")) == b"z"
    echo_wchar = lib.echo_wchar
    echo_wchar.restype = ctypes.c_wchar
    assert echo_wchar(ctypes.c_wchar("\u20ac")) == "\u20ac"
    echo_bool = lib.echo_bool
    echo_bool.restype = ctypes.c_bool
    assert echo_bool(ctypes.c_bool(True)) is True


def test_pointer_instances(ctypes, dll):
    strings = dll("strings")
    assert strings.str_len(ctypes.c_char_p(b"abc")) == 3
    assert strings.str_len(ctypes.c_char_p(None)) == -1
    assert strings.wstr_len(ctypes.c_wchar_p("abcd")) == 4
    assert dll("integers").is_null(ctypes.c_void_p(None)) == 1
    assert dll("integers").is_null(ctypes.c_void_p(4096)) == 0


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# _as_parameter_
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


class Wrapped:
    def __init__(self, value):
        self._as_parameter_ = value


class WrappedProperty:
    @property
    def _as_parameter_(self):
        return 1234


def test_as_parameter(ctypes, dll):
    lib = dll("integers")
    assert lib.echo_int(Wrapped(42)) == 42
    assert lib.echo_int(WrappedProperty()) == 1234
    assert lib.add_int(Wrapped(40), Wrapped(Wrapped(2))) == 42
    strings = dll("strings")
    assert strings.str_len(Wrapped(b"four")) == 4
    echo = dll("floats").echo_double
    echo.restype = ctypes.c_double
    assert echo(Wrapped(ctypes.c_double(0.5))) == 0.5


def test_as_parameter_with_argtypes(ctypes, dll):
    add = dll("integers").add_int
    add.argtypes = (ctypes.c_int, ctypes.c_int)
    assert add(Wrapped(1), 2) == 3


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# restype variants and errcheck
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_restype_none(ctypes, dll):
    lib = dll("state")
    lib.store_int.restype = None
    assert lib.store_int(-99) is None
    assert lib.load_int() == -99
    lib.store_double.restype = None
    lib.load_double.restype = ctypes.c_double
    assert lib.store_double(ctypes.c_double(6.25)) is None
    assert lib.load_double() == 6.25


def test_void_routine_without_arguments(ctypes, dll):
    lib = dll("state")
    lib.count_call.restype = None
    before = lib.call_count()
    assert lib.count_call() is None
    assert lib.count_call() is None
    assert lib.call_count() == before + 2


def test_callable_restype(ctypes, dll):
    # A restype that is not a ctypes type is called with the int result.
    echo = dll("integers").echo_int
    echo.restype = lambda value: ("wrapped", value)
    assert echo(21) == ("wrapped", 21)


def test_errcheck(ctypes, dll):
    add = dll("integers").add_int
    add.argtypes = (ctypes.c_int, ctypes.c_int)
    seen = []

    def errcheck(result, func, args):
        seen.append((result, func, tuple(args)))
        return result * 10

    add.errcheck = errcheck
    assert add(2, 3) == 50
    assert seen[0][0] == 5 and seen[0][1] is add and seen[0][2] == (2, 3)


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# argument count with argtypes
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_too_few_arguments_with_argtypes(ctypes, conv, dll):
    add = dll("integers").add_int
    add.argtypes = (ctypes.c_int, ctypes.c_int)
    if conv == "cdecl":
        message = r"this function takes at least 2 arguments \(1 given\)"
    else:
        message = r"this function takes 2 arguments \(1 given\)"
    with pytest.raises(TypeError, match=message):
        add(1)
    with pytest.raises(TypeError, match=r"this function takes (at least )?2 arguments \(0 given\)"):
        add()
    assert add(1, 2) == 3


def test_extra_arguments_with_argtypes(ctypes, conv, dll):
    # cdecl routines accept arguments beyond argtypes (converted like those of
    # a call without argtypes); stdcall routines must get exactly argtypes.
    echo = dll("integers").echo_int
    echo.argtypes = (ctypes.c_int,)
    if conv == "cdecl":
        assert echo(5, 6) == 5
        assert echo(5, b"extra", None) == 5
    else:
        with pytest.raises(TypeError, match=r"this function takes 1 argument \(2 given\)"):
            echo(5, 6)
    assert echo(7) == 7


def test_many_arguments_without_argtypes(ctypes, dll):
    lib = dll("many")
    func = lib.many5_iiiii
    func.restype = ctypes.c_longlong
    assert func(1, 2, 3, 4, 5) == 1 * 2 + 2 * 3 + 3 * 5 + 4 * 7 + 5 * 11
    mixed = lib.many7_idfdifd
    mixed.restype = ctypes.c_double
    args = (1, ctypes.c_double(0.5), ctypes.c_float(0.25), ctypes.c_double(-2.0), -3, ctypes.c_float(8.0), ctypes.c_double(1.0))
    assert mixed(*args) == 1 * 2.0 + 0.5 * 3.0 + 0.25 * 5.0 + -2.0 * 7.0 + -3 * 11.0 + 8.0 * 13.0 + 1.0 * 17.0
