# -*- coding: utf-8 -*-
"""
Structures by value, as arguments and as results, in the style of libffi's struct tests:
one tiny routine per structure, generated from the table below.

    uint32_t sum_<S>(int sentinel, S s, int sentinel2)  integer members: a hash
    double   sum_<S>(int sentinel, S s, int sentinel2)  with float members: h = 3h + m
    S        make_<S>(int seed)                          every member from seed
    int      size_<S>(void)                              sizeof(S)
    int      clobber_<S>(S s)                            zeroes its copy, returns sizeof

The sentinels on both sides catch a structure that takes the wrong number of stack words
or registers. Structures of unsigned chars for every size 1..64 plus 100 and 256; all
float, all double and mixed float/int ones of 4..32 bytes; a few with padding. win32
passes them on the stack and returns those of 1, 2, 4, 8 bytes in EAX:EDX; win64 passes
1, 2, 4, 8 bytes in a register and the rest by reference to a copy, and returns 1, 2, 4, 8
bytes in RAX, the rest through a hidden pointer.
"""

import random
import struct

import pytest
from hypothesis import given, strategies as st

FLOATY = {"float", "double"}
CTYPES = {"unsigned char": "c_ubyte", "float": "c_float", "double": "c_double", "int": "c_int",
          "short": "c_short", "char": "c_byte"}

TABLE = {}
for n in list(range(1, 65)) + [100, 256]:
    TABLE[f"B{n}"] = ["unsigned char"] * n
