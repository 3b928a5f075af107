# -*- coding: utf-8 -*-
"""
Function pointers that point into the DLL: prototypes for exports
(``FUNCTYPE(...)((name, dll))``, with paramflags and errcheck), function
pointers a routine returns (restype = a CFUNCTYPE/WINFUNCTYPE type) or writes
into a structure, made from an address, cast, and handed back to the DLL.

The prototype's convention follows the build: CFUNCTYPE for cdecl,
WINFUNCTYPE for stdcall. Routines from tests/dlls/integers.c and callbacks.c.
CPython's ctypes on Windows is the reference.
"""

import pytest
from hypothesis import assume, given, strategies as st

int32 = st.integers(-(2**31), 2**31 - 1)


def wrap32(value):
    value &= 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


def c_div(a, b):
    """C's int division (truncation toward zero) and remainder."""
    q = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)
    return q, a - q * b


@pytest.fixture
def lib(dll):
    return dll("callbacks")


def divmod_proto(ctypes, FT, lib, paramflags=((1, "a"), (1, "b"), (2, "q"), (2, "r"))):
    c = ctypes
    proto = FT(c.c_int, c.c_int, c.c_int, c.POINTER(c.c_int), c.POINTER(c.c_int))
    return proto(("divmod_out", lib), paramflags)


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# prototypes
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_prototype_add_int(ctypes, FT, dll):
    add = FT(ctypes.c_int, ctypes.c_int, ctypes.c_int)(("add_int", dll("integers")))
    assert add(2, 3) == 5
    assert add(2**31 - 1, 1) == -(2**31)
    assert add.restype is ctypes.c_int
    assert add.argtypes == (ctypes.c_int, ctypes.c_int)


@given(a=int32, b=int32)
def test_prototype_add_int_any(ctypes, FT, dll, a, b):
    add = FT(ctypes.c_int, ctypes.c_int, ctypes.c_int)(("add_int", dll("integers")))
    assert add(a, b) == wrap32(a + b)


def test_prototype_other_types(ctypes, FT, dll):
    c = ctypes
    add = FT(c.c_longlong, c.c_longlong, c.c_longlong)(("add_longlong", dll("integers")))
    assert add(2**62, 2**62 - 1) == 2**63 - 1
    echo = FT(c.c_double, c.c_double)(("echo_double", dll("floats")))
    assert echo(-1.5e300) == -1.5e300


def test_prototype_converts_and_checks_arguments(ctypes, FT, dll):
    add = FT(ctypes.c_int, ctypes.c_int, ctypes.c_int)(("add_int", dll("integers")))
    with pytest.raises(ctypes.ArgumentError, match="argument 2"):
        add(1, "two")
    with pytest.raises(TypeError):
        add(1)
    assert add(ctypes.c_int(4), 5) == 9


def test_prototype_of_unknown_name(ctypes, FT, dll):
    with pytest.raises(AttributeError):
        FT(ctypes.c_int)(("no_such_export", dll("integers")))


def test_prototype_errcheck(ctypes, FT, dll):
    add = FT(ctypes.c_int, ctypes.c_int, ctypes.c_int)(("add_int", dll("integers")))
    seen = []

    def errcheck(result, func, args):
        seen.append((result, func is add, tuple(args)))
        return result * 10

    add.errcheck = errcheck
    assert add(1, 2) == 30
    assert seen == [(3, True, (1, 2))]


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# paramflags
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_paramflags_out_parameters(ctypes, FT, lib):
    divmod_out = divmod_proto(ctypes, FT, lib)
    assert divmod_out(17, 5) == (3, 2)
    assert divmod_out(-17, 5) == (-3, -2)
    assert divmod_out(a=17, b=5) == (3, 2)
    assert divmod_out(17, b=-5) == (-3, 2)
    with pytest.raises(TypeError):
        divmod_out(17)


@given(a=int32, b=int32)
def test_paramflags_any(ctypes, FT, lib, a, b):
    assume(b != 0 and not (a == -(2**31) and b == -1))
    assert divmod_proto(ctypes, FT, lib)(a, b) == c_div(a, b)


