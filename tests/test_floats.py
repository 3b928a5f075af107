# -*- coding: utf-8 -*-
"""
float and double (and c_longdouble, which is double on Windows) as arguments
and return values: bit-exact identity over the whole range including
infinities, NaNs, signed zeros and subnormals; IEEE arithmetic done inside the
DLL; floating point results computed from integer arguments only, which come
back wrong when a caller reads the integer register instead of st(0) (win32)
or XMM0 (win64).

Routines from tests/dlls/floats.c.
"""

import ctypes as host_ctypes  # CPython's own ctypes, only to round to float32
import math

import pytest
from hypothesis import given, strategies as st

f32 = st.floats(width=32)
f64 = st.floats()
int32 = st.integers(-(2**31), 2**31 - 1)


def to_f32(x):
    """x rounded to the nearest float32, as a C cast does (overflow -> inf)."""
    return host_ctypes.c_float(x).value


def same_float(result, expected):
    """Equal including the sign of zero; any NaN matches any NaN."""
    if math.isnan(expected):
        return math.isnan(result)
    return result == expected and math.copysign(1.0, result) == math.copysign(1.0, expected)


def routine(lib, name, argtypes, restype):
    func = getattr(lib, name)
    func.argtypes = argtypes
    func.restype = restype
    return func


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# float
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(x=f32)
def test_echo_float(ctypes, dll, x):
    echo = routine(dll("floats"), "echo_float", (ctypes.c_float,), ctypes.c_float)
    result = echo(x)
    assert type(result) is float
    assert same_float(result, x)


@given(x=f64)
def test_echo_float_rounds_double_argument(ctypes, dll, x):
    echo = routine(dll("floats"), "echo_float", (ctypes.c_float,), ctypes.c_float)
    assert same_float(echo(x), to_f32(x))


@given(a=f32, b=f32)
def test_add_float(ctypes, dll, a, b):
    add = routine(dll("floats"), "add_float", (ctypes.c_float, ctypes.c_float), ctypes.c_float)
    assert same_float(add(a, b), to_f32(a + b))


@given(a=f32, b=f32)
def test_mul_float(ctypes, dll, a, b):
    mul = routine(dll("floats"), "mul_float", (ctypes.c_float, ctypes.c_float), ctypes.c_float)
    assert same_float(mul(a, b), to_f32(a * b))


def test_float_special_values(ctypes, dll):
    echo = routine(dll("floats"), "echo_float", (ctypes.c_float,), ctypes.c_float)
    assert echo(math.inf) == math.inf
    assert echo(-math.inf) == -math.inf
    assert math.isnan(echo(math.nan))
    assert same_float(echo(-0.0), -0.0)
    assert echo(1e300) == math.inf  # too large for float: rounds to infinity
    assert echo(1.401298464324817e-45) == 1.401298464324817e-45  # smallest subnormal
    assert echo(0.1) == to_f32(0.1) != 0.1
    assert echo(16777217) == 16777216.0  # ints are accepted and rounded


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# double
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(x=f64)
def test_echo_double(ctypes, dll, x):
    echo = routine(dll("floats"), "echo_double", (ctypes.c_double,), ctypes.c_double)
    result = echo(x)
    assert type(result) is float
    assert same_float(result, x)


@given(a=f64, b=f64)
def test_add_double(ctypes, dll, a, b):
    add = routine(dll("floats"), "add_double", (ctypes.c_double, ctypes.c_double), ctypes.c_double)
    assert same_float(add(a, b), a + b)


@given(a=f64, b=f64)
def test_mul_double(ctypes, dll, a, b):
    mul = routine(dll("floats"), "mul_double", (ctypes.c_double, ctypes.c_double), ctypes.c_double)
    assert same_float(mul(a, b), a * b)


def test_double_special_values(ctypes, dll):
    echo = routine(dll("floats"), "echo_double", (ctypes.c_double,), ctypes.c_double)
    for x in (math.inf, -math.inf, 5e-324, -5e-324, 1.7976931348623157e308, -0.0, 0.0):
        assert same_float(echo(x), x)
    assert math.isnan(echo(math.nan))
    assert echo(3) == 3.0 and type(echo(3)) is float
    assert echo(2**53 + 1) == float(2**53)


@given(x=f64)
def test_longdouble_is_double(ctypes, dll, x):
    # c_longdouble is 8 bytes on Windows, so a double routine takes it.
    echo = routine(dll("floats"), "echo_double", (ctypes.c_longdouble,), ctypes.c_longdouble)
    assert same_float(echo(x), x)


def test_float_argument_rejects_str(ctypes, dll):
    echo = routine(dll("floats"), "echo_double", (ctypes.c_double,), ctypes.c_double)
    with pytest.raises(ctypes.ArgumentError, match="argument 1"):
        echo("1.5")
    assert echo(1.5) == 1.5


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# floating point results from integer arguments, and back
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(a=int32, b=int32.filter(lambda v: v != 0))
def test_float_result_from_ints(ctypes, dll, a, b):
    div = routine(dll("floats"), "div_float_from_ints", (ctypes.c_int, ctypes.c_int), ctypes.c_float)
    assert div(a, b) == to_f32(to_f32(a) / to_f32(b))


@given(a=int32, b=int32.filter(lambda v: v != 0))
def test_double_result_from_ints(ctypes, dll, a, b):
    div = routine(dll("floats"), "div_double_from_ints", (ctypes.c_int, ctypes.c_int), ctypes.c_double)
    assert div(a, b) == a / b


@given(x=st.integers(-(2**63), 2**63 - 1))
def test_double_result_from_longlong(ctypes, dll, x):
    conv = routine(dll("floats"), "double_from_longlong", (ctypes.c_longlong,), ctypes.c_double)
    assert conv(x) == float(x)


def test_results_without_arguments(ctypes, dll):
    lib = dll("floats")
    assert routine(lib, "float_const", (), ctypes.c_float)() == 0.15625
    assert routine(lib, "double_const", (), ctypes.c_double)() == -2.75


def test_float_results_without_argtypes(ctypes, dll):
    # Only restype is set: the integer arguments travel as C ints.
    lib = dll("floats")
    div_float = lib.div_float_from_ints
    div_float.restype = ctypes.c_float
    assert div_float(1, 4) == 0.25
    div_double = lib.div_double_from_ints
    div_double.restype = ctypes.c_double
    assert div_double(-1, 3) == -1 / 3


@given(a=st.integers(-(2**20), 2**20), b=st.floats(-(2**20), 2**20, width=32))
def test_int_result_from_float_argument(ctypes, dll, a, b):
    func = routine(dll("floats"), "trunc_float_plus_int", (ctypes.c_int, ctypes.c_float), ctypes.c_int)
    assert func(a, b) == a + int(b)


@given(a=st.integers(-(2**40), 2**40), b=st.floats(-(2**50), 2**50))
def test_longlong_result_from_double_argument(ctypes, dll, a, b):
    func = routine(
        dll("floats"), "trunc_double_plus_longlong", (ctypes.c_longlong, ctypes.c_double), ctypes.c_longlong
    )
    assert func(a, b) == a + int(b)


def test_float_default_restype_is_int(ctypes, dll):
    # Without restype the result is read as a C int, as ctypes does: for a
    # routine returning a double this is not the double's value.
    lib = dll("floats")
    func = lib.double_const
    assert func.restype is ctypes.c_int
    assert isinstance(func(), int)
