"""
Process hygiene and attack surface: sessions leave no processes, files or
shared-memory segments behind, several sessions on both arches live side by side,
no session listens on a network socket, and runtime files are private to the user.
"""

import glob
import os
import stat

import pytest

import zugbruecke
from test_session import server_processes, wait_until


@pytest.fixture
def marker(monkeypatch):
    import uuid

    value = uuid.uuid4().hex
    monkeypatch.setenv("ZB_TEST_MARKER", value)
    return value


def shm_files():
    """Shared-memory files of zugbruecke sessions of this user."""
    return set(glob.glob(f"/dev/shm/zugbruecke-{os.getuid()}-*"))


def test_fifty_sessions_leave_nothing_behind(marker):
    baseline = server_processes(marker)
    files = shm_files()
    for i in range(50):
        session = zugbruecke.CtypesSession(arch=("win32", "win64")[i % 2])
        try:
            assert session.cdll.msvcrt.abs(-i) == i
        finally:
            session.zb_terminate()
    assert wait_until(lambda: not server_processes(marker, baseline)), (
        f"left behind: {server_processes(marker, baseline)}"
    )
    assert shm_files() == files


def test_four_sessions_at_once(marker):
    files = shm_files()
    sessions = [zugbruecke.CtypesSession(arch=arch) for arch in ("win32", "win64", "win32", "win64")]
    try:
        pids = {zugbruecke._core.pids(s._handle)[0] for s in sessions}
        assert len(pids) == 4
        for k in range(3):
            for i, s in enumerate(sessions):
                assert s.cdll.msvcrt.abs(-(10 * i + k)) == 10 * i + k
                assert s.sizeof(s.c_void_p) == (4 if i % 2 == 0 else 8)
        # Each session maps one shared-memory file, unlinked once both processes have
        # it open: nothing stays on disk for anyone else to open.
        assert shm_files() == files
        with open("/proc/self/maps") as f:
            mapped = {line.split()[5] for line in f if "/zugbruecke-" in line and "(deleted)" in line}
        assert len({m for m in mapped if m.startswith(f"/dev/shm/zugbruecke-{os.getuid()}-")}) >= 4
    finally:
        for s in sessions:
            s.zb_terminate()
    assert shm_files() == files


def listening_sockets():
    """TCP/UDP sockets in LISTEN (or bound UDP) state and listening Unix sockets,
    as the kernel lists them."""
    found = set()
    for name in ("tcp", "tcp6"):
        with open(f"/proc/net/{name}") as f:
            for line in f.readlines()[1:]:
                parts = line.split()
                if parts[3] == "0A":  # TCP_LISTEN
                    found.add((name, parts[1]))
    for name in ("udp", "udp6"):
        with open(f"/proc/net/{name}") as f:
            for line in f.readlines()[1:]:
                found.add((name, line.split()[1]))
    with open("/proc/net/unix") as f:
        for line in f.readlines()[1:]:
            parts = line.split()
            if int(parts[3], 16) & 0x10000 and len(parts) > 7:  # __SO_ACCEPTCON
                found.add(("unix", parts[7]))
    return found


def test_no_listening_socket(arch):
    before = listening_sockets()
    with zugbruecke.CtypesSession(arch=arch) as session:
        assert session.cdll.msvcrt.abs(-3) == 3
        new = listening_sockets() - before
    # No network socket at all. Wine's own wineserver listens on a Unix socket in
    # its per-user folder (mode 0700), which Wine makes for any Windows program.
    assert not [s for s in new if s[0] != "unix"], new
    for _, path in new:
        assert path.startswith(f"/tmp/.wine-{os.getuid()}/"), path
        folder = path.split("/")[2]
        assert stat.S_IMODE(os.stat(f"/tmp/{folder}").st_mode) == 0o700


def test_prefix_folder_is_private(arch):
    with zugbruecke.CtypesSession(arch=arch) as session:
        prefix = session.zb_get_parameter("dir") or os.path.expanduser("~/.local/share/zugbruecke")
        session.cdll.msvcrt.abs(0)
    assert stat.S_IMODE(os.stat(prefix).st_mode) == 0o700
