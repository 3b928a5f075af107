"""zugbruecke's pytest plugin (zugbruecke/pytest_plugin.py): the example of docs/testing.md
runs in a pytest of its own (a subprocess, with the plugin as the entry point loads it)
and passes with the expected number of tests per arch; --zb-arch narrows the arches; a
failing wrapper test fails; a DLL is built once and then taken from the cache."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

from zugbruecke.pytest_plugin import build_dll

REPO = pathlib.Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "testing.md"


def doc_example():
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1, "docs/testing.md should hold one python example"
    return blocks[0]


def run_pytest(folder, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZUGBRUECKE", "PYTEST_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    # The plugin of the tree under test, loaded by module name as its entry point does when
    # zugbruecke is installed; an installed entry point (named "zugbruecke") is blocked so
    # that the plugin is registered once, whether or not this tree is the installed one.
    cmd = [sys.executable, "-m", "pytest", "-p", "no:zugbruecke", "-p", "zugbruecke.pytest_plugin", "-v", "-rA", *args]
    return subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True, timeout=600)


def outcomes(out):
    return sorted(re.findall(r"^(PASSED|FAILED|ERROR) (\S+)", out, re.M), key=lambda x: x[1])


def test_the_documented_example_runs(tmp_path):
    (tmp_path / "test_mylib.py").write_text(doc_example())
    proc = run_pytest(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = [name for status, name in outcomes(proc.stdout) if status == "PASSED"]
    expected = [f"test_mylib.py::test_add[{a}-{c}]" for a in ("win32", "win64") for c in ("cdecl", "stdcall")]
    expected += [f"test_mylib.py::test_output[{a}]" for a in ("win32", "win64")]
    expected += [f"test_mylib.py::test_scale[{a}]" for a in ("win32", "win64")]
    assert sorted(got) == sorted(expected), proc.stdout


WRONG = """
def test_wrong(zb_session, zb_arch, zb_build_dll):
    path = zb_build_dll(None, zb_arch, code="ZB_EXPORT int ZB_CONV two(void) { return 2; }", name="two")
    assert zb_session.CDLL(str(path)).two() == 3

def test_arch(zb_session, zb_arch):
    assert zb_session.sizeof(zb_session.c_void_p) == {"win32": 4, "win64": 8}[zb_arch]
"""


def test_zb_arch_option_and_a_failing_test(tmp_path):
    (tmp_path / "test_wrong.py").write_text(WRONG)
    proc = run_pytest(tmp_path, "--zb-arch", "win64")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert outcomes(proc.stdout) == [("PASSED", "test_wrong.py::test_arch[win64]"),
                                     ("FAILED", "test_wrong.py::test_wrong[win64]")], proc.stdout
    assert "assert 2 == 3" in proc.stdout

    proc = run_pytest(tmp_path, "--zb-arch", "win16")
    assert proc.returncode == 4, proc.stdout + proc.stderr  # a usage error
    assert "--zb-arch: win16 is not win32 or win64" in proc.stderr


@pytest.mark.parametrize("conv", ["cdecl", "stdcall"])
def test_build_dll_caches_and_exports(arch, conv, tmp_path, ctypes):
    code = "ZB_EXPORT int ZB_CONV twice(int x) { return 2 * x; }\n"
    first = build_dll(None, arch, conv, code=code, name="twice", cache_dir=tmp_path)
    mtime = first.stat().st_mtime_ns
    again = build_dll(None, arch, conv, code=code, name="twice", cache_dir=tmp_path)
    assert again == first and again.stat().st_mtime_ns == mtime  # not rebuilt
    other = build_dll(None, arch, conv, code=code.replace("2 *", "3 *"), name="twice", cache_dir=tmp_path)
    assert other != first
    # Found by its plain name: a stdcall export on win32 is not decorated ("twice@4").
    loader = ctypes.CDLL if conv == "cdecl" else ctypes.WinDLL
    assert loader(str(first)).twice(21) == 42
    assert loader(str(other)).twice(21) == 63


def test_build_dll_reports_a_compile_error(tmp_path):
    with pytest.raises(RuntimeError, match="building broken for win64/cdecl failed"):
        build_dll(None, "win64", code="this is not C", name="broken", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="unknown calling convention"):
        build_dll(None, "win64", "fastcall", code="", cache_dir=tmp_path)
    with pytest.raises(TypeError, match="not both"):
        build_dll(tmp_path / "x.c", "win64", code="", cache_dir=tmp_path)
