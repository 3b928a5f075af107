"""
The Python side of the contract with the Go core: zugbruecke/_zcontract.py is generated
from the Go declarations (core/internal/contract, whose Go test fails when the committed
file is stale); these tests check that the Python modules use it in full: every type
description the package sends uses only keys and classes the core declares, every error
kind the core can raise has its own exception, and the kinds _kinds exports are the core's.
"""

import ctypes
import json

import pytest

from zugbruecke import _errors, _kinds, _types, _zcontract as Z
from zugbruecke.core.errors import ZugbrueckeError


@pytest.fixture
def descriptions(monkeypatch):
    sent = []
    register = _types._core.type_register

    def recording(text):
        sent.append(json.loads(text))
        return register(text)

    monkeypatch.setattr(_types._core, "type_register", recording)
    return sent


def test_type_descriptions_use_the_core_keys_and_classes(descriptions):
    class Fresh(ctypes.c_int16):  # a simple type no earlier test registered
        pass

    class Node(ctypes.Structure):
        pass

    Node._fields_ = [("value", Fresh), ("bits", ctypes.c_uint, 3), ("next", ctypes.POINTER(Node))]

    class Either(ctypes.Union):
        _fields_ = [("i", ctypes.c_int), ("d", ctypes.c_double)]

    class Outer(ctypes.Structure):
        _pack_ = 1
        _anonymous_ = ("u",)
        _fields_ = [("u", Either), ("row", ctypes.c_short * 3), ("fn", ctypes.CFUNCTYPE(None))]

    for tp in (Node, Outer, ctypes.POINTER(Outer)):
        _types.type_id(tp)
    classes = {d["class"] for d in descriptions}
    assert classes == set(Z.TYPE_CLASSES)
    for d in descriptions:
        assert set(d) <= set(Z.TYPE_KEYS), d
        for field in d.get("fields", ()):
            assert set(field) <= set(Z.FIELD_KEYS), field


def test_every_error_kind_has_its_exception():
    generic = {kind for kind in Z.ERROR_KINDS if type(_errors.error_factory(kind, 1, "m")) is ZugbrueckeError}
    assert generic == {Z.ERROR_OTHER}
    assert isinstance(_errors.error_factory(Z.ERROR_ARGUMENT, 2, "m"), ctypes.ArgumentError)
    assert isinstance(_errors.error_factory(Z.ERROR_EXCEPTION, 0, "m"), OSError)


def test_kinds_are_the_core_kinds():
    names = [n for n in dir(Z) if n.startswith("KIND_") and n != "KIND_NAMES"]
    assert len(names) == len(Z.KIND_NAMES)
    for name in names:
        assert getattr(_kinds, name[len("KIND_") :]) == getattr(Z, name)
    assert sorted(getattr(Z, n) for n in names) == list(range(len(names)))
    assert (_kinds.CDECL, _kinds.STDCALL) == (Z.CONV_CDECL, Z.CONV_STDCALL)
