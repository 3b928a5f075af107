# -*- coding: utf-8 -*-
"""
Shared fixtures of zugbruecke's test suite.

Test DLLs: every ``tests/dlls/<name>.c`` is compiled with mingw-w64 (by the pytest plugin's
builder, zugbruecke.pytest_plugin.build_dll) for an arch
(win32, win64) and a calling convention (cdecl, stdcall) on first use, and kept in
``tests/.dll-cache/`` under a name that carries a sha256 of everything that goes
into the build (sources, header, compiler, flags): a changed source gets a new
file, an unchanged one is never rebuilt. Each build goes to a private temporary
folder and is renamed into place, so parallel test processes may build the same
DLL at once.

Hypothesis runs 50 examples a test without deadline (profile "zugbruecke";
HYPOTHESIS_PROFILE selects another) and keeps its database in tests/.hypothesis.

Fixtures:
    arch      parametrized over ZB_TEST_ARCHS (default "win32,win64")
    conv      parametrized over "cdecl", "stdcall"
    ctypes    one zugbruecke.CtypesSession per arch, shared by the whole test
              run and terminated at its end; named so tests read like ctypes code
    dll       factory: dll("integers") -> ctypes.CDLL (cdecl) or ctypes.WinDLL
              (stdcall) of the built DLL, loaded by its Unix path
    dll_path  factory: dll_path("integers") -> pathlib.Path of the built DLL
    dll_builder  build_dll itself, for a variant of the test's own choosing
"""

import hashlib
import os
import pathlib

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from zugbruecke.pytest_plugin import COMPILERS, build_dll as plugin_build_dll  # noqa: F401 (COMPILERS for tests)

TESTS_DIR = pathlib.Path(__file__).resolve().parent
DLL_SRC_DIR = TESTS_DIR / "dlls"
DLL_CACHE_DIR = TESTS_DIR / ".dll-cache"
DLL_HEADER = DLL_SRC_DIR / "zb_test.h"

ARCHS = [a.strip() for a in os.environ.get("ZB_TEST_ARCHS", "win32,win64").split(",") if a.strip()]
CONVS = ["cdecl", "stdcall"]


# Calls cross a process boundary into Wine: no deadline, moderate example counts.
# The function-scoped fixtures used with @given (ctypes, dll) are caches that do
# not change between examples, so that health check does not apply.
settings.register_profile(
    "zugbruecke",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=DirectoryBasedExampleDatabase(str(TESTS_DIR / ".hypothesis")),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "zugbruecke"))

# A ZUGBRUECKE_ARCH inherited from the shell would override the arch that each
# test asks for (environment variables have the highest priority).
os.environ.pop("ZUGBRUECKE_ARCH", None)


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# DLL BUILDER
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def build_flags(arch, conv):
    """Compiler flags for one variant of a test DLL, on top of the pytest plugin's (which
    set ZB_CONV and the stdcall export names), without input and output files."""
    flags = ["-std=gnu11", "-I", str(DLL_SRC_DIR)]
    if arch == "win32":
        # SSE arithmetic: float and double results rounded once, as the tests
        # compute them in Python (x87 would round twice in rare cases). Return
        # values still travel in st(0), as the win32 ABI demands.
        flags += ["-msse2", "-mfpmath=sse"]
    return flags


def build_dll(name, arch, conv):
    """Compile tests/dlls/<name>.c for arch and conv unless already cached;
    return the path of the DLL."""
    source = DLL_SRC_DIR / f"{name}.c"
    if not source.is_file():
        raise FileNotFoundError(f"no test DLL source {source}")
    return build_generated_dll(name, source.read_text(encoding="utf-8"), arch, conv)


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# FIXTURES
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@pytest.fixture(params=ARCHS)
def arch(request):
    return request.param


@pytest.fixture(params=CONVS)
def conv(request):
    return request.param


@pytest.fixture(scope="session")
def _zb_sessions():
    """One CtypesSession per arch for the whole run, terminated at its end."""
    sessions = {}
    yield sessions
    for session in sessions.values():
        session.zb_terminate()


@pytest.fixture
def ctypes(arch, _zb_sessions):
    """The zugbruecke ctypes session of this test's arch."""
    session = _zb_sessions.get(arch)
    if session is None:
        import zugbruecke

        session = zugbruecke.CtypesSession(arch=arch)
        _zb_sessions[arch] = session
    return session


@pytest.fixture(scope="session")
def dll_builder():
    """build_dll(name, arch, conv) for tests that need a variant other than
    their own, e.g. the stdcall build in a test parametrized over arch only."""
    return build_dll


@pytest.fixture
def dll_path(arch, conv):
    """Factory: dll_path(name) builds tests/dlls/<name>.c for this test's
    variant if needed and returns the DLL's path."""

    def _dll_path(name):
        return build_dll(name, arch, conv)

    return _dll_path


@pytest.fixture
def dll(ctypes, conv, dll_path):
    """Factory: dll(name) loads this test's variant of tests/dlls/<name>.c by
    its Unix path, with CDLL for cdecl and WinDLL for stdcall. Each test gets
    its own library objects, so argtypes set by one test never leak into
    another; within a test (and all its Hypothesis examples) dll(name) returns
    the same object."""
    loaded = {}

    def load_dll(name):
        if name not in loaded:
            loader = ctypes.CDLL if conv == "cdecl" else ctypes.WinDLL
            loaded[name] = loader(str(dll_path(name)))
        return loaded[name]

    return load_dll


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# GENERATED TEST DLLS
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def build_generated_dll(name, source_text, arch, conv="cdecl"):
    """Compile C source text (a file of tests/dlls, or one a test generated; it may
    include zb_test.h) for arch and conv unless already cached; return the path of the
    DLL. The builder is the pytest plugin's (zugbruecke.pytest_plugin.build_dll), which
    caches by a hash of the text, compiler and flags: the header's own hash goes into the
    text, so a changed zb_test.h rebuilds every DLL."""
    header = hashlib.sha256(DLL_HEADER.read_bytes()).hexdigest()
    return plugin_build_dll(
        None,
        arch,
        conv,
        code=f"{source_text}\n/* zb_test.h {header} */\n",
        name=name,
        flags=build_flags(arch, conv),
        cache_dir=DLL_CACHE_DIR,
    )


@pytest.fixture
def FT(ctypes, conv):
    """The callback type factory of this build's convention."""
    return ctypes.CFUNCTYPE if conv == "cdecl" else ctypes.WINFUNCTYPE


@pytest.fixture(scope="session")
def generated_dll_builder():
    """build_generated_dll(name, source_text, arch, conv="cdecl") for tests that
    generate their C source from a Python table."""
    return build_generated_dll
