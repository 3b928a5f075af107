"""
Bad input from Python, table-driven: each case expects a specific exception (the one
ctypes raises on Windows where it has one), and the session must be usable after
every case. Also the cases ctypes accepts although they look wrong (10,000 arguments
to a cdecl routine, strings with NUL bytes or lone surrogates).
"""

import ctypes as linux_ctypes
import sys

import pytest

import zugbruecke
from zugbruecke.core.errors import ConfigError, SessionTerminatedError

ArgumentError = linux_ctypes.ArgumentError


def routine(c, name, argtypes=None, restype=None, dll="msvcrt", loader="CDLL"):
    """A routine of a fresh DLL object: declarations never leak between cases."""
    func = getattr(getattr(c, loader)(dll), name)
    if argtypes is not None:
        func.argtypes = argtypes
    if restype is not None:
        func.restype = restype
    return func


def msvcrt(c):
    return c.CDLL("msvcrt")


def recursive_structure(c):
    class S(c.Structure):
        pass

    S._fields_ = [("x", c.c_int), ("self", S)]


class Point(linux_ctypes.Structure):
    _fields_ = [("x", linux_ctypes.c_int), ("y", linux_ctypes.c_int)]


BAD = {
    # wrong types for declared argtypes
    "str for c_int": (lambda c: routine(c, "abs", (c.c_int,))("1"), ArgumentError),
    "float for c_int": (lambda c: routine(c, "abs", (c.c_int,))(1.5), ArgumentError),
    "None for c_int": (lambda c: routine(c, "abs", (c.c_int,))(None), ArgumentError),
    "bytes for c_wchar_p": (lambda c: routine(c, "wcslen", (c.c_wchar_p,))(b"x"), ArgumentError),
    "str for c_char_p": (lambda c: routine(c, "strlen", (c.c_char_p,))("x"), ArgumentError),
    "c_double for POINTER(c_int)": (
        lambda c: routine(c, "abs", (c.POINTER(c.c_int),))(c.c_double(1)), ArgumentError),
    "wrong structure": (lambda c: routine(c, "abs", (c.POINTER(Point),))(c.c_int(1)), ArgumentError),
    "int for c_double": (lambda c: routine(c, "sqrt", (c.c_double,), c.c_double)("4"), ArgumentError),
    # values without argtypes that ctypes cannot convert
    "list": (lambda c: msvcrt(c).abs([1]), ArgumentError),
    "object": (lambda c: msvcrt(c).abs(object()), ArgumentError),
    "float without argtypes": (lambda c: msvcrt(c).abs(1.5), ArgumentError),
    "int beyond 64 bits": (lambda c: msvcrt(c).abs(2**70), ArgumentError),
    "dict": (lambda c: msvcrt(c).abs({}), ArgumentError),
    # wrong argument counts
    "stdcall too few": (lambda c: routine(c, "GetModuleHandleW", (c.c_wchar_p,), None, "kernel32",
                                          "WinDLL")(), TypeError),
    "stdcall too many": (lambda c: routine(c, "GetModuleHandleW", (c.c_wchar_p,), None, "kernel32",
                                           "WinDLL")(None, None), TypeError),
    "cdecl too few": (lambda c: routine(c, "abs", (c.c_int,))(), TypeError),
    "10,000 argtypes, one missing": (lambda c: routine(c, "abs", (c.c_int,) * 10_000)(*range(9_999)), TypeError),
    "keyword arguments": (lambda c: msvcrt(c).abs(x=1), TypeError),
    # bad declarations
    "argtypes not a sequence": (lambda c: setattr(msvcrt(c).abs, "argtypes", 5), TypeError),
    "argtype without from_param": (lambda c: setattr(msvcrt(c).abs, "argtypes", (int,)), TypeError),
    "restype not a type": (lambda c: setattr(msvcrt(c).abs, "restype", 5), TypeError),
    "recursive structure": (recursive_structure, AttributeError),
    "sizeof of a value that is no ctypes type": (lambda c: c.sizeof(5), TypeError),
    "byref of a non-ctypes object": (lambda c: c.byref(5), TypeError),
    "negative buffer size": (lambda c: c.create_string_buffer(-1), ValueError),
    # NULL where a buffer is required: the DLL faults, as on Windows
    "NULL to strlen": (lambda c: msvcrt(c).strlen(None), OSError),
    "NULL to memset": (lambda c: msvcrt(c).memset(None, 0, 16), OSError),
    "bad address to strlen": (lambda c: routine(c, "strlen", (c.c_void_p,))(8), OSError),
    # names that do not exist
    "missing export": (lambda c: msvcrt(c).no_such_routine, AttributeError),
    "ordinal 0": (lambda c: c.cdll.msvcrt[0], AttributeError),
    "missing DLL": (lambda c: c.CDLL("no_such_library_zb.dll"), FileNotFoundError),
    "missing DLL by Unix path": (lambda c: c.CDLL("/nonexistent/zb.dll"), FileNotFoundError),
    "not a DLL": (lambda c: c.CDLL("/etc/hostname"), OSError),
    "DLL name None": (lambda c: c.CDLL(None), TypeError),
    # configuration
    "unknown parameter": (lambda c: c.zb_set_parameter("no_such_parameter", 1), ConfigError),
    "bad parameter value": (lambda c: c.zb_set_parameter("timeout_stop", -1), ConfigError),
    # callbacks
    "callback type with a restype it cannot return": (
        lambda c: msvcrt(c).qsort(None, 0, 0, c.CFUNCTYPE(c.c_char_p)(lambda: b"")), TypeError),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input(ctypes, case):
    action, expected = BAD[case]
    with pytest.raises(expected) as info:
        action(ctypes)
    assert str(info.value)  # says something
    # The session goes on.
    assert ctypes.cdll.msvcrt.abs(-5) == 5
    assert ctypes.windll.kernel32.GetCurrentProcessId() > 0


def test_at_least_thirty_cases():
    assert len(BAD) >= 30


ACCEPTED = {
    "10,000 arguments to a cdecl routine": (lambda c: msvcrt(c).abs(-3, *range(9_999)), 3),
    "bytes with a NUL": (lambda c: msvcrt(c).strlen(b"ab\0cd"), 2),
    "str with a NUL": (lambda c: msvcrt(c).wcslen("ab\0cd"), 2),
    "lone surrogate": (lambda c: msvcrt(c).wcslen("\ud800x"), 2),
    "surrogate pair": (lambda c: msvcrt(c).wcslen("\U0001F600"), 2),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_accepted_as_ctypes_does(ctypes, case):
    action, expected = ACCEPTED[case]
    assert action(ctypes) == expected


def test_use_after_terminate(arch, tmp_path):
    session = zugbruecke.CtypesSession(arch=arch)
    msvcrt = session.cdll.msvcrt
    abs_ = msvcrt.abs
    buf = session.create_string_buffer(b"abc")
    session.zb_terminate()
    for action in (
        lambda: abs_(-1),
        lambda: msvcrt.strlen(buf),
        lambda: session.CDLL("msvcrt"),
        lambda: session.sizeof(session.c_int),
        lambda: session.CFUNCTYPE(session.c_int)(lambda: 1)._zb_entry(),
    ):
        with pytest.raises(SessionTerminatedError):
            action()
    # An attribute of a library loader: the running Python's LibraryLoader turns the
    # OSError into an AttributeError from 3.13 on, as it does on Windows.
    if sys.version_info >= (3, 13):
        with pytest.raises(AttributeError) as excinfo:
            session.cdll.kernel32
        assert isinstance(excinfo.value.__context__, SessionTerminatedError)
    else:
        with pytest.raises(SessionTerminatedError):
            session.cdll.kernel32
    session.zb_terminate()  # a second time is harmless
    # Other sessions are not affected.
    with zugbruecke.CtypesSession(arch=arch) as fresh:
        assert fresh.cdll.msvcrt.abs(-2) == 2


def test_unloaded_library(arch, dll_builder):
    # zb_free_library is _ctypes.FreeLibrary: a routine of the unloaded DLL faults in
    # the server (OSError, as the call would on Windows), a bad handle is OSError, and
    # the session goes on; the DLL loads again.
    with zugbruecke.CtypesSession(arch=arch) as session:
        path = str(dll_builder("faults", arch, "cdecl"))
        lib = session.CDLL(path)
        add = lib.add
        assert add(1, 2) == 3
        session.zb_free_library(lib)
        with pytest.raises(OSError, match="^exception: access violation"):
            add(1, 2)
        with pytest.raises(OSError) as info:
            session.zb_free_library(0x1234)
        assert info.value.winerror == 126
        assert session.cdll.msvcrt.abs(-4) == 4
        assert session.CDLL(path).add(2, 3) == 5
