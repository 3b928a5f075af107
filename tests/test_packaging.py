# -*- coding: utf-8 -*-
"""The source distribution and the wheel, built by `python -m build` from a copy of the
source tree as a clean checkout has it (the wheel is built from the sdist, as a release
does): the sdist holds everything a build and the test suite need and installs into a
fresh virtual environment; the wheel holds the compiled parts (the Go extension, both
servers, both bcryptprimitives stand-ins) and works from a clean virtual environment on a
machine without Go.

About a minute with a warm Go build cache (make install warms it); marked slow, runs by
default. Building needs the index (or pip's cache) for setuptools, as any isolated build.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent

# What a clean checkout does not have: version control, build output, caches, tools.
IGNORE = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", ".hypothesis", ".pytest_cache",
                                "__pycache__", "_bin", "_core*.so", "_core*.h", ".dll-cache", ".tools",
                                ".cache", ".mypy_cache", ".ruff_cache")

# What the sdist must hold besides the package: the Go module and every source of the
# compiled parts, the scripts, the tests with their DLL sources, the licence.
SDIST_REQUIRED = [
    "go.mod", "setup.py", "pyproject.toml", "MANIFEST.in", "Makefile", "README.md", "LICENSE", "CHANGELOG.md",
    "core/session/session.go", "core/wire/msg.go", "core/internal/contract/gen.go",
    "pyext/module.go", "pyext/shim.c", "pyext/shim.h", "pyext/tid.c",
    "winserver/main.go", "winserver/native/thunk_386.S", "winserver/native/thunk_amd64.S",
    "winserver/prng/bcryptprimitives.c",
    "scripts/setup-system.sh", "scripts/apt_pins.py",
    "tests/conftest.py", "tests/test_packaging.py", "tests/dlls/zb_test.h", "tests/dlls/integers.c",
    "docs/index.md", "zugbruecke/__init__.py", "zugbruecke/py.typed", "zugbruecke/_core.pyi",
]

REQUIRED = [
    "zugbruecke/_bin/zb-server-win32.exe",
    "zugbruecke/_bin/zb-server-win64.exe",
    "zugbruecke/_bin/bcryptprimitives-win32.dll",
    "zugbruecke/_bin/bcryptprimitives-win64.dll",
    "zugbruecke/py.typed",
    "zugbruecke/_core.pyi",
    "zugbruecke/__main__.py",
    "zugbruecke/ctypes/__init__.py",
    "zugbruecke/ctypes/util.py",
    "zugbruecke/core/errors.py",
    "zugbruecke/pytest_plugin.py",
    "zugbruecke/ctypes/__init__.pyi",
    "zugbruecke/ctypes/wintypes.pyi",
    "zugbruecke/ctypes/util.pyi",
]

SMOKE = r"""
import shutil, sys
import zugbruecke
assert shutil.which("go") is None, "Go is still reachable"
assert shutil.which("x86_64-w64-mingw32-gcc") is None and shutil.which("i686-w64-mingw32-gcc") is None
assert zugbruecke.__file__.startswith(sys.prefix), zugbruecke.__file__
with zugbruecke.CtypesSession(arch="win64") as session:
    print("abs", session.cdll.msvcrt.abs(-5))
"""


def _path_without_build_tools(path, bin_dir):
    """A PATH of one folder, bin_dir, holding links to every program of path except Go
    and the mingw-w64 compilers: what a user's machine without them offers."""
    bin_dir.mkdir()
    for d in path.split(os.pathsep):
        if not d or not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            if name in ("go", "gofmt") or "mingw32" in name or (bin_dir / name).exists():
                continue
            (bin_dir / name).symlink_to(os.path.join(d, name))
    return str(bin_dir)


