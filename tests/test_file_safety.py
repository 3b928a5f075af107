"""
Files zugbruecke reads and writes in the current folder (issue 16, items 7 and 8): a
configuration file there cannot choose the program that runs (``wine``) or the data
folder (``dir``), and the log file of ``log_write`` is private (0600) and never written
through a link planted at its name.
"""

import json
import logging
import os
import uuid

import pytest

import zugbruecke
from zugbruecke import _session


def test_config_file_in_the_current_folder_cannot_choose_wine_or_dir(tmp_path, monkeypatch):
    evil = tmp_path / "evil-wine"
    evil.write_text("#!/bin/sh\ntouch ran\n")
    evil.chmod(0o755)
    (tmp_path / ".zugbruecke.json").write_text(
        json.dumps({"wine": str(evil), "dir": str(tmp_path / "data"), "timeout_stop": 3})
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZUGBRUECKE", raising=False)
    with pytest.warns(UserWarning) as caught:
        session = zugbruecke.CtypesSession(arch="win64")
    try:
        messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        where = str(tmp_path / ".zugbruecke.json")
        assert any(f'"wine" in {where} is ignored' in m for m in messages), messages
        assert any(f'"dir" in {where} is ignored' in m for m in messages), messages
        assert session.cdll.msvcrt.abs(-3) == 3
        config = session._config
        assert config["wine"] != str(evil) and config["dir"] != str(tmp_path / "data")
        assert config["timeout_stop"] == 3  # the file's other keys apply
    finally:
        session.zb_terminate()
    assert not (tmp_path / "ran").exists()
    assert not (tmp_path / "data").exists()


def test_config_file_named_by_the_environment_still_can(tmp_path, monkeypatch):
    (tmp_path / ".zugbruecke.json").write_text(json.dumps({"dir": str(tmp_path / "data")}))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZUGBRUECKE", str(tmp_path / ".zugbruecke.json"))
    resolved = json.loads(zugbruecke._core.resolve_config("{}", _session._environ()))
    assert resolved["config"]["dir"] == str(tmp_path / "data")
    assert resolved["notices"] == []


def test_log_file_is_private(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old = os.umask(0)
    try:
        session = zugbruecke.CtypesSession(arch="win64", log_write=True, log_level=logging.INFO)
    finally:
        os.umask(old)
    try:
        path = tmp_path / f"zugbruecke_{session.zb_id}.log"
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        session.zb_terminate()
    assert "writing the log" in path.read_text(encoding="utf-8")


def test_log_file_never_follows_a_planted_link(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    victim.chmod(0o644)
    link = tmp_path / f"zugbruecke_{uuid.uuid4().hex[:8]}.log"
    link.symlink_to(victim)
    with pytest.raises(OSError):
        _session._PrivateFileHandler(str(link), encoding="utf-8")
    hard = tmp_path / f"zugbruecke_{uuid.uuid4().hex[:8]}.log"
    os.link(victim, hard)
    with pytest.raises(PermissionError, match="single name"):
        _session._PrivateFileHandler(str(hard), encoding="utf-8")
    assert victim.read_text() == "precious\n"
    assert victim.stat().st_mode & 0o777 == 0o644


def test_existing_log_file_of_ours_is_appended_and_made_private(tmp_path):
    path = tmp_path / "zugbruecke_again.log"
    path.write_text("earlier\n")
    path.chmod(0o644)
    handler = _session._PrivateFileHandler(str(path), encoding="utf-8")
    try:
        handler.emit(logging.LogRecord("zugbruecke", logging.INFO, __file__, 1, "later", None, None))
    finally:
        handler.close()
    assert path.read_text() == "earlier\nlater\n"
    assert path.stat().st_mode & 0o777 == 0o600
