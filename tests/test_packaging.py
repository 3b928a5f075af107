# -*- coding: utf-8 -*-
"""The wheel: built by pip from a copy of the source tree, it holds the compiled parts
(the Go extension, both servers, both bcryptprimitives stand-ins) and works from a clean
virtual environment on a machine without Go.

About 15 s with a warm Go build cache (make install warms it); marked slow, runs by default.
"""

import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent

# Not part of what a build reads: version control, build output, caches, the tests.
IGNORE = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", ".hypothesis", ".pytest_cache",
                                "__pycache__", "_bin", "_core*.so", "_core*.h", ".dll-cache", "tests")

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
]

SMOKE = r"""
import shutil, sys
import zugbruecke
assert shutil.which("go") is None, "Go is still reachable"
assert zugbruecke.__file__.startswith(sys.prefix), zugbruecke.__file__
with zugbruecke.CtypesSession(arch="win64") as session:
    print("abs", session.cdll.msvcrt.abs(-5))
"""


def _without_go(path):
    """PATH without the folders that hold a go executable."""
    return os.pathsep.join(d for d in path.split(os.pathsep)
                           if d and not os.path.isfile(os.path.join(d, "go")))


def _run(cmd, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # Build from a copy: other builds in the work tree (pip install -e) use build/ too.
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(REPO, src, ignore=IGNORE)
    _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-w", str(tmp / "dist")], timeout=600)
    wheels = list((tmp / "dist").glob("zugbruecke-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_wheel_holds_the_compiled_parts(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(zf.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert [n for n in names if n.startswith("zugbruecke/_core") and n.endswith(".so")], sorted(names)
    missing = [n for n in REQUIRED if n not in names]
    assert not missing, missing
    assert "zugbruecke = zugbruecke._cli:main" in entry_points
    assert not [n for n in names if n.startswith(("tests/", "core/", "pyext/", "winserver/"))]


@pytest.mark.slow
def test_wheel_works_in_a_clean_venv_without_go(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check",
          str(wheel)], timeout=300)

    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV") and not k.startswith("ZUGBRUECKE")}
    env["PATH"] = _without_go(os.environ.get("PATH", ""))
    proc = _run([str(python), "-c", SMOKE], cwd=tmp_path, env=env, timeout=300)
    assert proc.stdout.splitlines()[-1] == "abs 5"

    proc = _run([str(venv / "bin" / "zugbruecke"), "info"], cwd=tmp_path, env=env, timeout=120)
    assert f"package    {venv}" in proc.stdout
    assert "MISSING" not in proc.stdout
