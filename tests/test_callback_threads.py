# -*- coding: utf-8 -*-
"""
Callbacks and threads, errors, lifetime: the DLL calls a Python callback from
threads it creates (CreateThread), waiting for them or returning at once; an
exception in a callback is printed ("Exception ignored on calling ctypes
callback function" and a traceback, on stderr) and the callback returns a
zeroed result; callback objects come and go by the thousand without running out.
Also real Windows APIs that take callbacks: msvcrt.qsort and
kernel32.EnumSystemCodePagesW (parametrized over arch only).

Routines from tests/dlls/callbacks.c. CPython's ctypes on Windows is the reference.
"""

import gc
import threading
import time

import pytest
from hypothesis import given, strategies as st

int32 = st.integers(-(2**31), 2**31 - 1)
f64 = st.floats(allow_nan=False)


@pytest.fixture
def lib(dll):
    return dll("callbacks")


def cb_type(ctypes, FT):
    """int (*)(int x, int windows_thread_id), as the thread routines call it."""
    return FT(ctypes.c_int, ctypes.c_int, ctypes.c_int)


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# threads the DLL creates
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_callback_from_dll_thread(ctypes, FT, lib):
    c = ctypes
    seen = []

    def func(x, tid):
        seen.append((x, tid, threading.get_ident()))
        return x * 2 + 1

    caller_tid = c.c_int()
    assert lib.cb_in_thread(cb_type(c, FT)(func), 20, c.byref(caller_tid)) == 41
    assert len(seen) == 1
    x, tid, ident = seen[0]
    assert x == 20
    assert tid != caller_tid.value  # another Windows thread ...
    assert ident != threading.get_ident()  # ... and another Python thread


def test_dll_thread_callback_calls_into_dll(ctypes, FT, lib):
    c = ctypes
    CBI = FT(c.c_int, c.c_int, c.c_int)
    fwd = lib.fwd_int2
    fwd.argtypes = (CBI, c.c_int, c.c_int)
    inner = CBI(lambda a, b: a * 1000 + b)
    # From the DLL's thread: Python -> DLL -> Python again.
    outer = cb_type(c, FT)(lambda x, tid: fwd(inner, x, 7))
    assert lib.cb_in_thread(outer, 3, c.byref(c.c_int())) == 3007


def test_callbacks_from_many_threads_at_once(ctypes, FT, lib):
    lock = threading.Lock()
    seen = []

    def func(x, tid):
        with lock:
            seen.append((x, tid))
        time.sleep(0.01)
        return x * x + 1

    n = 8
    assert lib.cb_in_threads(cb_type(ctypes, FT)(func), n) == sum(i * i + 1 for i in range(n))
    assert sorted(x for x, _ in seen) == list(range(n))
    assert len({tid for _, tid in seen}) == n


def test_callback_from_thread_after_return(ctypes, FT, lib):
    done = threading.Event()
    seen = []

    def func(x, tid):
        seen.append(x)
        done.set()
        return x + 1

    cb = cb_type(ctypes, FT)(func)  # must stay alive until the thread has called it
    start = time.monotonic()
    assert lib.cb_start_thread(cb, 99, 300) == 1
    returned = time.monotonic() - start
    assert not done.is_set() or returned >= 0.3
    assert done.wait(timeout=20), "the callback never arrived"
    assert seen == [99]
    deadline = time.monotonic() + 10
    while lib.async_result() != 100 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert lib.async_result() == 100
    assert lib.cb_take(cb) == 1  # the session still works


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# exceptions in callbacks
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def boom(*args):
    raise ZeroDivisionError("boom in callback")


def assert_reported(capfd, exc_name):
    err = capfd.readouterr().err
    assert "Exception ignored on calling ctypes callback function" in err
    assert "Traceback" in err and exc_name in err
    return err


def test_exception_gives_zero_int(ctypes, FT, lib, capfd):
    CB = FT(ctypes.c_int, ctypes.c_int, ctypes.c_int)
    assert lib.cb_int2(CB(boom)) == 1  # 3 * 0 + 1
    err = assert_reported(capfd, "ZeroDivisionError")
    assert "boom in callback" in err
    assert lib.cb_int2(CB(lambda a, b: 2)) == 7  # and the next call is fine
    assert "Exception ignored" not in capfd.readouterr().err


def test_exception_gives_zero_double_and_pointer(ctypes, FT, lib, capfd):
    c = ctypes
    CBD = FT(c.c_double, c.c_double)
    func = lib.cb_double_result
    func.restype = c.c_double
    assert func(CBD(boom)) == 1.0  # 0.0 + 1.0
    assert_reported(capfd, "ZeroDivisionError")
    assert lib.cb_voidp_null(FT(c.c_void_p, c.c_void_p)(boom)) == 1  # NULL
    assert_reported(capfd, "ZeroDivisionError")


def test_exception_in_void_callback(ctypes, FT, lib, capfd):
    assert lib.cb_void(FT(None, ctypes.c_int)(boom)) == 2
    err = assert_reported(capfd, "ZeroDivisionError")
    assert err.count("Exception ignored") == 2  # called twice, reported twice


