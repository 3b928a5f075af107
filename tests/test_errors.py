# -*- coding: utf-8 -*-
"""
Exceptions: zugbruecke's own classes importable from the package and from the
older path zugbruecke.core.errors; ctypes.ArgumentError being the standard
library's class; the exception types and messages of ctypes for bad
arguments, wrong argument counts and access violations; and a session that
stays usable after each of them.
"""

import ctypes as stdlib_ctypes
import importlib

import re

import pytest

import zugbruecke

ERROR_CLASSES = ["WineError"]


@pytest.mark.parametrize("name", ERROR_CLASSES)
def test_error_classes_importable(name):
    from_package = getattr(zugbruecke, name)
    from_core = getattr(importlib.import_module("zugbruecke.core.errors"), name)
    assert from_package is from_core
    assert isinstance(from_package, type)
    assert issubclass(from_package, Exception)
    with pytest.raises(from_package, match="raised on purpose"):
        raise from_package("raised on purpose")


def test_wine_error_from_import_statement():
    from zugbruecke import WineError
    from zugbruecke.core.errors import WineError as CoreWineError

    assert WineError is CoreWineError


def test_argument_error_is_stdlib_class(ctypes):
    assert ctypes.ArgumentError is stdlib_ctypes.ArgumentError
    assert issubclass(ctypes.ArgumentError, Exception)


def native_wrong_type_message():
    """What the running Python's own ctypes says for a str given to a c_int argument 2."""
    proto = stdlib_ctypes.CFUNCTYPE(stdlib_ctypes.c_int, stdlib_ctypes.c_int, stdlib_ctypes.c_int)(lambda a, b: 0)
    with pytest.raises(stdlib_ctypes.ArgumentError) as info:
        proto(1, "two")
    return str(info.value)


def test_argument_error_raised(ctypes, dll):
    add = dll("integers").add_int
    add.argtypes = (ctypes.c_int, ctypes.c_int)
    expected = native_wrong_type_message()  # "argument 2: TypeError: wrong type" from 3.11 on
    assert expected.startswith("argument 2: ") and "TypeError" in expected
    with pytest.raises(stdlib_ctypes.ArgumentError, match=re.escape(expected)):
        add(1, "two")
    with pytest.raises(ctypes.ArgumentError, match=r"argument 1"):
        add(None, 2)
    assert add(1, 2) == 3


def test_argument_error_from_bad_pointer_argument(ctypes, dll):
    str_len = dll("strings").str_len
    str_len.argtypes = (ctypes.c_char_p,)
    with pytest.raises(ctypes.ArgumentError, match=r"argument 1"):
        str_len(["not", "bytes"])
    assert str_len(b"ok") == 2


def test_wrong_argument_count_is_type_error(ctypes, conv, dll):
    add = dll("integers").add_int
    add.argtypes = (ctypes.c_int, ctypes.c_int)
    with pytest.raises(TypeError, match=r"this function takes (at least )?2 arguments \(1 given\)"):
        add(1)
    assert add(20, 22) == 42


def test_errors_leave_session_usable(ctypes, dll):
    lib = dll("integers")
    errors = 0
    for bad in (lambda: lib.zb_missing, lambda: ctypes.CDLL("zb_missing_4711.dll"), lambda: lib.echo_int(1.5)):
        try:
            bad()
        except (AttributeError, OSError, ctypes.ArgumentError):
            errors += 1
    assert errors == 3
    assert lib.echo_int(12) == 12
    assert ctypes.windll.kernel32.GetCurrentProcessId() > 0


def test_argtypes_must_be_sequence_of_types(ctypes, dll):
    # ctypes checks argtypes when they are set: an object without from_param
    # is refused with TypeError.
    func = dll("integers").echo_int
    with pytest.raises(TypeError):
        func.argtypes = (object(),)
    with pytest.raises(TypeError):
        func.argtypes = 5


def test_restype_must_be_type_callable_or_none(ctypes, dll):
    func = dll("integers").echo_int
    with pytest.raises(TypeError):
        func.restype = 5
    func.restype = None
    assert func(1) is None


def test_access_violation_raises_oserror(arch, dll_builder):
    # ctypes on Windows turns an access violation inside the DLL into OSError
    # ("exception: access violation reading 0x..."). Own session: if the
    # server dies here, no other test is taken down with it.
    with zugbruecke.CtypesSession(arch=arch) as session:
        lib = session.CDLL(str(dll_builder("memory", arch, "cdecl")))
        get_int = lib.get_int
        get_int.argtypes = (session.c_void_p,)
        with pytest.raises(OSError, match=r"access violation"):
            get_int(16)
        # The session survives it.
        assert get_int(session.byref(session.c_int(5))) == 5


def test_missing_wine_raises_wine_error(arch, tmp_path):
    # A Wine loader that does not exist: the session refuses to start with WineError,
    # an OSError that names what is missing.
    import zugbruecke

    with pytest.raises(zugbruecke.WineError, match="Wine"):
        zugbruecke.CtypesSession(arch=arch, wine=str(tmp_path / "no-such-wine"), dir=str(tmp_path))


def test_unknown_parameter_is_value_error():
    import zugbruecke

    with pytest.raises(ValueError, match="archh"):
        zugbruecke.CtypesSession(archh="win32")
