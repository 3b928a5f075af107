"""Type stub of zugbruecke._core, the CPython extension written in Go (pyext/).

Sessions are plain integer handles; JSON travels as str. Errors are raised through the
factory registered with ``init``; its ``kind`` is one of "load", "symbol", "argument",
"exception", "type", "wine", "config", "terminated", "start", "server", "error".
"""

from typing import Callable

# What a call returns before the routine object wraps it (None for void, NULL pointers
# and structure results, which go into the object passed as ``result``).
_Value = int | float | bool | bytes | str | None
_ArgValue = int | float | bytes | str | None | object

def init(error_factory: Callable[[str, int, str], BaseException], /) -> None:
    """Register the factory that turns (kind, code, message) into the exception to raise."""

def resolve_config(kwargs_json: str, environ_json: str, /) -> str:
    """Resolve a configuration; JSON {"config": {...}, "sources": {...}, "warnings": [...]}."""

def wine_info(config_json: str, environ_json: str, /) -> str:
    """What sessions with this configuration would use, without starting one: JSON
    {"data_dir": absolute path, "data_dir_source": "configuration" | "XDG_DATA_HOME" |
    "default" | "default (no HOME)", "archs": {"win32" | "win64": {"loader": path or null,
    "why": why there is none, "fix": what to do about it, "prefix": the WINEPREFIX}}}."""

def start(
    config_json: str, bin_dir: str, environ_json: str, events: Callable[[str, str], object] | None = None, /
) -> int:
    """Prepare the Wine prefix and start the server; returns the session handle. events(kind,
    message) hears of the steps of creating a prefix ("prefix") and new server threads
    ("thread")."""

def stop(session: int, /) -> None:
    """Terminate the server of a session (a stale handle is ignored)."""

def alive(session: int, /) -> bool:
    """Whether the session's server process still runs."""

def release_thread(session: int, tid: int, /) -> None:
    """The Linux thread tid has ended: end its server thread (in the background; a stale
    handle or a thread that never called is ignored)."""

def pids(session: int, /) -> tuple[int, int]:
    """(Linux process id of the Wine loader, Windows process id of the server)."""

def load(session: int, name: str, /) -> int:
    """LoadLibrary in the server; returns the module handle."""

def free(session: int, handle: int, /) -> None:
    """FreeLibrary in the server."""

def sym(session: int, handle: int, name: str, ordinal: int, /) -> int:
    """GetProcAddress by name (ordinal 0) or by ordinal (name ""); returns the address."""

def read(session: int, address: int, size: int, wide: bool, /) -> bytes:
    """Read server memory: size bytes, or a NUL-terminated string when size is 0 (UTF-16LE
    code units when wide, without the terminator)."""

def type_register(description_json: str, /) -> int:
    """Register a ctypes type description (zugbruecke/_types.py); returns its type id."""

def type_bind(pointer_id: int, pointee_id: int, /) -> None:
    """Bind a pointer type registered before its pointee (a self-referencing structure)."""

def type_info(session: int, type_id: int, /) -> str:
    """JSON [size, alignment, field offsets...] of a type in the session's Windows layout."""

def mirror(session: int, server_address: int, type_id: int, linux_address: int, /) -> None:
    """Copy the server's value at server_address into the Linux object at linux_address."""

def unmirror(session: int, linux_address: int, /) -> None:
    """Forget the mirror at linux_address."""

def adopt(
    session: int, server_address: int, type_id: int, count: int, linux_address: int, data: bytes | None, /
) -> None:
    """Copy count values of a type at server_address (or from data, Windows bytes) into the
    Linux memory at linux_address, and record it as a mirror of that DLL memory."""

def call(
    session: int,
    fn: int,
    flags: int,
    kinds: bytes,
    values: tuple[_ArgValue, ...],
    result: tuple[int, int] | None = ...,
    syncs: tuple[tuple, ...] | None = ...,
    /,
) -> tuple[_Value, int]:
    """Call the routine at fn; returns (result, GetLastError after the call). flags holds
    the calling convention, the result kind (<< 8) and the result dereference (<< 16);
    kinds has one abi kind per value; result is (type id, address) of a structure result;
    syncs are memsync descriptions of pointer members: (member address, type id, count,
    report address) or (member address, bytearray, report address)."""
