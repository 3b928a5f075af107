# Types of zugbruecke.ctypes for type checkers: the ctypes namespace as typeshed describes it
# for Windows (the names typeshed declares only under sys.platform == "win32" are declared
# here, since type checkers run on Linux), zugbruecke's memsync attribute of routines and
# function types, and the zb_* functions of the default session. A drop-in: code written
# against ctypes type-checks the same against zugbruecke.ctypes.

import ctypes as _ctypes

# What ctypes exports and a session's namespace has too (not the names bound to the Linux
# process: PyDLL, pydll, pythonapi, PYFUNCTYPE, RTLD_*, DEFAULT_MODE, c_buffer, SetPointerType).
from ctypes import (
    ARRAY as ARRAY,
    POINTER as POINTER,
    ArgumentError as ArgumentError,
    Array as Array,
    BigEndianStructure as BigEndianStructure,
    LibraryLoader as LibraryLoader,
    LittleEndianStructure as LittleEndianStructure,
    Structure as Structure,
    Union as Union,
    _CData,
    _CDataType,
    _CFunctionType,
    _NamedFuncPointer,
    _SimpleCData,
    addressof as addressof,
    alignment as alignment,
    byref as byref,
    c_bool as c_bool,
    c_byte as c_byte,
    c_char as c_char,
    c_char_p as c_char_p,
    c_double as c_double,
    c_float as c_float,
    c_int as c_int,
    c_int8 as c_int8,
    c_int16 as c_int16,
    c_int32 as c_int32,
    c_int64 as c_int64,
    c_long as c_long,
    c_longdouble as c_longdouble,
    c_longlong as c_longlong,
    c_short as c_short,
    c_size_t as c_size_t,
    c_ssize_t as c_ssize_t,
    c_ubyte as c_ubyte,
    c_uint as c_uint,
    c_uint8 as c_uint8,
    c_uint16 as c_uint16,
    c_uint32 as c_uint32,
    c_uint64 as c_uint64,
    c_ulong as c_ulong,
    c_ulonglong as c_ulonglong,
    c_ushort as c_ushort,
    c_void_p as c_void_p,
    c_voidp as c_voidp,
    c_wchar as c_wchar,
    c_wchar_p as c_wchar_p,
    cast as cast,
    create_string_buffer as create_string_buffer,
    create_unicode_buffer as create_unicode_buffer,
    get_errno as get_errno,
    memmove as memmove,
    memset as memset,
    pointer as pointer,
    py_object as py_object,
    resize as resize,
    set_errno as set_errno,
    sizeof as sizeof,
    string_at as string_at,
    wstring_at as wstring_at,
)
from typing import Any, ClassVar

class _Routine(_NamedFuncPointer):
    memsync: Any  # docs/memsync.md

class _FunctionType(_CFunctionType):
    memsync: ClassVar[Any]

class CDLL(_ctypes.CDLL):  # routines are _Routine
    def __getattr__(self, name: str) -> _Routine: ...
    def __getitem__(self, name_or_ordinal: str | int) -> _Routine: ...  # type: ignore[override]

class WinDLL(CDLL): ...
class OleDLL(CDLL): ...

cdll: LibraryLoader[CDLL]
windll: LibraryLoader[WinDLL]
oledll: LibraryLoader[OleDLL]

def CFUNCTYPE(
    restype: type[_CData | _CDataType] | None,
    *argtypes: type[_CData | _CDataType],
    use_errno: bool = False,
    use_last_error: bool = False,
) -> type[_FunctionType]: ...
def WINFUNCTYPE(
    restype: type[_CData | _CDataType] | None,
    *argtypes: type[_CData | _CDataType],
    use_errno: bool = False,
    use_last_error: bool = False,
) -> type[_FunctionType]: ...
def GetLastError() -> int: ...
def get_last_error() -> int: ...
def set_last_error(value: int) -> int: ...
def FormatError(code: int = ...) -> str: ...
def WinError(code: int | None = None, descr: str | None = None) -> OSError: ...

class HRESULT(_SimpleCData[int]): ...

zb_id: str
zb_client_up: bool
zb_server_up: bool

def zb_terminate() -> None: ...
def zb_get_parameter(name: str) -> object: ...
def zb_set_parameter(name: str, value: object) -> None: ...
