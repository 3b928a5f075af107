"""Path conversion between Linux and the session's Windows process, done by Wine itself.

Wine's kernel32 exports two helpers (both WINAPI, both documented in Wine's
dlls/kernel32/path.c):

- ``WCHAR *wine_get_dos_file_name(const char *unix)``: the DOS path of a Unix path, e.g.
  ``/tmp/x`` -> ``Z:\\tmp\\x``;
- ``char *wine_get_unix_file_name(const WCHAR *dos)``: the Unix path of a DOS path, e.g.
  ``C:\\windows`` -> ``<prefix>/dosdevices/c:/windows``.

Both return memory from ``HeapAlloc(GetProcessHeap(), ...)``, or NULL on failure. The
routines are called with restype ``c_void_p`` so that the string can be read through the
core (``_core.read``, NUL-terminated) and the memory freed with ``HeapFree`` afterwards.
"""

import ctypes
import os
import threading

from . import _core
from .core.errors import WineError

_lock = threading.Lock()


class _Kernel32:
    """A private kernel32 of one session, with the routines configured here: the shared
    ``session.windll.kernel32`` belongs to the user, whose argtypes must not change."""

    def __init__(self, state):
        k = state.namespace["WinDLL"]("kernel32")
        k.wine_get_dos_file_name.argtypes = (ctypes.c_char_p,)
        k.wine_get_dos_file_name.restype = ctypes.c_void_p
        k.wine_get_unix_file_name.argtypes = (ctypes.c_wchar_p,)
        k.wine_get_unix_file_name.restype = ctypes.c_void_p
        k.GetProcessHeap.argtypes = ()
        k.GetProcessHeap.restype = ctypes.c_void_p
        k.HeapFree.argtypes = (ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p)
        k.HeapFree.restype = ctypes.c_int
        k.GetEnvironmentVariableW.argtypes = (ctypes.c_wchar_p, ctypes.c_void_p, ctypes.c_uint32)
        k.GetEnvironmentVariableW.restype = ctypes.c_uint32
        k.GetFileAttributesW.argtypes = (ctypes.c_wchar_p,)
        k.GetFileAttributesW.restype = ctypes.c_uint32
        self.dll = k


def kernel32(state):
    """The session's private kernel32 (see _Kernel32), created on first use."""
    k = state.kernel32
    if k is None:
        with _lock:
            k = state.kernel32
            if k is None:
                k = state.kernel32 = _Kernel32(state).dll
    return k


def _take_string(state, k, address, wide):
    """The NUL-terminated string Wine allocated at address, freed after reading."""
    try:
        return _core.read(state.require(), address, 0, wide)
    finally:
        k.HeapFree(k.GetProcessHeap(), 0, address)


def unix_to_wine(state, path):
    """The Windows path Wine gives a Unix path (relative paths are taken from the current
    directory of this Python process, as older zugbruecke releases did)."""
    raw = os.fspath(path)
    if isinstance(raw, str):
        raw = os.fsencode(raw)
    if b"\0" in raw:
        raise ValueError("embedded null byte")
    raw = os.path.abspath(raw)
    k = kernel32(state)
    address = k.wine_get_dos_file_name(raw)
    if not address:
        raise WineError(f"zugbruecke: Wine has no Windows path for {os.fsdecode(raw)!r}")
    return _take_string(state, k, address, True).decode("utf-16-le", "surrogatepass")


def wine_to_unix(state, path):
    """The Unix path Wine gives a Windows path (Wine resolves drive letters through the
    prefix's ``dosdevices`` folder, so ``C:`` paths come back below it)."""
    name = os.fspath(path)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if "\0" in name:
        raise ValueError("embedded null character")
    k = kernel32(state)
    address = k.wine_get_unix_file_name(name)
    if not address:
        raise WineError(f"zugbruecke: Wine has no Unix path for {name!r}")
    return os.fsdecode(_take_string(state, k, address, False))