def test_paramflags_default_value(ctypes, FT, lib):
    divmod_out = divmod_proto(ctypes, FT, lib, ((1, "a"), (1, "b", 7), (2, "q"), (2, "r")))
    assert divmod_out(20) == (2, 6)
    assert divmod_out(20, 3) == (6, 2)


def test_paramflags_one_out_parameter(ctypes, FT, lib):
    c = ctypes
    proto = FT(c.c_int, c.c_int, c.c_int, c.POINTER(c.c_int), c.POINTER(c.c_int))
    r = c.c_int(0)
    quotient = proto(("divmod_out", lib), ((1, "a"), (1, "b"), (2, "q"), (1, "r")))
    assert quotient(23, 4, c.byref(r)) == 5
    assert r.value == 3


def test_paramflags_wrong_length(ctypes, FT, lib):
    with pytest.raises(ValueError):
        divmod_proto(ctypes, FT, lib, ((1, "a"), (1, "b")))


def test_paramflags_with_errcheck_returning_args(ctypes, FT, lib):
    # The ctypes idiom: errcheck raises on failure and returns args unchanged,
    # and the call then returns the out parameters as without errcheck.
    divmod_out = divmod_proto(ctypes, FT, lib)

    def errcheck(result, func, args):
        if result != 0:
            raise ZeroDivisionError(args[1])
        return args

    divmod_out.errcheck = errcheck
    assert divmod_out(7, 2) == (3, 1)
    with pytest.raises(ZeroDivisionError):
        divmod_out(7, 0)


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# function pointers made by the DLL
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def returns(lib, name, restype):
    func = getattr(lib, name)
    func.argtypes = ()
    func.restype = restype
    return func


def test_returned_function_pointers(ctypes, FT, lib):
    c = ctypes
    triple = returns(lib, "get_triple", FT(c.c_int, c.c_int))()
    assert isinstance(triple, FT(c.c_int, c.c_int))
    assert triple(14) == 42
    assert triple(-5) == -15
    subtract = returns(lib, "get_subtract", FT(c.c_int, c.c_int, c.c_int))()
    assert subtract(10, 3) == 7
    halve = returns(lib, "get_halve", FT(c.c_double, c.c_double))()
    assert halve(5.0) == 2.5


@given(a=int32, b=int32)
def test_returned_function_pointer_any(ctypes, FT, lib, a, b):
    subtract = returns(lib, "get_subtract", FT(ctypes.c_int, ctypes.c_int, ctypes.c_int))()
    assert subtract(a, b) == wrap32(a - b)


def test_returned_null_function_pointer(ctypes, FT, lib):
    fn = returns(lib, "get_null_fn", FT(ctypes.c_int, ctypes.c_int))()
    assert not fn


def test_function_pointer_from_address_and_cast(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_int, c.c_int)
    address = returns(lib, "get_triple", c.c_void_p)()
    assert isinstance(address, int) and address
    assert CB(address)(3) == 9
    assert c.cast(c.c_void_p(address), CB)(4) == 12
    assert c.cast(CB(address), c.c_void_p).value == address


def test_function_pointer_back_to_dll(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_int, c.c_int)
    triple = CB(returns(lib, "get_triple", c.c_void_p)())
    assert lib.is_triple(triple) == 1
    assert lib.cb_call(triple, 4) == 12  # the DLL calls its own function
    assert lib.cb_or_null(triple) == 9
    # ... also as a callback's function pointer argument
    OUTER = FT(c.c_int, CB, c.c_int)
    assert lib.cb_gets_fn2(OUTER(lambda fn, x: fn(x) + 1), triple) == 34


def test_function_pointer_in_struct_filled_by_dll(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_int, c.c_int)

    class Holder(c.Structure):
        _fields_ = [("fn", CB), ("x", c.c_int)]

    h = Holder()
    assert not h.fn
    lib.holder_fill(c.byref(h))
    assert h.x == 5
    assert h.fn(h.x) == 15
    assert lib.holder_call(c.byref(h)) == 16  # and back: the DLL calls its own pointer
    assert lib.holder_call_value(h) == 17
