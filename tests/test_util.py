# -*- coding: utf-8 -*-
"""session.util and zugbruecke.ctypes.util: CPython's ctypes.util as it answers on Windows,
with PATH and file checks from the session's Windows process."""

import os
import shutil
import subprocess
import sys

import pytest

SYSTEM32 = "C:\\windows\\system32"


def test_util_and_older_spelling_are_one_object(ctypes):
    assert ctypes.util is ctypes._util
    assert callable(ctypes.util.find_library)
    assert callable(ctypes.util.find_msvcrt)


@pytest.mark.parametrize("name", ["kernel32", "kernel32.dll"])
def test_find_library_system_dll(ctypes, name):
    assert ctypes.util.find_library(name) == SYSTEM32 + "\\kernel32.dll"


def test_find_library_keeps_the_name_as_given(ctypes):
    # CPython joins the PATH entry with the name; the file system ignores case.
    assert ctypes.util.find_library("KERNEL32") == SYSTEM32 + "\\KERNEL32.dll"
    assert ctypes.util.find_library("User32.DLL") == SYSTEM32 + "\\User32.DLL"


def test_find_library_msvcrt(ctypes):
    assert ctypes.util.find_library("msvcrt") == SYSTEM32 + "\\msvcrt.dll"


@pytest.mark.parametrize("name", ["c", "m"])
def test_find_library_c_and_m_ask_find_msvcrt(ctypes, name):
    assert ctypes.util.find_library(name) is None


def test_find_msvcrt_is_none_since_python_3_5(ctypes):
    assert ctypes.util.find_msvcrt() is None


@pytest.mark.parametrize("name", ["no_such_library_zb", "libc.so.6", "python3", "system32", "c:"])
def test_find_library_never_answers_with_linux_files_or_folders(ctypes, name):
    assert ctypes.util.find_library(name) is None


def test_find_library_searches_the_windows_path_of_the_server(ctypes, arch, dll_builder, tmp_path):
    folder = tmp_path / "libs"
    folder.mkdir()
    shutil.copy(dll_builder("integers", arch, "cdecl"), folder / "zbfindme.dll")
    assert ctypes.util.find_library("zbfindme") is None

    kernel32 = ctypes.windll.kernel32
    buf = ctypes.create_unicode_buffer(32767)
    n = kernel32.GetEnvironmentVariableW("PATH", buf, len(buf))
    assert 0 < n < len(buf)
    old = buf.value
    folder_win = ctypes.zb_path_unix_to_wine(folder)
    assert kernel32.SetEnvironmentVariableW("PATH", old + ";" + folder_win)
    try:
        found = ctypes.util.find_library("zbfindme")
        assert found == folder_win + "\\zbfindme.dll"
        assert ctypes.util.find_library("zbfindme.dll") == found
        lib = ctypes.CDLL(found)
        assert lib.add_int(2, 3) == 5
    finally:
        assert kernel32.SetEnvironmentVariableW("PATH", old)
    assert ctypes.util.find_library("zbfindme") is None


def test_find_library_leaves_the_users_kernel32_alone(ctypes):
    # util configures a private kernel32; the user's routines keep their defaults.
    ctypes.util.find_library("kernel32")
    assert ctypes.windll.kernel32.GetFileAttributesW.argtypes is None
    assert ctypes.windll.kernel32.GetFileAttributesW.restype is ctypes.c_int


def test_ctypes_util_module_uses_the_default_session():
    code = (
        "import zugbruecke.ctypes.util as util\n"
        "import zugbruecke.ctypes as ctypes\n"
        "print(util.find_library('kernel32'))\n"
        "print(util.find_msvcrt())\n"
        "print(util.find_library('libm.so.6'))\n"
        "print(ctypes._util.find_library('user32'))\n"
        "from zugbruecke.ctypes.util import find_library\n"
        "print(find_library('msvcrt'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ZUGBRUECKE_ARCH"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        SYSTEM32 + "\\kernel32.dll",
        "None",
        "None",
        SYSTEM32 + "\\user32.dll",
        SYSTEM32 + "\\msvcrt.dll",
    ]
