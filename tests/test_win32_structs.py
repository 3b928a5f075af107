# -*- coding: utf-8 -*-
"""
Real Windows structures filled by real Windows (Wine) routines: SYSTEM_INFO from
GetSystemInfo / GetNativeSystemInfo (an anonymous union of a structure, pointers,
DWORD_PTR), RTL_OSVERSIONINFOW / RTL_OSVERSIONINFOEXW from ntdll's RtlGetVersion (a
WCHAR array inside), GetComputerNameW into a unicode buffer with its size as a DWORD by
reference, SYSTEMTIME and FILETIME from GetSystemTime, SystemTimeToFileTime,
FileTimeToSystemTime and GetSystemTimeAsFileTime, and MEMORYSTATUSEX from
GlobalMemoryStatusEx (whose dwLength must be its size). Parametrized over arch only:
these routines are stdcall (win32) or the one win64 convention.

The structures are declared as in <windows.h>, with the session's types: DWORD c_uint32,
WORD c_uint16, pointers and handles c_void_p, DWORD_PTR c_size_t.
"""

import datetime
import time

import pytest

ERROR_INVALID_PARAMETER = 87
ERROR_BUFFER_OVERFLOW = 111
EPOCH_AS_FILETIME = 116444736000000000  # 1970-01-01 in 100 ns units since 1601
_TYPES = {}


def win(ct):
    if id(ct) in _TYPES:
        return _TYPES[id(ct)]
    DWORD, WORD, BYTE, WCHAR = ct.c_uint32, ct.c_uint16, ct.c_uint8, ct.c_wchar

    class _ARCH(ct.Structure):
        _fields_ = [("wProcessorArchitecture", WORD), ("wReserved", WORD)]

    class _OEM(ct.Union):
        _anonymous_ = ("s",)
        _fields_ = [("dwOemId", DWORD), ("s", _ARCH)]

    class SYSTEM_INFO(ct.Structure):
        _anonymous_ = ("u",)
        _fields_ = [("u", _OEM), ("dwPageSize", DWORD), ("lpMinimumApplicationAddress", ct.c_void_p),
                    ("lpMaximumApplicationAddress", ct.c_void_p), ("dwActiveProcessorMask", ct.c_size_t),
                    ("dwNumberOfProcessors", DWORD), ("dwProcessorType", DWORD),
                    ("dwAllocationGranularity", DWORD), ("wProcessorLevel", WORD), ("wProcessorRevision", WORD)]

    class RTL_OSVERSIONINFOW(ct.Structure):
        _fields_ = [("dwOSVersionInfoSize", DWORD), ("dwMajorVersion", DWORD), ("dwMinorVersion", DWORD),
                    ("dwBuildNumber", DWORD), ("dwPlatformId", DWORD), ("szCSDVersion", WCHAR * 128)]

    class RTL_OSVERSIONINFOEXW(ct.Structure):
        _fields_ = RTL_OSVERSIONINFOW._fields_ + [
            ("wServicePackMajor", WORD), ("wServicePackMinor", WORD), ("wSuiteMask", WORD),
            ("wProductType", BYTE), ("wReserved", BYTE)]

    class SYSTEMTIME(ct.Structure):
        _fields_ = [(n, WORD) for n in ("wYear", "wMonth", "wDayOfWeek", "wDay", "wHour", "wMinute",
                                        "wSecond", "wMilliseconds")]

    class FILETIME(ct.Structure):
        _fields_ = [("dwLowDateTime", DWORD), ("dwHighDateTime", DWORD)]

    class MEMORYSTATUSEX(ct.Structure):
        _fields_ = [("dwLength", DWORD), ("dwMemoryLoad", DWORD), ("ullTotalPhys", ct.c_uint64),
                    ("ullAvailPhys", ct.c_uint64), ("ullTotalPageFile", ct.c_uint64),
                    ("ullAvailPageFile", ct.c_uint64), ("ullTotalVirtual", ct.c_uint64),
                    ("ullAvailVirtual", ct.c_uint64), ("ullAvailExtendedVirtual", ct.c_uint64)]

    _TYPES[id(ct)] = t = type("Win", (), {k: v for k, v in locals().items() if isinstance(v, type)})
    return t


@pytest.fixture
def k32(ctypes):
    """kernel32 loaded for this test alone: argtypes set here stay here."""
    return ctypes.WinDLL("kernel32")


@pytest.fixture
def ntdll(ctypes):
    return ctypes.WinDLL("ntdll")


