# -*- coding: utf-8 -*-
"""
CPython's own ctypes tests, installed with the running Python, run against a session of
each arch by tests/cpython_ctypes/run.py with tests/dlls/ctypes_test.c as _ctypes_test.
One process per test module, so a crash costs one module; a module that crashes is run
again test by test, and the test that crashes counts as failed. The test fails when fewer
tests pass than the floor below (the count reached when it was last raised), so a
regression shows; docs/differences.md lists the tests that still fail, with the reasons.
Set ZB_CPYTHON_CTYPES_REPORT to a file name (``{arch}`` in it is replaced) to get the
per-module results as JSON.
"""

import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import pytest

RUNNER = pathlib.Path(__file__).resolve().parent / "cpython_ctypes" / "run.py"
REPO = RUNNER.parents[2]

# Passing tests per arch on CPython 3.11 (raise when more pass).
FLOOR = {(3, 11): {"win32": 363, "win64": 364}}

TIMEOUT = 600


def _runner(*args, cwd):
    """Run the runner; its output goes to files, not pipes: a Wine process the session
    starts (wineserver, a desktop) may outlive the runner holding inherited descriptors,
    and a pipe would then never see its end."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("ZUGBRUECKE_ARCH", None)
    with tempfile.TemporaryFile("w+", dir=cwd) as out, tempfile.TemporaryFile("w+", dir=cwd) as err:
        proc = subprocess.run([sys.executable, str(RUNNER), *args], stdin=subprocess.DEVNULL, stdout=out,
                              stderr=err, timeout=TIMEOUT, env=env, cwd=cwd)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out.read(), err.read())


def _result(proc):
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        return None
    return json.loads(lines[-1])


def _run_module(arch, dll, module, cwd):
    results = _result(_runner(arch, dll, module, cwd=cwd))
    if results is not None:
        return results
    # The process crashed: again, one test a process.
    merged = {"run": 0, "passed": 0, "failed": 0, "skipped": 0, "failures": {}}
    for test_id in _runner("--list", module, cwd=cwd).stdout.split():
        one = _result(_runner(arch, dll, test_id, cwd=cwd))
        name = test_id.split(".", 1)[1]
        if one is None:
            merged["run"] += 1
            merged["failed"] += 1
            merged["failures"][name] = "the process crashed"
            continue
        for r in one.values():
            for key in ("run", "passed", "failed", "skipped"):
                merged[key] += r[key]
            merged["failures"].update(r["failures"])
    return {module: merged}


def _modules(cwd):
    sys.path.insert(0, str(RUNNER.parent))
    try:
        import run
    finally:
        sys.path.remove(str(RUNNER.parent))
    return run.installed_modules()


def test_cpython_ctypes_suite(arch, dll_builder, tmp_path):
    floor = FLOOR.get(sys.version_info[:2])
    if floor is None:
        pytest.skip(f"no floor recorded for Python {sys.version_info[0]}.{sys.version_info[1]}")
    # The stdcall build: on win32 its __stdcall s_* twins export undecorated names.
    dll = str(dll_builder("ctypes_test", arch, "stdcall"))
    results = {}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        jobs = [pool.submit(_run_module, arch, dll, m, str(tmp_path)) for m in _modules(str(tmp_path))]
        for job in jobs:
            results.update(job.result())
    totals = {key: sum(r[key] for r in results.values()) for key in ("run", "passed", "failed", "skipped")}
    report = os.environ.get("ZB_CPYTHON_CTYPES_REPORT")
    if report:
        pathlib.Path(report.replace("{arch}", arch)).write_text(json.dumps({"arch": arch, "totals": totals, "modules": results}, indent=1))
    print(f"{arch}: {totals}")
    failures = [f"{m}.{t}: {why}" for m, r in sorted(results.items()) for t, why in sorted(r["failures"].items())]
    assert totals["run"] > 0
    assert totals["passed"] >= floor[arch], f"{arch}: {totals}\n" + "\n".join(failures)
