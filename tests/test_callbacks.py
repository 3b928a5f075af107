# -*- coding: utf-8 -*-
"""
Callbacks: Python functions wrapped in CFUNCTYPE (cdecl builds) or WINFUNCTYPE
(stdcall builds) and called by a DLL, in the style of libffi's closure tests:
one small routine per signature calls the callback with fixed sentinel
arguments and returns something computed from its result, so an argument in
the wrong register or stack slot, a lost sign extension or a misread result
shows. Forwarding routines carry Hypothesis' values through the callback.
Also pointers the callback reads and changes, structures by value, void
callbacks, function pointers in structures and arrays, NULL, callbacks that get
function pointers, fixed conventions, nesting and sorting.

Routines from tests/dlls/callbacks.c. CPython's ctypes on Windows is the
reference for every expectation.
"""

import ctypes as host_ctypes  # CPython's own ctypes, only to round to float32
import functools
import math

import pytest
from hypothesis import given, strategies as st

int32 = st.integers(-(2**31), 2**31 - 1)
int64 = st.integers(-(2**63), 2**63 - 1)
f32 = st.floats(width=32, allow_nan=False)
f64 = st.floats(allow_nan=False)


def to_f32(x):
    return host_ctypes.c_float(x).value


def wrap32(value):
    value &= 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


@pytest.fixture
def lib(dll):
    return dll("callbacks")


def routine(lib, name, argtypes, restype):
    func = getattr(lib, name)
    func.argtypes = argtypes
    func.restype = restype
    return func


def recorder(result):
    """A callback body that records its arguments and returns result."""
    seen = []

    def func(*args):
        seen.append(args)
        return result

    return func, seen


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# fundamental types
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_int2_sentinels(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_int, c.c_int, c.c_int)
    func, seen = recorder(100)
    assert routine(lib, "cb_int2", (CB,), c.c_int)(CB(func)) == 301
    assert seen == [(-7, 1000003)]


@given(a=int32, b=int32)
def test_int2_forward(ctypes, FT, lib, a, b):
    c = ctypes
    CB = FT(c.c_int, c.c_int, c.c_int)
    cb = CB(lambda x, y: wrap32(x - 3 * y))
    assert routine(lib, "fwd_int2", (CB, c.c_int, c.c_int), c.c_int)(cb, a, b) == wrap32(a - 3 * b)


def test_int8_sentinels(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_int, *[c.c_int] * 8)
    func, seen = recorder(-43)
    assert routine(lib, "cb_int8", (CB,), c.c_int)(CB(func)) == -42
    assert seen == [(-(2**31), 2**31 - 1, -1, 0, 1, 0x12345678, -0x12345678, 42)]


@given(args=st.tuples(*[int32] * 8))
def test_int8_forward(ctypes, FT, lib, args):
    c = ctypes
    CB = FT(c.c_int, *[c.c_int] * 8)
    cb = CB(lambda *a: wrap32(sum(x * w for x, w in zip(a, [2, 3, 5, 7, 11, 13, 17, 19]))))
    func = routine(lib, "fwd_int8", (CB, *[c.c_int] * 8), c.c_int)
    assert func(cb, *args) == wrap32(sum(x * w for x, w in zip(args, [2, 3, 5, 7, 11, 13, 17, 19])))


def test_double8_sentinels(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_double, *[c.c_double] * 8)
    func, seen = recorder(0.75)
    assert routine(lib, "cb_double8", (CB,), c.c_double)(CB(func)) == 1.5
    assert seen == [(0.5, -1.25, 1e300, -1e-300, 3.0, 0.1, -0.0, 123456.789)]
    assert math.copysign(1.0, seen[0][6]) == -1.0


@given(args=st.tuples(*[f64] * 8))
def test_double8_forward(ctypes, FT, lib, args):
    c = ctypes
    CB = FT(c.c_double, *[c.c_double] * 8)
    seen = []
    cb = CB(lambda *a: seen.append(a) or a[7])
    func = routine(lib, "fwd_double8", (CB, *[c.c_double] * 8), c.c_double)
    assert func(cb, *args) == args[7]
    assert seen == [args]


def test_mixed10_sentinels(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_double, c.c_float, c.c_int, c.c_double, c.c_longlong, c.c_float, c.c_float,
            c.c_int, c.c_double, c.c_longlong, c.c_float)
    func, seen = recorder(-2.5)
    assert routine(lib, "cb_mixed10", (CB,), c.c_double)(CB(func)) == -1.5
    assert seen == [(1.5, -3, 2.25, 0x100000001, -0.75, 8.0, 77, -1e10, -0x7000000000000000, 0.125)]


