"""zugbruecke's pytest plugin (entry point ``pytest11``, loaded wherever zugbruecke is
installed): fixtures for testing wrappers of Windows DLLs. See docs/testing.md.

- ``zb_arch``: ``"win32"`` or ``"win64"``; a test that uses it (or ``zb_session``) runs once
  per arch of ``--zb-arch`` (default ``win32,win64``).
- ``zb_session``: a ``CtypesSession`` of the test's arch, shared by all tests of the run
  (started on first use, terminated at the end).
- ``zb_build_dll``: ``zb_build_dll(source, arch, conv="cdecl")`` compiles a C source file
  (or ``code=`` text) with mingw-w64 into a DLL and returns its path; DLLs are cached under
  a hash of everything that goes into the build.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from ._session import CtypesSession

ARCHS = ("win32", "win64")
CONVS = ("cdecl", "stdcall")
COMPILERS = {"win32": "i686-w64-mingw32-gcc", "win64": "x86_64-w64-mingw32-gcc"}
CONV_MACROS = {"cdecl": "__cdecl", "stdcall": "__stdcall"}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("zugbruecke", "zugbruecke: Windows DLLs under Wine")
    group.addoption(
        "--zb-arch",
        default="win32,win64",
        help="comma-separated arches the zb_session and zb_arch fixtures run with (default: win32,win64)",
    )


def _archs(config: pytest.Config) -> list[str]:
    archs = [a.strip() for a in str(config.getoption("--zb-arch")).split(",") if a.strip()]
    unknown = [a for a in archs if a not in ARCHS]
    if unknown or not archs:
        raise pytest.UsageError(f"--zb-arch: {','.join(unknown) or 'nothing'} is not win32 or win64")
    return archs


def pytest_configure(config: pytest.Config) -> None:
    _archs(config)  # a wrong --zb-arch is a usage error before anything runs


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "zb_arch" in metafunc.fixturenames:
        metafunc.parametrize("zb_arch", _archs(metafunc.config), scope="session")


@pytest.fixture(scope="session")
def _zb_plugin_sessions() -> Iterator[dict[str, CtypesSession]]:
    sessions: dict[str, CtypesSession] = {}
    yield sessions
    for session in sessions.values():
        session.zb_terminate()


@pytest.fixture
def zb_session(zb_arch: str, _zb_plugin_sessions: dict[str, CtypesSession]) -> CtypesSession:
    """The CtypesSession of the test's arch (one per arch for the whole run; a new one if a
    test terminated it)."""
    session = _zb_plugin_sessions.get(zb_arch)
    if session is None or not session.zb_client_up:
        session = _zb_plugin_sessions[zb_arch] = CtypesSession(arch=zb_arch)
    return session


def build_flags(arch: str, conv: str) -> list[str]:
    """The compiler flags of a test DLL: ZB_CONV is the convention's keyword and ZB_EXPORT
    exports a routine; stdcall exports on win32 keep undecorated names ("f", not "_f@8")."""
    if arch not in COMPILERS:
        raise ValueError(f"zugbruecke: unknown arch {arch!r} (win32 or win64)")
    if conv not in CONV_MACROS:
        raise ValueError(f"zugbruecke: unknown calling convention {conv!r} (cdecl or stdcall)")
    flags = [
        "-shared",
        "-O1",
        "-Wall",
        "-static-libgcc",
        f"-DZB_CONV={CONV_MACROS[conv]}",
        "-DZB_EXPORT=__declspec(dllexport)",
    ]
    if arch == "win32" and conv == "stdcall":
        flags.append("-Wl,--kill-at")
    return flags


def _compiler_version(compiler: str) -> str:
    try:
        out = subprocess.run([compiler, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise RuntimeError(
            f"zugbruecke: the C compiler {compiler} is not usable ({e}); install gcc-mingw-w64-i686 and "
            "gcc-mingw-w64-x86-64"
        ) from e
    return out.splitlines()[0] if out else ""


def build_dll(
    source: str | os.PathLike[str] | None,
    arch: str,
    conv: str = "cdecl",
    *,
    code: str | None = None,
    name: str | None = None,
    flags: Sequence[str] = (),
    cache_dir: str | os.PathLike[str],
) -> pathlib.Path:
    """Compile a C source file (or the text ``code``) into a DLL for arch and conv, unless a
    DLL of the same inputs is in cache_dir; returns its path. The file's folder is on the
    include path. The build goes to a private folder and is renamed into place, so parallel
    test processes may build the same DLL at once."""
    if (source is None) == (code is None):
        raise TypeError("zb_build_dll: give a source file or code=, not both")
    include: list[str] = []
    if source is not None:
        path = pathlib.Path(source)
        code = path.read_text(encoding="utf-8")
        name = name or path.stem
        include = ["-I", str(path.resolve().parent)]
    assert code is not None
    name = name or "test"
    compiler = COMPILERS.get(arch, "")
    all_flags = build_flags(arch, conv) + list(flags)
    digest = hashlib.sha256()
    for part in (code, compiler, _compiler_version(compiler), "\0".join(all_flags + include)):
        data = part.encode()
        digest.update(len(data).to_bytes(8, "little") + data)
    cache = pathlib.Path(cache_dir)
    target = cache / f"{name}-{arch}-{conv}-{digest.hexdigest()[:20]}.dll"
    if target.is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    work = cache / f".build-{os.getpid()}-{uuid.uuid4().hex}"
    work.mkdir()
    try:
        src = work / f"{name}.c"
        src.write_text(code, encoding="utf-8")
        out = work / target.name
        cmd = [compiler, *all_flags, *include, "-o", str(out), str(src)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(
                f"zugbruecke: building {name} for {arch}/{conv} failed:\n"
                f"{' '.join(cmd)}\n{proc.stdout}{proc.stderr}"
            )
        os.replace(out, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


@pytest.fixture(scope="session")
def zb_build_dll(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., pathlib.Path]:
    """zb_build_dll(source, arch, conv="cdecl", *, code=None, name=None, flags=()) -> path of the
    DLL. Cached across runs in pytest's cache folder (.pytest_cache/d/zugbruecke-dlls), or
    for this run only when the cache plugin is off (-p no:cacheprovider)."""
    cache: Any = getattr(pytestconfig, "cache", None)
    if cache is not None:
        cache_dir = pathlib.Path(cache.mkdir("zugbruecke-dlls"))
    else:
        cache_dir = tmp_path_factory.mktemp("zugbruecke-dlls")

    def build(source: Any = None, arch: str = "win32", conv: str = "cdecl", **kwargs: Any) -> pathlib.Path:
        return build_dll(source, arch, conv, cache_dir=cache_dir, **kwargs)

    return build
