"""DLL objects of a session, shaped like CPython's Lib/ctypes/__init__.py: CDLL, WinDLL
and OleDLL differ only by class attributes; LibraryLoader gives ``cdll.msvcrt``."""

import ctypes
import os

from . import _kinds as K
from ._routine import Routine


def _errcheck_hresult(result, func, args):
    if result < 0:
        raise func._session.WinError(result & 0xFFFFFFFF)
    return result


class CDLL:
    """A DLL loaded in the session's Windows process; routines are cdecl."""

    _session = None  # set on the per-session subclass
    _func_flags_ = K.CDECL
    _func_restype_ = ctypes.c_int
    _func_errcheck_ = None

    def __init__(self, name, mode=0, handle=None, use_errno=False, use_last_error=False, winmode=None):
        if name is not None and not isinstance(name, str):
            name = os.fspath(name)
            if isinstance(name, bytes):
                name = os.fsdecode(name)
        self._name = name
        self._use_last_error = use_last_error
        self._use_errno = use_errno
        if handle is None:
            handle = self._session._load(name)
        self._handle = handle

    def __repr__(self):
        return f"<{type(self).__name__} '{self._name}', handle {self._handle:x} at {id(self):#x}>"

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        func = self.__getitem__(name)
        setattr(self, name, func)
        return func

    def __getitem__(self, name_or_ordinal):
        address = self._session._symbol(self._handle, name_or_ordinal)
        func = Routine(self, name_or_ordinal, address, self._func_flags_, self._func_restype_)
        if self._func_errcheck_ is not None:
            func.errcheck = self._func_errcheck_
        return func


class WinDLL(CDLL):
    """A DLL whose routines use stdcall (the Windows API convention; same as cdecl on win64)."""

    _func_flags_ = K.STDCALL


class OleDLL(CDLL):
    """Like WinDLL, but routines return HRESULT; failures raise OSError."""

    _func_flags_ = K.STDCALL
    _func_errcheck_ = staticmethod(_errcheck_hresult)


class LibraryLoader:
    """``cdll.msvcrt``: loads a DLL by attribute or item and caches it."""

    def __init__(self, dlltype):
        self._dlltype = dlltype

    def __getattr__(self, name):
        if name[0] == "_":
            raise AttributeError(name)
        try:
            dll = self._dlltype(name)
        except OSError:
            raise AttributeError(name)
        setattr(self, name, dll)
        return dll

    def __getitem__(self, name):
        return getattr(self, name)

    def LoadLibrary(self, name):
        return self._dlltype(name)
