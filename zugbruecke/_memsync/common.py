"""What every stage of memsync shares: its error, the path wildcard, and the limits and
report states it agrees on with the Go core (core/marshal)."""

import ctypes

from .. import _zcontract as Z

# Bytes one directive may describe (core/marshal.MaxSync): more is taken for a mistake.
MAX_BYTES = Z.MEMSYNC_MAX_BYTES

# What the core reports for a sync (core/marshal.Sync*).
_UNREACHED, _REACHED, _IN_PLACE, _MOVED = Z.SYNC_UNREACHED, Z.SYNC_REACHED, Z.SYNC_IN_PLACE, Z.SYNC_MOVED

WILDCARD = "*"


class MemsyncArgumentError(ctypes.ArgumentError, ValueError):
    """A memsync directive does not fit the arguments of a call (a negative or absurd
    length, a NULL pointer with a length, a path that leads nowhere). Raised before the
    call reaches the DLL; it is both a ``ctypes.ArgumentError`` and a ``ValueError``."""


def _name(tp):
    return getattr(tp, "__name__", repr(tp))
