"""Exceptions of zugbruecke (this module path is kept from older releases).

Errors that ctypes itself raises keep their ctypes types: ``OSError`` for a DLL that does
not load, ``AttributeError`` for a missing routine, ``ctypes.ArgumentError`` for a bad
argument. The classes here cover what only a bridge to Wine can go wrong with.
"""

from ctypes import ArgumentError

__all__ = [
    "ArgumentError",
    "ConfigError",
    "ServerError",
    "SessionTerminatedError",
    "WineError",
    "ZugbrueckeError",
]


class ZugbrueckeError(Exception):
    """Base class of zugbruecke's own exceptions."""


class WineError(ZugbrueckeError, OSError):
    """Wine is missing, a Wine prefix cannot be prepared, or Wine refused a path."""


class ServerError(ZugbrueckeError, OSError):
    """The Windows server process did not start, or ended while it was needed."""


class SessionTerminatedError(ServerError):
    """The session was terminated (``zb_terminate``) and cannot be used any more."""


class ConfigError(ZugbrueckeError, ValueError):
    """A configuration parameter is unknown or has a bad value."""