def filetime_value(ft):
    return ft.dwHighDateTime << 32 | ft.dwLowDateTime


def test_sizes(ctypes, arch):
    W = win(ctypes)
    assert ctypes.sizeof(W.SYSTEM_INFO) == (36 if arch == "win32" else 48)
    assert ctypes.sizeof(W.RTL_OSVERSIONINFOW) == 276
    assert ctypes.sizeof(W.RTL_OSVERSIONINFOEXW) == 284
    assert ctypes.sizeof(W.SYSTEMTIME) == 16
    assert ctypes.sizeof(W.FILETIME) == 8
    assert ctypes.sizeof(W.MEMORYSTATUSEX) == 64


def test_get_system_info(ctypes, arch, k32):
    W = win(ctypes)
    info = W.SYSTEM_INFO()
    k32.GetSystemInfo.argtypes = (ctypes.POINTER(W.SYSTEM_INFO),)
    k32.GetSystemInfo.restype = None
    assert k32.GetSystemInfo(ctypes.byref(info)) is None
    assert info.dwPageSize == 4096
    assert info.dwAllocationGranularity == 65536
    assert info.wProcessorArchitecture == (0 if arch == "win32" else 9)  # INTEL / AMD64
    assert info.dwOemId == info.wProcessorArchitecture  # the union's other view
    assert info.lpMinimumApplicationAddress == 0x10000
    top = info.lpMaximumApplicationAddress
    assert top and (top < 2**32 if arch == "win32" else top >= 2**32)
    assert info.dwNumberOfProcessors >= 1
    assert info.dwActiveProcessorMask and info.dwActiveProcessorMask.bit_length() <= 64
    assert info.dwProcessorType in (386, 486, 586, 8664)


def test_get_native_system_info(ctypes, arch, k32):
    W = win(ctypes)
    info = W.SYSTEM_INFO()
    k32.GetNativeSystemInfo(ctypes.byref(info))
    assert info.dwPageSize == 4096
    assert info.wProcessorArchitecture in ((0, 9) if arch == "win32" else (9,))


def test_rtl_get_version(ctypes, ntdll):
    W = win(ctypes)
    info = W.RTL_OSVERSIONINFOW()
    info.dwOSVersionInfoSize = ctypes.sizeof(info)
    info.szCSDVersion = "\u2603" * 127  # overwritten by the DLL
    rtl_get_version = ntdll.RtlGetVersion
    rtl_get_version.argtypes = (ctypes.POINTER(W.RTL_OSVERSIONINFOW),)
    rtl_get_version.restype = ctypes.c_int32  # NTSTATUS
    assert rtl_get_version(info) == 0
    assert info.dwOSVersionInfoSize == 276
    assert info.dwPlatformId == 2  # VER_PLATFORM_WIN32_NT
    assert info.dwMajorVersion >= 5 and info.dwBuildNumber > 0
    assert "\u2603" not in info.szCSDVersion and len(info.szCSDVersion) < 128


def test_rtl_get_version_ex_agrees_with_get_version_ex(ctypes, ntdll):
    W = win(ctypes)
    ex = W.RTL_OSVERSIONINFOEXW(dwOSVersionInfoSize=ctypes.sizeof(W.RTL_OSVERSIONINFOEXW))
    assert ntdll.RtlGetVersion(ctypes.byref(ex)) == 0
    assert ex.wProductType in (1, 2, 3)  # workstation, domain controller, server
    plain = W.RTL_OSVERSIONINFOW(dwOSVersionInfoSize=276)
    ntdll.RtlGetVersion(ctypes.byref(plain))
    assert (ex.dwMajorVersion, ex.dwMinorVersion, ex.dwBuildNumber, ex.szCSDVersion) == (
        plain.dwMajorVersion, plain.dwMinorVersion, plain.dwBuildNumber, plain.szCSDVersion)


def test_get_computer_name(ctypes, k32):
    buf = ctypes.create_unicode_buffer(64)
    size = ctypes.c_uint32(len(buf))
    get_name = k32.GetComputerNameW
    get_name.argtypes = (ctypes.c_wchar_p, ctypes.POINTER(ctypes.c_uint32))
    get_name.restype = ctypes.c_int32  # BOOL
    assert get_name(buf, ctypes.byref(size)) != 0
    name = buf.value
    assert 0 < len(name) <= 15 and size.value == len(name)
    assert name == name.upper()


