# -*- coding: utf-8 -*-
"""
Loading DLLs and looking up routines, as ctypes does on Windows:
library loaders (cdll, windll, oledll), CDLL/WinDLL/OleDLL by name, by Unix path
and by Windows path, LoadLibrary, routines by attribute, by item and by ordinal,
and the errors for a DLL that does not load and a routine that does not exist.

Loaded from tests/dlls/integers.c and tests/dlls/ordinals.c.
"""

import re
import sys

import pytest

# What Windows (and so CPython's ctypes) says when a DLL cannot be found:
# "Could not find module '...'" (ERROR_MOD_NOT_FOUND, 126) or the system text.
MISSING_DLL = re.compile(r"(?i)not found|could not (be )?found|could not find|126")


def windows_path(unix_path):
    """Wine maps drive Z: to the Unix root."""
    return "Z:" + str(unix_path).replace("/", "\\")


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# system DLLs through the library loaders
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_cdll_attribute_msvcrt(ctypes):
    msvcrt = ctypes.cdll.msvcrt
    assert isinstance(msvcrt, ctypes.CDLL)
    assert msvcrt.abs(-7) == 7
    assert msvcrt.labs(-2147483647) == 2147483647


def test_loader_caches_library_objects(ctypes):
    # LibraryLoader stores each library as an attribute on first access.
    assert ctypes.cdll.msvcrt is ctypes.cdll.msvcrt
    assert ctypes.windll.kernel32 is ctypes.windll.kernel32


def test_windll_attribute_kernel32(ctypes):
    kernel32 = ctypes.windll.kernel32
    assert isinstance(kernel32, ctypes.WinDLL)
    assert kernel32.GetCurrentProcessId() > 0


def test_oledll_attribute(ctypes):
    # OleDLL routines return HRESULT: a non-negative result comes back as is.
    ole = ctypes.oledll.kernel32
    assert isinstance(ole, ctypes.OleDLL)
    assert ole.GetCurrentProcessId() == ctypes.windll.kernel32.GetCurrentProcessId()


def test_oledll_negative_hresult_raises_oserror(ctypes, arch, dll_builder):
    # E_FAIL (0x80004005) returned by an OleDLL routine becomes OSError.
    lib = ctypes.OleDLL(str(dll_builder("integers", arch, "stdcall")))
    e_fail = -2147467259
    with pytest.raises(OSError) as excinfo:
        lib.echo_int(e_fail)
    assert excinfo.value.winerror == e_fail
    assert lib.echo_int(5) == 5


def _native_missing_attribute_error():
    """What the running Python's own LibraryLoader raises for a DLL attribute that cannot be
    loaded (the same code on Windows and Linux): OSError up to 3.12, AttributeError from
    3.13 on (it turns the OSError into an AttributeError)."""
    import ctypes as native

    try:
        native.LibraryLoader(native.CDLL).zb_no_such_library_4711
    except Exception as e:  # noqa: BLE001 - the type is what we want
        return type(e)
    raise AssertionError("the native loader loaded a library that does not exist")


def test_missing_dll_attribute_raises_what_ctypes_raises(ctypes):
    expected = _native_missing_attribute_error()
    assert expected is (AttributeError if sys.version_info >= (3, 13) else OSError)
    with pytest.raises(expected) as excinfo:
        ctypes.cdll.zb_no_such_library_4711
    if expected is OSError:
        assert MISSING_DLL.search(str(excinfo.value))
    with pytest.raises(expected):
        ctypes.windll.zb_no_such_library_4711


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# constructors and LoadLibrary
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_cdll_by_name(ctypes):
    msvcrt = ctypes.CDLL("msvcrt")
    assert msvcrt.abs(-3) == 3
    msvcrt_dll = ctypes.CDLL("msvcrt.dll")
    assert msvcrt_dll.abs(-4) == 4


def test_windll_by_windows_path(ctypes):
    kernel32 = ctypes.WinDLL("C:\\windows\\system32\\kernel32.dll")
    assert kernel32.GetCurrentProcessId() > 0


def test_load_library(ctypes):
    msvcrt = ctypes.cdll.LoadLibrary("msvcrt")
    assert isinstance(msvcrt, ctypes.CDLL)
    assert msvcrt.abs(-11) == 11
    kernel32 = ctypes.windll.LoadLibrary("kernel32.dll")
    assert isinstance(kernel32, ctypes.WinDLL)
    assert kernel32.GetCurrentProcessId() > 0
    # LoadLibrary builds a new library object each time.
    assert ctypes.cdll.LoadLibrary("msvcrt") is not msvcrt


def test_own_dll_by_unix_path(ctypes, conv, dll_path):
    path = dll_path("integers")
    loader = ctypes.CDLL if conv == "cdecl" else ctypes.WinDLL
    lib = loader(str(path))
    assert lib.echo_int(42) == 42
    assert lib._name == str(path)
    assert isinstance(lib._handle, int) and lib._handle != 0


def test_own_dll_by_windows_path(ctypes, conv, dll_path):
    path = dll_path("integers")
    loader = ctypes.CDLL if conv == "cdecl" else ctypes.WinDLL
    lib = loader(windows_path(path))
    assert lib.add_int(40, 2) == 42


def test_own_dll_through_load_library(ctypes, conv, dll_path):
    path = dll_path("integers")
    loader = ctypes.cdll if conv == "cdecl" else ctypes.windll
    lib = loader.LoadLibrary(str(path))
    assert lib.echo_int(-42) == -42


