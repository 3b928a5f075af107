# -*- coding: utf-8 -*-
"""
ctypes behaviours that CPython's own ctypes tests (Lib/ctypes/test) and third-party wrapper
packages rely on. Where a behaviour does not involve Windows, the same code runs against
the Linux process's own ctypes as the oracle (``native``).
"""

import ctypes as native
import gc
import sys
import weakref

import pytest


def both(ctypes):
    return [("native", native), ("session", ctypes)]


# ---- a callback called from Python behaves as ctypes' --------------------------------------


def _callback_results(mod):
    out = {}
    out["none_restype"] = mod.CFUNCTYPE(None)(lambda: (1, "abc"))()
    out["int_restype"] = mod.CFUNCTYPE(mod.c_int)(lambda: 7)()
    out["converted_arg"] = mod.CFUNCTYPE(mod.c_int, mod.c_int)(lambda x: x * 2)(mod.c_int(21))

    class MyInt(mod.c_int):
        pass

    out["subclass_arg"] = mod.CFUNCTYPE(mod.c_int, MyInt)(lambda x: 100 + (type(x) is MyInt))(3)
    out["byte_arg"] = mod.CFUNCTYPE(mod.c_int, mod.c_byte)(lambda x: x)(0x1FF)
    out["double_arg"] = mod.CFUNCTYPE(mod.c_double, mod.c_double)(lambda x: x / 2)(3)
    try:
        mod.CFUNCTYPE(mod.c_int, mod.c_int)(lambda x: x)("text")
        out["bad_arg"] = None
    except native.ArgumentError as e:
        out["bad_arg"] = type(e).__name__
    try:
        mod.CFUNCTYPE(mod.c_int, mod.c_int)(lambda x: x)()
        out["too_few"] = None
    except TypeError as e:
        out["too_few"] = type(e).__name__
    return out


def test_callback_called_from_python(ctypes):
    got = _callback_results(ctypes)
    assert got == _callback_results(native)
    assert got["none_restype"] is None and got["subclass_arg"] == 101 and got["byte_arg"] == -1


def test_callback_exception_is_reported_not_raised(ctypes, monkeypatch):
    def boom():
        raise ZeroDivisionError("in the callback")

    for mod in (native, ctypes):  # both report through sys.unraisablehook
        seen = []
        monkeypatch.setattr(sys, "unraisablehook", seen.append)
        assert mod.CFUNCTYPE(None)(boom)() is None
        monkeypatch.undo()
        assert len(seen) == 1
        assert "Exception ignored on calling ctypes callback function" in seen[0].err_msg
        assert isinstance(seen[0].exc_value, ZeroDivisionError)


def test_callback_read_back_from_structure(ctypes, dll, FT):
    CB = FT(ctypes.c_int, ctypes.c_int)

    class Holder(ctypes.Structure):
        _fields_ = [("f", CB), ("v", ctypes.c_int)]

    h = Holder(CB(lambda x: x * 3), 14)
    assert h.f(5) == 15  # read back and called from Python
    assert dll("compat").call_held(ctypes.byref(h)) == 42  # and from the DLL


def test_callback_as_parameter(ctypes, dll, FT):
    CB = FT(ctypes.c_int, ctypes.c_int)
    f = dll("compat").call_cb
    f.argtypes = (CB, ctypes.c_int)

    class Wrapper:
        def __init__(self):
            self._as_parameter_ = CB(lambda x: x + 1)

    assert f(Wrapper(), 41) == 42
    with pytest.raises(ctypes.ArgumentError):
        f(object(), 1)


def test_as_parameter_none_without_argtypes(ctypes, dll):
    class Null:
        _as_parameter_ = None

    assert dll("compat").is_null(Null()) == 1


def test_callbacks_in_a_cycle_are_freed(ctypes, FT):
    CB = FT(ctypes.c_int, ctypes.c_int)

    class Owner:
        def method(self, x):
            return x

    owner = Owner()
    owner.cb = CB(owner.method)  # owner -> cb -> bound method -> owner
    owner.cb._zb_entry()  # registered in the server, as passing it to a DLL does
    refs = weakref.ref(owner), weakref.ref(owner.cb)
    del owner
    gc.collect()
    assert [r() for r in refs] == [None, None]


# ---- restype and _check_retval_ ----------------------------------------------------------


