"""The architecture of a DLL, read from its PE header, to explain a DLL that cannot load.

Windows refuses a DLL built for the other architecture with ``[WinError 193] %1 is not a
valid Win32 application`` (Wine: ``Bad EXE format for %1.``), which does not say what is
wrong. ``check_dll_arch`` reads the ``Machine`` field of the DLL's COFF header and names
the architecture the DLL needs instead; ``arch_error`` returns that error, for a loader
whose load just failed with error 193.

PE layout used here (Microsoft's "PE Format"): the DOS header starts with ``MZ`` and keeps
the file offset of the PE signature at 0x3C (4 bytes, little-endian); the signature is
``PE\\0\\0``, directly followed by the COFF header, whose first field is ``Machine``
(2 bytes).
"""

import ntpath
import os
import struct

from . import _zcontract as Z
from ._errors import winerror

__all__ = ["ARCH_OF_MACHINE", "arch_error", "check_dll_arch", "dll_arch", "read_machine"]

ERROR_BAD_EXE_FORMAT = 193

# Machine -> the session arch that can load it.
ARCH_OF_MACHINE = Z.ARCH_OF_MACHINE

# Names of the machines one may meet, for messages.
MACHINE_NAMES = {
    0x014C: "32-bit (i386)",
    0x8664: "64-bit (x86-64)",
    0x01C4: "32-bit ARM (ARMNT)",
    0xAA64: "64-bit ARM (ARM64)",
    0x0200: "Itanium (IA64)",
}


class NotPEError(ValueError):
    """The file is not a PE image (no MZ header or no PE signature)."""


def read_machine(path):
    """The ``Machine`` field of the PE file at the Unix path ``path``.

    Raises NotPEError for a file that is not a PE image and OSError when the file cannot
    be read.
    """
    with open(path, "rb") as f:
        dos = f.read(0x40)
        if len(dos) < 0x40 or dos[:2] != b"MZ":
            raise NotPEError(f"{path}: no MZ header")
        (pe_offset,) = struct.unpack_from("<I", dos, 0x3C)
        f.seek(pe_offset)
        head = f.read(6)
    if len(head) < 6 or head[:4] != b"PE\0\0":
        raise NotPEError(f"{path}: no PE signature")
    return struct.unpack_from("<H", head, 4)[0]


def _bad_format(message):
    """The OSError Windows' refusal becomes (``[WinError 193] message``)."""
    return winerror(ERROR_BAD_EXE_FORMAT, message)


def _is_windows_path(name):
    """True for names that LoadLibrary takes as a path rather than a name to search for:
    a drive, a UNC or rooted path, or any path separator."""
    drive, _ = ntpath.splitdrive(name)
    return bool(drive) or "\\" in name or "/" in name


def _unix_path(name, session):
    """The Unix path of a DLL name, or None when there is no file to look at: bare names
    are searched for by Windows, and Windows paths need a session to resolve them."""
    if name.startswith("/"):
        return name
    if session is None or not _is_windows_path(name):
        return None
    from .core.errors import WineError

    try:
        return session.zb_path_wine_to_unix(name)
    except (WineError, ValueError):
        return None


def _inspect(name, session):
    """(Machine field, None), (None, the error for a file that is not a PE image), or
    (None, None) when there is no file to read."""
    unix = _unix_path(name, session)
    if unix is None:
        return None, None
    try:
        return read_machine(unix), None
    except NotPEError:
        return None, _bad_format(f"{name} is not a valid Win32 application (not a PE file)")
    except OSError:
        return None, None  # missing or unreadable: loading reports that in Windows' words


def dll_arch(path, session=None):
    """The session arch ("win32" or "win64") a DLL needs, or None when it cannot be told:
    no file to look at (a bare name, a Windows path without a session, a missing file) or
    a machine that neither arch runs. Raises OSError (WinError 193) for a file that is not
    a PE image."""
    machine, error = _inspect(os.fsdecode(os.fspath(path)), session)
    if error is not None:
        raise error
    return None if machine is None else ARCH_OF_MACHINE.get(machine)


def _check(path, arch, session):
    """(the arch the DLL is built for or None, the OSError for loading it in arch or None)."""
    if arch not in Z.ARCHES:
        raise ValueError(f"arch must be one of {', '.join(map(repr, Z.ARCHES))}, not {arch!r}")
    name = os.fsdecode(os.fspath(path))
    machine, error = _inspect(name, session)
    if machine is None:
        return None, error
    found = ARCH_OF_MACHINE.get(machine)
    if found == arch:
        return found, None
    what = MACHINE_NAMES.get(machine, f"machine 0x{machine:04x}")
    if found is None:
        return None, _bad_format(f"{name} is a {what} DLL, which neither win32 nor win64 sessions can load")
    return found, _bad_format(
        f"{name} is a {what} DLL and this session is {arch}; use CtypesSession(arch='{found}')"
    )


def arch_error(path, arch, session=None):
    """The OSError that ``check_dll_arch`` raises, or None: for a loader that already knows
    the load failed with WinError 193 and wants to say why."""
    return _check(path, arch, session)[1]


def check_dll_arch(path, arch, session=None):
    """Check that the DLL at ``path`` can load in a session of ``arch`` ("win32", "win64").

    ``path`` is a Unix path, or a Windows path that ``session.zb_path_wine_to_unix``
    resolves (only when a session is given). A bare name (``"kernel32"``) or a path with no
    file behind it passes: Windows searches for it or reports it missing when it loads.

    Returns the arch the DLL is built for, or None when there was nothing to check.
    Raises OSError (with ``winerror`` 193, as Windows refuses such a DLL) for a DLL of
    another architecture, naming the session arch to use, and for a file that is not a PE
    image.
    """
    found, error = _check(path, arch, session)
    if error is not None:
        raise error
    return found