def test_same_dll_twice_shares_module(ctypes, conv, dll_path):
    # Windows loads a module once per process: both objects see one handle and
    # one copy of its globals.
    path = str(dll_path("state"))
    loader = ctypes.CDLL if conv == "cdecl" else ctypes.WinDLL
    first, second = loader(path), loader(path)
    assert first._handle == second._handle
    first.store_int(-31337)
    assert second.load_int() == -31337


def test_library_repr(ctypes, conv, dll):
    lib = dll("integers")
    text = repr(lib)
    assert text.startswith("<CDLL " if conv == "cdecl" else "<WinDLL ")
    assert "integers" in text


def test_missing_dll_by_name_raises_oserror(ctypes):
    with pytest.raises(OSError, match=MISSING_DLL):
        ctypes.CDLL("zb_no_such_library_4711.dll")
    with pytest.raises(OSError, match=MISSING_DLL):
        ctypes.WinDLL("zb_no_such_library_4711")
    with pytest.raises(OSError, match=MISSING_DLL):
        ctypes.cdll.LoadLibrary("zb_no_such_library_4711.dll")


def test_missing_dll_by_path_raises_oserror(ctypes, tmp_path):
    with pytest.raises(OSError, match=MISSING_DLL):
        ctypes.CDLL(str(tmp_path / "missing.dll"))
    with pytest.raises(OSError, match=MISSING_DLL):
        ctypes.CDLL("C:\\zb\\no\\such\\dir\\missing.dll")


def test_session_usable_after_failed_load(ctypes):
    with pytest.raises(OSError):
        ctypes.CDLL("zb_no_such_library_4711.dll")
    assert ctypes.cdll.msvcrt.abs(-1) == 1


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# routines: attribute, item, ordinal
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_routine_by_attribute_is_cached(dll):
    lib = dll("integers")
    func = lib.echo_int
    assert func(7) == 7
    assert lib.echo_int is func  # __getattr__ stores the routine on the library
    assert func.__name__ == "echo_int"


def test_routine_by_item_is_new_each_time(dll):
    lib = dll("integers")
    func = lib["add_int"]
    assert func(3, 4) == 7
    assert lib["add_int"] is not func  # __getitem__ never caches
    assert func.__name__ == "add_int"


def test_routine_config_is_per_object(ctypes, dll):
    lib = dll("integers")
    by_item = lib["echo_longlong"]
    by_item.restype = ctypes.c_longlong
    by_item.argtypes = (ctypes.c_longlong,)
    assert by_item(2**40 + 1) == 2**40 + 1
    # The attribute routine is another object with the default restype c_int.
    assert lib.echo_longlong.restype is ctypes.c_int


def test_routine_by_ordinal(ctypes, dll):
    lib = dll("ordinals")
    assert lib[1]() == 11
    assert lib[2]() == 22
    assert lib[3](4) == 37
    by_name = lib["ord_3_gamma"]
    assert by_name(5) == lib[3](5) == 38


def test_routine_by_ordinal_with_argtypes(ctypes, dll):
    lib = dll("ordinals")
    func = lib[3]
    func.argtypes = (ctypes.c_int,)
    func.restype = ctypes.c_int
    assert func(-40) == -7


def test_missing_ordinal_raises_attribute_error(dll):
    lib = dll("ordinals")
    with pytest.raises(AttributeError, match="999"):
        lib[999]


def test_missing_routine_raises_attribute_error(ctypes, dll):
    lib = dll("integers")
    with pytest.raises(AttributeError, match="zb_no_such_routine"):
        lib.zb_no_such_routine
    with pytest.raises(AttributeError, match="zb_no_such_routine"):
        lib["zb_no_such_routine"]
    assert not hasattr(lib, "zb_no_such_routine")
    # The library stays usable.
    assert lib.echo_int(3) == 3


def test_missing_routine_in_system_dll(ctypes):
    with pytest.raises(AttributeError, match="zb_no_such_routine"):
        ctypes.cdll.msvcrt.zb_no_such_routine
    with pytest.raises(AttributeError, match="zb_no_such_routine"):
        ctypes.windll.kernel32.zb_no_such_routine


def test_private_names_are_not_routines(dll):
    # ctypes refuses dunder lookups instead of asking the DLL for them.
    lib = dll("integers")
    with pytest.raises(AttributeError):
        lib.__zb_no_such__


def test_dll_depending_on_another_in_its_folder(arch, tmp_path):
    # user.dll imports dep.dll, which lies beside it: Windows searches the folder of the
    # DLL being loaded (LoadLibrary with a path), and so does zugbruecke.
    import subprocess

    import zugbruecke
    from conftest import COMPILERS

    (tmp_path / "dep.c").write_text("__declspec(dllexport) int dep_value(void) { return 4242; }\n")
    (tmp_path / "user.c").write_text(
        "__declspec(dllimport) int dep_value(void);\n"
        "__declspec(dllexport) int user_value(void) { return dep_value() + 1; }\n")
    cc = COMPILERS[arch]
    subprocess.run([cc, "-shared", "-o", str(tmp_path / "dep.dll"), str(tmp_path / "dep.c")], check=True)
    subprocess.run([cc, "-shared", "-o", str(tmp_path / "user.dll"), str(tmp_path / "user.c"),
                    str(tmp_path / "dep.dll")], check=True)
    with zugbruecke.CtypesSession(arch=arch) as session:
        assert session.CDLL(str(tmp_path / "user.dll")).user_value() == 4243
