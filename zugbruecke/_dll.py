"""DLL objects of a session, shaped like CPython's Lib/ctypes/__init__.py: CDLL, WinDLL
and OleDLL differ only by class attributes; ctypes' own LibraryLoader gives ``cdll.msvcrt``."""

import ctypes
import mmap
import os
import sys

from . import _fork, _kinds as K
from ._routine import Routine


class CDLL:
    """A DLL loaded in the session's Windows process; routines are cdecl."""

    _zb_state = None  # the session's SessionState, set on the per-session subclass
    _func_flags_ = K.CDECL
    _func_restype_ = ctypes.c_int

    def __init__(self, name, mode=0, handle=None, use_errno=False, use_last_error=False, winmode=None):
        if name is not None and not isinstance(name, str):
            name = os.fspath(name)
            if isinstance(name, bytes):
                name = os.fsdecode(name)
        self._name = name
        self._use_last_error = use_last_error
        self._use_errno = use_errno
        if handle is None:
            handle = self._zb_state.load(name)
        self._zb_handle = self._handle = handle

    def __reduce_ex__(self, protocol):
        raise _fork.not_picklable(self)

    def __repr__(self):
        return f"<{type(self).__name__} '{self._name}', handle {self._zb_handle:x} at {id(self):#x}>"

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        func = self.__getitem__(name)
        setattr(self, name, func)
        return func

    def __getitem__(self, name_or_ordinal):
        state = self._zb_state
        address = state.symbol(self._zb_handle, name_or_ordinal)
        return Routine(state, name_or_ordinal, address, self._func_flags_, self._func_restype_, self)


class WinDLL(CDLL):
    """A DLL whose routines use stdcall (the Windows API convention; same as cdecl on win64)."""

    _func_flags_ = K.STDCALL


class OleDLL(CDLL):
    """Like WinDLL, but routines return HRESULT (the session's, set per session); failing
    HRESULTs raise OSError."""

    _func_flags_ = K.STDCALL


_PAGE = mmap.PAGESIZE
_mincore = ctypes.CDLL(None, use_errno=True).mincore
_mincore.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p)


def _mapped(address, size):
    """Whether [address, address+size) is mapped in this process (mincore fails if not)."""
    start = address & ~(_PAGE - 1)
    length = address + max(size, 1) - start
    return _mincore(start, length, bytes((length + _PAGE - 1) // _PAGE)) == 0


def _check_address(event, args):
    # T.from_address(a), string_at(a), wstring_at(a) read this process's memory at a; an
    # address the DLL handed out is in the Windows process. Reading it here would crash
    # the process where nothing is mapped: raise instead.
    address = args[0] if args else None
    if not isinstance(address, int) or address < 0:
        return
    size = args[1] if event != "ctypes.cdata" and len(args) > 1 and isinstance(args[1], int) else 1
    if size < 0:
        size = 1
    if event == "ctypes.wstring_at":
        size *= ctypes.sizeof(ctypes.c_wchar)
    if not _mapped(address, size):
        raise ValueError(
            f"zugbruecke: address {address:#x} is not memory of this Python process; an address "
            "a DLL returned is in the Windows process: declare the result POINTER(T) or c_char_p, "
            "or describe the memory with memsync"
        )


def _audit(event, args):
    if event in ("ctypes.cdata", "ctypes.string_at", "ctypes.wstring_at"):
        _check_address(event, args)
        return
    # c_int.in_dll(dll, name) looks name up with dlsym(dll._handle) in this process; the
    # handle of a zugbruecke DLL belongs to the Windows process, so stop it before.
    if event != "ctypes.dlsym" or not args:
        return
    first = args[0][0] if isinstance(args[0], tuple) and args[0] else args[0]
    if isinstance(first, CDLL):
        raise TypeError(
            "zugbruecke: the DLL lives in the Windows process; read exported "
            "variables with session.zb_in_dll(type, dll, name)"
        )


sys.addaudithook(_audit)

# The running Python's own loader: attribute loading behaves as that Python's ctypes does
# (3.13 turned a failed load into AttributeError, earlier releases raise OSError).
LibraryLoader = ctypes.LibraryLoader
