"""Windows data types for the default session (see zugbruecke/_wintypes.py): DWORD, LONG and
BOOL are 4 bytes; WPARAM and LPARAM follow the session's arch."""

import sys as _sys

from . import _session

_sys.modules[__name__] = _session.wintypes