def _run(cmd, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _clean_env():
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV") and not k.startswith("ZUGBRUECKE")}


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """sdist and wheel of `python -m build` (the wheel built from the sdist)."""
    # Build from a copy: other builds in the work tree (pip install -e) use build/ too.
    tmp = tmp_path_factory.mktemp("dist")
    src = tmp / "src"
    shutil.copytree(REPO, src, ignore=IGNORE)
    _run([sys.executable, "-m", "build", "-o", str(tmp / "dist"), str(src)], cwd=tmp, timeout=900)
    sdists = list((tmp / "dist").glob("zugbruecke-*.tar.gz"))
    wheels = list((tmp / "dist").glob("zugbruecke-*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted((tmp / "dist").iterdir())
    return sdists[0], wheels[0]


@pytest.fixture(scope="module")
def wheel(dist, tmp_path_factory):
    """The wheel as a release uploads it: repaired by auditwheel to a manylinux tag."""
    out = tmp_path_factory.mktemp("repaired")
    _run([sys.executable, "-m", "auditwheel", "repair", "-w", str(out), str(dist[1])], timeout=300)
    wheels = list(out.glob("zugbruecke-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_repaired_wheel_is_manylinux(wheel):
    # PyPI refuses linux_x86_64; the extension links only libc, so a manylinux tag fits.
    assert re.search(r"-cp3\d+-cp3\d+-manylinux_2_\d+_x86_64(\.manylinux\w+)*\.whl$", wheel.name), wheel.name
    proc = _run([sys.executable, "-m", "auditwheel", "show", str(wheel)], timeout=120)
    assert "manylinux_2_" in proc.stdout
    with zipfile.ZipFile(wheel) as zf:
        # Nothing bundled (no .libs folder): libc is all the extension needs.
        assert not [n for n in zf.namelist() if ".libs/" in n]
        so = next(n for n in zf.namelist() if n.startswith("zugbruecke/_core") and n.endswith(".so"))
        data = zf.read(so)
    assert b".debug_info" not in data and b".symtab" not in data  # stripped (-ldflags=-s -w)


@pytest.fixture(scope="module")
def sdist(dist):
    return dist[0]


@pytest.mark.slow
def test_sdist_holds_the_sources(sdist):
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
        pkg_info = tf.extractfile(f"{sdist.name[:-len('.tar.gz')]}/PKG-INFO").read().decode()
    missing = [n for n in SDIST_REQUIRED if n not in names]
    assert not missing, missing
    # Every file of the Go module and every test DLL source that git tracks is there.
    tracked = subprocess.run(["git", "ls-files", "core", "pyext", "winserver", "tests/dlls"], cwd=REPO,
                             capture_output=True, text=True)
    if tracked.returncode == 0:
        missing = [n for n in tracked.stdout.split() if n not in names]
        assert not missing, missing
    built = [n for n in names if n.endswith((".so", ".exe", ".dll", ".pyc")) or "/_bin/" in n]
    assert not built, built
    assert "License-Expression: LGPL-2.1-or-later" in pkg_info
    assert "License-File: LICENSE" in pkg_info
    import zugbruecke

    assert f"Version: {zugbruecke.__version__}" in pkg_info


SDIST_SMOKE = r"""
import sys
import zugbruecke
assert zugbruecke.__file__.startswith(sys.prefix), zugbruecke.__file__
for arch in ("win32", "win64"):
    with zugbruecke.CtypesSession(arch=arch) as session:
        print(arch, session.cdll.msvcrt.labs(-7))
"""


@pytest.mark.slow
def test_sdist_installs_into_a_fresh_venv(sdist, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], timeout=300)  # not --system-site-packages
    python = venv / "bin" / "python"
    env = _clean_env()
    _run([str(python), "-m", "pip", "install", "--disable-pip-version-check", str(sdist)],
         cwd=tmp_path, env=env, timeout=900)
    proc = _run([str(python), "-c", SDIST_SMOKE], cwd=tmp_path, env=env, timeout=300)
    assert proc.stdout.splitlines()[-2:] == ["win32 7", "win64 7"]


@pytest.mark.slow
def test_wheel_holds_the_compiled_parts(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(zf.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert [n for n in names if n.startswith("zugbruecke/_core") and n.endswith(".so")], sorted(names)
    missing = [n for n in REQUIRED if n not in names]
    assert not missing, missing
    assert "zugbruecke = zugbruecke._cli:main" in entry_points
    assert "[pytest11]\nzugbruecke = zugbruecke.pytest_plugin" in entry_points
    assert not [n for n in names if n.startswith(("tests/", "core/", "pyext/", "winserver/"))]


@pytest.mark.slow
def test_wheel_works_in_a_clean_venv_without_go(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check",
          str(wheel)], timeout=300)

    env = _clean_env()
    env["PATH"] = _path_without_build_tools(os.environ.get("PATH", ""), tmp_path / "bin")
    proc = _run([str(python), "-c", SMOKE], cwd=tmp_path, env=env, timeout=300)
    assert proc.stdout.splitlines()[-1] == "abs 5"

    proc = _run([str(venv / "bin" / "zugbruecke"), "info"], cwd=tmp_path, env=env, timeout=120)
    assert f"package    {venv}" in proc.stdout
    assert "MISSING" not in proc.stdout
