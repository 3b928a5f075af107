# -*- coding: utf-8 -*-
"""Logging: sessions log through Python's logging under the "zugbruecke" logger;
log_write=True also writes zugbruecke_<session id>.log in the current directory."""

import logging
import uuid

import pytest

import zugbruecke

LOGGER = logging.getLogger("zugbruecke")


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
