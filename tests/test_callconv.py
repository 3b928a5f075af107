# -*- coding: utf-8 -*-
"""
Calling conventions and argument placement: routines with 5 to 12 arguments
mixing int, long long, float, double and narrow integers (sentinel style: each
argument weighted by its own prime, so one in a wrong register or stack slot
shows), float and double results of such routines, cdecl against stdcall, and
the check of the stack after a win32 stdcall call with a wrong argument count.

Routines from tests/dlls/many.c and integers.c.
"""

import ctypes as host_ctypes  # CPython's own ctypes, only to round to float32
import functools

import pytest
from hypothesis import given, strategies as st

WEIGHTS = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]

int32 = st.integers(-(2**31), 2**31 - 1)
int64 = st.integers(-(2**63), 2**63 - 1)
f32 = st.floats(-1e6, 1e6, width=32)
f64 = st.floats(-1e12, 1e12)


def int_sum(args):
    return sum(a * w for a, w in zip(args, WEIGHTS))


def float_sum(args):
    """Weighted sum in double precision, left to right, as many.c computes it."""
    terms = [a * float(w) for a, w in zip(args, WEIGHTS)]
    return functools.reduce(lambda total, term: total + term, terms)


def to_f32(x):
    return host_ctypes.c_float(x).value


def routine(lib, name, argtypes, restype):
    func = getattr(lib, name)
    func.argtypes = argtypes
    func.restype = restype
    return func


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# many arguments, integer results
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(args=st.tuples(*[int32] * 5))
def test_many5_ints(ctypes, dll, args):
    func = routine(dll("many"), "many5_iiiii", (ctypes.c_int,) * 5, ctypes.c_longlong)
    assert func(*args) == int_sum(args)


@given(args=st.tuples(*[int32, st.integers(-(2**56), 2**56)] * 3))
def test_many6_ints_and_longlongs(ctypes, dll, args):
    types = (ctypes.c_int, ctypes.c_longlong) * 3
    func = routine(dll("many"), "many6_iLiLiL", types, ctypes.c_longlong)
    assert func(*args) == int_sum(args)


@given(
    args=st.tuples(
        st.integers(-128, 127),
        st.integers(-(2**15), 2**15 - 1),
        int32,
        st.integers(0, 255),
        st.integers(0, 2**16 - 1),
        st.integers(-(2**40), 2**40),
        st.integers(-128, 127),
        st.integers(-(2**15), 2**15 - 1),
    )
)
def test_many8_narrow_integers(ctypes, dll, args):
    c = ctypes
    types = (c.c_byte, c.c_short, c.c_int, c.c_ubyte, c.c_ushort, c.c_longlong, c.c_byte, c.c_short)
    func = routine(dll("many"), "many8_narrow", types, c.c_longlong)
    assert func(*args) == int_sum(args)


@given(args=st.tuples(*[st.integers(-(2**55), 2**55)] * 11))
def test_many11_longlongs(ctypes, dll, args):
    func = routine(dll("many"), "many11_L", (ctypes.c_longlong,) * 11, ctypes.c_longlong)
    assert func(*args) == int_sum(args)


def test_many_distinct_positions(ctypes, dll):
    # One argument set at a time: the result names the position that arrived.
    func = routine(dll("many"), "many11_L", (ctypes.c_longlong,) * 11, ctypes.c_longlong)
    for i in range(11):
        args = [0] * 11
        args[i] = 1
        assert func(*args) == WEIGHTS[i], f"argument {i + 1} arrived elsewhere"


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# many arguments, floating point results
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(args=st.tuples(int32, f64, f32, f64, int32, f32, f64))
def test_many7_mixed(ctypes, dll, args):
    c = ctypes
    types = (c.c_int, c.c_double, c.c_float, c.c_double, c.c_int, c.c_float, c.c_double)
    func = routine(dll("many"), "many7_idfdifd", types, c.c_double)
    assert func(*args) == float_sum(args)


