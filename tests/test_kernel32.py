# -*- coding: utf-8 -*-
"""
Real Windows routines from kernel32 through windll (stdcall on win32): values
that only Windows (here: Wine) can produce, strings in both encodings, and
buffers that the system fills. Parametrized over arch only.
"""

import time

from hypothesis import given, strategies as st


def test_get_current_process_id(ctypes):
    pid = ctypes.windll.kernel32.GetCurrentProcessId()
    assert isinstance(pid, int)
    assert pid > 0
    assert ctypes.windll.kernel32.GetCurrentProcessId() == pid


def test_get_tick_count_advances(ctypes):
    get_tick_count = ctypes.windll.kernel32.GetTickCount
    get_tick_count.restype = ctypes.c_uint32  # DWORD
    sleep = ctypes.windll.kernel32.Sleep
    sleep.argtypes = (ctypes.c_uint32,)
    sleep.restype = None
    first = get_tick_count()
    assert sleep(50) is None
    second = get_tick_count()
    elapsed = (second - first) % 2**32
    assert 30 <= elapsed < 60_000


def test_sleep_zero_returns_none(ctypes):
    sleep = ctypes.windll.kernel32.Sleep
    sleep.restype = None
    assert sleep(0) is None


def test_sleep_blocks(ctypes):
    sleep = ctypes.windll.kernel32.Sleep
    sleep.restype = None
    start = time.monotonic()
    sleep(200)
    assert time.monotonic() - start >= 0.15


def test_lstrlen(ctypes):
    kernel32 = ctypes.windll.kernel32
    assert kernel32.lstrlenW("Br\u00fccke") == 6
    assert kernel32.lstrlenW("\U0001F309") == 2  # UTF-16: a surrogate pair
    assert kernel32.lstrlenW("") == 0
    assert kernel32.lstrlenW(None) == 0
    assert kernel32.lstrlenA(b"zugbruecke") == 10
    assert kernel32.lstrlenA(None) == 0


@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=100))
def test_lstrlenw_any_text(ctypes, text):
    lstrlen = ctypes.windll.kernel32.lstrlenW
    lstrlen.argtypes = (ctypes.c_wchar_p,)
    assert lstrlen(text) == len(text.encode("utf-16-le")) // 2


def test_get_system_directory_w(ctypes):
    buf = ctypes.create_unicode_buffer(260)
    length = ctypes.windll.kernel32.GetSystemDirectoryW(buf, 260)
    assert length == len(buf.value)
    assert buf.value.lower().endswith("system32")
    assert buf.value[1:3] == ":\\"


def test_get_system_directory_a(ctypes):
    buf = ctypes.create_string_buffer(260)
    length = ctypes.windll.kernel32.GetSystemDirectoryA(buf, 260)
    assert length == len(buf.value)
    assert buf.value.lower().endswith(b"system32")


def test_get_system_directory_too_small(ctypes):
    # With a too small buffer the routine returns the size it needs.
    buf = ctypes.create_unicode_buffer(3)
    needed = ctypes.windll.kernel32.GetSystemDirectoryW(buf, 3)
    assert needed > 3


def test_lstrcpyw_into_buffer(ctypes):
    lstrcpy = ctypes.windll.kernel32.lstrcpyW
    lstrcpy.argtypes = (ctypes.c_wchar_p, ctypes.c_wchar_p)
    lstrcpy.restype = ctypes.c_void_p
    buf = ctypes.create_unicode_buffer(20)
    assert lstrcpy(buf, "Zugbr\u00fccke") is not None
    assert buf.value == "Zugbr\u00fccke"


def test_mul_div(ctypes):
    mul_div = ctypes.windll.kernel32.MulDiv
    assert mul_div(10, 20, 5) == 40
    assert mul_div(2**30, 8, 16) == 2**29  # 64-bit intermediate result
    assert mul_div(1, 1, 0) == -1


def test_module_handles(ctypes):
    get_module_handle = ctypes.windll.kernel32.GetModuleHandleW
    get_module_handle.argtypes = (ctypes.c_wchar_p,)
    get_module_handle.restype = ctypes.c_void_p
    assert get_module_handle(None) is not None
    kernel32 = get_module_handle("kernel32.dll")
    assert kernel32 is not None
    assert get_module_handle("zb_not_loaded_4711.dll") is None
    get_proc_address = ctypes.windll.kernel32.GetProcAddress
    get_proc_address.argtypes = (ctypes.c_void_p, ctypes.c_char_p)
    get_proc_address.restype = ctypes.c_void_p
    assert get_proc_address(kernel32, b"GetTickCount") is not None
    assert get_proc_address(kernel32, b"zb_no_such_routine") is None


def test_environment_variable_roundtrip(ctypes):
    kernel32 = ctypes.windll.kernel32
    assert kernel32.SetEnvironmentVariableW("ZB_TEST_VARIABLE", "Br\u00fccke") != 0
    buf = ctypes.create_unicode_buffer(64)
    length = kernel32.GetEnvironmentVariableW("ZB_TEST_VARIABLE", buf, 64)
    assert length == 6
    assert buf.value == "Br\u00fccke"
