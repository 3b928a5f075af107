# -*- coding: utf-8 -*-
"""
Fork safety (docs/scale.md): a process forked from one that loaded zugbruecke's Go core
cannot use the parent's sessions (SessionTerminatedError naming the owner) nor start its
own (ServerError naming the 'spawn' and 'forkserver' start methods); it never hangs,
never disturbs the parent's calls, sends nothing to the parent's server when it exits and
keeps no server alive after the parent died. Tasks of a fork pool that do not use
zugbruecke still work.

Every scenario runs in a fresh interpreter in its own process group with a timeout: a
hang fails the test (and the group is killed) instead of hanging the suite.
"""

import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

PRELUDE = textwrap.dedent(
    """
    import json, os, sys, time
    sys.path.insert(0, {root!r})
    import zugbruecke
    from zugbruecke import ServerError, SessionTerminatedError

    def emit(**values):
        print(json.dumps(values), flush=True)

    def in_child(func):
        # Run func in a forked child, return what it reports through a pipe as JSON.
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                result = func()
            except BaseException as e:
                result = {{"error": type(e).__name__, "message": str(e)}}
            os.write(w, json.dumps(result).encode())
            os.close(w)
            sys.exit(0)  # a normal exit: atexit handlers run
        os.close(w)
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        os.close(r)
        _, status = os.waitpid(pid, 0)
        return json.loads(data), os.waitstatus_to_exitcode(status)
    """
)


