# -*- coding: utf-8 -*-
"""
zugbruecke.ray (docs/scale.md) on a local Ray instance: correct results from an actor pool
with one session per actor, a killed server replaced at the next call, an actor process
killed mid-task restarted with the task retried, a start failure reported with the real
error, and no server left after shutdown.

Needs Ray (the test extra installs it).
"""

import os
import pathlib
import signal
import time

import pytest

ray = pytest.importorskip("ray", reason="needs ray (pip install zugbruecke[ray])")

import zugbruecke  # noqa: E402
from zugbruecke import _core  # noqa: E402
from zugbruecke.ray import SessionActor, actor_pool  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
ARCH = "win32"


def setup_pow(session):
    pow_ = session.cdll.msvcrt.pow
    pow_.argtypes = (session.c_double, session.c_double)
    pow_.restype = session.c_double
    return pow_


def squares(session, xs):
    pow_ = session.zb_setup_result
    return [pow_(float(x), 2.0) for x in xs], os.getpid(), _core.pids(session._handle)[0]


def kill_server(session):
    pid = _core.pids(session._handle)[0]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while session.zb_server_up and time.monotonic() < deadline:
        time.sleep(0.05)
    return pid


def die_once(session, marker, xs):
    if not os.path.exists(marker):
        with open(marker, "w") as f:
            f.write(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return squares(session, xs)[0]


def where(session):
    return os.path.dirname(zugbruecke.__file__)


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def local_ray():
    # The actors import this tree's zugbruecke and this module (functions travel by name).
    path = os.pathsep.join([str(ROOT), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": path}},
    )
    servers = []
    yield servers
    ray.shutdown()
    deadline = time.monotonic() + 30
    while any(alive(p) for p in servers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in servers if alive(p)], "servers left after ray.shutdown()"


def test_actor_pool_results_and_recovery(local_ray, tmp_path):
    pool = actor_pool(2, setup=setup_pow, arch=ARCH)
    batches = [list(range(i, i + 10)) for i in range(0, 100, 10)]
    rows = list(pool.map(lambda actor, batch: actor.run.remote(squares, batch), batches))
    assert [v for values, _, _ in rows for v in values] == [float(x * x) for x in range(100)]
    servers = {}
    for _, actor_pid, server in rows:
        servers.setdefault(actor_pid, set()).add(server)
    assert all(len(s) == 1 for s in servers.values()), servers
    local_ray.extend(s for group in servers.values() for s in group)

    actor = SessionActor.options(max_restarts=2, max_task_retries=2).remote(setup_pow, arch=ARCH)
    assert ray.get(actor.run.remote(where)) == os.path.dirname(zugbruecke.__file__)
    # A killed server: the next call gets a new session (set up again).
    old = ray.get(actor.run.remote(kill_server))
    values, _, new = ray.get(actor.run.remote(squares, [3, 4]))
    assert values == [9.0, 16.0] and new != old and not alive(old)
    local_ray.append(new)
    # The actor's process killed in the middle of a task: restarted, the task retried.
    marker = str(tmp_path / "died")
    assert ray.get(actor.run.remote(die_once, marker, [5, 6]), timeout=120) == [25.0, 36.0]
    assert os.path.exists(marker)
    values, _, server = ray.get(actor.run.remote(squares, [7]))
    assert values == [49.0]
    local_ray.append(server)


def test_start_failure_names_the_real_error(local_ray):
    actor = SessionActor.options(max_restarts=0).remote(no_such_parameter=1)
    with pytest.raises(ray.exceptions.RayActorError, match="no_such_parameter"):
        ray.get(actor.session_id.remote(), timeout=120)
