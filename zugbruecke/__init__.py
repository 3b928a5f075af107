"""zugbruecke: call routines in Windows DLLs from Python on Linux, through Wine.

``import zugbruecke.ctypes as ctypes`` gives a drop-in ctypes backed by a default session;
``zugbruecke.CtypesSession(arch='win64')`` starts sessions of your own;
``zugbruecke.local_session(setup, **kwargs)`` gives each worker process one (docs/scale.md).
Importing ``zugbruecke`` alone starts nothing.
"""

from . import _fork as _fork  # the fork hook, registered before the Go core can load
from ._local import local_session  # loads the Go core only when called
from .core.errors import (
    ArgumentError,
    ConfigError,
    ServerError,
    SessionTerminatedError,
    WineError,
    ZugbrueckeError,
)

__version__ = "0.1.0"

__all__ = [
    "ArgumentError",
    "ConfigError",
    "CtypesSession",
    "ServerError",
    "SessionTerminatedError",
    "WineError",
    "ZugbrueckeError",
    "__version__",
    "local_session",
]


def __getattr__(name):
    # The session class loads the Go core; defer that until someone asks for it.
    if name == "CtypesSession":
        from ._session import CtypesSession

        return CtypesSession
    raise AttributeError(f"module 'zugbruecke' has no attribute {name!r}")
