"""
Builds what the benchmarks run: bench.c as a Windows DLL for each arch and
calling convention, as a Linux shared library for the native reference, and the
Windows TCP client. Every product is kept in bench/.cache under a name that
carries a hash of source, compiler and flags, so an unchanged one is never
rebuilt.
"""

import hashlib
import os
import pathlib
import subprocess
import tempfile

BENCH_DIR = pathlib.Path(__file__).resolve().parent
SRC_DIR = BENCH_DIR / "src"
CACHE_DIR = BENCH_DIR / ".cache"

MINGW = {"win32": "i686-w64-mingw32-gcc", "win64": "x86_64-w64-mingw32-gcc"}
CONV_MACROS = {"cdecl": "__cdecl", "stdcall": "__stdcall"}


def _build(source, suffix, compiler, flags, libs=()):
    """Compiles source with compiler and flags into the cache unless an
    identical build is there already; returns the product's path."""
    digest = hashlib.sha256()
    for part in (source.read_bytes(), compiler.encode(), "\0".join([*flags, *libs]).encode()):
        digest.update(len(part).to_bytes(8, "little") + part)
    target = CACHE_DIR / f"{source.stem}-{digest.hexdigest()[:16]}{suffix}"
    if target.is_file():
        return target
    CACHE_DIR.mkdir(exist_ok=True)
    # Built under its final name (a DLL records it), in a folder of its own, then moved.
    with tempfile.TemporaryDirectory(dir=CACHE_DIR) as tmp_dir:
        tmp = pathlib.Path(tmp_dir) / target.name
        cmd = [compiler, *flags, "-o", str(tmp), str(source), *libs]
        print("+ " + " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        os.replace(tmp, target)
    return target


def bench_dll(arch, conv):
    """bench.c as a DLL for arch ("win32", "win64") and conv ("cdecl", "stdcall")."""
    flags = ["-shared", "-O2", "-std=gnu11", "-Wall", "-static-libgcc", f"-DBENCH_CONV={CONV_MACROS[conv]}"]
    if arch == "win32" and conv == "stdcall":
        flags.append("-Wl,--kill-at")  # export "add", not "add@8"
    return _build(SRC_DIR / "bench.c", f"-{arch}-{conv}.dll", MINGW[arch], flags)


def bench_so():
    """bench.c as a Linux shared library, built with the host's gcc."""
    return _build(SRC_DIR / "bench.c", ".so", "gcc", ["-shared", "-fPIC", "-O2", "-std=gnu11", "-Wall"])


def tcp_client_exe():
    """The 64-bit Windows echo client of the TCP ping-pong reference."""
    return _build(SRC_DIR / "tcp_client.c", ".exe", MINGW["win64"], ["-O2", "-Wall", "-static-libgcc"],
                  libs=["-lws2_32"])