def test_get_computer_name_buffer_too_small(ctypes, k32):
    full = ctypes.create_unicode_buffer(64)
    full_size = ctypes.c_uint32(64)
    k32.GetComputerNameW(full, ctypes.byref(full_size))
    buf = ctypes.create_unicode_buffer(1)
    size = ctypes.c_uint32(1)
    assert k32.GetComputerNameW(buf, ctypes.byref(size)) == 0
    assert ctypes.GetLastError() == ERROR_BUFFER_OVERFLOW
    assert size.value == full_size.value + 1  # the size needed, with the NUL


def test_get_system_time(ctypes, k32):
    W = win(ctypes)
    st = W.SYSTEMTIME()
    get_time = k32.GetSystemTime
    get_time.restype = None
    before = datetime.datetime.now(datetime.timezone.utc)
    get_time(ctypes.byref(st))
    assert st.wYear >= 2020
    assert 1 <= st.wMonth <= 12 and 1 <= st.wDay <= 31 and 0 <= st.wDayOfWeek <= 6
    assert st.wHour < 24 and st.wMinute < 60 and st.wSecond < 60 and st.wMilliseconds < 1000
    t = datetime.datetime(st.wYear, st.wMonth, st.wDay, st.wHour, st.wMinute, st.wSecond,
                          st.wMilliseconds * 1000, tzinfo=datetime.timezone.utc)
    assert abs((t - before).total_seconds()) < 60
    assert st.wDayOfWeek == (t.weekday() + 1) % 7  # Sunday is 0


def test_system_time_and_file_time(ctypes, k32):
    W = win(ctypes)
    ft = W.FILETIME()
    k32.GetSystemTimeAsFileTime.restype = None
    k32.GetSystemTimeAsFileTime(ctypes.byref(ft))
    assert abs((filetime_value(ft) - EPOCH_AS_FILETIME) / 1e7 - time.time()) < 60
    st = W.SYSTEMTIME(2001, 2, 0, 3, 4, 5, 6, 789)  # Saturday 2001-02-03, day of week ignored
    ft2 = W.FILETIME()
    k32.SystemTimeToFileTime.argtypes = (ctypes.POINTER(W.SYSTEMTIME), ctypes.POINTER(W.FILETIME))
    assert k32.SystemTimeToFileTime(st, ft2) != 0
    want = datetime.datetime(2001, 2, 3, 4, 5, 6, 789000, tzinfo=datetime.timezone.utc).timestamp()
    assert filetime_value(ft2) == EPOCH_AS_FILETIME + round(want * 1e7)
    back = W.SYSTEMTIME()
    assert k32.FileTimeToSystemTime(ctypes.byref(ft2), ctypes.byref(back)) != 0
    assert [getattr(back, n) for n, _ in back._fields_] == [2001, 2, 6, 3, 4, 5, 6, 789]


def test_system_time_to_file_time_rejects_bad_month(ctypes, k32):
    W = win(ctypes)
    ctypes.set_last_error(0)
    st = W.SYSTEMTIME(2001, 13, 0, 3)
    assert k32.SystemTimeToFileTime(ctypes.byref(st), ctypes.byref(W.FILETIME())) == 0
    assert ctypes.GetLastError() == ERROR_INVALID_PARAMETER


def test_global_memory_status(ctypes, k32):
    W = win(ctypes)
    status = W.MEMORYSTATUSEX(dwLength=ctypes.sizeof(W.MEMORYSTATUSEX))
    assert k32.GlobalMemoryStatusEx(ctypes.byref(status)) != 0
    assert 0 <= status.dwMemoryLoad <= 100
    assert 0 < status.ullAvailPhys <= status.ullTotalPhys
    assert 0 < status.ullAvailVirtual <= status.ullTotalVirtual
    wrong = W.MEMORYSTATUSEX(dwLength=0)
    assert k32.GlobalMemoryStatusEx(ctypes.byref(wrong)) == 0
    assert ctypes.GetLastError() == ERROR_INVALID_PARAMETER


@pytest.mark.parametrize("count", [1, 3])
def test_query_performance_counter(ctypes, count, k32):
    freq = ctypes.c_int64()
    assert k32.QueryPerformanceFrequency(ctypes.byref(freq)) != 0 and freq.value > 0
    values = []
    for _ in range(count):
        c = ctypes.c_int64()
        k32.QueryPerformanceCounter(ctypes.pointer(c))
        values.append(c.value)
    assert values == sorted(values) and values[0] > 0