def test_check_retval_of_subclass_gets_instance(ctypes, dll):
    seen = []

    class Checked(ctypes.c_int):
        @classmethod
        def _check_retval_(cls, value):
            seen.append(value)
            return value.value * 2

    f = dll("compat").echo_int
    f.restype = Checked
    assert f(21) == 42
    assert type(seen[0]) is Checked


def test_hresult_check_gets_int(ctypes):
    assert ctypes.HRESULT._check_retval_(5) == 5
    with pytest.raises(OSError):
        ctypes.HRESULT._check_retval_(-2147024809)


class Wrapped:
    def __init__(self, value):
        self.value = value


@pytest.mark.parametrize("restype, expected", [(bool, True), (Wrapped, 7)])
def test_restype_python_class(ctypes, dll, restype, expected):
    f = dll("compat").echo_int
    f.restype = restype
    result = f(7)
    assert type(result) is restype
    assert (result.value if restype is Wrapped else result) == expected
    assert f(0) is False if restype is bool else f(0).value == 0


def test_char_p_subclass_from_param_result_is_passed(ctypes, dll):
    class Text(ctypes.c_char_p):
        @classmethod
        def from_param(cls, value):
            if isinstance(value, str):
                return value.encode("utf-8") + b"!!"
            return value

    f = dll("compat").strlen_of
    f.argtypes = (Text,)
    assert f("abc") == 5  # the converted bytes travel, not "abc" converted anew


def test_variant_bool(ctypes, dll):
    VB = ctypes.wintypes.VARIANT_BOOL
    assert ctypes.sizeof(VB) == 2
    f = dll("compat").vbool_echo
    f.argtypes = (VB,)
    f.restype = ctypes.c_short
    assert f(True) == -1 and f(False) == 0 and f(VB(True)) == -1
    f.restype = VB
    assert f(True) is True and f(False) is False


# ---- layout looked up before _fields_ ------------------------------------------------------


def test_layout_looked_up_before_fields(ctypes, dll):
    class Late(ctypes.Structure):
        pass

    assert ctypes.sizeof(Late) == 0
    PLate = ctypes.POINTER(Late)
    ctypes.sizeof(PLate)
    Late._fields_ = [("x", ctypes.c_int), ("y", ctypes.c_double), ("z", ctypes.c_short)]
    lib = dll("compat")
    assert ctypes.sizeof(Late) == lib.late_size() == 24
    lib.late_sum.argtypes = (ctypes.c_int, Late, ctypes.c_int)
    assert lib.late_sum(3, Late(7, 8.0, 9), 4) == 3_000_000 + 7_000 + 80 + 9 + 400_000
    assert ctypes.sizeof(ctypes.POINTER(Late)) == ctypes.sizeof(ctypes.c_void_p)


# ---- a structure with pointers returned and passed by value ----------------------------------


def test_string_handle_by_value(ctypes, dll):
    class ZStr(ctypes.Structure):
        _fields_ = [("data", ctypes.c_void_p), ("flags", ctypes.c_uint)]

    lib = dll("compat")
    lib.zstr_make.restype = ZStr
    for name in ("zstr_len", "zstr_flags", "zstr_is_hello"):
        getattr(lib, name).argtypes = (ZStr,)
    lib.zstr_data.argtypes = (ZStr,)
    lib.zstr_data.restype = ctypes.c_char_p
    s = lib.zstr_make(0xBEEF)
    assert s.flags == 0xBEEF and s.data
    assert lib.zstr_len(s) == len("hello from the dll")
    assert lib.zstr_flags(s) == 0xBEEF
    assert lib.zstr_is_hello(s) == 1
    assert lib.zstr_data(s) == b"hello from the dll"


# ---- sizes, errors, names ---------------------------------------------------------------------


def test_sizeof_honours_resize(ctypes):
    for mod in (native, ctypes):
        obj = mod.c_int()
        mod.resize(obj, 32)
        assert mod.sizeof(obj) == 32
    assert ctypes.sizeof(ctypes.c_int()) == 4


def test_winerror_args(ctypes):
    e = ctypes.WinError(87)
    assert e.args[-2:] == (None, 87)
    assert e.winerror == 87 and e.errno == 22
    assert str(e).startswith("[WinError 87] ")


def test_nul_in_dll_name(ctypes):
    with pytest.raises(ValueError):
        ctypes.CDLL("kernel32\0.dll")
    with pytest.raises(ValueError):
        ctypes.WinDLL("kernel32.dll\0")


