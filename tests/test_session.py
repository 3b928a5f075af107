# -*- coding: utf-8 -*-
"""
Sessions: CtypesSession(arch=...) and CtypesSession(parameter={...}), the
context manager, zb_terminate (and the older _zb_terminate), the status flags,
zb_get_parameter / zb_set_parameter, zb_id, repr, configuration sources and
their priority (ZUGBRUECKE_<NAME> environment variables over keyword arguments
over JSON files), unknown and deprecated keys, what `import zugbruecke` and
`import zugbruecke.ctypes` start, and that terminated sessions leave no
server process (zb-server-win32.exe / zb-server-win64.exe) behind.

Server processes are told apart from those of other sessions (the shared
`ctypes` fixture, other test runs) by an environment variable ZB_TEST_MARKER
that a Wine process inherits from the Python process that started it.
"""

import json
import os
import pathlib
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

import zugbruecke

OTHER_ARCH = {"win32": "win64", "win64": "win32"}
POINTER_SIZE = {"win32": 4, "win64": 8}

PROC_SCAN = textwrap.dedent(
    """
    import os

    def marked_processes(marker, name=None, exclude=()):
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in exclude:
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read()
                with open(f"/proc/{entry}/environ", "rb") as f:
                    environ = f.read().split(b"\\0")
            except OSError:
                continue
            if not cmdline:  # zombie or kernel thread
                continue
            if name is not None and name.encode() not in cmdline:
                continue
            if b"ZB_TEST_MARKER=" + marker.encode() in environ:
                found.append(int(entry))
        return found
    """
)
exec(PROC_SCAN)  # defines marked_processes here as well as in the child scripts


def server_processes(marker, baseline=()):
    """zugbruecke server processes of ours, except those in baseline: those
    started while ZB_TEST_MARKER was marker, and those whose parent is this
    process (in case the implementation does not hand the current
    os.environ to its servers)."""
    ours = set(marked_processes(marker, name="zb-server"))  # noqa: F821 (from PROC_SCAN)
    me = os.getpid()
    for pid in all_server_processes():
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == me:
            ours.add(pid)
    return sorted(ours - set(baseline))


def all_server_processes():
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if b"zb-server" in f.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def wait_until(predicate, timeout=20.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


@pytest.fixture
def marker(monkeypatch):
    value = uuid.uuid4().hex
    monkeypatch.setenv("ZB_TEST_MARKER", value)
    return value


@pytest.fixture
def clean_cwd(tmp_path, monkeypatch):
    """An empty working directory and no $ZUGBRUECKE: no config file but ours."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZUGBRUECKE", raising=False)
    monkeypatch.delenv("ZUGBRUECKE_ARCH", raising=False)
    return tmp_path


def check_session(session, arch):
    assert session.zb_get_parameter("arch") == arch
    assert session.sizeof(session.c_void_p) == POINTER_SIZE[arch]
    assert session.sizeof(session.c_size_t) == POINTER_SIZE[arch]
    assert session.sizeof(session.c_long) == 4
    assert session.cdll.msvcrt.abs(-5) == 5


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# life cycle
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_context_manager(arch):
    with zugbruecke.CtypesSession(arch=arch) as session:
        assert isinstance(session, zugbruecke.CtypesSession)
        assert session.zb_client_up is True
        assert session.zb_server_up is True
        check_session(session, arch)
    assert session.zb_client_up is False
    assert session.zb_server_up is False


def test_parameter_dict(arch):
    with zugbruecke.CtypesSession(parameter={"arch": arch}) as session:
        check_session(session, arch)


def test_zb_terminate(arch):
    session = zugbruecke.CtypesSession(arch=arch)
    assert session.zb_server_up is True
    session.zb_terminate()
    assert session.zb_client_up is False
    assert session.zb_server_up is False
    session.zb_terminate()  # a second time does nothing


def test_private_terminate_alias(arch):
    session = zugbruecke.CtypesSession(arch=arch)
    session._zb_terminate()
    assert session.zb_client_up is False
    assert session.zb_server_up is False


def test_terminate_inside_context(arch):
    with zugbruecke.CtypesSession(arch=arch) as session:
        session.zb_terminate()
        assert session.zb_server_up is False
    assert session.zb_client_up is False


def test_id_and_repr(ctypes, arch):
    assert isinstance(ctypes.zb_id, str) and ctypes.zb_id
    text = repr(ctypes)
    assert "CtypesSession" in text
    assert arch in text
    with zugbruecke.CtypesSession(arch=arch) as other:
        assert other.zb_id != ctypes.zb_id


def test_set_parameter(arch):
    with zugbruecke.CtypesSession(arch=arch) as session:
        session.zb_set_parameter("log_level", 10)
        assert session.zb_get_parameter("log_level") == 10
        session.zb_set_parameter("log_level", 0)
        assert session.zb_get_parameter("log_level") == 0


def test_sessions_are_separate_processes(arch, dll_builder):
    path = str(dll_builder("state", arch, "cdecl"))
    with zugbruecke.CtypesSession(arch=arch) as first, zugbruecke.CtypesSession(arch=arch) as second:
        pid_first = first.windll.kernel32.GetCurrentProcessId()
        assert pid_first != second.windll.kernel32.GetCurrentProcessId()
        lib_first, lib_second = first.CDLL(path), second.CDLL(path)
        lib_first.store_int(111)
        lib_second.store_int(222)
        assert lib_first.load_int() == 111
        assert lib_second.load_int() == 222


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# configuration
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_unknown_key_raises_value_error(arch, marker):
    baseline = server_processes(marker)
    with pytest.raises(ValueError, match="zb_no_such_key"):
        zugbruecke.CtypesSession(arch=arch, zb_no_such_key=1)
    with pytest.raises(ValueError, match="zb_no_such_key"):
        zugbruecke.CtypesSession(parameter={"arch": arch, "zb_no_such_key": 1})
    assert wait_until(lambda: not server_processes(marker, baseline), timeout=10)


def test_unknown_key_in_config_file(arch, clean_cwd):
    (clean_cwd / ".zugbruecke.json").write_text(json.dumps({"zb_no_such_key": 1}))
    with pytest.raises(ValueError, match="zb_no_such_key"):
        zugbruecke.CtypesSession(arch=arch)


@pytest.mark.parametrize("key,value", [("pythonversion", "3.11.7"), ("copy_modules", False)])
def test_deprecated_key_warns(arch, key, value):
    with pytest.warns(Warning, match=key):
        session = zugbruecke.CtypesSession(arch=arch, **{key: value})
    try:
        check_session(session, arch)
    finally:
        session.zb_terminate()


def test_environment_variable_beats_keyword(arch, monkeypatch):
    other = OTHER_ARCH[arch]
    monkeypatch.setenv("ZUGBRUECKE_ARCH", other)
    with zugbruecke.CtypesSession(arch=arch) as session:
        check_session(session, other)


def test_environment_variable_in_fresh_interpreter(arch, tmp_path):
    # The same with the variable set before the interpreter starts.
    other = OTHER_ARCH[arch]
    env = dict(os.environ, ZUGBRUECKE_ARCH=other, PYTHONPATH=_child_path())
    script = tmp_path / "child.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import zugbruecke
            with zugbruecke.CtypesSession(arch={arch!r}) as session:
                print(session.zb_get_parameter("arch"), session.sizeof(session.c_void_p))
            """
        )
    )
    proc = subprocess.run(
        [sys.executable, str(script)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [other, str(POINTER_SIZE[other])]


def test_config_file_in_working_directory(arch, clean_cwd):
    other = OTHER_ARCH[arch]
    (clean_cwd / ".zugbruecke.json").write_text(json.dumps({"arch": other}))
    with zugbruecke.CtypesSession() as session:
        assert session.zb_get_parameter("arch") == other
    with zugbruecke.CtypesSession(arch=arch) as session:  # keyword beats file
        check_session(session, arch)


def test_default_arch_is_win32(clean_cwd):
    for path in (pathlib.Path.home() / ".zugbruecke.json", pathlib.Path("/etc/zugbruecke.json")):
        if path.exists():
            pytest.skip(f"{path} may set another arch")
    with zugbruecke.CtypesSession() as session:
        check_session(session, "win32")


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# imports in a fresh interpreter
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def _child_path():
    """PYTHONPATH for a child interpreter: the package under test, not an installed one."""
    repo = str(pathlib.Path(__file__).resolve().parent.parent)
    return os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))


