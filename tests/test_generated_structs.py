# -*- coding: utf-8 -*-
"""
Generated layout tests, in the spirit of CPython's test_ctypes/test_generated_structs.py:
structures and unions are declared once, in TYPES below; from that table this module
generates the Python classes (with the session's ctypes types) and a C source with, per
type, fill_<T> (writes a sentinel into every leaf), check_<T> (returns a bitmask of the
leaves that differ from a second set of sentinels) and info_<T> (sizeof, _Alignof,
offsetof of each member). The source is compiled with mingw (MS layout and
-mms-bitfields are its defaults) for win32 and win64, cdecl.

Per type and arch: session.sizeof/alignment agree with the compiler; what the DLL writes
reads back in Python leaf by leaf; what Python writes the DLL finds leaf by leaf.

Leaves: a union's first member only (the member ctypes initialises and the one that
travels when members need translation); char/wchar_t arrays as strings with a NUL;
pointer members: void* as a number, char* and int* set by Python and read by the DLL, set
to NULL by the DLL. Types marked sizeof-only mix bitfield types of different sizes in one
run, which CPython 3.11 on Linux cannot represent (their Python-side values are not
checked).
"""

import re

import pytest

# name, "struct"/"union", _pack_ (0: none), members in C syntax ("anon T name" declares
# an anonymous member, T being a type of this table), values checked (False: sizeof only)
TYPES = [
    ("SCharInt", "struct", 0, "char c; int i"),
    ("SCharDouble", "struct", 0, "char c; double d"),
    ("SIntChar", "struct", 0, "int i; char c"),
    ("SSmall", "struct", 0, "signed char b; short s; unsigned char u"),
    ("SLongLong", "struct", 0, "char c; long long q; unsigned long long uq; unsigned short w"),
    ("SFloats", "struct", 0, "float f; double d; float g"),
    ("SLong", "struct", 0, "long l; unsigned long ul; _Bool flag; char c"),
    ("SPtrs", "struct", 0, "char c; void *p; int *ip; char *str; short tail"),
    ("SWchar", "struct", 0, "char c; wchar_t w; wchar_t ws[5]; short s"),
    ("SChars", "struct", 0, "char name[7]; signed char sc; unsigned char uc[3]; char names[2][4]"),
    ("SPack1", "struct", 1, "char c; int i; short s; double d"),
    ("SPack2", "struct", 2, "char c; int i; double d; char e"),
    ("SPack4", "struct", 4, "char c; double d; long long q; void *p"),
    ("UNum", "union", 0, "int i; float f; unsigned char b[4]"),
    ("UMixed", "union", 0, "double d; char c; short s[3]"),
    ("UWide", "union", 0, "long long q; int i[3]"),
    ("UStruct", "union", 0, "SCharDouble cd; SCharInt ci; char raw[16]"),
    ("SNested", "struct", 0, "char c; SCharDouble inner; char e"),
    ("SNested2", "struct", 0, "SNested n; short s; SCharInt arr[3]"),
    ("SArr2d", "struct", 0, "int m[2][3]; double d[2]; char tail"),
    ("SStructArr", "struct", 0, "SPack1 p[2]; char c"),
    ("SWithUnion", "struct", 0, "char tag; UMixed u; int after"),
    ("SAnon", "struct", 0, "int tag; anon UNum u; int after"),
    ("SAnonStruct", "struct", 0, "char pre; anon SCharInt inner; double d"),
    ("SBitsInt", "struct", 0, "unsigned int a:3; unsigned int b:7; int c:5; unsigned int d:17; unsigned int e:1"),
    ("SBitsShort", "struct", 0, "unsigned short a:4; short b:9; unsigned short c:5; char d"),
    ("SBitsLL", "struct", 0, "unsigned long long a:40; long long b:30; unsigned long long c:10"),
    ("SBitsChar", "struct", 0, "unsigned char a:3; unsigned char b:5; signed char c:4; unsigned char d:6"),
    ("SBitsThenField", "struct", 0, "int a:3; char c; unsigned int b:31; double d"),
    ("SBitsLong", "struct", 0, "long a:1; long b:31; unsigned long c:32"),
    ("SBitsPack1", "struct", 1, "char c; unsigned int a:5; unsigned int b:30"),
    ("SBitsMixed", "struct", 0, "unsigned char a:4; int b:4; unsigned char c:4", False),
    ("SBitsMixed2", "struct", 0, "int a:3; unsigned char b:2; short c:5; long long d:7; int e:2", False),
    ("SPtrStruct", "struct", 0, "SCharInt *p; SCharInt val; wchar_t *name", False),
    ("SEmpty", "struct", 0, ""),
    ("SBig", "struct", 0, "double d[20]; int n; SPtrs ptrs"),
]

