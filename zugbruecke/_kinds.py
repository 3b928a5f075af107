"""Value kinds shared with the Go core (core/abi/abi.go: type Kind) and the mapping from
ctypes' fundamental types to them, with Windows semantics.

Python's ctypes types have Linux sizes; the session namespace replaces the ones whose
Windows size differs (c_long is c_int, c_size_t follows the session's arch, c_longdouble
is c_double), so a type code plus its Linux size names the Windows type unambiguously.
"""

import ctypes

VOID, BOOL, INT8, UINT8, INT16, UINT16, INT32, UINT32, INT64, UINT64 = range(10)
FLOAT32, FLOAT64, POINTER, CHAR, WCHAR, CHARP, WCHARP, BUFFER, WBUFFER, TYPED, STRUCT = range(10, 21)

# Conventions and result dereferencing, as core/abi.Conv and wire.Deref*.
CDECL, STDCALL = 0, 1
DEREF_NONE, DEREF_CSTR, DEREF_WSTR = 0, 1, 2

_BY_CODE = {
    "?": BOOL,
    "c": CHAR,
    "u": WCHAR,
    "b": INT8,
    "B": UINT8,
    "h": INT16,
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
