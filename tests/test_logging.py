# -*- coding: utf-8 -*-
"""Logging: sessions log through Python's logging under the "zugbruecke" logger;
log_write=True also writes zugbruecke_<session id>.log in the current directory."""

import logging
import os
import pathlib
import re
import shutil
import subprocess
import sys
import uuid

import pytest

import zugbruecke

LOGGER = logging.getLogger("zugbruecke")
REPO = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _restore_logger():
    # log_level sets the level of the shared "zugbruecke" logger; put it back.
    level, handlers = LOGGER.level, list(LOGGER.handlers)
    yield
    LOGGER.setLevel(level)
    for handler in LOGGER.handlers:
        if handler not in handlers:
            LOGGER.removeHandler(handler)
            handler.close()


def _file_handlers():
    return [h for h in LOGGER.handlers if isinstance(h, logging.FileHandler)]


def test_start_and_terminate_are_logged(arch, caplog):
    with caplog.at_level(logging.INFO, logger="zugbruecke"):
        session = zugbruecke.CtypesSession(arch=arch)
        session_id = session.zb_id
        session.zb_terminate()
    messages = [r.getMessage() for r in caplog.records if r.name == "zugbruecke"]
    assert f"session {session_id}: starting server for {arch}" in messages
    assert f"session {session_id}: terminating" in messages
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "zugbruecke")


def test_log_level_sets_the_logger_level():
    session = zugbruecke.CtypesSession(arch="win64", log_level=logging.DEBUG)
    try:
        assert LOGGER.level == logging.DEBUG
        session.zb_set_parameter("log_level", logging.WARNING)
        assert LOGGER.level == logging.WARNING
    finally:
        session.zb_terminate()


