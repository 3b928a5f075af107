# -*- coding: utf-8 -*-
"""
COM method prototypes, ``WINFUNCTYPE(restype, *argtypes)(vtbl_index, name[, paramflags[,
iid]])``: called with the interface pointer first, they run the function at that index of
the object's vtable. The object is Wine's IMalloc (CoGetMalloc): what it answers is checked
against what the calls did (the sizes of the blocks it allocated and reallocated).
"""

import pytest

IID_IUNKNOWN = bytes.fromhex("0000000000000000c000000000000046")
E_NOINTERFACE = -2147467262


@pytest.fixture
def malloc(ctypes):
    ole32 = ctypes.WinDLL("ole32")
    p = ctypes.c_void_p()
    assert ole32.CoGetMalloc(1, ctypes.byref(p)) == 0
    assert p.value
    return p


def methods(ctypes):
    F = ctypes.WINFUNCTYPE
    return dict(
        QueryInterface=F(ctypes.HRESULT, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p))(0, "QueryInterface"),
        AddRef=F(ctypes.c_ulong)(1, "AddRef"),
        Release=F(ctypes.c_ulong)(2, "Release"),
        Alloc=F(ctypes.c_void_p, ctypes.c_size_t)(3, "Alloc"),
        Realloc=F(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)(4, "Realloc"),
        Free=F(None, ctypes.c_void_p)(5, "Free"),
        GetSize=F(ctypes.c_size_t, ctypes.c_void_p)(6, "GetSize"),
        DidAlloc=F(ctypes.c_int, ctypes.c_void_p)(7, "DidAlloc"),
    )


def test_imalloc_through_its_vtable(ctypes, malloc):
    m = methods(ctypes)
    blocks = [m["Alloc"](malloc, n) for n in (1, 100, 4096)]
    assert all(blocks) and len(set(blocks)) == 3
    assert [m["GetSize"](malloc, b) for b in blocks] == [1, 100, 4096]
    assert [m["DidAlloc"](malloc, b) for b in blocks] == [1, 1, 1]
    grown = m["Realloc"](malloc, blocks.pop(), 10000)
    assert grown and m["GetSize"](malloc, grown) == 10000
    for b in blocks + [grown]:
        assert m["Free"](malloc, b) is None
    # Wine's task allocator is static: its reference count is a constant, but not zero.
    assert m["AddRef"](malloc) > 0 and m["Release"](malloc) > 0


def test_hresult_failure_raises(ctypes, malloc):
    m = methods(ctypes)
    out = ctypes.c_void_p()
    assert m["QueryInterface"](malloc, IID_IUNKNOWN, ctypes.byref(out)) == 0
    assert out.value
    m["Release"](out)
    with pytest.raises(OSError) as e:
        m["QueryInterface"](malloc, b"\x01" * 16, ctypes.byref(out))
    assert e.value.winerror == E_NOINTERFACE


def test_paramflags_out(ctypes, malloc):
    F = ctypes.WINFUNCTYPE(ctypes.HRESULT, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p))
    query = F(0, "QueryInterface", ((1, "riid"), (2, "ppv")))
    release = ctypes.WINFUNCTYPE(ctypes.c_ulong)(2, "Release")
    unknown = query(malloc, IID_IUNKNOWN)
    assert unknown  # the out parameter's value
    release(ctypes.c_void_p(unknown))


def test_bad_this(ctypes):
    add_ref = ctypes.WINFUNCTYPE(ctypes.c_ulong)(1, "AddRef")
    with pytest.raises(ValueError, match="NULL COM pointer"):
        add_ref(ctypes.c_void_p())
    with pytest.raises(TypeError):
        add_ref(42)
    with pytest.raises(ValueError):
        add_ref()
