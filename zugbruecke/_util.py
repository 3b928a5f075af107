"""``session.util``: the Windows half of CPython's ``ctypes.util`` for a session.

On Windows, CPython's Lib/ctypes/util.py has two functions, and the answers here are the
ones it would give inside the session's Windows process:

- ``find_library(name)`` looks for ``name``, then ``name + '.dll'``, in each folder of
  ``PATH`` (``c`` and ``m`` answer with ``find_msvcrt()``). The folders come from the
  server's own environment (``GetEnvironmentVariableW``) and every candidate is checked
  by Wine (``GetFileAttributesW``), so a Linux library is never an answer.
- ``find_msvcrt()`` names the C runtime Python was built with: since Python 3.5 (Visual
  Studio 2015, CRT version 14) there is no loadable one and CPython returns None.
"""

import ctypes
import ntpath

from ._paths import kernel32

__all__ = ["CtypesUtil"]

INVALID_FILE_ATTRIBUTES = 0xFFFFFFFF
FILE_ATTRIBUTE_DIRECTORY = 0x10


class CtypesUtil:
    """``find_library`` and ``find_msvcrt`` of one session, as ``ctypes.util`` on Windows."""

    def __init__(self, state):
        self._state = state

    def __repr__(self):
        return f"<zugbruecke ctypes.util of {self._state.session!r}>"

    def find_msvcrt(self):
        """The C runtime DLL of the running Python as CPython's ctypes.util on Windows
        names it: None for every Python this package supports (3.5 and later are built
        with CRT version 14, the Universal CRT, which is not loadable by name; Python
        2.6-3.2, built with Visual Studio 2008, got "msvcr90.dll")."""
        return None

    def find_library(self, name):
        """The path of the DLL ``name`` in the session's ``PATH``, or None: the first
        folder holding ``name`` or ``name + '.dll'`` wins; the answer is the ``PATH`` entry
        joined with the name as given (so its case is the one of ``PATH`` and ``name``)."""
        if name in ("c", "m"):
            return self.find_msvcrt()
        for directory in self._path().split(";"):
            fname = ntpath.join(directory, name)
            if self._isfile(fname):
                return fname
            if fname.lower().endswith(".dll"):
                continue
            fname = fname + ".dll"
            if self._isfile(fname):
                return fname
        return None

    def _path(self):
        """The value of PATH in the server process ('' when unset)."""
        k = kernel32(self._state)
        size = 4096
        while True:
            buf = ctypes.create_unicode_buffer(size)
            n = k.GetEnvironmentVariableW("PATH", buf, size)
            if n < size:  # the length without the NUL, or 0 when unset
                return buf.value if n else ""
            size = n  # too small: n is the size needed, NUL included

    def _isfile(self, fname):
        """os.path.isfile inside the Windows process: exists and is not a folder."""
        if "\0" in fname:
            return False
        attributes = kernel32(self._state).GetFileAttributesW(fname)
        return attributes != INVALID_FILE_ATTRIBUTES and not attributes & FILE_ATTRIBUTE_DIRECTORY
