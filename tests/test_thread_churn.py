"""
Server threads follow Python threads (issue 16, item 1): a Python thread that ends
releases its server thread, so a program whose threads come and go (a thread pool that
replaces its threads) keeps the server's thread count and memory bounded. The server's
threads are counted in /proc/<pid>/task of the Wine process that runs it.
"""

import os
import threading

import zugbruecke
from zugbruecke import _core

THREADS = 1000


def _tasks(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def _rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(f.read().split("VmRSS:")[1].split()[0])


def test_short_lived_threads_leave_no_server_threads(arch, dll_builder):
    with zugbruecke.CtypesSession(arch=arch) as session:
        lib = session.CDLL(str(dll_builder("threads", arch, "cdecl")))
        assert lib.mul_add(1, 2, 3) == 5
        pid = _core.pids(session._handle)[0]
        tasks, rss = _tasks(pid), _rss_kib(pid)
        results = []
        peak = 0
        for i in range(THREADS):
            t = threading.Thread(target=lambda i=i: results.append(lib.mul_add(i, 2, 1)))
            t.start()
            t.join()
            if i % 100 == 99:
                peak = max(peak, _tasks(pid))
        assert sorted(results) == [2 * i + 1 for i in range(THREADS)]
        # Each of the 1000 threads had a server thread of its own while it called; at most
        # a few dozen are left at any time, and the server's memory grows by < 50 MB.
        assert peak <= tasks + 24, (tasks, peak)
        assert _tasks(pid) <= tasks + 24
        assert _rss_kib(pid) - rss < 50 * 1024
        # Threads that come back reuse released channels and still work, concurrently.
        out = {}
        pool = [threading.Thread(target=lambda k=k: out.setdefault(k, lib.mul_add(k, 3, 1))) for k in range(8)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        assert out == {k: 3 * k + 1 for k in range(8)}
        assert lib.mul_add(2, 3, 5) == 11