def run_script(tmp_path, body, timeout=120, env=None):
    """Run PRELUDE + body in a fresh interpreter; the JSON lines it printed. A timeout or
    a failing script fails the test; its whole process group is killed either way."""
    path = tmp_path / f"script_{uuid.uuid4().hex[:8]}.py"
    path.write_text(PRELUDE.format(root=str(ROOT)) + textwrap.dedent(body))
    proc = subprocess.Popen(
        [sys.executable, str(path)],
        cwd=tmp_path,
        env=dict(os.environ, **(env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"hung for {timeout} s\nstdout:\n{out}\nstderr:\n{err}")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert proc.returncode == 0, err
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_fork_pool_after_import_ctypes_never_hangs(tmp_path):
    (result,) = run_script(
        tmp_path,
        """
        import multiprocessing as mp
        import zugbruecke.ctypes as ctypes

        def plain(x):
            return x * x

        def uses_session(x):
            try:
                return ["ok", ctypes.cdll.msvcrt.abs(-x)]
            except SessionTerminatedError as e:
                return ["SessionTerminatedError", str(e)]
            except AttributeError as e:
                # From 3.13 LibraryLoader turns the OSError of a DLL load (here the
                # SessionTerminatedError) into AttributeError, raised while handling it.
                if isinstance(e.__context__, SessionTerminatedError) and sys.version_info >= (3, 13):
                    return ["SessionTerminatedError", str(e.__context__)]
                raise

        if __name__ == "__main__":
            with mp.get_context("fork").Pool(2) as pool:
                plain_results = pool.map(plain, range(8))
                session_results = pool.map(uses_session, range(8))
            emit(plain=plain_results, session=session_results, pid=os.getpid(),
                 parent_after=ctypes.cdll.msvcrt.abs(-42), up=ctypes.zb_server_up)
        """,
    )
    assert result["plain"] == [x * x for x in range(8)]
    kinds = {kind for kind, _ in result["session"]}
    assert kinds == {"SessionTerminatedError"}, result["session"]
    for _, message in result["session"]:
        assert f"belongs to process {result['pid']}" in message
        assert "'spawn'" in message and "'forkserver'" in message
    assert result["parent_after"] == 42 and result["up"] is True


def test_inherited_session_refuses_every_use(tmp_path, arch):
    (result,) = run_script(
        tmp_path,
        f"""
        session = zugbruecke.CtypesSession(arch={arch!r})
        labs = session.cdll.msvcrt.labs
        labs.argtypes = (session.c_long,)
        assert labs(-7) == 7

        class Point(session.Structure):
            _fields_ = [("x", session.c_int), ("y", session.c_double)]

        def child():
            seen = {{}}
            attempts = {{
                "call": lambda: labs(-3),
                "load": lambda: session.cdll.kernel32,
                "sizeof": lambda: session.sizeof(Point),
                "new_type": lambda: session.sizeof(type("Q", (session.Structure,), {{"_fields_": [("a", session.c_short)]}})),
                "restype": lambda: setattr(session.cdll.msvcrt.labs, "restype", session.POINTER(Point)),
                "callback": lambda: session.CFUNCTYPE(session.c_int, session.c_int)(lambda v: v)._zb_entry(),
            }}
            for name, attempt in attempts.items():
                try:
                    attempt()
                    seen[name] = ["no error", ""]
                except Exception as e:
                    if name == "load" and isinstance(e, AttributeError) and sys.version_info >= (3, 13):
                        e = e.__context__  # LibraryLoader from 3.13: AttributeError while handling the OSError
                    seen[name] = [type(e).__name__, str(e)]
            seen["client_up"] = session.zb_client_up
            seen["server_up"] = session.zb_server_up
            session.zb_terminate()  # a no-op here: the session is the parent's
            return seen

        seen, code = in_child(child)
        emit(seen=seen, code=code, pid=os.getpid(), id=session.zb_id,
             after=[labs(-i) for i in range(50)], up=session.zb_server_up)
        session.zb_terminate()
        """,
    )
    seen = result["seen"]
    assert result["code"] == 0
    assert seen.pop("client_up") is False and seen.pop("server_up") is False
    for name, (kind, message) in seen.items():
        assert kind == "SessionTerminatedError", (name, kind, message)
        assert str(result["pid"]) in message, (name, message)
    assert f"session {result['id']} belongs to process {result['pid']}" in seen["call"][1]
    # The child's use, its zb_terminate and its exit (atexit) left the parent's session alone.
    assert result["after"] == list(range(50))
    assert result["up"] is True


@pytest.mark.parametrize("terminated_first", [False, True])
def test_new_session_in_forked_child_fails_with_start_methods(tmp_path, arch, terminated_first):
    (result,) = run_script(
        tmp_path,
        f"""
        session = zugbruecke.CtypesSession(arch={arch!r})
        if {terminated_first!r}:
            session.zb_terminate()

        def child():
            try:
                zugbruecke.CtypesSession(arch={arch!r})
            except ServerError as e:
                return {{"error": type(e).__name__, "message": str(e)}}
            return {{"error": None}}

        seen, code = in_child(child)
        emit(seen=seen, pid=os.getpid())
        """,
    )
    seen = result["seen"]
    assert seen["error"] == "ServerError", seen
    assert "'spawn'" in seen["message"] and "'forkserver'" in seen["message"]
    assert f"forked from process {result['pid']}" in seen["message"]


def test_fork_before_the_core_is_loaded_can_start_sessions(tmp_path, arch):
    # `import zugbruecke` loads no Go: a child forked then may start its own session.
    (result,) = run_script(
        tmp_path,
        f"""
        def child():
            with zugbruecke.CtypesSession(arch={arch!r}) as session:
                return {{"abs": session.cdll.msvcrt.abs(-9)}}

        seen, code = in_child(child)
        emit(seen=seen, code=code, core_loaded="zugbruecke._core" in sys.modules)
        """,
    )
    assert result == {"seen": {"abs": 9}, "code": 0, "core_loaded": False}


def test_parent_calls_interleaved_with_forked_children(tmp_path, arch):
    (result,) = run_script(
        tmp_path,
        f"""
        import threading
        session = zugbruecke.CtypesSession(arch={arch!r})
        labs = session.cdll.msvcrt.labs
        labs.argtypes = (session.c_long,)
        wrong, done = [], threading.Event()

        def parent_calls():
            i = 0
            while not done.is_set() or i < 2000:
                got = labs(-i)
                if got != i:
                    wrong.append([i, got])
                i += 1

        worker = threading.Thread(target=parent_calls)
        worker.start()
        errors = []
        for n in range(10):
            def child(n=n):
                kinds = set()
                for i in range(50):
                    try:
                        labs(-(10**6 + i))
                        kinds.add("no error")
                    except Exception as e:
                        kinds.add(type(e).__name__)
                return sorted(kinds)
            seen, code = in_child(child)
            errors.append([seen, code])
        done.set()
        worker.join()
        emit(wrong=wrong, errors=errors, up=session.zb_server_up)
        session.zb_terminate()
        """,
    )
    assert result["wrong"] == []
    assert result["errors"] == [[["SessionTerminatedError"], 0]] * 10
    assert result["up"] is True


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_forked_child_keeps_no_server_alive_after_parent_died(tmp_path, arch):
    # The parent kills itself while a forked child lives on: the server must see its
    # standard input close (the child closed its inherited end at fork) and exit.
    script = tmp_path / "orphan.py"
    script.write_text(
        PRELUDE.format(root=str(ROOT))
        + textwrap.dedent(
            f"""
            import signal
            from zugbruecke import _core
            session = zugbruecke.CtypesSession(arch={arch!r})
            assert session.cdll.msvcrt.abs(-1) == 1
            server = _core.pids(session._handle)[0]
            child = os.fork()
            if child == 0:
                time.sleep(120)
                os._exit(0)
            emit(server=server, child=child)
            os.kill(os.getpid(), signal.SIGKILL)
            """
        )
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        # The child holds stdout open: read the one line, then wait for the parent's end.
        pids = json.loads(proc.stdout.readline())
        proc.wait(timeout=60)
        assert _alive(pids["child"]), "the forked child should still be running"
        deadline = time.monotonic() + 30
        while _alive(pids["server"]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pids["server"]), "the server outlived its parent while a forked child lived"
        assert _alive(pids["child"])
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_forkserver_pool_with_zugbruecke_ctypes_imported_at_top_level(tmp_path, arch):
    # The fork server has not loaded the core: its workers may start sessions.
    (result,) = run_script(
        tmp_path,
        f"""
        import multiprocessing as mp
        import zugbruecke.ctypes as ctypes

        def task(x):
            return zugbruecke.local_session(arch={arch!r}).cdll.msvcrt.abs(-x)

        if __name__ == "__main__":
            with mp.get_context("forkserver").Pool(2) as pool:
                emit(results=pool.map(task, range(6)), parent=ctypes.cdll.msvcrt.abs(-5))
        """,
    )
    assert result == {"results": list(range(6)), "parent": 5}
