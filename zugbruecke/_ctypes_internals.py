"""The classes of CPython's ctypes that it keeps to itself, found once for the package.

ctypes exports ``_SimpleCData``, ``_Pointer`` and ``_CFuncPtr`` under private names and
not at all the common base of its data types (``_CData``), the type of what ``byref()``
returns (``CArgObject``) or the metaclass of function pointer types (``PyCFuncPtrType``):
those are derived here from objects that have them. For the type checker, typeshed names
all of them in ``_ctypes``.
"""

import ctypes
from typing import TYPE_CHECKING

__all__ = ["PyCFuncPtrType", "_CArgObject", "_CData", "_CFuncPtr", "_Pointer", "_SimpleCData"]

if TYPE_CHECKING:
    from _ctypes import (
        CFuncPtr as _CFuncPtr,
        _CArgObject,
        _CData,
        _Pointer,
        _PyCFuncPtrType as PyCFuncPtrType,
        _SimpleCData,
    )
else:
    _SimpleCData = ctypes._SimpleCData
    _CData = _SimpleCData.__mro__[1]
    _CArgObject = type(ctypes.byref(ctypes.c_int()))
    _CFuncPtr = ctypes._CFuncPtr
    _Pointer = ctypes._Pointer
    PyCFuncPtrType = type(_CFuncPtr)