@pytest.mark.parametrize("value", ["not a number", "12", 2.7])
def test_wrong_result_type_gives_zero(ctypes, FT, lib, capfd, value):
    # ctypes accepts only integers for an integer result (TypeError otherwise,
    # reported "on converting result of ctypes callback function").
    CB = FT(ctypes.c_int, ctypes.c_int, ctypes.c_int)
    assert lib.cb_int2(CB(lambda a, b: value)) == 1
    err = capfd.readouterr().err
    assert "Exception ignored" in err and "TypeError" in err


def test_exception_in_nested_callback(ctypes, FT, lib, capfd):
    CB = FT(ctypes.c_int, ctypes.c_int)
    recurse = lib.recurse
    recurse.argtypes = (ctypes.c_int, CB)

    def func(n):
        if n == 0:
            raise KeyError("deepest")
        return recurse(n - 1, cb)

    cb = CB(func)
    assert recurse(3, cb) == 4  # the innermost callback gives 0, each level adds 1
    assert_reported(capfd, "KeyError")


def test_exception_in_thread_callback(ctypes, FT, lib, capfd):
    assert lib.cb_in_thread(cb_type(ctypes, FT)(boom), 1, ctypes.byref(ctypes.c_int())) == 0
    assert_reported(capfd, "ZeroDivisionError")


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# lifetime
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def _rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def test_many_callback_objects(ctypes, arch, dll_builder):
    # 100,000 callback objects created, passed and dropped: each takes a native slot
    # in the server while it lives; dropped ones give theirs back, so the slots (their
    # entry addresses) and the server's memory stay bounded. Both conventions: even
    # objects go to the cdecl build, odd ones to the stdcall build.
    from zugbruecke import _core

    c = ctypes
    variants = []
    for FT, loader, conv in ((c.CFUNCTYPE, c.CDLL, "cdecl"), (c.WINFUNCTYPE, c.WinDLL, "stdcall")):
        lib = loader(str(dll_builder("callbacks", arch, conv)))
        CB = FT(c.c_int, c.c_int)
        take, call = lib.cb_take, lib.cb_call
        take.argtypes, call.argtypes = (CB,), (CB, c.c_int)
        variants.append((CB, take, call))
    server_pid = _core.pids(c._handle)[0]
    entries = set()
    rss_before = None
    for i in range(100_000):
        CB, take, call = variants[i % 2]
        cb = CB(lambda x, i=i: x + i)
        assert take(cb) == 1
        entries.add(cb._zb_addr)
        if i % 1000 < 2:
            assert call(cb, 5) == 5 + i
        if i % 1000 == 999:
            gc.collect()
        if i == 10_000:
            rss_before = _rss_kib(server_pid)
        del cb
    gc.collect()
    assert len(entries) < 4096, "dropped callbacks did not give their slots back"
    assert _rss_kib(server_pid) - rss_before < 10 * 1024, "server memory grew"
    for CB, take, call in variants:
        assert call(CB(lambda x: -x), 8) == -8


def test_callback_kept_by_struct_survives_gc(ctypes, FT, lib):
    c = ctypes
    CB = FT(c.c_int, c.c_int)

    class Holder(c.Structure):
        _fields_ = [("fn", CB), ("x", c.c_int)]

    cb = CB(lambda x: x + 1)
    assert lib.cb_call(cb, 1) == 2
    h = Holder(cb, 41)  # the structure keeps a reference, as in ctypes
    del cb
    gc.collect()
    assert lib.holder_call(c.byref(h)) == 43


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# real Windows APIs (arch only)
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def msvcrt_qsort(ctypes, ctype, values):
    c = ctypes
    CMP = c.CFUNCTYPE(c.c_int, c.POINTER(ctype), c.POINTER(ctype))
    qsort = c.cdll.msvcrt.qsort
    qsort.restype = None
    arr = (ctype * len(values))(*values)
    calls = []

    def cmp(a, b):
        calls.append(1)
        return (a[0] > b[0]) - (a[0] < b[0])

    assert qsort(arr, len(arr), c.sizeof(ctype), CMP(cmp)) is None
    assert len(values) < 2 or calls
    return list(arr)


def test_msvcrt_qsort_ints(ctypes):
    assert msvcrt_qsort(ctypes, ctypes.c_int, [5, 1, 7, 33, 99]) == [1, 5, 7, 33, 99]


@given(values=st.lists(int32, max_size=16))
def test_msvcrt_qsort_ints_any(ctypes, values):
    assert msvcrt_qsort(ctypes, ctypes.c_int, values) == sorted(values)


@given(values=st.lists(f64, max_size=16))
def test_msvcrt_qsort_doubles(ctypes, values):
    assert msvcrt_qsort(ctypes, ctypes.c_double, values) == sorted(values)


def test_enum_system_code_pages(ctypes):
    c = ctypes
    PROC = c.WINFUNCTYPE(c.c_bool, c.c_wchar_p)
    pages = []
    enum = c.windll.kernel32.EnumSystemCodePagesW
    enum.argtypes = (PROC, c.c_uint32)
    assert enum(PROC(lambda s: pages.append(s) or True), 1) != 0  # CP_INSTALLED
    assert pages and all(isinstance(p, str) and p.isdigit() for p in pages)
    assert "1252" in pages and "437" in pages
    # A FALSE result stops the enumeration.
    few = []
    STOP = c.WINFUNCTYPE(c.c_int, c.c_wchar_p)
    enum.argtypes = (STOP, c.c_uint32)
    enum(STOP(lambda s: few.append(s) or 0), 1)
    assert len(few) == 1
