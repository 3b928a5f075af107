"""zugbruecke demo: real Windows DLL routines called from Linux, on win32 and win64.

Run with `make demo` (which sets everything up first) or `python3 examples/demo.py`.
"""

import time

import zugbruecke


def demo(arch):
    started = time.perf_counter()
    with zugbruecke.CtypesSession(arch=arch) as ctypes:
        print(f"--- {arch}: session up in {time.perf_counter() - started:.2f} s")

        pow_ = ctypes.cdll.msvcrt.pow
        pow_.argtypes = (ctypes.c_double, ctypes.c_double)
        pow_.restype = ctypes.c_double
        print(f"pow(2.0, 10.0) = {pow_(2.0, 10.0)}")

        kernel32 = ctypes.windll.kernel32
        print(f"kernel32.GetCurrentProcessId() = {kernel32.GetCurrentProcessId()}")

        buf = ctypes.create_unicode_buffer(260)
        n = kernel32.GetSystemDirectoryW(buf, len(buf))
        print(f"kernel32.GetSystemDirectoryW() = {buf.value!r} ({n} characters)")

        kernel32.lstrlenW.argtypes = (ctypes.c_wchar_p,)
        print(f"kernel32.lstrlenW('zugbrücke') = {kernel32.lstrlenW('zugbrücke')}")

        text = ctypes.create_string_buffer(64)
        bits = ctypes.sizeof(ctypes.c_size_t) * 8
        ctypes.cdll.msvcrt.sprintf(text, b"%s: size_t has %d bits, pi ~ %.5f", arch.encode(), bits,
                                   ctypes.c_double(3.14159265))
        print(f"msvcrt.sprintf() -> {text.value.decode()!r}")

        # A Python callback called by the DLL: msvcrt's qsort with a comparison function.
        CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
        values = (ctypes.c_int * 6)(5, 1, 7, 33, 99, -3)
        ctypes.cdll.msvcrt.qsort(values, len(values), ctypes.sizeof(ctypes.c_int), CMP(lambda a, b: a[0] - b[0]))
        print(f"msvcrt.qsort() with a Python comparison -> {list(values)}")

        # A Windows structure filled in by kernel32 (Windows layout of the session's arch).
        w = ctypes.wintypes

        class SYSTEM_INFO(ctypes.Structure):
            _fields_ = [("wProcessorArchitecture", w.WORD), ("wReserved", w.WORD), ("dwPageSize", w.DWORD),
                        ("lpMinimumApplicationAddress", w.LPVOID), ("lpMaximumApplicationAddress", w.LPVOID),
                        ("dwActiveProcessorMask", ctypes.c_size_t), ("dwNumberOfProcessors", w.DWORD),
                        ("dwProcessorType", w.DWORD), ("dwAllocationGranularity", w.DWORD),
                        ("wProcessorLevel", w.WORD), ("wProcessorRevision", w.WORD)]

        info = SYSTEM_INFO()
        kernel32.GetSystemInfo(ctypes.byref(info))
        print(f"kernel32.GetSystemInfo() -> page size {info.dwPageSize}, {info.dwNumberOfProcessors} processors, "
              f"sizeof(SYSTEM_INFO) = {ctypes.sizeof(SYSTEM_INFO)}")

        abs_ = ctypes.cdll.msvcrt.abs
        abs_.argtypes, abs_.restype = (ctypes.c_int,), ctypes.c_int
        n, started = 20000, time.perf_counter()
        for i in range(n):
            abs_(-i)
        print(f"msvcrt.abs() x {n}: {(time.perf_counter() - started) / n * 1e6:.1f} us per call")


if __name__ == "__main__":
    for arch in ("win32", "win64"):
        demo(arch)
