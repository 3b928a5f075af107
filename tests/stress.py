"""The load test of `make stress` (CI runs short versions in tests/test_threads.py).

- 8 Python threads x 100,000 calls on one session, per arch: every result checked;
- 4 sessions (2 per arch) in parallel, 2 threads each, 100,000 calls per thread;
- 1,000,000 calls on one session: resident memory of the Python process and of the
  server, after a warm-up, must grow by less than 10 MB;
- thread churn: 10,000 short-lived threads, one call each, per arch: the server's thread
  count stays within a few dozen of the start and its memory grows by less than 50 MB;
- terminate race: 20 rounds of 4 threads calling (half through callbacks) while the main
  thread terminates the session: every thread ends with SessionTerminatedError.

Prints the figures and exits non-zero when a check fails. Usage:
    python tests/stress.py [--scale 0.1]
"""

import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import zugbruecke  # noqa: E402
from conftest import build_dll  # noqa: E402


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def load(session):
    arch = session.zb_get_parameter("arch")
    return session.CDLL(str(build_dll("threads", arch, "cdecl")))


def hammer(lib, seed, calls, failures):
    f = lib.mul_add
    for k in range(calls):
        if f(seed, k, 11) != (seed * k + 11 + 2**31) % 2**32 - 2**31:
            failures.append((seed, k))
            return


def threaded(libs, threads, calls):
    failures = []
    ts = [threading.Thread(target=hammer, args=(libs[i % len(libs)], i, calls, failures)) for i in range(threads)]
    start = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - start
    return failures, elapsed


def churn(arch, threads):
    """Short-lived threads, one call each: the server's threads and memory stay bounded."""
    with zugbruecke.CtypesSession(arch=arch) as s:
        lib = load(s)
        lib.mul_add(1, 2, 3)
        server = zugbruecke._core.pids(s._handle)[0]
        tasks0, rss0 = len(os.listdir(f"/proc/{server}/task")), rss_kib(server)
        wrong, peak = [], tasks0
        start = time.perf_counter()
        for k in range(threads):
            t = threading.Thread(target=lambda k=k: lib.mul_add(k, 2, 1) == 2 * k + 1 or wrong.append(k))
            t.start()
            t.join()
            if k % 500 == 0:
                peak = max(peak, len(os.listdir(f"/proc/{server}/task")))
        elapsed = time.perf_counter() - start
        dsrv = rss_kib(server) - rss0
        print(f"{arch}: {threads} short-lived threads in {elapsed:.1f} s: server threads {tasks0} -> peak {peak}, "
              f"RSS growth {dsrv} KiB, wrong results: {len(wrong)}")
        return not wrong and peak <= tasks0 + 24 and dsrv < 50 * 1024


def terminate_race(arch, rounds):
    """Terminate while 4 threads call: each ends with SessionTerminatedError, no crash."""
    from zugbruecke.core.errors import SessionTerminatedError

    bad = []
    for r in range(rounds):
        s = zugbruecke.CtypesSession(arch=arch)
        lib = load(s)
        cbs = s.CDLL(str(build_dll("callbacks", arch, "cdecl")))
        add = s.CFUNCTYPE(s.c_int, s.c_int, s.c_int)(lambda a, b: a + b)
        going = [threading.Event() for _ in range(4)]

        def work(k, lib=lib, cbs=cbs, add=add, going=going):
            try:
                while True:
                    lib.mul_add(k, 2, 1) if k % 2 else cbs.fwd_int2(add, k, 1)
                    going[k].set()
            except SessionTerminatedError:
                pass
            except BaseException as exc:
                bad.append(repr(exc))
            going[k].set()

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for g in going:
            g.wait()
        time.sleep(0.001 * (r % 10))
        s.zb_terminate()
        for t in threads:
            t.join()
    print(f"{arch}: {rounds} terminate races with 4 calling threads: unexpected outcomes {bad[:3]}")
    return not bad


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full call counts")
    scale = parser.parse_args().scale
    ok = True

    for arch in ("win32", "win64"):
        with zugbruecke.CtypesSession(arch=arch) as s:
            calls = int(100_000 * scale)
            failures, elapsed = threaded([load(s)], 8, calls)
            print(f"{arch}: 8 threads x {calls} calls on one session: {elapsed:.1f} s, "
                  f"{elapsed / (8 * calls) * 1e6:.1f} us/call overall, wrong results: {len(failures)}")
            ok &= not failures

    sessions = [zugbruecke.CtypesSession(arch=a) for a in ("win32", "win64") * 2]
    try:
        calls = int(100_000 * scale)
        failures, elapsed = threaded([load(s) for s in sessions], 8, calls)
        print(f"4 sessions x 2 threads x {calls} calls: {elapsed:.1f} s, wrong results: {len(failures)}")
        ok &= not failures
    finally:
        for s in sessions:
            s.zb_terminate()

    for arch in ("win32", "win64"):
        with zugbruecke.CtypesSession(arch=arch) as s:
            lib = load(s)
            server = zugbruecke._core.pids(s._handle)[0]
            total = int(1_000_000 * scale)
            failures = []
            hammer(lib, 3, total // 10, failures)  # warm-up
            py0, srv0 = rss_kib(os.getpid()), rss_kib(server)
            start = time.perf_counter()
            hammer(lib, 5, total, failures)
            elapsed = time.perf_counter() - start
            dpy, dsrv = rss_kib(os.getpid()) - py0, rss_kib(server) - srv0
            print(f"{arch}: {total} calls in {elapsed:.1f} s ({elapsed / total * 1e6:.1f} us/call); "
                  f"RSS growth: Python {dpy} KiB, server {dsrv} KiB; wrong results: {len(failures)}")
            ok &= not failures and dpy < 10 * 1024 and dsrv < 10 * 1024

    for arch in ("win32", "win64"):
        ok &= churn(arch, int(10_000 * scale))
        ok &= terminate_race(arch, max(1, int(20 * scale)))

    print("stress: OK" if ok else "stress: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