def test_log_write_creates_the_file_in_the_current_directory(arch, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session_id = f"zblog{uuid.uuid4().hex[:8]}"
    session = zugbruecke.CtypesSession(arch=arch, log_write=True, log_level=logging.INFO, id=session_id)
    try:
        path = tmp_path / f"zugbruecke_{session_id}.log"
        assert path.is_file()
        assert session.cdll.msvcrt.abs(-7) == 7
    finally:
        session.zb_terminate()
    text = path.read_text(encoding="utf-8")
    assert f"session {session_id}: writing the log to {path}" in text
    assert f"session {session_id}: terminating" in text
    assert " INFO zugbruecke: " in text


def test_log_file_is_closed_after_terminate(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = zugbruecke.CtypesSession(arch="win64", log_write=True, log_level=logging.INFO)
    path = tmp_path / f"zugbruecke_{session.zb_id}.log"
    assert [h.baseFilename for h in _file_handlers()] == [str(path)]
    session.zb_terminate()
    assert _file_handlers() == []
    LOGGER.info("after the session")
    assert "after the session" not in path.read_text(encoding="utf-8")


def test_no_file_without_log_write(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = zugbruecke.CtypesSession(arch="win64", log_level=logging.INFO)
    session.zb_terminate()
    assert list(tmp_path.iterdir()) == []
    assert _file_handlers() == []


def test_log_write_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZUGBRUECKE_LOG_WRITE", "true")
    session = zugbruecke.CtypesSession(arch="win64")
    session.zb_terminate()
    assert (tmp_path / f"zugbruecke_{session.zb_id}.log").is_file()


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# DEBUG records: what a session does besides calls, with timings
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_debug_records_of_a_session(arch, caplog):
    import threading

    with caplog.at_level(logging.DEBUG, logger="zugbruecke"):
        with zugbruecke.CtypesSession(arch=arch) as session:
            sid = session.zb_id
            labs = session.cdll.msvcrt.labs
            labs.argtypes = (session.c_long,)
            labs.restype = session.c_long
            n_before = len(caplog.records)
            for i in range(20):
                assert labs(-i) == i
            calls_logged = len(caplog.records) - n_before
            worker = threading.Thread(target=labs, args=(-1,))
            worker.start()
            worker.join()
    messages = [r.getMessage() for r in caplog.records if r.name == "zugbruecke" and r.levelno == logging.DEBUG]

    def one(pattern):
        found = [m for m in messages if re.fullmatch(pattern, m)]
        assert found, f"no record matches {pattern!r} in {messages}"
        return found

    one(rf"session {sid}: server for {arch} up in \d+\.\d{{3}} s \(Linux pid \d+, Windows pid \d+, transport shm\)")
    one(rf"session {sid}: loaded msvcrt \(handle 0x[0-9a-f]+\) in \d+\.\d ms")
    one(r"labs: argtypes compiled: c_(long|int)")
    one(r"labs: restype compiled: c_(long|int)")
    # One server thread for the main thread, one for the worker; none per call.
    assert len(one(rf"session {sid}: thread: channel \d+: a server thread for Linux thread \d+")) == 2
    one(rf"session {sid}: server stopped in \d+\.\d{{3}} s")
    assert calls_logged == 0, "a routine call logged something"


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# Creating a Wine prefix: through the logger, one plain line without a handler
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++

# A fresh prefix takes about 15 s and 600 MB; each test removes its own.
PREFIX_SCRIPT = r"""
import logging, sys
import zugbruecke
arch, mode = sys.argv[1], sys.argv[2]
records = []
if mode == "handler":
    class Keep(logging.Handler):
        def emit(self, record):
            records.append((record.levelname, record.getMessage()))
    logging.getLogger("zugbruecke").addHandler(Keep())
    logging.getLogger("zugbruecke").setLevel(logging.DEBUG)
with zugbruecke.CtypesSession(arch=arch, stderr=(mode != "quiet")) as session:
    assert session.cdll.msvcrt.labs(-3) == 3
for level, message in records:
    print(level, message)
"""


def _with_fresh_prefix(tmp_path, arch, mode):
    root = tmp_path / "zbdata"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZUGBRUECKE")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env["ZUGBRUECKE_DIR"] = str(root)
    prefix = root / f"prefix-{arch}"
    try:
        proc = subprocess.run([sys.executable, "-c", PREFIX_SCRIPT, arch, mode], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert (prefix / ".zugbruecke-ready").is_file()
        return proc
    finally:
        if prefix.is_dir():
            kill_env = dict(os.environ, WINEPREFIX=str(prefix))
            subprocess.run(["wineserver", "-k"], env=kill_env, capture_output=True, timeout=60)
            subprocess.run(["wineserver", "-w"], env=kill_env, capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
def test_prefix_progress_is_one_plain_line_without_a_handler(arch, tmp_path):
    proc = _with_fresh_prefix(tmp_path, arch, "plain")
    ours = [line for line in proc.stderr.splitlines() if "zugbruecke" in line]
    assert len(ours) == 1, proc.stderr
    assert re.fullmatch(rf"zugbruecke: creating Wine prefix for {arch} in .*prefix-{arch}, this takes about \d+ s",
                        ours[0]), ours


@pytest.mark.slow
def test_prefix_progress_goes_to_the_logger_and_stderr_false_is_silent(tmp_path):
    proc = _with_fresh_prefix(tmp_path, "win64", "handler")
    records = [line.split(" ", 1) for line in proc.stdout.splitlines()]
    assert any(level == "INFO" and "creating Wine prefix for win64" in m for level, m in records), records
    steps = [m for level, m in records if level == "DEBUG" and ": prefix: " in m]
    assert any("installing bcryptprimitives" in m for m in steps), records
    assert any(re.search(r"done in \d+\.\d s", m) for m in steps), records
    # A handler is configured: no plain line, and nothing of the core's on fd 2.
    assert "creating Wine prefix" not in proc.stderr, proc.stderr
    assert "installing" not in proc.stderr, proc.stderr


@pytest.mark.slow
def test_prefix_creation_is_silent_with_stderr_false(tmp_path):
    proc = _with_fresh_prefix(tmp_path, "win32", "quiet")
    assert "zugbruecke" not in proc.stderr, proc.stderr
    assert proc.stdout == ""


def test_argtypes_of_objects_with_from_param_are_logged(caplog):
    class Doubles:  # an argtypes entry that is an object, not a type
        @staticmethod
        def from_param(value):
            return value

    with caplog.at_level(logging.DEBUG, logger="zugbruecke"):
        with zugbruecke.CtypesSession(arch="win64") as session:
            labs = session.cdll.msvcrt.labs
            labs.argtypes = (Doubles(),)
    assert "labs: argtypes compiled: Doubles" in [r.getMessage() for r in caplog.records]
