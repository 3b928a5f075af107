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


if __name__ == "__main__":
    for arch in ("win32", "win64"):
        demo(arch)
