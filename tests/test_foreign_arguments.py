"""
Exceptions for arguments ctypes would reject (issue 16, item 9): a from_param that raises
gives ArgumentError("argument N: <type>: <message>") as ctypes does (the oracle is
CPython's own ctypes calling a CFUNCTYPE object, which converts arguments the same way),
and a callback object of another session is a TypeError naming both sessions instead of
handing the DLL an address that means nothing in this session's server.
"""

import ctypes as native

import pytest

import zugbruecke


class Boom:
    @classmethod
    def from_param(cls, value):
        raise RuntimeError(f"boom {value}")


def native_message(value):
    proto = native.CFUNCTYPE(native.c_int, Boom)(lambda x: 0)
    with pytest.raises(native.ArgumentError) as info:
        proto(value)
    return str(info.value)


def test_from_param_that_raises(ctypes, dll_builder, arch):
    lib = ctypes.CDLL(str(dll_builder("callbacks", arch, "cdecl")))
    lib.fwd_int2.argtypes = (Boom, ctypes.c_int, ctypes.c_int)
    with pytest.raises(ctypes.ArgumentError) as info:
        lib.fwd_int2(7, 1, 2)
    assert str(info.value) == native_message(7)  # the running Python's wording
    assert str(info.value).startswith("argument 1: ") and str(info.value).endswith(": boom 7")
    assert type(info.value) is native.ArgumentError


def test_callback_of_another_session(arch, ctypes, dll_builder):
    lib = ctypes.CDLL(str(dll_builder("callbacks", arch, "cdecl")))
    own = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_int)(lambda a, b: a * b)
    assert lib.fwd_int2(own, 6, 7) == 42
    with zugbruecke.CtypesSession(arch=arch) as other:
        other_type = other.CFUNCTYPE(other.c_int, other.c_int, other.c_int)
        foreign = other_type(lambda a, b: a + b)
        ours, theirs = ctypes._config["id"], other._config["id"]
        with pytest.raises(TypeError) as info:
            lib.fwd_int2(foreign, 1, 2)
        assert str(info.value).startswith("argument 1: a callback of session ")
        assert theirs in str(info.value) and ours in str(info.value)
        lib.fwd_int2.argtypes = (other_type, ctypes.c_int, ctypes.c_int)
        with pytest.raises(TypeError, match=f"callback of session {theirs} .* session {ours}"):
            lib.fwd_int2(foreign, 1, 2)
        lib.fwd_int2.argtypes = None
        assert lib.fwd_int2(own, 6, 7) == 42  # the session goes on
