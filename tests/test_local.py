# -*- coding: utf-8 -*-
"""
zugbruecke.local_session (docs/scale.md): one session per process and configuration,
started on first use, set up once (the setup's result kept as session.zb_setup_result),
replaced at the next call when its server died (a call on the dead one raises), refused
in a forked child, terminated at exit; and in a spawn ProcessPoolExecutor with an
initializer, each worker has exactly one session that serves all of its tasks.
"""

import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

import zugbruecke
from zugbruecke import _core

ROOT = pathlib.Path(__file__).resolve().parent.parent


def fresh_kwargs(arch):
    # An id of its own: no other test's local session has this configuration.
    return {"arch": arch, "id": "loc" + uuid.uuid4().hex[:7]}


def test_one_session_per_configuration_set_up_once(arch):
    calls = []

    def setup(session):
        calls.append(session)
        labs = session.cdll.msvcrt.labs
        labs.argtypes = (session.c_long,)
        return {"labs": labs}

    kwargs = fresh_kwargs(arch)
    first = zugbruecke.local_session(setup, **kwargs)
    try:
        assert first.zb_get_parameter("arch") == arch
        assert first.zb_setup_result["labs"](-12) == 12
        assert zugbruecke.local_session(setup, **kwargs) is first
        assert zugbruecke.local_session(**kwargs) is first  # no setup: the same session
        assert calls == [first]
        other = zugbruecke.local_session(**fresh_kwargs(arch))
        try:
            assert other is not first and other.zb_setup_result is None
        finally:
            other.zb_terminate()
        with pytest.raises(ValueError, match="set up with"):
            zugbruecke.local_session(lambda s: None, **kwargs)
        assert calls == [first]
    finally:
        first.zb_terminate()


def test_setup_failure_terminates_and_the_next_call_retries(arch):
    attempts = []

    def setup(session):
        attempts.append(session)
        if len(attempts) == 1:
            raise RuntimeError("setup failed on purpose")
        return "ready"

    kwargs = fresh_kwargs(arch)
    with pytest.raises(RuntimeError, match="on purpose"):
        zugbruecke.local_session(setup, **kwargs)
    assert attempts[0].zb_client_up is False  # terminated, not left running
    session = zugbruecke.local_session(setup, **kwargs)
    try:
        assert session is attempts[1] and session.zb_setup_result == "ready"
    finally:
        session.zb_terminate()


def test_dead_server_is_replaced_at_the_next_call_only(arch):
    setups = []

    def setup(session):
        setups.append(session)
        return session.cdll.msvcrt.abs

    kwargs = fresh_kwargs(arch)
    old = zugbruecke.local_session(setup, **kwargs)
    abs_ = old.zb_setup_result
    assert abs_(-1) == 1
    os.kill(_core.pids(old._handle)[0], signal.SIGKILL)
    deadline = time.monotonic() + 20
    while old.zb_server_up and time.monotonic() < deadline:
        time.sleep(0.05)
    # The dead session is not swapped under a routine that belongs to it.
    with pytest.raises(zugbruecke.ServerError):
        abs_(-2)
    new = zugbruecke.local_session(**kwargs)  # the setup is remembered
    try:
        assert new is not old and setups == [old, new]
        assert new.zb_setup_result(-3) == 3
        assert old.zb_client_up is False
    finally:
        new.zb_terminate()


def test_bad_keyword_arguments(arch):
    with pytest.raises(TypeError, match="configuration values"):
        zugbruecke.local_session(arch=arch, id=object())
    with pytest.raises(zugbruecke.ConfigError):
        zugbruecke.local_session(arch=arch, no_such_parameter=1)


def run(tmp_path, code, timeout=180):
    script = tmp_path / f"s_{uuid.uuid4().hex[:6]}.py"
    script.write_text(textwrap.dedent(code))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"hung\n{out}\n{err}")
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_process_pool_with_spawn_and_initializer(tmp_path, arch):
    result = run(
        tmp_path,
        f"""
        import json, os, sys
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        import zugbruecke

        assert zugbruecke.__file__.startswith({str(ROOT)!r})
        SESSION = {{"arch": {arch!r}}}

        def setup(session):
            pow_ = session.cdll.msvcrt.pow
            pow_.argtypes = (session.c_double, session.c_double)
            pow_.restype = session.c_double
            return pow_

        def init():
            zugbruecke.local_session(setup, **SESSION)

        def task(x):
            session = zugbruecke.local_session(**SESSION)
            return [x, session.zb_setup_result(float(x), 2.0), os.getpid(), session.zb_id]

        if __name__ == "__main__":
            with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn"), initializer=init) as pool:
                rows = list(pool.map(task, range(40)))
            print(json.dumps({{"rows": rows, "core_in_parent": "zugbruecke._core" in sys.modules}}))
        """,
    )
    rows = result["rows"]
    assert [r[1] for r in rows] == [float(x * x) for x in range(40)]
    ids_per_worker = {}
    for _, _, pid, zb_id in rows:
        ids_per_worker.setdefault(pid, set()).add(zb_id)
    assert all(len(ids) == 1 for ids in ids_per_worker.values()), ids_per_worker
    assert len({next(iter(ids)) for ids in ids_per_worker.values()}) == len(ids_per_worker)
    assert result["core_in_parent"] is False  # the parent never loaded Go


def test_forked_child_and_exit(tmp_path, arch):
    result = run(
        tmp_path,
        f"""
        import json, os, sys
        import zugbruecke
        from zugbruecke import _core

        session = zugbruecke.local_session(arch={arch!r})
        server = _core.pids(session._handle)[0]
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                zugbruecke.local_session(arch={arch!r})
                msg = "no error"
            except zugbruecke.ServerError as e:
                msg = str(e)
            os.write(w, msg.encode())
            os._exit(0)
        os.close(w)
        msg = os.read(r, 65536).decode()
        os.waitpid(pid, 0)
        print(json.dumps({{"child": msg, "server": server, "same": zugbruecke.local_session(arch={arch!r}) is session}}))
        """,
    )
    assert "'spawn'" in result["child"] and "'forkserver'" in result["child"], result["child"]
    assert result["same"] is True
    # Closed at exit: the server is gone once the interpreter ended.
    deadline = time.monotonic() + 20
    while os.path.exists(f"/proc/{result['server']}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{result['server']}")
