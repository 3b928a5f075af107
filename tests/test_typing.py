"""Code written against ctypes type-checks the same against zugbruecke.ctypes (the stubs in
zugbruecke/ctypes/*.pyi): mypy accepts a module that uses the Windows names typeshed
declares only for win32 (windll, WINFUNCTYPE, get_last_error ...) and zugbruecke's memsync,
sees real ctypes types (not Any), and reports the errors it reports for ctypes.

Sessions (``CtypesSession``) are not typed yet: their namespace is Any to a type checker."""

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent

pytest.importorskip("mypy", reason="mypy is a test dependency (pip install -e .[test])")

GOOD = """
import zugbruecke.ctypes as ctypes
from zugbruecke.ctypes import wintypes, util


class POINT(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int)]


def main() -> None:
    pow_ = ctypes.cdll.msvcrt.pow
    pow_.argtypes = (ctypes.c_double, ctypes.c_double)
    pow_.restype = ctypes.c_double
    kernel32 = ctypes.windll.kernel32
    buf = ctypes.create_unicode_buffer(260)
    n: int = kernel32.GetSystemDirectoryW(buf, len(buf))
    size: int = ctypes.sizeof(POINT(1, 2)) + ctypes.sizeof(wintypes.DWORD)
    CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
    CMP.memsync = []
    WCB = ctypes.WINFUNCTYPE(None, ctypes.c_int)
    err: int = ctypes.get_last_error() + ctypes.GetLastError()
    lib = ctypes.CDLL("demo.dll")
    lib.f.memsync = [{"p": [0], "l": [1]}]
    path = util.find_library("kernel32")
    print(n, size, WCB, err, ctypes.zb_get_parameter("arch"), ctypes.zb_id, buf.value, path)
    reveal_type(ctypes.c_int)
    reveal_type(ctypes.windll)
    reveal_type(lib.f)
"""

BAD = """
import zugbruecke.ctypes as ctypes


def main() -> None:
    ctypes.sizeof(3)
    ctypes.c_int("three")
    ctypes.no_such_name
    ctypes.pythonapi
"""


def mypy(tmp_path, code):
    path = tmp_path / "user_code.py"
    path.write_text(textwrap.dedent(code))
    env = dict(os.environ, MYPYPATH=str(REPO))
    cmd = [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", str(tmp_path / "cache"),
           "--config-file", os.devnull, str(path)]
    return subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_ctypes_code_type_checks(tmp_path):
    proc = mypy(tmp_path, GOOD)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Older mypy (the one Python 3.9 gets) spells builtins out: "builtins.int".
    notes = [
        line.split("Revealed type is ", 1)[1].replace("builtins.", "")
        for line in proc.stdout.splitlines()
        if "Revealed type" in line
    ]
    assert notes == ['"def (value: int =) -> ctypes.c_int"',
                     '"ctypes.LibraryLoader[zugbruecke.ctypes.WinDLL]"',
                     '"zugbruecke.ctypes._Routine"'], proc.stdout


def test_type_errors_are_reported(tmp_path):
    proc = mypy(tmp_path, BAD)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 4, proc.stdout
    assert 'Argument 1 to "sizeof" has incompatible type "int"' in errors[0]
    assert 'Argument 1 to "c_int" has incompatible type "str"' in errors[1]
    assert 'has no attribute "no_such_name"' in errors[2]
    assert 'has no attribute "pythonapi"' in errors[3]  # bound to the Linux process: not exported
