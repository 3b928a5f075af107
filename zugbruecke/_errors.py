"""Errors at the bottom of the package: the OSError CPython builds from a Windows error
code (``winerror``), and the exceptions the Go core's error kinds become
(``error_factory``, which ``_core.init`` receives). Imports nothing of the package but its
public exception classes (core/errors)."""

import ctypes

from . import _zcontract as Z
from .core.errors import (
    ConfigError,
    ServerError,
    SessionTerminatedError,
    WineError,
    ZugbrueckeError,
)

__all__ = ["CoreError", "error_factory", "winerror"]


class _WindowsOSError(OSError):
    """OSError as CPython builds it from a Windows error code: ``[WinError N] text``."""

    def __str__(self):
        return f"[WinError {self.winerror}] {self.strerror}"


# A few Windows error codes and the errno CPython maps them to (PC/errmap.h).
_ERRNO = {
    2: 2,
    3: 2,
    4: 24,
    5: 13,
    6: 9,
    8: 12,
    12: 13,
    14: 12,
    15: 2,
    18: 2,
    32: 13,
    33: 13,
    80: 17,
    87: 22,
    112: 28,
    183: 17,
    193: 8,
    206: 2,
}


def winerror(code, descr):
    """The OSError CPython raises for Windows error code (winerror set, errno mapped;
    ``args`` is ``(errno, descr, None, code)`` as Windows' OSError(None, descr, None, code))."""
    exc = _WindowsOSError(_ERRNO.get(code & 0xFFFFFFFF, 22), descr, None, code)
    exc.winerror = code
    return exc


class CoreError(Exception):
    """A load or symbol failure from the core, translated by the caller who knows the name."""

    def __init__(self, kind, code, msg):
        super().__init__(msg)
        self.kind, self.code, self.msg = kind, code, msg


def error_factory(kind, code, msg):
    """The exception for an error of the core: kind is one of the core's error kinds
    (core/session.ErrorKind, in _zcontract), code a Windows error code or an argument number."""
    if kind in (Z.ERROR_LOAD, Z.ERROR_SYMBOL):
        return CoreError(kind, code, msg)
    if kind == Z.ERROR_ARGUMENT:
        return ctypes.ArgumentError(f"argument {code}: {msg}")
    if kind == Z.ERROR_EXCEPTION:
        return OSError(msg)
    if kind == Z.ERROR_TYPE:
        return TypeError(msg)
    if kind == Z.ERROR_WINE:
        return WineError(msg)
    if kind == Z.ERROR_CONFIG:
        return ConfigError(msg)
    if kind == Z.ERROR_TERMINATED:
        return SessionTerminatedError(msg)
    if kind in (Z.ERROR_START, Z.ERROR_SERVER):
        return ServerError(msg)
    return ZugbrueckeError(msg)