@given(args=st.tuples(int32, f32, int64, f64, f64, int32, f32, int64))
def test_mixed8_forward(ctypes, FT, lib, args):
    c = ctypes
    types = (c.c_int, c.c_float, c.c_longlong, c.c_double, c.c_double, c.c_int, c.c_float, c.c_longlong)
    CB = FT(c.c_double, *types)
    seen = []
    cb = CB(lambda *a: seen.append(a) or a[4])
    assert routine(lib, "fwd_mixed8", (CB, *types), c.c_double)(cb, *args) == args[4]
    assert seen == [args]


def test_float_and_double_results(ctypes, FT, lib):
    c = ctypes
    CBF, CBD = FT(c.c_float, c.c_float), FT(c.c_double, c.c_double)
    assert routine(lib, "cb_float_result", (CBF,), c.c_float)(CBF(lambda x: x + 1.25)) == 5.5
    assert routine(lib, "cb_double_result", (CBD,), c.c_double)(CBD(lambda x: x * x)) == 2.25**2 + 1.0


@given(x=f32)
def test_float_result_rounds_to_float32(ctypes, FT, lib, x):
    c = ctypes
    CB = FT(c.c_float, c.c_float)
    assert routine(lib, "fwd_float", (CB, c.c_float), c.c_float)(CB(lambda v: v / 3), x) == to_f32(x / 3)


@given(x=f32)
def test_float_result_widened_by_caller(ctypes, FT, lib, x):
    # The DLL stores the result in a float, or (an x87 caller on win32) widens
    # whatever the callback left in st(0): both must see a float32 value.
    c = ctypes
    CB = FT(c.c_float, c.c_float)
    cb = CB(lambda v: v / 3)
    for name in ("fwd_float_stored", "fwd_float_widened"):
        assert routine(lib, name, (CB, c.c_float), c.c_double)(cb, x) == to_f32(x / 3), name


@given(x=f64)
def test_double_result(ctypes, FT, lib, x):
    c = ctypes
    CB = FT(c.c_double, c.c_double)
    assert routine(lib, "fwd_double", (CB, c.c_double), c.c_double)(CB(lambda v: -v / 7), x) == -x / 7


def test_longlong_sentinels(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_longlong, c.c_longlong, c.c_longlong)
    func, seen = recorder(-0x7FFFFFFF00000000)
    assert routine(lib, "cb_longlong", (CB,), c.c_longlong)(CB(func)) == -0x7FFFFFFF00000000 ^ 1
    assert seen == [(0x123456789ABCDEF0, -0x0FEDCBA987654321)]


@given(a=int64, b=int64)
def test_longlong_forward(ctypes, FT, lib, a, b):
    c = ctypes
    CB = FT(c.c_longlong, c.c_longlong, c.c_longlong)
    assert routine(lib, "fwd_longlong", (CB, c.c_longlong, c.c_longlong), c.c_longlong)(
        CB(lambda x, y: x ^ y), a, b) == a ^ b


@given(x=st.integers(0, 2**64 - 1))
def test_ulonglong_forward(ctypes, FT, lib, x):
    c = ctypes
    CB = FT(c.c_ulonglong, c.c_ulonglong)
    func = routine(lib, "fwd_ulonglong", (CB, c.c_ulonglong), c.c_ulonglong)
    assert func(CB(lambda v: v ^ (2**64 - 1)), x) == x ^ (2**64 - 1)


def test_narrow_arguments_keep_their_sign(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_int, c.c_byte, c.c_ubyte, c.c_short, c.c_ushort, c.c_char)
    func, seen = recorder(-99)
    assert routine(lib, "cb_narrow", (CB,), c.c_int)(CB(func)) == -99
    assert seen == [(-1, 255, -32768, 65535, b"\xe9")]


@pytest.mark.parametrize(
    "values,expected",
    [((-5, 250, -300, 65000), [-5, 250, -300, 65000]),
     ((0x180, 0x1FF, 0x18000, -1), [-128, 255, -32768, 65535])],  # truncated, as ctypes does
)
def test_narrow_results(ctypes, FT, lib, values, expected):
    c = ctypes
    cbs = [FT(t)(lambda v=v: v) for t, v in zip((c.c_byte, c.c_ubyte, c.c_short, c.c_ushort), values)]
    out = (c.c_int * 4)()
    assert lib.cb_narrow_results(*cbs, out) == 4
    assert list(out) == expected


