# -*- coding: utf-8 -*-
"""The zugbruecke command: python -m zugbruecke info | doctor | init."""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import zugbruecke

REPO = pathlib.Path(__file__).resolve().parent.parent


def run(*args, env=None, cwd=None, timeout=120):
    full = {k: v for k, v in os.environ.items() if not k.startswith("ZUGBRUECKE")}
    full["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "zugbruecke", *args], capture_output=True, text=True,
                          env=full, cwd=cwd, timeout=timeout)


def status_lines(out):
    return [line for line in out.splitlines() if line[:5].strip() in ("OK", "FAIL", "WARN", "SKIP")]


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# INFO
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_info(tmp_path):
    proc = run("info", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith(f"zugbruecke {zugbruecke.__version__}\n")
    assert f"python     {sys.version.split()[0]}" in out
    assert str(REPO / "zugbruecke") in out
    for name in ("zb-server-win32.exe", "zb-server-win64.exe",
                 "bcryptprimitives-win32.dll", "bcryptprimitives-win64.dll"):
        assert any(line.split() == [name, "present"] for line in out.splitlines()), name
    for key in ("arch", "log_level", "log_write", "stdout", "stderr", "timeout_start", "timeout_stop",
                "id", "dir", "wine", "transport"):
        assert any(line.split()[:1] == [key] for line in out.splitlines()), key
    assert '  arch          = "win32"      (default)' in out


def test_info_names_where_values_come_from(tmp_path):
    (tmp_path / ".zugbruecke.json").write_text(json.dumps({"timeout_stop": 7}))
    proc = run("info", cwd=tmp_path, env={"ZUGBRUECKE_LOG_LEVEL": "10", "ZUGBRUECKE_ARCH": "win64"})
    assert proc.returncode == 0, proc.stderr
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if " = " in line}
    assert lines["log_level"].endswith("(environment ZUGBRUECKE_LOG_LEVEL)")
    assert '"win64"' in lines["arch"] and lines["arch"].endswith("(environment ZUGBRUECKE_ARCH)")
    assert lines["timeout_stop"].endswith(f"(file {tmp_path / '.zugbruecke.json'})")
    assert lines["transport"].endswith("(default)")


def test_info_json(tmp_path):
    data_home = tmp_path / "data"
    proc = run("info", "--json", cwd=tmp_path, env={"XDG_DATA_HOME": str(data_home)})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["zugbruecke"] == zugbruecke.__version__
    assert all(data["binaries"].values())
    assert data["config"]["arch"] == "win32"
    assert data["sources"]["arch"] == "default"
    assert data["warnings"] == []
    assert data["data_dir"] == str(data_home / "zugbruecke")


def test_info_reports_deprecated_parameters(tmp_path):
    proc = run("info", cwd=tmp_path, env={"ZUGBRUECKE_PYTHONVERSION": "3.11"})
    assert proc.returncode == 0, proc.stderr
    assert 'warning: zugbruecke: parameter "pythonversion" of older releases' in proc.stdout


def test_info_bad_configuration(tmp_path):
    proc = run("info", cwd=tmp_path, env={"ZUGBRUECKE_ARCH": "win16"})
    assert proc.returncode == 1
    assert 'configuration: ERROR zugbruecke: invalid value "win16"' in proc.stdout


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# DOCTOR
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_doctor_all_good(tmp_path):
    proc = run("doctor", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = status_lines(proc.stdout)
    assert lines and all(line.startswith(("OK ", "WARN ")) for line in lines), proc.stdout
    for arch in ("win32", "win64"):
        assert any(line.startswith(f"OK    {arch}: Wine loader /") for line in lines)
        assert any(line.startswith(f"OK    {arch}: session up") and "abs(-42) = 42" in line for line in lines)
        assert any(line.startswith(f"OK    {arch}: Wine prefix ") and line.endswith("is ready")
                   for line in lines)
        assert any(f"OK    {arch}: ProcessPrng provider " in line for line in lines)
    assert proc.stdout.rstrip().endswith("doctor: all required checks passed")


def test_doctor_one_arch(tmp_path):
    proc = run("doctor", "--arch", "win64", cwd=tmp_path, env={"ZUGBRUECKE_ARCH": "win32"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "win64: session up" in proc.stdout
    assert "win32: session" not in proc.stdout
    assert "ignoring ZUGBRUECKE_ARCH=win32" in proc.stderr


def test_doctor_unusable_wine_fails_with_a_fix(tmp_path):
    proc = run("doctor", "--arch", "win64", cwd=tmp_path, env={"ZUGBRUECKE_WINE": str(tmp_path / "nowine")})
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    fail = [i for i, line in enumerate(lines) if line.startswith("FAIL  win64: Wine loader")]
    assert fail, proc.stdout
    assert lines[fail[0] + 1].strip().startswith("fix: ")
    assert "doctor: 1 required check(s) failed" in proc.stdout


def test_doctor_bad_configuration(tmp_path):
    proc = run("doctor", cwd=tmp_path, env={"ZUGBRUECKE_TIMEOUT_START": "-1"})
    assert proc.returncode == 1
    assert "FAIL  configuration: zugbruecke: invalid value" in proc.stdout


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# INIT
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_init_existing_prefix(tmp_path):
    proc = run("init", "--arch", "win64", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("win64: Wine prefix ready in ")


@pytest.mark.slow
def test_init_creates_a_prefix(tmp_path):
    # A new win32 prefix: about 12 s and 600 MB, removed again below.
    root = tmp_path / "zbdata"
    env = {"ZUGBRUECKE_DIR": str(root)}
    prefix = root / "prefix-win32"
    try:
        proc = run("init", "--arch", "win32", cwd=tmp_path, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"win32: Wine prefix ready in {prefix} (")
        assert "zugbruecke: creating Wine prefix for win32" in proc.stderr  # the core's progress
        assert (prefix / ".zugbruecke-ready").is_file()
        assert (prefix / "drive_c/windows/system32/bcryptprimitives.dll").is_file()

        proc = run("doctor", "--arch", "win32", cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"OK    win32: Wine prefix {prefix} is ready" in proc.stdout
    finally:
        if prefix.is_dir():
            # Stop the prefix's wineserver first: it writes the registry when it exits.
            kill_env = dict(os.environ, WINEPREFIX=str(prefix))
            subprocess.run(["wineserver", "-k"], env=kill_env, capture_output=True, timeout=60)
            subprocess.run(["wineserver", "-w"], env=kill_env, capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
        assert not root.exists(), f"{root} is left over"


def test_init_reports_failure(tmp_path):
    proc = run("init", "--arch", "win32", cwd=tmp_path, env={"ZUGBRUECKE_WINE": str(tmp_path / "nowine")})
    assert proc.returncode == 1
    assert "zugbruecke: win32: WineError:" in proc.stderr


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# ARGUMENTS
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"zugbruecke {zugbruecke.__version__}"


def test_no_command_prints_help():
    proc = run()
    assert proc.returncode == 2
    assert "doctor" in proc.stdout and "init" in proc.stdout and "info" in proc.stdout


def test_main_in_process(capsys):
    from zugbruecke._cli import main

    assert main(["info", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["zugbruecke"] == zugbruecke.__version__
