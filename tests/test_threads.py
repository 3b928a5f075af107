"""
Several Python threads on one session: each Python thread gets a server thread of
its own (calls run concurrently in the DLL, GetLastError stays per thread), every
result is correct, and nothing deadlocks. The long version is `make stress`
(tests/stress.py).
"""

import threading

import pytest

import zugbruecke


def run_threads(n, target):
    errors = []

    def wrapped(i):
        try:
            target(i)
        except BaseException as e:  # reported below, with the thread's index
            errors.append((i, e))

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    assert not errors, errors


def test_calls_run_concurrently(ctypes, dll):
    lib = dll("threads")
    lib.barrier_reset()
    results = [None] * 4

    def enter(i):
        results[i] = lib.barrier(4, 20000)

    run_threads(4, enter)
    assert results == [1, 1, 1, 1]


def test_each_python_thread_has_its_own_server_thread(ctypes, dll):
    lib = dll("threads")
    ids = {}

    def ask(i):
        ids[i] = {lib.thread_id() for _ in range(5)}

    run_threads(4, ask)
    assert all(len(v) == 1 for v in ids.values())  # stable within a Python thread
    assert len(set().union(*ids.values())) == 4  # and distinct between them
    assert lib.thread_id() not in set().union(*ids.values())


def test_last_error_per_thread(ctypes):
    k32 = ctypes.windll.kernel32
    seen = {}
    gate = threading.Barrier(4)

    def work(i):
        k32.SetLastError(1000 + i)
        gate.wait()  # all threads have set theirs before anyone reads
        k32.GetTickCount()  # a call that leaves LastError alone
        seen[i] = (ctypes.GetLastError(), k32.GetLastError())

    run_threads(4, work)
    assert seen == {i: (1000 + i, 1000 + i) for i in range(4)}


def test_eight_threads_many_calls(ctypes, dll):
    lib = dll("threads")

    def work(i):
        for k in range(2000):
            assert lib.mul_add(i, k, 7) == i * k + 7

    run_threads(8, work)


def test_four_sessions_in_parallel(dll_builder):
    sessions = [zugbruecke.CtypesSession(arch=arch) for arch in ("win32", "win64") * 2]
    try:
        libs = [s.CDLL(str(dll_builder("threads", s.zb_get_parameter("arch"), "cdecl"))) for s in sessions]

        def work(i):
            lib = libs[i % 4]
            for k in range(1000):
                assert lib.mul_add(k, 3, i) == 3 * k + i

        run_threads(8, work)
    finally:
        for s in sessions:
            s.zb_terminate()


@pytest.mark.parametrize("n", [2, 8])
def test_callbacks_from_concurrent_python_threads(ctypes, FT, dll, n):
    lib = dll("callbacks")
    CB = FT(ctypes.c_int, ctypes.c_int)

    def work(i):
        cb = CB(lambda x: x + i)
        for k in range(200):
            assert lib.cb_call(cb, k) == k + i

    run_threads(n, work)