def test_bool(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_bool, c.c_bool)
    seen = []
    cb = CB(lambda b: seen.append(b) or not b)
    assert routine(lib, "cb_bool", (CB,), c.c_int)(cb) == 1
    assert seen == [True, False] and all(type(b) is bool for b in seen)


def test_strings(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_int, c.c_char_p, c.c_wchar_p)
    func, seen = recorder(20)
    assert routine(lib, "cb_strings", (CB,), c.c_int)(CB(func)) == 21
    assert seen == [(b"zugbruecke", "Br\u00fccke \u20ac")]
    func, seen = recorder(5)
    assert routine(lib, "cb_null_strings", (CB,), c.c_int)(CB(func)) == 5
    assert seen == [(None, None)]


def test_void_pointer_round_trip(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_void_p, c.c_void_p)
    is_anchor = routine(lib, "is_anchor", (c.c_void_p,), c.c_int)
    seen = []

    def func(p):
        seen.append((p, is_anchor(p)))  # the address is valid in the DLL's process
        return p

    assert routine(lib, "cb_voidp", (CB,), c.c_int)(CB(func)) == 1
    assert isinstance(seen[0][0], int) and seen[0][1] == 1234
    assert routine(lib, "cb_voidp_null", (CB,), c.c_int)(CB(lambda p: seen.append(p))) == 1
    assert seen[-1] is None


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# memory behind pointers, structures by value
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@functools.lru_cache(maxsize=None)
def types_of(ctypes):
    """rec_t, s4_t, s8_t, s12_t and s24_t of callbacks.c for this session."""
    c = ctypes
    specs = [("Rec", [("a", c.c_int), ("b", c.c_double), ("name", c.c_char * 8)]),
             ("S4", [("a", c.c_int)]), ("S8", [("a", c.c_int), ("b", c.c_int)]),
             ("S12", [("a", c.c_int), ("b", c.c_int), ("c", c.c_int)]),
             ("S24", [("a", c.c_longlong), ("b", c.c_double), ("c", c.c_int)])]
    return tuple(type(name, (c.Structure,), {"_fields_": fields}) for name, fields in specs)


def test_pointer_to_int_changed_by_callback(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_int, c.POINTER(c.c_int))
    seen = []

    def func(p):
        seen.append(p.contents.value)
        p[0] = p[0] * 2 + 1
        return 7

    assert routine(lib, "cb_intptr", (CB,), c.c_int)(CB(func)) == 83007
    assert seen == [41]
    assert routine(lib, "cb_intptr_null", (CB,), c.c_int)(CB(lambda p: 5 if not p else 6)) == 5


def test_pointer_to_struct_read_and_changed(ctypes, FT, lib):
    c = ctypes
    Rec = types_of(ctypes)[0]
    CB = FT(c.c_int, c.POINTER(Rec))
    seen = []

    def func(p):
        r = p.contents
        seen.append((r.a, r.b, r.name))
        r.a, r.b, r.name = r.a + 1, -r.b, b"xyz1234"
        return 99

    out = Rec()
    assert routine(lib, "cb_record", (CB, c.POINTER(Rec)), c.c_int)(CB(func), c.byref(out)) == 99
    assert seen == [(7, 2.5, b"abc")]
    assert (out.a, out.b, out.name) == (8, -2.5, b"xyz1234")


def test_struct_sizes_match(ctypes, lib):
    out = (ctypes.c_int * 5)()
    lib.sizes(out)
    Rec, S4, S8, S12, S24 = types_of(ctypes)
    assert list(out) == [ctypes.sizeof(t) for t in (S4, S8, S12, S24, Rec)] == [4, 8, 12, 24, 24]


