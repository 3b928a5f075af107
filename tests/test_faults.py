"""
Faults inside a DLL, the server process ending under a call, a call that never
returns: each becomes a Python exception within a bound, never a hang, and the
session (or, once its server is gone, a new session) goes on working.

The messages are those CPython's ctypes gives on Windows (callproc.c).
"""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import zugbruecke
from zugbruecke import _core
from zugbruecke.core.errors import ServerError, SessionTerminatedError


@pytest.fixture
def faults(ctypes, dll):
    lib = dll("faults")
    lib.read_at.argtypes = (ctypes.c_void_p,)
    lib.write_at.argtypes = (ctypes.c_void_p, ctypes.c_int)
    lib.raise_code.argtypes = (ctypes.c_uint,)
    return lib


def zeros(arch):
    return "0" * (8 if arch == "win32" else 16)


@pytest.mark.parametrize(
    "name, args, message",
    [
        ("read_at", (0,), "exception: access violation reading 0x{z}"),
        ("read_at", (16,), "exception: access violation reading 0x{z16}"),
        ("write_at", (0, 1), "exception: access violation writing 0x{z}"),
        ("write_at", (8, 1), "exception: access violation writing 0x{z8}"),
        ("divide", (1, 0), "exception: integer divide by zero"),
        ("illegal", (), "exception code 0xc000001d"),
        ("raise_code", (0xE0001234,), "exception code 0xe0001234"),
        ("raise_code", (0xC0000095,), "exception: integer overflow"),
    ],
)
def test_fault_becomes_oserror(ctypes, arch, faults, name, args, message):
    z = zeros(arch)
    expected = message.format(z=z, z16=z[:-2] + "10", z8=z[:-1] + "8")
    with pytest.raises(OSError) as info:
        getattr(faults, name)(*args)
    assert str(info.value) == expected
    assert type(info.value) is OSError
    # The same thread and session go on.
    assert faults.add(2, 3) == 5
    assert faults.divide(7, 2) == 3


def test_stack_overflow_becomes_oserror(arch):
    # Own session: a thread whose stack overflowed is left to the server to replace.
    with zugbruecke.CtypesSession(arch=arch) as session:
        from conftest import build_dll

        lib = session.CDLL(str(build_dll("faults", arch, "cdecl")))
        with pytest.raises(OSError, match=r"^exception: stack overflow$"):
            lib.overflow(0)
        assert lib.add(20, 22) == 42
        # Again: the server thread whose guard page was used up has been replaced.
        with pytest.raises(OSError, match=r"^exception: stack overflow$"):
            lib.overflow(0)
        assert lib.add(1, 1) == 2


@pytest.mark.parametrize("how", ["do_exit", "do_abort", "do_terminate", "kill"])
def test_server_ending_under_a_call(arch, how):
    from conftest import build_dll

    session = zugbruecke.CtypesSession(arch=arch)
    try:
        lib = session.CDLL(str(build_dll("faults", arch, "cdecl")))
        assert lib.add(1, 2) == 3
        start = time.monotonic()
        if how == "kill":
            os.kill(_core.pids(session._handle)[0], signal.SIGKILL)
            with pytest.raises(ServerError):
                lib.hang()
        else:
            with pytest.raises(ServerError, match="server process ended"):
                getattr(lib, how)(*((7,) if how == "do_exit" else ()))
        assert time.monotonic() - start < 1.0 + 0.5  # 1 s, plus the test's own slack
        assert session.zb_server_up is False
        # Later calls raise the same kind of exception, not a hang.
        with pytest.raises(ServerError):
            lib.add(1, 2)
    finally:
        session.zb_terminate()
    with pytest.raises(SessionTerminatedError):
        lib.add(1, 2)
    # A new session works.
    with zugbruecke.CtypesSession(arch=arch) as fresh:
        assert fresh.cdll.msvcrt.abs(-4) == 4


def test_ctrl_c_interrupts_a_call_that_never_returns(arch):
    from conftest import build_dll

    session = zugbruecke.CtypesSession(arch=arch, timeout_stop=2)
    try:
        lib = session.CDLL(str(build_dll("faults", arch, "cdecl")))
        timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        start = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            lib.hang()
        assert time.monotonic() - start < 2
        # The thread talks to the server again on a fresh server thread.
        assert lib.add(5, 6) == 11
    finally:
        start = time.monotonic()
        session.zb_terminate()
        assert time.monotonic() - start < 2 + 1
    assert session.zb_server_up is False


def test_sigkill_of_python_ends_the_server(arch, tmp_path):
    # The server notices that its Python process is gone (its pipes close) and exits;
    # no process of ours is left behind.
    script = tmp_path / "victim.py"
    script.write_text(textwrap.dedent(f"""
        import sys, zugbruecke
        s = zugbruecke.CtypesSession(arch={arch!r})
        print(zugbruecke._core.pids(s._handle)[0], flush=True)
        sys.stdin.read()
    """))
    # The package under test, not an installed one.
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=env)
    try:
        server = int(proc.stdout.readline())
        assert os.path.exists(f"/proc/{server}")
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and _running(server):
            time.sleep(0.05)
        assert not _running(server), "the server outlived its Python process by 2 s"
    finally:
        proc.kill()


def _running(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False
