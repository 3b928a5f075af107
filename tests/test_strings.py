# -*- coding: utf-8 -*-
"""
char * (c_char_p) and wchar_t * (c_wchar_p, UTF-16 on Windows) strings in
both directions: what the DLL receives (length and sum of its code units, so
every byte and every UTF-16 unit is checked), NULL both ways, static strings
returned by the DLL, and the argument returned as a pointer into itself.

Routines from tests/dlls/strings.c.
"""

import pytest
from hypothesis import given, strategies as st

# No NUL inside: C strings end there. No lone surrogates: they are no text.
c_bytes = st.binary(max_size=300).filter(lambda b: b"\x00" not in b)
c_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=200,
)


def utf16_units(text):
    data = text.encode("utf-16-le")
    return [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]


def routine(lib, name, argtypes, restype):
    func = getattr(lib, name)
    func.argtypes = argtypes
    func.restype = restype
    return func


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# char *
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(data=c_bytes)
def test_char_p_argument(ctypes, dll, data):
    lib = dll("strings")
    str_len = routine(lib, "str_len", (ctypes.c_char_p,), ctypes.c_int)
    str_sum = routine(lib, "str_sum", (ctypes.c_char_p,), ctypes.c_longlong)
    assert str_len(data) == len(data)
    assert str_sum(data) == sum(data)


@given(data=c_bytes)
def test_char_p_returned_argument(ctypes, dll, data):
    echo = routine(dll("strings"), "str_echo", (ctypes.c_char_p,), ctypes.c_char_p)
    result = echo(data)
    assert type(result) is bytes
    assert result == data


def test_char_p_positions(ctypes, dll):
    str_at = routine(dll("strings"), "str_at", (ctypes.c_char_p, ctypes.c_int), ctypes.c_char)
    data = b"z\x80\xffA"
    assert [str_at(data, i) for i in range(5)] == [b"z", b"\x80", b"\xff", b"A", b"\x00"]


def test_char_p_static_and_null(ctypes, dll):
    lib = dll("strings")
    assert routine(lib, "str_static", (), ctypes.c_char_p)() == b"zugbruecke"
    assert routine(lib, "str_null", (), ctypes.c_char_p)() is None
    str_len = routine(lib, "str_len", (ctypes.c_char_p,), ctypes.c_int)
    assert str_len(None) == -1
    is_null = routine(lib, "str_is_null", (ctypes.c_char_p,), ctypes.c_int)
    assert is_null(None) == 1
    assert is_null(b"") == 0


def test_char_p_static_as_void_p(ctypes, dll):
    # The same routine with restype c_void_p gives the address, not the text.
    address = routine(dll("strings"), "str_static", (), ctypes.c_void_p)()
    assert isinstance(address, int) and address != 0


def test_char_p_rejects_str(ctypes, dll):
    str_len = routine(dll("strings"), "str_len", (ctypes.c_char_p,), ctypes.c_int)
    with pytest.raises(ctypes.ArgumentError, match="argument 1"):
        str_len("text")
    with pytest.raises(ctypes.ArgumentError, match="argument 1"):
        str_len(5.0)
    assert str_len(b"text") == 4


def test_char_p_rejects_int(ctypes, dll):
    # Unlike c_void_p, c_char_p.from_param takes no int, not even 0.
    str_len = routine(dll("strings"), "str_len", (ctypes.c_char_p,), ctypes.c_int)
    with pytest.raises(ctypes.ArgumentError, match="argument 1"):
        str_len(0)


# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++
# wchar_t *
# +++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++


@given(text=c_text)
def test_wchar_p_argument(ctypes, dll, text):
    lib = dll("strings")
    wstr_len = routine(lib, "wstr_len", (ctypes.c_wchar_p,), ctypes.c_int)
    wstr_sum = routine(lib, "wstr_sum", (ctypes.c_wchar_p,), ctypes.c_longlong)
    units = utf16_units(text)
    assert wstr_len(text) == len(units)
    assert wstr_sum(text) == sum(units)


@given(text=c_text)
def test_wchar_p_returned_argument(ctypes, dll, text):
    echo = routine(dll("strings"), "wstr_echo", (ctypes.c_wchar_p,), ctypes.c_wchar_p)
    result = echo(text)
    assert type(result) is str
    assert result == text


def test_wchar_p_positions(ctypes, dll):
    wstr_at = routine(dll("strings"), "wstr_at", (ctypes.c_wchar_p, ctypes.c_int), ctypes.c_wchar)
    text = "a\u20ac\U0001F309"
    code_units = [wstr_at(text, i) for i in range(4)]
    assert code_units[:2] == ["a", "\u20ac"]
    # The non-BMP character arrives as its UTF-16 surrogate pair.
    assert [ord(unit) for unit in code_units[2:]] == [0xD83C, 0xDF09]


def test_wchar_p_static_and_null(ctypes, dll):
    lib = dll("strings")
    assert routine(lib, "wstr_static", (), ctypes.c_wchar_p)() == "Br\u00fccke \u20ac \U0001F309"
    assert routine(lib, "wstr_null", (), ctypes.c_wchar_p)() is None
    wstr_len = routine(lib, "wstr_len", (ctypes.c_wchar_p,), ctypes.c_int)
    assert wstr_len(None) == -1
    is_null = routine(lib, "wstr_is_null", (ctypes.c_wchar_p,), ctypes.c_int)
    assert is_null(None) == 1
    assert is_null("") == 0


def test_wchar_p_rejects_bytes(ctypes, dll):
    wstr_len = routine(dll("strings"), "wstr_len", (ctypes.c_wchar_p,), ctypes.c_int)
    with pytest.raises(ctypes.ArgumentError, match="argument 1"):
        wstr_len(b"bytes")
    assert wstr_len("text") == 4


@given(data=c_bytes, text=c_text)
def test_both_kinds_in_one_session(ctypes, dll, data, text):
    # Alternating calls: no state of one conversion leaks into the next.
    lib = dll("strings")
    str_len = routine(lib, "str_len", (ctypes.c_char_p,), ctypes.c_int)
    wstr_len = routine(lib, "wstr_len", (ctypes.c_wchar_p,), ctypes.c_int)
    assert (str_len(data), wstr_len(text), str_len(None)) == (len(data), len(utf16_units(text)), -1)
