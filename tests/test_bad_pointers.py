"""
Pointers Python cannot read (issue 16, item 3). ctypes on Windows passes any pointer to
the DLL as it is, and the DLL's access violation becomes OSError; zugbruecke reads the
memory a pointer argument reaches, and must never crash Python doing so: memory it cannot
read goes to the DLL as the bare address.

The cases that used to crash the Python process run in a child process. Memory Python
can read but cannot vouch for (a pointer fetched from a structure, from_address objects,
c_char_p made by cast) is read through the checked reader and must still travel both ways.
"""

import json
import subprocess
import sys
import textwrap

import pytest

TESTS_DIR = __import__("pathlib").Path(__file__).resolve().parent

CHILD = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {tests!r})
    import zugbruecke
    from conftest import build_dll

    session = zugbruecke.CtypesSession(arch={arch!r})
    ct = session
    lib = session.CDLL(str(build_dll("faults", {arch!r}, "cdecl")))

    class S(ct.Structure):
        _fields_ = [("a", ct.c_int), ("p", ct.c_void_p)]

    class Pair(ct.Structure):
        _fields_ = [("a", ct.c_int), ("b", ct.c_int)]

    def outcome(argtypes, make):
        f = lib[{name!r}]
        f.argtypes = argtypes
        try:
            value = f(make())
        except Exception as exc:
            return [type(exc).__name__, str(exc)]
        return ["value", value]

    cases = {{
        "POINTER(c_ubyte)": ((ct.POINTER(ct.c_ubyte),), lambda: ct.cast(0x1234, ct.POINTER(ct.c_ubyte))),
        "POINTER(S)": ((ct.POINTER(S),), lambda: ct.cast(0xFFFFFFFFFFFF0000, ct.POINTER(S))),
        "c_char_p": ((ct.c_char_p,), lambda: ct.cast(0x10, ct.c_char_p)),
        "c_wchar_p": ((ct.c_wchar_p,), lambda: ct.cast(0x20, ct.c_wchar_p)),
        "no argtypes POINTER": (None, lambda: ct.cast(0x1234, ct.POINTER(ct.c_int))),
        "no argtypes c_char_p": (None, lambda: ct.cast(0x10, ct.c_char_p)),
        "byref(from_address)": (None, lambda: ct.byref(ct.c_int.from_address(0x1234))),
        "by value from_address": ((Pair,), lambda: Pair.from_address(0x1234)),
    }}
    for name, (argtypes, make) in cases.items():
        print(json.dumps([name, outcome(argtypes, make), lib.add(2, 3)]), flush=True)
    session.zb_terminate()
""")


def run_child(arch, name):
    code = CHILD.format(tests=str(TESTS_DIR), arch=arch, name=name)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    results = {}
    for line in proc.stdout.splitlines():
        case, outcome, after = json.loads(line)
        results[case] = (outcome, after)
    return proc, results


def test_unreadable_pointer_arguments_reach_the_dll(arch):
    proc, results = run_child(arch, "read_at")
    assert proc.returncode == 0, proc.stderr[-3000:]
    width = 8 if arch == "win32" else 16
    expected = {
        "POINTER(c_ubyte)": 0x1234,
        "POINTER(S)": 0xFFFFFFFFFFFF0000 & (2 ** (4 * width) - 1),
        "c_char_p": 0x10,
        "c_wchar_p": 0x20,
        "no argtypes POINTER": 0x1234,
        "no argtypes c_char_p": 0x10,
    }
    for case, address in expected.items():
        outcome, after = results[case]
        # The DLL itself faulted reading the address it was given, as on Windows.
        assert outcome == ["OSError", f"exception: access violation reading 0x{address:0{width}X}"], case
        assert after == 5, case
    # from_address of an address not mapped in the Python process is refused when the
    # object is made (docs/differences.md, "Reading an address the DLL returned"): such an
    # address is most often one the DLL returned, which this process cannot read.
    for case in ("byref(from_address)", "by value from_address"):
        outcome, after = results[case]
        assert outcome[0] == "ValueError" and "0x1234 is not memory of this Python process" in outcome[1], case
        assert after == 5, case


# Readable memory Python cannot vouch for still travels both ways.


def test_pointer_member_fetched_from_a_structure(ctypes, dll):
    lib = dll("pointers")

    class Holder(ctypes.Structure):
        _fields_ = [("p", ctypes.POINTER(ctypes.c_int))]

    x = ctypes.c_int(40)
    holder = Holder(ctypes.pointer(x))
    lib.add_int.argtypes = (ctypes.POINTER(ctypes.c_int), ctypes.c_int)
    lib.deref_int.argtypes = (ctypes.POINTER(ctypes.c_int),)
    assert holder.p._objects is None  # Python cannot tell where it points
    lib.add_int(holder.p, 2)
    assert x.value == 42
    assert lib.deref_int(holder.p) == 42


def test_from_address_objects(ctypes, dll):
    lib = dll("pointers")
    values = (ctypes.c_int * 2)(7, 8)
    alias = ctypes.c_int.from_address(ctypes.addressof(values) + 4)
    lib.add_int(ctypes.byref(alias), 10)
    assert list(values) == [7, 18]
    lib.add_int(ctypes.cast(ctypes.addressof(values), ctypes.POINTER(ctypes.c_int)), 1)
    assert list(values) == [8, 18]


def test_text_pointers_made_by_cast(ctypes, dll):
    lib = dll("strings")
    lib.str_len.argtypes = (ctypes.c_char_p,)
    lib.wstr_len.argtypes = (ctypes.c_wchar_p,)
    buf = ctypes.create_string_buffer(b"zugbruecke", 32)
    assert lib.str_len(ctypes.cast(buf, ctypes.c_char_p)) == 10
    assert lib.str_len(ctypes.c_char_p(b"bridge")) == 6
    assert lib.str_len(ctypes.c_char_p(b"ab\0cd")) == 2
    wide = ctypes.create_unicode_buffer("Br\u00fccke \U0001f309")
    assert lib.wstr_len(ctypes.cast(wide, ctypes.c_wchar_p)) == 9  # UTF-16 units
    assert lib.wstr_len(ctypes.c_wchar_p("Br\u00fccke")) == 6
    # A c_char_p whose memory was changed behind ctypes' back: its pointer counts.
    text = ctypes.c_char_p(b"first")
    ctypes.c_void_p.from_buffer(text).value = ctypes.addressof(buf)
    assert lib.str_len(text) == 10
    assert lib.str_is_null(ctypes.c_char_p()) == 1
