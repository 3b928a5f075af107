# -*- coding: utf-8 -*-
"""
Pickling (docs/scale.md): sessions, DLLs and routines stand for a Windows server of this
process and refuse pickling with a TypeError that points to local_session; data (structure
instances, arrays, simple values of module-level types) pickles exactly as with ctypes,
which is the oracle: the same objects built from the standard ctypes must behave alike.
"""

import json
import os
import pathlib
import pickle
import subprocess
import sys
import textwrap

import pytest

import zugbruecke

ROOT = pathlib.Path(__file__).resolve().parent.parent

@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_session_dll_routine_refuse_pickling(ctypes, protocol):
    msvcrt = ctypes.cdll.msvcrt
    kernel32 = ctypes.windll.kernel32
    for obj in (ctypes, msvcrt, msvcrt.abs, kernel32, kernel32.GetTickCount):
        with pytest.raises(TypeError) as info:
            pickle.dumps(obj, protocol)
        message = str(info.value)
        assert "local_session" in message and "cannot pickle" in message, message
    # Refusing left everything usable.
    assert msvcrt.abs(-3) == 3


def test_refused_pickling_of_a_standalone_session(arch):
    with zugbruecke.CtypesSession(arch=arch) as session:
        with pytest.raises(TypeError, match="local_session"):
            pickle.dumps(session)
        with pytest.raises(TypeError, match="local_session"):
            pickle.dumps([1, {"dll": session.cdll.msvcrt}])  # nested, too


DATA_SCRIPT = textwrap.dedent(
    """
    import ctypes as real, json, pickle, sys
    import zugbruecke

    session = zugbruecke.CtypesSession(arch=sys.argv[1])

    def declare(ns, prefix):
        class Inner(ns.Structure):
            _fields_ = [("a", ns.c_short), ("b", ns.c_char * 4)]
        class Point(ns.Structure):
            _fields_ = [("x", ns.c_int), ("y", ns.c_double), ("inner", Inner), ("w", ns.c_wchar * 3)]
        class Both(ns.Union):
            _fields_ = [("i", ns.c_uint), ("f", ns.c_float)]
        for cls in (Inner, Point, Both):
            cls.__qualname__ = cls.__name__ = prefix + cls.__name__
            globals()[cls.__name__] = cls
        arr = Point * 3
        globals()[arr.__name__] = arr  # a module-level array type
        return Inner, Point, Both, arr

    def samples(ns, prefix):
        Inner, Point, Both, PointArray = declare(ns, prefix)
        p = Point(7, 2.5, Inner(-3, b"ab"), "xy")
        arr = PointArray(p, Point(1, -1.0))
        local_arr = (ns.c_int * 4)(1, 2, 3, 4)  # not reachable by name: not picklable
        u = Both()
        u.f = 1.5
        return {"struct": p, "array": arr, "union": u, "int": ns.c_int(-9), "double": ns.c_double(0.25),
                "unnamed array": local_arr, "pointer": ns.pointer(ns.c_int(1))}

    def outcome(obj):
        try:
            data = pickle.dumps(obj)
        except Exception as e:
            return ["refused", type(e).__name__]
        back = pickle.loads(data)
        return ["ok", type(back).__name__, bytes(back).hex() == bytes(obj).hex(), type(back) is type(obj)]

    ours = {k: outcome(v) for k, v in samples(session, "Zb").items()}
    theirs = {k: outcome(v) for k, v in samples(real, "Real").items()}
    for v in list(ours.values()) + list(theirs.values()):
        if v[0] == "ok":
            v[1] = v[1].replace("Zb", "").replace("Real", "")
    p = pickle.loads(pickle.dumps(samples(session, "Zb")["struct"]))
    assert zugbruecke.__file__.startswith(sys.argv[2]), zugbruecke.__file__
    print(json.dumps({"ours": ours, "theirs": theirs, "sizeof": session.sizeof(p),
                      "fields": [p.x, p.y, p.inner.a, p.inner.b.decode(), p.w]}))
    session.zb_terminate()
    """
)


def test_data_pickles_as_in_ctypes(arch, tmp_path):
    script = tmp_path / "data.py"
    script.write_text(DATA_SCRIPT)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run(
        [sys.executable, str(script), arch, str(ROOT)], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["ours"] == result["theirs"]
    # The oracle pickles what it should (so the comparison means something).
    assert result["theirs"]["struct"] == ["ok", "Point", True, True]
    assert result["theirs"]["array"] == ["ok", "Point_Array_3", True, True]
    assert result["theirs"]["unnamed array"][0] == "refused"
    assert result["fields"] == [7, 2.5, -3, "ab", "xy"]
    assert result["sizeof"] == {"win32": 32, "win64": 32}[arch]
