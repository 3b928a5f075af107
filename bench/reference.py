"""
Reference points measured in the same run as the workloads: a native Linux
ctypes call of the same add(), and a TCP ping-pong between this process and a
Windows program under Wine (how the original zugbruecke carried its calls).
"""

import contextlib
import ctypes
import os
import socket
import subprocess

from timing import measure
from zugbruecke._cli import _core_module, wine_info

MSG = b"zugbrck!"  # tcp_client.c echoes messages of exactly this size
CONNECT_TIMEOUT = 30.0


def native_add(so_path):
    """Times add(2, 3) in the Linux build of bench.c through CPython's ctypes."""
    add = ctypes.CDLL(str(so_path)).add
    add.argtypes = (ctypes.c_int, ctypes.c_int)
    add.restype = ctypes.c_int
    if add(2, 3) != 5:
        raise AssertionError(f"native add(2, 3) gave {add(2, 3)}")
    return measure(add, 2, 3)


def _win64_wine(session):
    """The Wine loader and prefix of the win64 session, as the core finds them:
    {"loader", "prefix", ...} (see _core.wine_info)."""
    core, error = _core_module()
    if core is None:
        raise error
    wine = wine_info(core, {"dir": session.zb_get_parameter("dir")})["archs"]["win64"]
    if wine["loader"] is None:
        raise FileNotFoundError(f"no Wine loader for win64: {wine['why']}")
    return wine


def _wine_env(prefix_dir):
    """The environment zugbruecke gives processes in its win64 prefix."""
    env = dict(os.environ, WINEPREFIX=prefix_dir, WINEARCH="win64")
    env.setdefault("WINEDEBUG", "-all")
    env["WINEDLLOVERRIDES"] = "mscoree,mshtml="
    return env


def _recv_exact(conn, n):
    """Reads exactly n bytes from conn."""
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("tcp_client closed the connection")
        data += chunk
    return data


def _ping(conn):
    """One round trip: send MSG, read the echo."""
    conn.sendall(MSG)
    if _recv_exact(conn, len(MSG)) != MSG:
        raise AssertionError("tcp_client echoed something else")


@contextlib.contextmanager
def _wine_client(exe, wine):
    """Listens on 127.0.0.1, starts exe under Wine to connect, yields the
    accepted connection (TCP_NODELAY); closes it and waits for the client."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(CONNECT_TIMEOUT)
        port = server.getsockname()[1]
        client = subprocess.Popen([wine["loader"], str(exe), str(port)], env=_wine_env(wine["prefix"]),
                                  stdin=subprocess.DEVNULL)
        try:
            conn, _ = server.accept()
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                yield conn
            client.wait(timeout=CONNECT_TIMEOUT)
        finally:
            if client.poll() is None:
                client.kill()
                client.wait()


def tcp_ping_pong(exe, session):
    """Times a round trip of len(MSG) bytes to tcp_client.exe under Wine, in
    the prefix of the win64 session."""
    with _wine_client(exe, _win64_wine(session)) as conn:
        return measure(_ping, conn)
