# -*- coding: utf-8 -*-
"""
zugbruecke.dask (docs/scale.md) on a LocalCluster with worker processes: correct results
through SessionPlugin/get_session, a start failure re-raised in every task, a server
killed under a worker replaced for the next task, a worker killed mid-task giving the
retried correct result, and no server left once the cluster is closed.

Needs distributed (the test extra installs it).
"""

import os
import signal
import time

import pytest

distributed = pytest.importorskip("distributed", reason="needs distributed (pip install zugbruecke[dask])")

import zugbruecke  # noqa: E402
from zugbruecke import _core  # noqa: E402
from zugbruecke.dask import SessionPlugin, get_session  # noqa: E402

ARCH = "win32"  # the engine, not the ABI, is under test here


def setup_pow(session):
    pow_ = session.cdll.msvcrt.pow
    pow_.argtypes = (session.c_double, session.c_double)
    pow_.restype = session.c_double
    return pow_


def squares(xs):
    session = get_session()
    pow_ = session.zb_setup_result
    return [pow_(float(x), 2.0) for x in xs], os.getpid(), _core.pids(session._handle)[0]


def kill_own_server():
    session = get_session()
    pid = _core.pids(session._handle)[0]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while session.zb_server_up and time.monotonic() < deadline:
        time.sleep(0.05)
    return pid, session.zb_server_up


def die_once(marker, xs):
    # The first attempt takes the whole worker process down in the middle of the task.
    if not os.path.exists(marker):
        with open(marker, "w") as f:
            f.write(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return squares(xs)[0]


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=":0") as c:
        with distributed.Client(c) as client:
            client.register_plugin(SessionPlugin(setup=setup_pow, arch=ARCH))
            yield client


def test_results_and_one_session_per_worker(cluster):
    here = os.path.dirname(zugbruecke.__file__)
    assert cluster.submit(lambda: os.path.dirname(zugbruecke.__file__), pure=False).result() == here
    batches = [list(range(i, i + 20)) for i in range(0, 200, 20)]
    results = cluster.gather(cluster.map(squares, batches, pure=False))
    assert [v for values, _, _ in results for v in values] == [float(x * x) for x in range(200)]
    servers = {}
    for _, worker_pid, server in results:
        servers.setdefault(worker_pid, set()).add(server)
    assert all(len(s) == 1 for s in servers.values()), servers


def test_killed_server_is_replaced_for_the_next_task(cluster):
    address = next(iter(cluster.scheduler_info()["workers"]))
    old, up = cluster.submit(kill_own_server, workers=[address], pure=False).result()
    assert up is False
    values, _, new = cluster.submit(squares, [3, 4], workers=[address], pure=False).result()
    assert values == [9.0, 16.0]
    assert new != old and not alive(old)


def test_worker_killed_mid_task_gives_the_retried_result(cluster, tmp_path):
    marker = str(tmp_path / "died")
    result = cluster.submit(die_once, marker, [5, 6], pure=False).result(timeout=120)
    assert result == [25.0, 36.0]
    assert os.path.exists(marker)  # the first attempt did die
    cluster.wait_for_workers(2, timeout=60)


def test_start_failure_is_raised_in_every_task(cluster):
    cluster.register_plugin(SessionPlugin(name="broken", no_such_parameter=1))

    def use():
        return get_session("broken").zb_id

    futures = cluster.map(lambda i: use(), range(4), pure=False)
    for f in futures:
        with pytest.raises(zugbruecke.ConfigError, match="no_such_parameter"):
            f.result()
    with pytest.raises(LookupError, match="no SessionPlugin named 'nothing'"):
        cluster.submit(get_session, "nothing", pure=False).result()


def test_nothing_left_after_close():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        with distributed.Client(c) as client:
            client.register_plugin(SessionPlugin(setup=setup_pow, arch=ARCH))
            results = client.gather(client.map(squares, [[1], [2], [3], [4]], pure=False))
    servers = {server for _, _, server in results}
    assert servers
    deadline = time.monotonic() + 30
    while any(alive(p) for p in servers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in servers)


@pytest.mark.slow
def test_two_workers_create_a_fresh_prefix_at_once(tmp_path):
    data = str(tmp_path / "data")  # no prefix yet: both workers' sessions create it together
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        with distributed.Client(c) as client:
            client.register_plugin(SessionPlugin(setup=setup_pow, arch=ARCH, dir=data))
            results = client.gather(client.map(squares, [[x] for x in range(8)], pure=False))
            workers = len(client.scheduler_info()["workers"])
    assert [v for values, _, _ in results for v in values] == [float(x * x) for x in range(8)]
    assert workers == 2 and len({worker for _, worker, _ in results}) >= 1
    assert os.path.isdir(os.path.join(data, "prefix-win32"))