SCALARS = {
    "char": "c_char", "signed char": "c_byte", "unsigned char": "c_ubyte", "_Bool": "c_bool",
    "short": "c_short", "unsigned short": "c_ushort", "int": "c_int", "unsigned int": "c_uint",
    "long": "c_long", "unsigned long": "c_ulong", "long long": "c_longlong",
    "unsigned long long": "c_ulonglong", "float": "c_float", "double": "c_double", "wchar_t": "c_wchar",
}
SIGNED = {"signed char", "short", "int", "long", "long long"}
DECL = re.compile(r"^(?P<anon>anon\s+)?(?P<type>\w+(?:\s+\w+)*?)\s*(?P<ptr>\*)?\s*(?P<name>\w+)"
                  r"(?P<dims>(?:\[\d+\])*)\s*(?::\s*(?P<bits>\d+))?$")


class Field:
    def __init__(self, decl):
        m = DECL.match(decl.strip())
        assert m, decl
        self.anon, self.ctype, self.ptr = bool(m["anon"]), m["type"], bool(m["ptr"])
        self.name, self.bits = m["name"], int(m["bits"] or 0)
        self.dims = [int(d) for d in re.findall(r"\d+", m["dims"])]


class Spec:
    def __init__(self, name, kind, pack, members, values=True):
        self.name, self.kind, self.pack, self.values = name, kind, pack, values
        self.fields = [Field(d) for d in members.split(";") if d.strip()]


SPECS = {t[0]: Spec(*t) for t in TYPES}
VALUE_TYPES = [n for n, s in SPECS.items() if s.values]


# ---- leaves and sentinels -------------------------------------------------------------------


class Leaf:
    def __init__(self, kind, ctype, path, n=0, bits=0):
        self.kind, self.ctype, self.path, self.n, self.bits = kind, ctype, path, n, bits

    def cexpr(self):
        return "(*s)" + "".join(f".{k}" if op == "." else f"[{k}]" for op, k in self.path)

    def pypath(self):
        return "s" + "".join(f".{k}" if op == "." else f"[{k}]" for op, k in self.path)


def leaves(spec, path=()):
    fields = spec.fields[:1] if spec.kind == "union" else spec.fields
    for f in fields:
        p = path if f.anon else path + ((".", f.name),)
        if f.bits:
            yield Leaf("bits", f.ctype, p, bits=f.bits)
        elif f.ptr:
            yield Leaf({"void": "vptr", "char": "cstr", "int": "iptr"}[f.ctype], f.ctype, p)
        else:
            yield from _array_leaves(f.ctype, f.dims, p)


def _array_leaves(ctype, dims, p):
    if ctype in ("char", "wchar_t") and len(dims) == 1:
        yield Leaf("str", ctype, p, n=dims[0])
    elif dims:
        for i in range(dims[0]):
            yield from _array_leaves(ctype, dims[1:], p + (("[", i),))
    elif ctype in SCALARS:
        yield Leaf("scalar", ctype, p)
    else:
        yield from leaves(SPECS[ctype], p)


NULL = object()  # expected value of a pointer the DLL set to NULL


def sentinel(leaf, k, salt):
    """(Python value, C expression) of leaf number k; salt 0 for fill, 1 for check."""
    k += 17 * salt
    t = leaf.ctype
    if leaf.kind == "bits":
        if t in SIGNED:
            v = -(2 ** (leaf.bits - 1)) + k % 2 ** (leaf.bits - 1)  # high bits set
        else:
            v = (0x5A5A5A5A5A5A5A5A >> (k % 4)) & (2**leaf.bits - 1) or 1
        return v, f"({t})({v}{'LL' if v < 0 else 'ULL'})"
    if leaf.kind == "str":
        if t == "char":
            text = bytes(0x61 + (k + i) % 26 for i in range(leaf.n - 1))
            return text, [f"(char){c}" for c in text] + ["0"]
        text = "".join(chr(0x3B1 + (k + i) % 24) for i in range(leaf.n - 1))
        return text, [f"(wchar_t){ord(c)}" for c in text] + ["0"]
    if leaf.kind == "vptr":
        v = 0x12345670 + 16 * k
        return v, f"(void *)(uintptr_t){v}"
    if leaf.kind == "cstr":
        return f"zb-{k}".encode(), f'"zb-{k}"'
    if leaf.kind == "iptr":
        return -77 - k, f"{-77 - k}"
    if t == "char":
        return bytes([0x41 + k % 26]), f"(char){0x41 + k % 26}"
    if t == "wchar_t":
        return chr(0x3B1 + k % 24), f"(wchar_t){0x3B1 + k % 24}"
    if t == "_Bool":
        return True, "1"
    if t == "float":
        return k + 0.25, f"{k + 0.25!r}f"
    if t == "double":
        return 1e12 + k + 0.5, repr(1e12 + k + 0.5)
    v = {"signed char": -(1 + k % 100), "unsigned char": 0x80 + k % 100, "short": -1000 - 7 * k,
         "unsigned short": 0xF000 + k, "int": -0x1234567 - 1013 * k, "long": -0x1234567 - 1013 * k,
         "unsigned int": 0xF0000000 + 3 * k, "unsigned long": 0xF0000000 + 3 * k,
         "long long": -0x123456789AB - k, "unsigned long long": 0xF000000000000000 + k}[t]
    return v, f"({t})({v}{'LL' if v < 0 else 'ULL'})"