@given(args=st.tuples(*[f32] * 8))
def test_many8_floats(ctypes, dll, args):
    func = routine(dll("many"), "many8_f", (ctypes.c_float,) * 8, ctypes.c_double)
    assert func(*args) == float_sum(args)


@given(args=st.tuples(*[f64] * 9))
def test_many9_doubles(ctypes, dll, args):
    func = routine(dll("many"), "many9_d", (ctypes.c_double,) * 9, ctypes.c_double)
    assert func(*args) == float_sum(args)


@given(args=st.tuples(int64, f32, int32, f64, f32, int32, f64, f32, int32, f64))
def test_many10_mixed(ctypes, dll, args):
    c = ctypes
    types = (c.c_longlong, c.c_float, c.c_int, c.c_double, c.c_float, c.c_int, c.c_double, c.c_float, c.c_int, c.c_double)
    func = routine(dll("many"), "many10_Lfidfidfid", types, c.c_double)
    assert func(*args) == float_sum(args)


@given(args=st.tuples(*[f32, f64, int32, int64] * 3))
def test_many12_mixed(ctypes, dll, args):
    c = ctypes
    types = (c.c_float, c.c_double, c.c_int, c.c_longlong) * 3
    func = routine(dll("many"), "many12_fdiL", types, c.c_double)
    assert func(*args) == float_sum(args)


@given(args=st.tuples(int32, f32, int32, f32, int32, f32))
def test_many6_float_result(ctypes, dll, args):
    c = ctypes
    types = (c.c_int, c.c_float) * 3
    func = routine(dll("many"), "many6_float_result", types, c.c_float)
    assert func(*args) == to_f32(float_sum(args))


def test_many_float_positions(ctypes, dll):
    c = ctypes
    types = (c.c_float, c.c_double, c.c_int, c.c_longlong) * 3
    func = routine(dll("many"), "many12_fdiL", types, c.c_double)
    for i in range(12):
        args = [0] * 12
        args[i] = 1
        assert func(*args) == WEIGHTS[i], f"argument {i + 1} arrived elsewhere"


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# cdecl and stdcall
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_loader_matches_convention(ctypes, conv, dll):
    lib = dll("integers")
    assert isinstance(lib, ctypes.WinDLL if conv == "stdcall" else ctypes.CDLL)
    # Many calls in a row: a stack that is not cleaned up would show soon.
    add = lib.add_int
    for i in range(200):
        assert add(i, 1) == i + 1


def test_win64_has_one_convention(ctypes, arch, dll_builder):
    # On win64 __cdecl and __stdcall are the same convention: either build
    # works through either loader.
    if arch != "win64":
        pytest.skip("win64 only")
    for build_conv in ("cdecl", "stdcall"):
        path = str(dll_builder("many", arch, build_conv))
        for loader in (ctypes.CDLL, ctypes.WinDLL):
            func = routine(loader(path), "many5_iiiii", (ctypes.c_int,) * 5, ctypes.c_longlong)
            assert func(1, 1, 1, 1, 1) == 28


def test_win64_extra_arguments_are_harmless(ctypes, arch, dll_builder):
    if arch != "win64":
        pytest.skip("win64 only")
    lib = ctypes.WinDLL(str(dll_builder("integers", arch, "stdcall")))
    assert lib.add_int(1, 2, 3, 4) == 3


def test_win32_wrong_argument_count_is_not_an_error(ctypes, arch, dll_builder):
    # CPython 3.11 on Windows no longer checks the stack after stdcall calls (bpo-30470):
    # a wrong argument count without argtypes returns a value instead of raising. The
    # thunk restores the stack pointer either way, so the session goes on.
    if arch != "win32":
        pytest.skip("stdcall callee cleanup exists on win32 only")
    lib = ctypes.WinDLL(str(dll_builder("integers", arch, "stdcall")))
    lib.add_int(1, 2, 3)  # one argument too many: the callee pops 8 of 12 bytes
    assert lib.add_int(20, 22) == 42
