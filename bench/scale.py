"""
The scale row of `make bench` (docs/scale.md): TASKS calls of `spin` from bench.c, each
about TASK_SECONDS of CPU work in the DLL, run serially on one session, by threads on one
session, by a spawn process pool with one session per worker (local_session) and by a Dask
LocalCluster in batches (zugbruecke.dask), each as a ratio to serial measured in the same
run (higher is better; the ideal is the number of cores). Every way's results are checked
against the serial ones. Run alone: `python bench/scale.py` prints the result as JSON.
"""

import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import zugbruecke

ARCH = "win64"
TASKS = 200
TASK_SECONDS = 0.003
DASK_BATCH = 20


def setup(path):
    def prepare(session):
        spin = session.cdll.LoadLibrary(path).spin
        spin.argtypes = (session.c_int, session.c_int)
        spin.restype = session.c_double
        return spin

    return prepare


_WORKER = {}


def _init(path, arch):
    _WORKER["session"] = zugbruecke.local_session(setup(path), arch=arch)


def _task(args):
    return _WORKER["session"].zb_setup_result(*args)


def _dask_batch(batch):
    from zugbruecke.dask import get_session

    spin = get_session().zb_setup_result
    return [spin(*args) for args in batch]


def calibrate(spin):
    """Rounds of spin that take about TASK_SECONDS."""
    n = 10000
    while True:
        begin = time.perf_counter()
        spin(1, n)
        took = time.perf_counter() - begin
        if took > TASK_SECONDS / 4:
            return max(1, int(n * TASK_SECONDS / took))
        n *= 4


def measure(path, arch=ARCH, tasks=TASKS, cores=None):
    cores = cores or os.cpu_count() or 1
    session = zugbruecke.CtypesSession(arch=arch)
    try:
        spin = setup(path)(session)
        rounds = calibrate(spin)
        inputs = [(i, rounds) for i in range(tasks)]
        spin(*inputs[0])  # warm
        begin = time.perf_counter()
        expected = [spin(*a) for a in inputs]
        serial = time.perf_counter() - begin
        seconds = {"serial": serial}
        with ThreadPoolExecutor(cores) as pool:
            list(pool.map(lambda a: spin(*a), inputs[:cores]))  # warm: a server thread each
            begin = time.perf_counter()
            got = list(pool.map(lambda a: spin(*a), inputs))
            seconds["threads"] = time.perf_counter() - begin
        assert got == expected, "threads: wrong results"
    finally:
        session.zb_terminate()

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(cores, mp_context=context, initializer=_init, initargs=(path, arch)) as pool:
        list(pool.map(_task, inputs[: cores * 2]))  # warm: every worker started its session
        begin = time.perf_counter()
        got = list(pool.map(_task, inputs, chunksize=max(1, tasks // (cores * 8))))
        seconds["processes"] = time.perf_counter() - begin
    assert got == expected, "processes: wrong results"

    try:
        import distributed

        from zugbruecke.dask import SessionPlugin
    except ImportError:
        seconds["dask"] = None
    else:
        with distributed.LocalCluster(n_workers=cores, threads_per_worker=1, dashboard_address=":0") as cluster:
            with distributed.Client(cluster) as client:
                client.register_plugin(SessionPlugin(setup=setup(path), arch=arch))
                batches = [inputs[i : i + DASK_BATCH] for i in range(0, tasks, DASK_BATCH)]
                client.gather(client.map(_dask_batch, batches[:cores], pure=False))  # warm
                begin = time.perf_counter()
                got = [v for b in client.gather(client.map(_dask_batch, batches, pure=False)) for v in b]
                seconds["dask"] = time.perf_counter() - begin
        assert got == expected, "dask: wrong results"

    ratios = {k: (serial / v if v else None) for k, v in seconds.items()}
    return {"arch": arch, "tasks": tasks, "cores": cores, "task_ms": 1000 * serial / tasks,
            "seconds": seconds, "ratios": ratios}


def markdown(result):
    """The Scale section of docs/benchmarks.md."""
    if "error" in result:
        return f"## Scale\n\nfailed: {result['error']}\n"
    goal = 0.85 * result["cores"]
    lines = [
        "## Scale\n",
        f"{result['tasks']} calls of `spin` ({result['task_ms']:.1f} ms of DLL work each, {result['arch']}) on "
        f"{result['cores']} cores, as ratios to serial in the same run (goal: at least {goal:.2f}, "
        "0.85 x cores, for threads and processes; Dask in batches of "
        f"{DASK_BATCH} calls a task). `bench/scale.py`; see [scale](scale.md).\n",
        "| way | seconds | ratio to serial |",
        "| --- | ---: | ---: |",
    ]
    names = {"serial": "serial, one session", "threads": "threads, one session",
             "processes": "spawn process pool, local_session", "dask": "Dask LocalCluster, batched"}
    for key, label in names.items():
        s, r = result["seconds"].get(key), result["ratios"].get(key)
        lines.append(f"| {label} | {'-' if s is None else f'{s:.3f}'} | {'-' if r is None else f'{r:.2f}'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import build

    print(json.dumps(measure(str(build.bench_dll(ARCH, "cdecl")))))