def run_child(script, marker, cwd):
    """Run script in a fresh interpreter (from a file: a "-c" command line would
    contain the script's text, "zb-server" included) with ZB_TEST_MARKER set."""
    env = dict(os.environ, ZB_TEST_MARKER=marker, PYTHONPATH=_child_path())
    env.pop("ZUGBRUECKE_ARCH", None)
    path = pathlib.Path(cwd) / "child.py"
    path.write_text(PROC_SCAN + textwrap.dedent(script))
    proc = subprocess.run(
        [sys.executable, str(path)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_zugbruecke_starts_nothing(tmp_path):
    marker = uuid.uuid4().hex
    result = run_child(
        """
        import json, sys, time
        import zugbruecke
        time.sleep(1.0)
        print(json.dumps({
            "ctypes_module": "zugbruecke.ctypes" in sys.modules,
            "others": marked_processes(os.environ["ZB_TEST_MARKER"], exclude=(os.getpid(),)),
        }))
        """,
        marker,
        tmp_path,
    )
    assert result["ctypes_module"] is False
    assert result["others"] == [], "import zugbruecke started processes"


def test_import_zugbruecke_ctypes_starts_default_session(tmp_path):
    marker = uuid.uuid4().hex
    baseline = server_processes(marker)
    result = run_child(
        """
        import json
        import zugbruecke.ctypes as ctypes
        pow_ = ctypes.cdll.msvcrt.pow
        pow_.argtypes = (ctypes.c_double, ctypes.c_double)
        pow_.restype = ctypes.c_double
        print(json.dumps({
            "pow": pow_(2.0, 10.0),
            "servers": marked_processes(os.environ["ZB_TEST_MARKER"], name="zb-server", exclude=(os.getpid(),)),
            "long": ctypes.sizeof(ctypes.c_long),
            "same_argument_error": ctypes.ArgumentError is __import__("ctypes").ArgumentError,
        }))
        """,
        marker,
        tmp_path,
    )
    assert result["pow"] == 1024.0
    assert len(result["servers"]) >= 1
    assert result["long"] == 4
    assert result["same_argument_error"] is True
    # The default session ends with the interpreter.
    assert wait_until(lambda: not server_processes(marker, baseline)), (
        f"left behind: {server_processes(marker, baseline)}"
    )


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# no process left behind
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


def test_many_sessions_leave_no_process(arch, marker):
    baseline = server_processes(marker)  # servers of the shared fixture sessions
    for i in range(20):
        session = zugbruecke.CtypesSession(arch=arch)
        try:
            assert session.zb_server_up is True
            if i == 0:
                # The detection itself works: a running session has its server.
                assert wait_until(lambda: server_processes(marker, baseline), timeout=10), "no zb-server found"
            assert session.cdll.msvcrt.abs(-i) == i
        finally:
            session.zb_terminate()
        assert session.zb_server_up is False
    assert wait_until(lambda: not server_processes(marker, baseline)), (
        f"left behind: {server_processes(marker, baseline)}"
    )