def test_structs_by_value(ctypes, FT, lib):
    c = ctypes
    _, S4, S8, S12, S24 = types_of(ctypes)
    seen = []
    cb4 = FT(c.c_int, S4)(lambda s: seen.append(s.a) or 40)
    cb8 = FT(c.c_int, c.c_int, S8)(lambda k, s: seen.append((k, s.a, s.b)) or 80)
    cb12 = FT(c.c_int, S12, c.c_int)(lambda s, k: seen.append((s.a, s.b, s.c, k)) or 120)
    cb24 = FT(c.c_double, S24)(lambda s: seen.append((s.a, s.b, s.c)) or 0.5)
    assert lib.cb_s4(cb4) == 41
    assert lib.cb_s8(cb8) == 81
    assert lib.cb_s12(cb12) == 121
    assert routine(lib, "cb_s24", (type(cb24),), c.c_double)(cb24) == 1.5
    assert seen == [-4, (5, 8, -88), (12, -1212, 121212, 9), (-0x123456789, 2.5, 24)]


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# void callbacks, function pointers in structures and arrays, NULL
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_void_callbacks(ctypes, FT, lib):
    seen = []
    assert lib.cb_void(FT(None, ctypes.c_int)(seen.append)) == 2
    assert seen == [5, -6]
    assert lib.cb_void0(FT(None)(lambda: seen.append("tick")), 3) == 3
    assert seen[2:] == ["tick"] * 3


def test_callback_in_struct_field(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_int, c.c_int)

    class Holder(c.Structure):
        _fields_ = [("fn", CB), ("x", c.c_int)]

    h = Holder(CB(lambda x: x * 100), 20)
    assert lib.holder_call(c.byref(h)) == 2001
    assert lib.holder_call_value(h) == 2002


def test_array_of_three_callbacks(ctypes, FT, lib):
    CB = FT(ctypes.c_int, ctypes.c_int)
    fns = (CB * 3)(CB(lambda x: x + 1), CB(lambda x: x * 2), CB(lambda x: x - 1))
    assert lib.call_three(fns) == 2 + 10 * 4 + 100 * 2


def test_null_callback(ctypes, FT, lib):
    CB = FT(ctypes.c_int, ctypes.c_int)
    assert lib.cb_or_null(None) == -1
    assert routine(lib, "cb_or_null", (CB,), ctypes.c_int)(None) == -1
    assert lib.cb_or_null(CB(lambda x: x * 7)) == 21


def test_callback_called_from_python(ctypes, FT):
    assert FT(ctypes.c_int, ctypes.c_int)(lambda x: x + 1)(41) == 42


def test_callback_gets_function_pointer(ctypes, FT, lib):
    c = ctypes
    CBI = FT(c.c_int, c.c_int)
    OUTER = FT(c.c_int, CBI, c.c_int)
    # The DLL's own static function, called from Python (it runs in the DLL).
    assert lib.cb_gets_fn(OUTER(lambda fn, x: fn(x) + 1)) == 22
    # A Python callback that went to the DLL and comes back as a function pointer.
    inner = CBI(lambda x: x + 1000)
    assert routine(lib, "cb_gets_fn2", (OUTER, CBI), c.c_int)(OUTER(lambda fn, x: fn(x) * 2), inner) == 2022


def test_fixed_conventions(ctypes, lib):
    # Regardless of the build: a __cdecl and a __stdcall callback parameter.
    body = lambda a, b: a + 2 * b  # noqa: E731
    for _ in range(3):
        assert lib.call_cdecl_cb(ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_int)(body)) == 210
        assert lib.call_stdcall_cb(ctypes.WINFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_int)(body)) == 210


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# nesting
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@pytest.mark.parametrize("depth", [1, 16, 32])
def test_recursion(ctypes, FT, lib, depth):
    CB = FT(ctypes.c_int, ctypes.c_int)
    recurse = routine(lib, "recurse", (ctypes.c_int, CB), ctypes.c_int)
    seen = []

    def func(n):
        seen.append(n)
        return 0 if n == 0 else recurse(n - 1, cb)

    cb = CB(func)
    assert recurse(depth, cb) == depth + 1
    assert seen == list(range(depth, -1, -1))


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# sorting
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(values=st.lists(int32, max_size=12))
def test_sort_ints(ctypes, FT, lib, values):
    c = ctypes
    CMP = FT(c.c_int, c.POINTER(c.c_int), c.POINTER(c.c_int))
    arr = (c.c_int * len(values))(*values)
    cmp = CMP(lambda a, b: (a[0] > b[0]) - (a[0] < b[0]))
    assert lib.sort_ints(arr, len(values), cmp) == len(values)
    assert list(arr) == sorted(values)


@given(values=st.lists(f64, max_size=10))
def test_sort_doubles(ctypes, FT, lib, values):
    c = ctypes
    CMP = FT(c.c_int, c.POINTER(c.c_double), c.POINTER(c.c_double))
    arr = (c.c_double * len(values))(*values)
    lib.sort_doubles(arr, len(values), CMP(lambda a, b: (a[0] > b[0]) - (a[0] < b[0])))
    assert list(arr) == sorted(values)
