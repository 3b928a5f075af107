"""``ctypes.util`` as on Windows, answered by the default session of ``zugbruecke.ctypes``.

``find_library(name)`` searches the ``PATH`` of the session's Windows process for ``name``
and ``name + '.dll'`` and returns a Windows path (never a Linux library);
``find_msvcrt()`` returns None, as CPython's does since Python 3.5.
"""

from . import _session

__all__ = ["find_library", "find_msvcrt"]

find_library = _session.util.find_library
find_msvcrt = _session.util.find_msvcrt
