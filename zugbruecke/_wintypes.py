"""``wintypes`` for a session: the Windows data types of <windows.h> with Windows sizes.

CPython's ctypes.wintypes derives WPARAM/LPARAM and friends from the sizes of the running
Python; here they follow the session's arch (win32: 4 bytes, win64: 8), DWORD, LONG and
BOOL are 4 bytes (the session's c_long is c_int), and handles are c_void_p, which the
session lays out pointer-sized. Built once per session by build().
"""

import ctypes
import types


class VARIANT_BOOL(ctypes._SimpleCData):
    """OLE's boolean: a short, VARIANT_TRUE (-1) or VARIANT_FALSE (0)."""

    _type_ = "v"


def build(ns, win64):
    """A module of Windows types made from the session namespace ns."""
    c = types.SimpleNamespace(**ns)
    m = types.ModuleType("wintypes", __doc__)
    d = m.__dict__
    d.update(
        BYTE=c.c_byte,
        WORD=c.c_ushort,
        DWORD=c.c_ulong,
        CHAR=c.c_char,
        WCHAR=c.c_wchar,
        UINT=c.c_uint,
        INT=c.c_int,
        DOUBLE=c.c_double,
        FLOAT=c.c_float,
        BOOLEAN=c.c_byte,
        VARIANT_BOOL=VARIANT_BOOL,
        BOOL=c.c_long,
        ULONG=c.c_ulong,
        LONG=c.c_long,
        USHORT=c.c_ushort,
        SHORT=c.c_short,
        LARGE_INTEGER=c.c_longlong,
        _LARGE_INTEGER=c.c_longlong,
        ULARGE_INTEGER=c.c_ulonglong,
        _ULARGE_INTEGER=c.c_ulonglong,
        LPCOLESTR=c.c_wchar_p,
        LPOLESTR=c.c_wchar_p,
        OLESTR=c.c_wchar_p,
        LPCWSTR=c.c_wchar_p,
        LPWSTR=c.c_wchar_p,
        LPCSTR=c.c_char_p,
        LPSTR=c.c_char_p,
        LPCVOID=c.c_void_p,
        LPVOID=c.c_void_p,
        WPARAM=c.c_uint64 if win64 else c.c_uint32,
        LPARAM=c.c_int64 if win64 else c.c_int32,
    )
    d.update(
        ATOM=m.WORD,
        LANGID=m.WORD,
        COLORREF=m.DWORD,
        LGRPID=m.DWORD,
        LCTYPE=m.DWORD,
        LCID=m.DWORD,
        HANDLE=c.c_void_p,
    )
    for name in (
        "HACCEL",
        "HBITMAP",
        "HBRUSH",
        "HCOLORSPACE",
        "HDC",
        "HDESK",
        "HDWP",
        "HENHMETAFILE",
        "HFONT",
        "HGDIOBJ",
        "HGLOBAL",
        "HHOOK",
        "HICON",
        "HINSTANCE",
        "HKEY",
        "HKL",
        "HLOCAL",
        "HMENU",
        "HMETAFILE",
        "HMODULE",
        "HMONITOR",
        "HPALETTE",
        "HPEN",
        "HRGN",
        "HRSRC",
        "HSTR",
        "HTASK",
        "HWINSTA",
        "HWND",
        "SC_HANDLE",
        "SERVICE_STATUS_HANDLE",
    ):
        d[name] = m.HANDLE

    def struct(name, fields):
        cls = type(name, (c.Structure,), {"_fields_": fields})
        d[name] = d["_" + name] = cls
        return cls

    RECT = struct("RECT", [("left", m.LONG), ("top", m.LONG), ("right", m.LONG), ("bottom", m.LONG)])
    d.update(tagRECT=RECT, _RECTL=RECT, RECTL=RECT)
    struct("SMALL_RECT", [("Left", m.SHORT), ("Top", m.SHORT), ("Right", m.SHORT), ("Bottom", m.SHORT)])
    struct("COORD", [("X", m.SHORT), ("Y", m.SHORT)])
    POINT = struct("POINT", [("x", m.LONG), ("y", m.LONG)])
    d.update(tagPOINT=POINT, _POINTL=POINT, POINTL=POINT)
    SIZE = struct("SIZE", [("cx", m.LONG), ("cy", m.LONG)])
    d.update(tagSIZE=SIZE, SIZEL=SIZE)
    struct("FILETIME", [("dwLowDateTime", m.DWORD), ("dwHighDateTime", m.DWORD)])
    MSG = struct(
        "MSG",
        [
            ("hWnd", m.HWND),
            ("message", m.UINT),
            ("wParam", m.WPARAM),
            ("lParam", m.LPARAM),
            ("time", m.DWORD),
            ("pt", POINT),
        ],
    )
    d["tagMSG"] = MSG
    MAX_PATH = 260
    d["MAX_PATH"] = MAX_PATH
    struct(
        "WIN32_FIND_DATAA",
        [
            ("dwFileAttributes", m.DWORD),
            ("ftCreationTime", m.FILETIME),
            ("ftLastAccessTime", m.FILETIME),
            ("ftLastWriteTime", m.FILETIME),
            ("nFileSizeHigh", m.DWORD),
            ("nFileSizeLow", m.DWORD),
            ("dwReserved0", m.DWORD),
            ("dwReserved1", m.DWORD),
            ("cFileName", m.CHAR * MAX_PATH),
            ("cAlternateFileName", m.CHAR * 14),
        ],
    )
    struct(
        "WIN32_FIND_DATAW",
        [
            ("dwFileAttributes", m.DWORD),
            ("ftCreationTime", m.FILETIME),
            ("ftLastAccessTime", m.FILETIME),
            ("ftLastWriteTime", m.FILETIME),
            ("nFileSizeHigh", m.DWORD),
            ("nFileSizeLow", m.DWORD),
            ("dwReserved0", m.DWORD),
            ("dwReserved1", m.DWORD),
            ("cFileName", m.WCHAR * MAX_PATH),
            ("cAlternateFileName", m.WCHAR * 14),
        ],
    )

    pointer = c.POINTER
    for name, target in (
        ("LPBOOL", m.BOOL),
        ("PBOOL", m.BOOL),
        ("PBOOLEAN", m.BOOLEAN),
        ("LPBYTE", m.BYTE),
        ("PBYTE", m.BYTE),
        ("PCHAR", m.CHAR),
        ("LPCOLORREF", m.COLORREF),
        ("LPDWORD", m.DWORD),
        ("PDWORD", m.DWORD),
        ("LPFILETIME", m.FILETIME),
        ("PFILETIME", m.FILETIME),
        ("PFLOAT", m.FLOAT),
        ("LPHANDLE", m.HANDLE),
        ("PHANDLE", m.HANDLE),
        ("PHKEY", m.HKEY),
        ("LPHKL", m.HKL),
        ("LPINT", m.INT),
        ("PINT", m.INT),
        ("PLARGE_INTEGER", m.LARGE_INTEGER),
        ("PLCID", m.LCID),
        ("LPLONG", m.LONG),
        ("PLONG", m.LONG),
        ("LPMSG", MSG),
        ("PMSG", MSG),
        ("LPPOINT", POINT),
        ("PPOINT", POINT),
        ("PPOINTL", POINT),
        ("LPRECT", RECT),
        ("PRECT", RECT),
        ("LPRECTL", RECT),
        ("PRECTL", RECT),
        ("LPSC_HANDLE", m.SC_HANDLE),
        ("PSHORT", m.SHORT),
        ("LPSIZE", SIZE),
        ("PSIZE", SIZE),
        ("LPSIZEL", SIZE),
        ("PSIZEL", SIZE),
        ("PSMALL_RECT", m.SMALL_RECT),
        ("LPUINT", m.UINT),
        ("PUINT", m.UINT),
        ("PULARGE_INTEGER", m.ULARGE_INTEGER),
        ("PULONG", m.ULONG),
        ("PUSHORT", m.USHORT),
        ("PWCHAR", m.WCHAR),
        ("LPWIN32_FIND_DATAA", m.WIN32_FIND_DATAA),
        ("PWIN32_FIND_DATAA", m.WIN32_FIND_DATAA),
        ("LPWIN32_FIND_DATAW", m.WIN32_FIND_DATAW),
        ("PWIN32_FIND_DATAW", m.WIN32_FIND_DATAW),
        ("LPWORD", m.WORD),
        ("PWORD", m.WORD),
    ):
        d[name] = pointer(target)
    return m