def test_names_present(ctypes):
    assert ctypes.c_buffer(b"ab").raw == b"ab\0"
    assert ctypes.RTLD_GLOBAL == ctypes.RTLD_LOCAL == ctypes.DEFAULT_MODE == 0

    class Node(ctypes.Structure):
        pass

    PNode = ctypes.POINTER("Node")
    ctypes.SetPointerType(PNode, Node)
    Node._fields_ = [("next", PNode), ("v", ctypes.c_int)]
    assert PNode._type_ is Node
    assert ctypes.sizeof(Node) == 2 * ctypes.sizeof(ctypes.c_void_p)


def test_python_api_is_refused(ctypes):
    with pytest.raises(NotImplementedError, match="no Python"):
        ctypes.PyDLL("python3.dll")
    with pytest.raises(NotImplementedError, match="no Python"):
        ctypes.pydll.python3
    with pytest.raises(NotImplementedError, match="no Python"):
        ctypes.pythonapi.Py_GetVersion
    with pytest.raises(NotImplementedError, match="no Python"):
        ctypes.PYFUNCTYPE(ctypes.c_int)


def test_pythonversion_parameter(ctypes):
    v = ctypes.zb_get_parameter("pythonversion")
    assert (v.major, v.minor) == sys.version_info[:2]


def test_string_member_in_structure_result_is_refused(ctypes, dll):
    class ZStrText(ctypes.Structure):
        _fields_ = [("data", ctypes.c_char_p), ("flags", ctypes.c_uint)]

    f = dll("compat").zstr_make
    f.restype = ZStrText
    with pytest.raises(Exception, match="declare the member c_void_p"):
        f(1)
    assert dll("compat").echo_int(5) == 5  # the session goes on


def test_subclass_fields_set_later(ctypes):
    class X(ctypes.Structure):
        pass

    X._fields_ = [("a", ctypes.c_int)]

    class Y(X):
        pass

    assert ctypes.sizeof(Y) == ctypes.sizeof(X) == 4
    Y._fields_ = [("b", ctypes.c_int)]
    assert ctypes.sizeof(Y) == 8 and ctypes.sizeof(X) == 4


def test_del_restype_means_int(ctypes, dll):
    f = dll("compat").echo_int
    f.restype = ctypes.c_char
    del f.restype
    assert f(-5) == -5


def test_stdcall_callback_from_python_checks_count(ctypes):
    std = ctypes.WINFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_int)(lambda a, b: a + b)
    cdecl = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_int)(lambda a, b: a + b)
    assert std(1, 2) == cdecl(1, 2) == cdecl(1, 2, 3) == 3
    with pytest.raises(TypeError, match="takes 2 arguments"):
        std(1, 2, 3)


def test_dll_funcptr_prototype(ctypes, dll):
    lib = dll("compat")
    f = lib._FuncPtr(("echo_int", lib))
    assert f.argtypes is None
    assert f(12) == 12
    f.argtypes = (ctypes.c_int,)
    assert f(13) == 13


def test_py_object_refused_clearly(ctypes, dll):
    f = dll("compat").echo_int
    f.argtypes = (ctypes.py_object,)
    with pytest.raises(ctypes.ArgumentError, match="py_object cannot cross"):
        f(1)
    f.argtypes = None
    with pytest.raises(ctypes.ArgumentError, match="py_object cannot cross"):
        f(ctypes.py_object(1))
    with pytest.raises(TypeError, match="py_object cannot cross"):
        f.restype = ctypes.py_object


def test_py_object_callback_from_python(ctypes, dll, FT):
    CB = FT(ctypes.py_object, ctypes.py_object)
    cb = CB(lambda o: [o])
    assert cb("x") == ["x"]  # as ctypes: from Python it works
    call = dll("compat").call_cb
    with pytest.raises((TypeError, ctypes.ArgumentError), match="py_object"):
        call(cb, 1)


def test_reading_foreign_addresses_raises_not_crashes(ctypes):
    # An address a DLL returns is in the Windows process; from_address and string_at of
    # one that is not mapped here raise instead of crashing the Python process.
    with pytest.raises(ValueError, match="not memory of this Python process"):
        ctypes.string_at(0x10)
    with pytest.raises(ValueError, match="not memory of this Python process"):
        ctypes.wstring_at(0x10, 3)
    with pytest.raises(ValueError, match="not memory of this Python process"):
        ctypes.c_int.from_address(0)
    x = ctypes.c_int(7)  # this process's memory still reads
    assert ctypes.c_int.from_address(ctypes.addressof(x)).value == 7
    assert ctypes.string_at(ctypes.addressof(x), 1) == b"\x07"