for size in (4, 8, 12, 16, 24, 32):
    TABLE[f"F{size}"] = ["float"] * (size // 4)
    if size % 8 == 0:
        TABLE[f"D{size}"] = ["double"] * (size // 8)
    if size > 4:
        TABLE[f"M{size}"] = ["float", "int"] * (size // 8) + ["float"] * (size % 8 // 4)
TABLE["I4"] = ["int"]  # mixed float/int of 4 bytes cannot exist: a lone int instead
TABLE["DI16"] = ["double", "int"]  # 4 bytes of tail padding
TABLE["ID16"] = ["int", "double"]  # 4 bytes of padding inside
TABLE["CS4"] = ["char", "short"]
TABLE["SC4"] = ["short", "char"]
TABLE["CD16"] = ["char", "double"]
TABLE["FD16"] = ["float", "double"]
TABLE["CSI8"] = ["char", "short", "int"]
TABLE["CCC3"] = ["char", "char", "char"]
TABLE["SSS6"] = ["short", "short", "short"]

SIZES = {"unsigned char": 1, "char": 1, "short": 2, "int": 4, "float": 4, "double": 8}


def c_sizeof(members):
    off, align = 0, 1
    for m in members:
        a = SIZES[m]
        off = (off + a - 1) // a * a + a
        align = max(align, a)
    return (off + align - 1) // align * align


def floaty(name):
    return any(m in FLOATY for m in TABLE[name])


def c_make_value(m, i):
    return {"unsigned char": f"(unsigned char)(seed + 7 * {i})", "char": f"(signed char)(seed - {i})",
            "short": f"(short)(seed * 5 + {i})", "int": f"seed * 3 + {i}",
            "float": f"(float)(seed + {i}) + 0.5f", "double": f"seed * 0.5 + {i}"}[m]


def c_source():
    out = ['#include "zb_test.h"', "#include <string.h>", ""]
    for name, members in TABLE.items():
        body = " ".join(f"{'signed char' if m == 'char' else m} m{i};" for i, m in enumerate(members))
        out.append(f"typedef struct {{ {body} }} {name};")
        if floaty(name):
            steps = " ".join(f"h = h * 3.0 + (double)s.m{i};" for i in range(len(members)))
            out.append(f"ZB_EXPORT double ZB_CONV sum_{name}(int sentinel, {name} s, int sentinel2) "
                       f"{{ double h = sentinel; {steps} return h * 3.0 + sentinel2; }}")
        else:
            steps = " ".join(f"h = h * 31u + (uint32_t)s.m{i};" for i in range(len(members)))
            out.append(f"ZB_EXPORT uint32_t ZB_CONV sum_{name}(int sentinel, {name} s, int sentinel2) "
                       f"{{ uint32_t h = (uint32_t)sentinel; {steps} return h * 31u + (uint32_t)sentinel2; }}")
        sets = " ".join(f"s.m{i} = {c_make_value(m, i)};" for i, m in enumerate(members))
        if members in (["float"], ["double"]):
            # GCC returns a structure of one float or double in ST(0) on win32; MSVC (and so
            # CPython's ctypes on Windows) expects it in EAX / EDX:EAX, as any structure of
            # 4 or 8 bytes. The win32 build returns the bytes as an integer, as MSVC does.
            bits = "uint32_t" if members == ["float"] else "uint64_t"
            out += ["#ifdef __i386__",
                    f"ZB_EXPORT {bits} ZB_CONV make_{name}(int seed) {{ {name} s; {sets} {bits} r; "
                    "memcpy(&r, &s, sizeof r); return r; }", "#else"]
            out.append(f"ZB_EXPORT {name} ZB_CONV make_{name}(int seed) {{ {name} s; {sets} return s; }}")
            out.append("#endif")
        else:
            out.append(f"ZB_EXPORT {name} ZB_CONV make_{name}(int seed) {{ {name} s; {sets} return s; }}")
        out.append(f"ZB_EXPORT int ZB_CONV size_{name}(void) {{ return (int)sizeof({name}); }}")
        zero = " ".join(f"s.m{i} = 0;" for i in range(len(members)))
        out.append(f"ZB_EXPORT int ZB_CONV clobber_{name}({name} s) {{ {zero} return (int)sizeof s + s.m0; }}")
    return "\n".join(out) + "\n"


SOURCE = c_source()


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def expected_sum(name, sentinel, values, sentinel2):
    if floaty(name):
        h = float(sentinel)
        for v in values:
            h = h * 3.0 + float(v)
        return h * 3.0 + float(sentinel2)
    h = sentinel & 0xFFFFFFFF
    for v in values:
        h = (h * 31 + (v & 0xFFFFFFFF)) & 0xFFFFFFFF
    return (h * 31 + (sentinel2 & 0xFFFFFFFF)) & 0xFFFFFFFF


def expected_make(name, seed):
    out = []
    for i, m in enumerate(TABLE[name]):
        out.append({
            "unsigned char": lambda: (seed + 7 * i) & 0xFF,
            "char": lambda: (seed - i + 128) % 256 - 128,
            "short": lambda: (seed * 5 + i + 2**15) % 2**16 - 2**15,
            "int": lambda: seed * 3 + i,
            "float": lambda: f32(f32(seed + i) + 0.5),
            "double": lambda: seed * 0.5 + i,
        }[m]())
    return out


def random_values(name, rng):
    gen = {"unsigned char": lambda: rng.randrange(256), "char": lambda: rng.randrange(-128, 128),
           "short": lambda: rng.randrange(-(2**15), 2**15), "int": lambda: rng.randrange(-(2**31), 2**31),
           "float": lambda: f32(rng.uniform(-1e4, 1e4)), "double": lambda: rng.uniform(-1e9, 1e9)}
    return [gen[m]() for m in TABLE[name]]


_CACHE = {}


@pytest.fixture
def byval(ctypes, arch, conv, generated_dll_builder):
    """(classes, dll) for this test's session and calling convention."""
    key = (id(ctypes), conv)
    if key not in _CACHE:
        classes = {}
        for name, members in TABLE.items():
            fields = [(f"m{i}", getattr(ctypes, CTYPES[m])) for i, m in enumerate(members)]
            classes[name] = type(name, (ctypes.Structure,), {"_fields_": fields})
        path = generated_dll_builder("byvalue", SOURCE, arch, conv)
        loader = ctypes.CDLL if conv == "cdecl" else ctypes.WinDLL
        _CACHE[key] = (classes, loader(str(path)))
    classes, dll = _CACHE[key]
    return classes, dll


def values_of(obj):
    return [getattr(obj, f) for f, _ in obj._fields_]


@pytest.mark.parametrize("name", list(TABLE))
def test_size(ctypes, byval, name):
    classes, dll = byval
    size = dll["size_" + name]
    assert size() == ctypes.sizeof(classes[name]) == c_sizeof(TABLE[name])


@pytest.mark.parametrize("name", list(TABLE))
def test_argument(ctypes, byval, name):
    classes, dll = byval
    cls = classes[name]
    values = random_values(name, random.Random(name))
    fn = dll["sum_" + name]
    fn.argtypes = (ctypes.c_int, cls, ctypes.c_int)
    fn.restype = ctypes.c_double if floaty(name) else ctypes.c_uint32
    s = cls(*values)
    assert fn(0x1234567, s, -0x7654321) == expected_sum(name, 0x1234567, values, -0x7654321)
    assert values_of(s) == values


@pytest.mark.parametrize("name", list(TABLE))
def test_result(ctypes, byval, name):
    classes, dll = byval
    cls = classes[name]
    fn = dll["make_" + name]
    fn.argtypes = (ctypes.c_int,)
    fn.restype = cls
    for seed in (0, 1000, -77):
        result = fn(seed)
        assert type(result) is cls
        assert values_of(result) == expected_make(name, seed)


@pytest.mark.parametrize("name", ["B1", "B3", "B8", "B9", "B16", "B100", "D24", "M12", "CSI8"])
def test_argument_is_a_copy(ctypes, byval, name):
    classes, dll = byval
    cls = classes[name]
    values = random_values(name, random.Random(0))
    values[0] = 5
    s = cls(*values)
    clobber = dll["clobber_" + name]
    clobber.argtypes = (cls,)
    assert clobber(s) == ctypes.sizeof(cls)  # the DLL zeroed its copy ...
    assert values_of(s) == values  # ... not Python's structure


@given(data=st.data())
def test_argument_without_argtypes(ctypes, byval, data):
    # Without argtypes ctypes passes a structure instance by value as well.
    classes, dll = byval
    name = data.draw(st.sampled_from(sorted(TABLE)), label="structure")
    strategies = {"unsigned char": st.integers(0, 255), "char": st.integers(-128, 127),
                  "short": st.integers(-(2**15), 2**15 - 1), "int": st.integers(-(2**31), 2**31 - 1),
                  "float": st.floats(-1e6, 1e6, width=32), "double": st.floats(-1e12, 1e12)}
    values = [data.draw(strategies[m]) for m in TABLE[name]]
    sentinel, sentinel2 = data.draw(st.integers(-(2**31), 2**31 - 1)), data.draw(st.integers(-(2**31), 2**31 - 1))
    fn = dll["sum_" + name]
    fn.argtypes = None
    fn.restype = ctypes.c_double if floaty(name) else ctypes.c_uint32
    assert fn(sentinel, classes[name](*values), sentinel2) == expected_sum(name, sentinel, values, sentinel2)


@given(seed=st.integers(-(2**20), 2**20))
def test_result_any_seed(ctypes, byval, seed):
    classes, dll = byval
    for name in ("B3", "B8", "B12", "F12", "D16", "M24", "DI16", "CS4", "B256"):
        fn = dll["make_" + name]
        fn.restype = classes[name]
        assert values_of(fn(seed)) == expected_make(name, seed), name


def test_result_then_argument(ctypes, byval):
    # A structure a routine returned goes back in as an argument unchanged.
    classes, dll = byval
    for name in ("B5", "B16", "F8", "D32", "M16", "CD16"):
        make, total = dll["make_" + name], dll["sum_" + name]
        make.restype = classes[name]
        total.restype = ctypes.c_double if floaty(name) else ctypes.c_uint32
        s = make(42)
        assert total(1, s, 2) == expected_sum(name, 1, expected_make(name, 42), 2), name
