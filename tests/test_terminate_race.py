"""
zb_terminate() is safe at any moment (issue 16, item 2): from inside a callback, and while
other threads are in the middle of calls and callbacks. Those calls raise
SessionTerminatedError, nothing crashes, and the shared memory the calls use is unmapped
only after the last of them has left it.

A crash here would take the test process with it, so each case runs in a child process.
"""

import subprocess
import sys
import textwrap

TESTS_DIR = __import__("pathlib").Path(__file__).resolve().parent

PRELUDE = textwrap.dedent("""
    import sys, threading, time
    sys.path.insert(0, {tests!r})
    import zugbruecke
    from zugbruecke.core.errors import SessionTerminatedError
    from conftest import build_dll
    arch = {arch!r}
""")

FROM_CALLBACK = textwrap.dedent("""
    for transport in ("shm", "pipe"):
        s = zugbruecke.CtypesSession(arch=arch, transport=transport)
        lib = s.CDLL(str(build_dll("callbacks", arch, "cdecl")))
        CB = s.CFUNCTYPE(s.c_int, s.c_int, s.c_int)
        seen = []

        def inside(a, b):
            s.zb_terminate()
            seen.append((a, b))
            return a + b

        try:
            lib.fwd_int2(CB(inside), 1, 2)
        except SessionTerminatedError as exc:
            print(transport, "terminated", seen, exc, flush=True)
        try:
            lib.fwd_int2(CB(inside), 1, 2)
        except SessionTerminatedError:
            print(transport, "later", flush=True)
""")

DURING_CALLS = textwrap.dedent("""
    ROUNDS, THREADS = 6, 4
    for round in range(ROUNDS):
        s = zugbruecke.CtypesSession(arch=arch)
        th = s.CDLL(str(build_dll("threads", arch, "cdecl")))
        cb = s.CDLL(str(build_dll("callbacks", arch, "cdecl")))
        CB = s.CFUNCTYPE(s.c_int, s.c_int, s.c_int)
        add = CB(lambda a, b: a + b)
        outcomes, calls = [], []
        going = [threading.Event() for _ in range(THREADS)]

        def work(k):
            n = 0
            try:
                while True:
                    if k % 2:
                        assert th.mul_add(2, 3, n) == 6 + n
                    else:
                        assert cb.fwd_int2(add, n, 1) == n + 1
                    n += 1
                    going[k].set()
            except SessionTerminatedError:
                outcomes.append("terminated")
            except BaseException as exc:
                outcomes.append(repr(exc))
            going[k].set()
            calls.append(n)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
        for t in threads:
            t.start()
        for g in going:
            g.wait()  # every thread is calling
        time.sleep(0.05 * (round + 1))
        s.zb_terminate()
        for t in threads:
            t.join()
        print(sorted(outcomes), min(calls) > 0, flush=True)
""")


def child(arch, body):
    code = PRELUDE.format(tests=str(TESTS_DIR), arch=arch) + body
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


def test_terminate_from_a_callback(arch):
    proc = child(arch, FROM_CALLBACK)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for transport in ("shm", "pipe"):
        # The callback ran to its end; the call that ran it raised SessionTerminatedError.
        assert f"{transport} terminated [(1, 2)] zugbruecke: session terminated" in proc.stdout.splitlines()
        assert f"{transport} later" in proc.stdout.splitlines()


def test_terminate_during_calls_of_other_threads(arch):
    proc = child(arch, DURING_CALLS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == 6
    for line in lines:
        assert line == "['terminated', 'terminated', 'terminated', 'terminated'] True"
