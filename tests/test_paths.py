# -*- coding: utf-8 -*-
"""Path conversion by Wine (zb_path_unix_to_wine, zb_path_wine_to_unix) and the PE
architecture check (zugbruecke._pe.check_dll_arch) that names the arch a DLL needs."""

import os
import pathlib

import pytest

import zugbruecke
from zugbruecke._pe import check_dll_arch, dll_arch, read_machine

OTHER = {"win32": "win64", "win64": "win32"}
BITS = {"win32": "32-bit", "win64": "64-bit"}


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# UNIX -> WINE
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_unix_to_wine_absolute(ctypes):
    assert ctypes.zb_path_unix_to_wine("/tmp") == "Z:\\tmp"
    assert ctypes.zb_path_unix_to_wine("/") == "Z:\\"


def test_unix_to_wine_accepts_bytes_and_path_objects(ctypes):
    assert ctypes.zb_path_unix_to_wine(b"/tmp/x") == "Z:\\tmp\\x"
    assert ctypes.zb_path_unix_to_wine(pathlib.Path("/tmp/x")) == "Z:\\tmp\\x"


def test_unix_to_wine_relative_starts_at_the_current_directory(ctypes, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expected = ctypes.zb_path_unix_to_wine(str(tmp_path / "sub" / "x.dll"))
    assert ctypes.zb_path_unix_to_wine("sub/x.dll") == expected
    assert ctypes.zb_path_unix_to_wine("./sub/../sub/x.dll") == expected


@pytest.mark.parametrize("name", ["äöü ß.dll", "日本語", "emoji 😀.txt", "spaces and (parens) & more"])
def test_non_ascii_names_round_trip(ctypes, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"x")
    wine = ctypes.zb_path_unix_to_wine(path)
    assert wine == "Z:" + str(path).replace("/", "\\")
    assert ctypes.zb_path_wine_to_unix(wine) == str(path)


def test_unix_to_wine_rejects_nul(ctypes):
    with pytest.raises(ValueError):
        ctypes.zb_path_unix_to_wine("/tmp/a\0b")


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# WINE -> UNIX
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_wine_to_unix_z_drive(ctypes):
    assert ctypes.zb_path_wine_to_unix("Z:\\tmp") == "/tmp"
    assert ctypes.zb_path_wine_to_unix("z:/tmp/x") == "/tmp/x"


def test_wine_to_unix_c_drive_lies_in_the_prefix(ctypes):
    unix = ctypes.zb_path_wine_to_unix("C:\\windows\\system32\\kernel32.dll")
    assert unix.endswith(f"/prefix-{ctypes.zb_get_parameter('arch')}/dosdevices/c:/windows/system32/kernel32.dll")
    assert os.path.isfile(unix)


def test_wine_to_unix_relative_starts_at_the_servers_directory(ctypes):
    buf = ctypes.create_unicode_buffer(1024)
    n = ctypes.windll.kernel32.GetCurrentDirectoryW(len(buf), buf)
    assert n > 0
    base = ctypes.zb_path_wine_to_unix(buf.value)
    assert ctypes.zb_path_wine_to_unix("zb_rel.txt") == os.path.join(base, "zb_rel.txt")


@pytest.mark.parametrize("path", ["\\\\no-such-server\\share\\x.dll", "Q:\\no\\such\\folder.dll", ""])
def test_wine_to_unix_impossible_path_raises_wine_error(ctypes, path):
    with pytest.raises(zugbruecke.WineError, match="Wine has no Unix path"):
        ctypes.zb_path_wine_to_unix(path)


def test_wine_error_is_an_oserror(ctypes):
    with pytest.raises(OSError):
        ctypes.zb_path_wine_to_unix("\\\\no-such-server\\share")


def test_paths_after_terminate_raise():
    session = zugbruecke.CtypesSession(arch="win64")
    session.zb_terminate()
    with pytest.raises(zugbruecke.SessionTerminatedError):
        session.zb_path_unix_to_wine("/tmp")


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# THE LOADER'S OWN CONVERSION
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_loader_conversion_matches_wine_for_test_dlls(ctypes, arch, dll_path):
    from zugbruecke._state import _win_path

    path = str(dll_path("integers"))
    assert _win_path(path) == ctypes.zb_path_unix_to_wine(path)


def test_dll_loads_by_the_path_wine_gives(ctypes, arch, dll_path):
    lib = ctypes.CDLL(ctypes.zb_path_unix_to_wine(dll_path("integers")))
    assert lib.add_int(40, 2) == 42


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# PE ARCHITECTURE CHECK
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@pytest.mark.parametrize("build_arch,machine", [("win32", 0x14C), ("win64", 0x8664)])
def test_read_machine(dll_builder, build_arch, machine):
    assert read_machine(dll_builder("integers", build_arch, "cdecl")) == machine
    assert dll_arch(dll_builder("integers", build_arch, "cdecl")) == build_arch


def test_matching_arch_passes(arch, dll_builder):
    assert check_dll_arch(dll_builder("integers", arch, "cdecl"), arch) == arch
    assert check_dll_arch(str(dll_builder("integers", arch, "stdcall")), arch) == arch


def test_other_arch_names_the_session_to_use(arch, dll_builder):
    other = OTHER[arch]
    path = dll_builder("integers", other, "cdecl")
    with pytest.raises(OSError, match=rf"is a {BITS[other]} .*DLL and this session is {arch}; "
                                      rf"use CtypesSession\(arch='{other}'\)") as info:
        check_dll_arch(path, arch)
    assert info.value.winerror == 193
    assert str(path) in str(info.value)


def test_other_arch_by_windows_path(ctypes, arch, dll_builder):
    other = OTHER[arch]
    wine = ctypes.zb_path_unix_to_wine(dll_builder("integers", other, "cdecl"))
    with pytest.raises(OSError, match=rf"use CtypesSession\(arch='{other}'\)"):
        check_dll_arch(wine, arch, session=ctypes)
    # Without a session a Windows path cannot be looked at: nothing to check.
    assert check_dll_arch(wine, arch) is None


def test_system_dll_by_windows_path(ctypes, arch):
    assert check_dll_arch("C:\\windows\\system32\\kernel32.dll", arch, session=ctypes) == arch


def test_not_a_pe_file(tmp_path):
    text = tmp_path / "notes.dll"
    text.write_text("not a DLL\n")
    with pytest.raises(OSError, match="not a valid Win32 application") as info:
        check_dll_arch(text, "win32")
    assert info.value.winerror == 193


@pytest.mark.parametrize("content", [b"MZ", b"MZ" + b"\0" * 58 + b"\x00\x10\x00\x00",
                                     b"MZ" + b"\0" * 58 + b"\x40\x00\x00\x00" + b"NE\0\0\x4c\x01"])
def test_truncated_or_dos_only_files(tmp_path, content):
    path = tmp_path / "broken.dll"
    path.write_bytes(content)
    with pytest.raises(OSError, match="not a valid Win32 application"):
        check_dll_arch(path, "win64")


def test_unknown_machine(tmp_path):
    path = tmp_path / "arm64.dll"
    path.write_bytes(b"MZ" + b"\0" * 58 + b"\x40\x00\x00\x00" + b"PE\0\0\x64\xaa" + b"\0" * 20)
    with pytest.raises(OSError, match=r"64-bit ARM \(ARM64\) DLL, which neither win32 nor win64"):
        check_dll_arch(path, "win64")


@pytest.mark.parametrize("name", ["kernel32", "kernel32.dll", "/no/such/file.dll"])
def test_nothing_to_check(name):
    assert check_dll_arch(name, "win32") is None


def test_bad_arch_argument(dll_builder):
    with pytest.raises(ValueError):
        check_dll_arch(dll_builder("integers", "win32", "cdecl"), "x86")


def test_arch_error_returns_instead_of_raising(arch, dll_builder, tmp_path):
    from zugbruecke._pe import arch_error

    assert arch_error(dll_builder("integers", arch, "cdecl"), arch) is None
    assert arch_error("kernel32", arch) is None
    error = arch_error(dll_builder("integers", OTHER[arch], "cdecl"), arch)
    assert isinstance(error, OSError) and error.winerror == 193
    assert f"use CtypesSession(arch='{OTHER[arch]}')" in str(error)
    text = tmp_path / "x.dll"
    text.write_bytes(b"text")
    assert "not a valid Win32 application" in str(arch_error(text, arch))