# ---- C source -----------------------------------------------------------------------------


def c_members(spec):
    out = []
    for f in spec.fields:
        if f.anon:
            inner = SPECS[f.ctype]
            out.append(f"{inner.kind} {{ {' '.join(c_members(inner))} }};")
            continue
        dims = "".join(f"[{d}]" for d in f.dims)
        bits = f" : {f.bits}" if f.bits else ""
        out.append(f"{f.ctype} {'*' if f.ptr else ''}{f.name}{dims}{bits};")
    return out


def c_source():
    out = ['#include "zb_test.h"', "#include <string.h>", ""]
    for spec in SPECS.values():
        n = spec.name
        if spec.pack:
            out.append(f"#pragma pack(push, {spec.pack})")
        out.append(f"typedef {spec.kind} {n} {{ {' '.join(c_members(spec))} }} {n};")
        if spec.pack:
            out.append("#pragma pack(pop)")
        offs = [f"out[{2 + i}] = {-1 if f.bits or f.anon else f'(int)offsetof({n}, {f.name})'};"
                for i, f in enumerate(spec.fields)]
        out.append(f"ZB_EXPORT int ZB_CONV info_{n}(int *out) {{ out[0] = (int)sizeof({n}); "
                   f"out[1] = (int)_Alignof({n}); {' '.join(offs)} return {len(spec.fields)}; }}")
        if not spec.values:
            continue
        fill, check = [], []
        for k, leaf in enumerate(leaves(spec)):
            e, bit = leaf.cexpr(), min(k, 63)
            _, lit = sentinel(leaf, k, 0)
            _, want = sentinel(leaf, k, 1)
            if leaf.kind == "str":
                fill += [f"{e}[{i}] = {c};" for i, c in enumerate(lit)]
                cond = " || ".join(f"{e}[{i}] != {c}" for i, c in enumerate(want))
            elif leaf.kind == "cstr":
                fill.append(f"{e} = NULL;")
                cond = f"!{e} || strcmp({e}, {want}) != 0"
            elif leaf.kind == "iptr":
                fill.append(f"{e} = NULL;")
                cond = f"!{e} || *{e} != {want}"
            else:
                fill.append(f"{e} = {lit};")
                cond = f"{e} != {want}"
            check.append(f"if ({cond}) m |= 1ULL << {bit};")
        out.append(f"ZB_EXPORT void ZB_CONV fill_{n}({n} *s) {{ {' '.join(fill)} (void)s; }}")
        out.append(f"ZB_EXPORT uint64_t ZB_CONV check_{n}(const {n} *s) {{ uint64_t m = 0; "
                   f"{' '.join(check)} (void)s; return m; }}")
    return "\n".join(out) + "\n"


SOURCE = c_source()


# ---- Python classes -----------------------------------------------------------------------


def py_type(ct, classes, f):
    if f.ptr:
        if f.ctype == "void":
            return ct.c_void_p
        if f.ctype == "char":
            return ct.c_char_p
        if f.ctype == "wchar_t":
            return ct.c_wchar_p
        target = getattr(ct, SCALARS[f.ctype]) if f.ctype in SCALARS else classes[f.ctype]
        return ct.POINTER(target)
    t = getattr(ct, SCALARS[f.ctype]) if f.ctype in SCALARS else classes[f.ctype]
    for d in reversed(f.dims):
        t = t * d
    return t


def build_classes(ct):
    classes = {}
    for spec in SPECS.values():
        fields = []
        for f in spec.fields:
            fields.append((f.name, py_type(ct, classes, f), f.bits) if f.bits else (f.name, py_type(ct, classes, f)))
        ns = {"_anonymous_": tuple(f.name for f in spec.fields if f.anon)}
        if spec.pack:
            ns["_pack_"] = spec.pack
        cls = type(spec.name, (ct.Union if spec.kind == "union" else ct.Structure,), ns)
        cls._fields_ = fields
        classes[spec.name] = cls
    return classes


