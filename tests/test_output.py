"""
What DLLs write to standard output and standard error reaches the Python process's
descriptors 1 and 2 before the call returns, in order with what Python writes around the
call and inside callbacks (`stdout=True`, `stderr=True`, the defaults); `stdout=False`
discards it. Checked with pytest's capfd, which reads descriptors 1 and 2, after every
single call: output that arrived a moment late fails the test.
"""

import os
import subprocess
import sys
import textwrap

import pytest

import zugbruecke


@pytest.mark.parametrize("forward", [True, False])
def test_dll_printf_is_forwarded(arch, capfd, forward):
    with zugbruecke.CtypesSession(arch=arch, stdout=forward) as session:
        msvcrt = session.cdll.msvcrt
        for i in range(3):
            assert msvcrt.printf(b"line %d from %s\n", i, arch.encode()) == len(f"line {i} from {arch}\n")
            assert msvcrt.abs(-i) == i  # the protocol is undisturbed
        msvcrt.printf(b"last words without a newline")
    out = capfd.readouterr().out
    expected = "".join(f"line {i} from {arch}\n" for i in range(3)) + "last words without a newline"
    if forward:
        assert expected == out
    else:
        assert "from " + arch not in out and "last words" not in out


@pytest.mark.parametrize("stdout,stderr", [(False, False), (False, True), (True, False)])
def test_streams_switched_off(arch, dll_builder, capfd, stdout, stderr):
    path = dll_builder("output", arch, "cdecl")
    with zugbruecke.CtypesSession(arch=arch, stdout=stdout, stderr=stderr) as session:
        lib = session.CDLL(str(path))
        capfd.readouterr()
        for i in range(3):
            assert lib.out_line(i) == len(f"dll line {i}\n")
            assert lib.err_line(i) == len(f"dll error {i}\n")
            out, err = capfd.readouterr()
            assert out == (f"dll line {i}\n" if stdout else "")
            assert err == (f"dll error {i}\n" if stderr else "")


def test_output_is_there_when_each_of_1000_calls_returns(ctypes, dll, capfd):
    out_line = dll("output").out_line
    capfd.readouterr()
    missed = []
    for i in range(1000):
        assert out_line(i) == len(f"dll line {i}\n")
        got = capfd.readouterr().out
        if got != f"dll line {i}\n":
            missed.append((i, got))
    assert not missed, f"{len(missed)} of 1000 calls: {missed[:5]}"


def test_stderr_is_there_when_each_call_returns(ctypes, dll, capfd):
    lib = dll("output")
    capfd.readouterr()
    for i in range(200):
        assert lib.err_line(i) == len(f"dll error {i}\n")
        assert capfd.readouterr() == ("", f"dll error {i}\n")


def test_writefile_on_the_standard_handles(ctypes, dll, capfd):
    lib = dll("output")
    capfd.readouterr()
    for i in range(50):
        assert lib.out_raw(f"raw {i}\n".encode(), 0) == len(f"raw {i}\n")
        assert lib.out_raw(f"raw error {i}\n".encode(), 1) == len(f"raw error {i}\n")
        assert capfd.readouterr() == (f"raw {i}\n", f"raw error {i}\n")


def test_in_order_with_python_prints(ctypes, dll, capfd):
    lib = dll("output")
    capfd.readouterr()
    expected = []
    for i in range(100):
        print(f"python before {i}")
        lib.out_line(i)
        print(f"python after {i}", file=sys.stderr if i % 2 else sys.stdout)
        expected += [f"python before {i}", f"dll line {i}"] + ([] if i % 2 else [f"python after {i}"])
    out, err = capfd.readouterr()
    assert out.splitlines() == expected
    assert err.splitlines() == [f"python after {i}" for i in range(1, 100, 2)]


def test_in_order_with_a_callback(ctypes, dll, FT, capfd):
    lib = dll("output")

    @FT(ctypes.c_int, ctypes.c_int)
    def cb(i):
        print(f"python in callback {i}")
        return i * 2

    capfd.readouterr()
    for i in range(20):
        assert lib.out_around(cb, i) == 2 * i
        assert capfd.readouterr().out == f"before callback {i}\npython in callback {i}\nafter callback {i}\n"


def test_more_than_a_pipe_holds_in_one_call(ctypes, dll, capfd):
    lib = dll("output")
    capfd.readouterr()
    for n, c in [(300_000, ord("x")), (1, ord("y")), (2_500_000, ord("z"))]:
        assert lib.out_bulk(n, c) == n
        assert capfd.readouterr().out == chr(c) * n


def test_output_of_a_thread_after_the_call_arrives(arch, dll_builder, capfd):
    path = dll_builder("output", arch, "cdecl")
    with zugbruecke.CtypesSession(arch=arch) as session:
        lib = session.CDLL(str(path))
        lib.out_thread.restype = session.c_void_p
        handle = lib.out_thread(7)
        assert handle
        kernel32 = session.windll.kernel32
        assert kernel32.WaitForSingleObject(session.c_void_p(handle), 10_000) == 0
        kernel32.CloseHandle(session.c_void_p(handle))
    assert capfd.readouterr().out == "from a thread 7\n"


# Python's sys.stdout writing to a pipe is block-buffered: without a flush before the
# DLL output, "python 0" would come after the DLL's line.
ORDER_IN_A_PIPE = """
import sys, zugbruecke
with zugbruecke.CtypesSession(arch=sys.argv[1]) as session:
    lib = session.CDLL(sys.argv[2])
    for i in range(5):
        print("python", i)
        lib.out_line(i)
    print("python end")
"""


def test_in_order_with_block_buffered_python_output(arch, dll_builder):
    path = dll_builder("output", arch, "cdecl")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(ORDER_IN_A_PIPE), arch, str(path)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    expected = []
    for i in range(5):
        expected += [f"python {i}", f"dll line {i}"]
    assert proc.stdout.splitlines() == expected + ["python end"]
