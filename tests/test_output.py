"""
What DLLs print to standard output reaches the Python process's standard output
(`stdout=True`, the default), all of it by the time the session ends, and without
disturbing the calls; `stdout=False` discards it.
"""

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
        assert expected in out
    else:
        assert "from " + arch not in out and "last words" not in out