_CACHE = {}


@pytest.fixture
def gen(ctypes, arch, generated_dll_builder):
    """(classes, dll) of the generated types for this test's session."""
    key = id(ctypes)
    if key not in _CACHE:
        path = generated_dll_builder("generated_structs", SOURCE, arch)
        _CACHE[key] = (build_classes(ctypes), ctypes.CDLL(str(path)))
    return _CACHE[key]


def get_leaf(obj, leaf):
    for op, k in leaf.path:
        obj = getattr(obj, k) if op == "." else obj[k]
    return obj.value if leaf.kind == "str" and hasattr(obj, "value") else obj


def set_leaf(obj, leaf, value):
    for op, k in leaf.path[:-1]:
        obj = getattr(obj, k) if op == "." else obj[k]
    op, k = leaf.path[-1]
    if op == ".":
        setattr(obj, k, value)
    elif leaf.kind == "str":
        obj[k].value = value
    else:
        obj[k] = value


def set_python_values(ct, obj, spec, salt):
    keep = []
    for k, leaf in enumerate(leaves(spec)):
        v, _ = sentinel(leaf, k, salt)
        if leaf.kind == "iptr":
            v = ct.pointer(ct.c_int(v))
        keep.append(v)
        set_leaf(obj, leaf, v)
    return keep


# ---- tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SPECS))
def test_size_and_alignment(ctypes, gen, name):
    classes, dll = gen
    info = dll["info_" + name]
    info.restype = ctypes.c_int
    out = (ctypes.c_int * 64)()
    n = info(out)
    assert n == len(SPECS[name].fields)
    cls = classes[name]
    assert (ctypes.sizeof(cls), ctypes.alignment(cls)) == (out[0], out[1]), f"offsets in the DLL: {list(out[2:2 + n])}"
    assert ctypes.sizeof(cls()) == out[0]


@pytest.mark.parametrize("name", VALUE_TYPES)
def test_dll_fills_python_reads(ctypes, gen, name):
    classes, dll = gen
    spec, obj = SPECS[name], classes[name]()
    keep = []
    for leaf in leaves(spec):  # pointers the DLL will set to NULL start non-NULL
        if leaf.kind in ("cstr", "iptr", "vptr"):
            keep.append(ctypes.pointer(ctypes.c_int(1)) if leaf.kind == "iptr" else b"old" if leaf.kind == "cstr" else 1)
            set_leaf(obj, leaf, keep[-1])
    fill = dll["fill_" + name]
    fill.restype = None
    assert fill(ctypes.byref(obj)) is None
    wrong = []
    for k, leaf in enumerate(leaves(spec)):
        want, _ = sentinel(leaf, k, 0)
        got = get_leaf(obj, leaf)
        if leaf.kind in ("cstr", "iptr"):
            ok = not got
        else:
            ok = got == want and type(got) is type(want)
        if not ok:
            wrong.append((leaf.pypath(), got, None if leaf.kind in ("cstr", "iptr") else want))
    assert wrong == []


@pytest.mark.parametrize("name", VALUE_TYPES)
def test_python_fills_dll_checks(ctypes, gen, name):
    classes, dll = gen
    spec, cls = SPECS[name], classes[name]
    n = len(list(leaves(spec)))
    check = dll["check_" + name]
    check.argtypes = (ctypes.POINTER(cls),)
    check.restype = ctypes.c_uint64
    # An instance of zeros differs in every leaf: the check really looks.
    assert check(ctypes.pointer(cls())) == (2 ** min(n, 64) - 1)
    obj = cls()
    keep = set_python_values(ctypes, obj, spec, 1)
    mask = check(ctypes.pointer(obj))
    leaf_list = list(leaves(spec))
    assert [leaf_list[b].pypath() for b in range(min(n, 64)) if mask >> b & 1] == []
    # The values came back unchanged.
    for k, leaf in enumerate(leaf_list):
        want, _ = sentinel(leaf, k, 1)
        got = get_leaf(obj, leaf)
        if leaf.kind == "iptr":
            assert got.contents.value == want
        else:
            assert got == want, leaf.pypath()
    del keep


def test_generated_source_is_complete():
    # Every value type has one fill and one check routine, every type one info routine.
    for name, spec in SPECS.items():
        assert SOURCE.count(f" info_{name}(") == 1
        assert SOURCE.count(f" fill_{name}(") == SOURCE.count(f" check_{name}(") == int(spec.values)
    assert len(SPECS) >= 30
