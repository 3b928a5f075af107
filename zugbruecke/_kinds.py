"""Value kinds shared with the Go core (core/abi.Kind, through the generated _zcontract),
conventions and result dereferencing, and the mapping from ctypes' fundamental types to
the kinds, with Windows semantics.

Python's ctypes types have Linux sizes; the session namespace replaces the ones whose
Windows size differs (c_long is c_int, c_size_t follows the session's arch, c_longdouble
is c_double), so a type code plus its Linux size names the Windows type unambiguously.
"""

import ctypes

from ._zcontract import (  # noqa: F401 (re-exported)
    CONV_CDECL as CDECL,
    CONV_STDCALL as STDCALL,
    DEREF_CSTR,
    DEREF_NONE,
    DEREF_WSTR,
    KIND_BOOL as BOOL,
    KIND_BUFFER as BUFFER,
    KIND_CHAR as CHAR,
    KIND_CHARP as CHARP,
    KIND_FLOAT32 as FLOAT32,
    KIND_FLOAT64 as FLOAT64,
    KIND_INT8 as INT8,
    KIND_INT16 as INT16,
    KIND_INT32 as INT32,
    KIND_INT64 as INT64,
    KIND_POINTER as POINTER,
    KIND_STRUCT as STRUCT,
    KIND_TYPED as TYPED,
    KIND_UINT8 as UINT8,
    KIND_UINT16 as UINT16,
    KIND_UINT32 as UINT32,
    KIND_UINT64 as UINT64,
    KIND_VOID as VOID,
    KIND_WBUFFER as WBUFFER,
    KIND_WCHAR as WCHAR,
    KIND_WCHARP as WCHARP,
    MEMORY_CHECKED,
    MEMORY_DIRECT,
    MEMORY_UNVERIFIED,
)

_BY_CODE = {
    "?": BOOL,
    "c": CHAR,
    "u": WCHAR,
    "b": INT8,
    "B": UINT8,
    "h": INT16,
    "v": INT16,  # VARIANT_BOOL: a short, -1 for True
    "H": UINT16,
    "f": FLOAT32,
    "d": FLOAT64,
    "g": FLOAT64,
    "z": CHARP,
    "Z": WCHARP,
    "P": POINTER,
}
_INT_BY_SIZE = {(4, True): INT32, (4, False): UINT32, (8, True): INT64, (8, False): UINT64}


def kind_of(tp):
    """The kind of a fundamental ctypes type, or None if it is not one."""
    code = getattr(tp, "_type_", None)
    if not isinstance(code, str):
        return None
    if code in _BY_CODE:
        return _BY_CODE[code]
    if code in "iIlLqQ":
        return _INT_BY_SIZE.get((ctypes.sizeof(tp), code.islower()))
    return None


INT_RANGES = {
    BOOL: (0, 1),
    INT8: (-(2**7), 2**7 - 1),
    UINT8: (0, 2**8 - 1),
    INT16: (-(2**15), 2**15 - 1),
    UINT16: (0, 2**16 - 1),
    INT32: (-(2**31), 2**31 - 1),
    UINT32: (0, 2**32 - 1),
    INT64: (-(2**63), 2**63 - 1),
    UINT64: (0, 2**64 - 1),
}
