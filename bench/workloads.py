"""
The zugbruecke workloads. Each prepares one routine of bench.c in a loaded DLL
and returns (call, args, check): the benchmark times call(*args), check() makes
one call and raises AssertionError unless its result is right (run before
timing, so that a wrong answer fails the row instead of being timed).
"""

import time

import zugbruecke

BULK_BYTES = 64 << 20
IMAGE_SIDE = 3
IMAGE_PIXELS = (12, 200, 7, 90, 45, 300, 18, 1, 64)
SORT_VALUES = (9.5, -1.25, 3.0, 8.0, 0.5, 7.75, -4.0, 2.0, 6.5, 1.0)
START_REPETITIONS = 5


def _expect(got, want, what):
    """Raises AssertionError when got differs from want."""
    if got != want:
        raise AssertionError(f"{what} gave {got!r}, expected {want!r}")


def minimal(ctypes, lib, conv):
    """add(2, 3): two ints in, one out."""
    add = lib.add
    add.argtypes = (ctypes.c_int, ctypes.c_int)
    add.restype = ctypes.c_int
    return add, (2, 3), lambda: _expect(add(2, 3), 5, "add(2, 3)")


def memsync(ctypes, lib, conv):
    """bubblesort(a, 10) on a (c_float * 10) array, which travels in and back.
    After the check the array is sorted; the routine's own work (45
    comparisons) is negligible next to the call either way."""
    sort = lib.bubblesort
    sort.argtypes = (ctypes.POINTER(ctypes.c_float), ctypes.c_int)
    sort.restype = None
    values = (ctypes.c_float * len(SORT_VALUES))(*SORT_VALUES)

    def check():
        sort(values, len(values))
        _expect(list(values), sorted(SORT_VALUES), "bubblesort")

    return sort, (values, len(values)), check


def _box_blur(pixels, side):
    """What apply_filter with the mean filter computes: each pixel becomes the
    floored mean of its 3x3 neighbourhood, edges repeated."""

    def at(x, y):
        return pixels[min(max(y, 0), side - 1) * side + min(max(x, 0), side - 1)]

    return [
        sum(at(x + dx, y + dy) for dy in (-1, 0, 1) for dx in (-1, 0, 1)) // 9
        for y in range(side)
        for x in range(side)
    ]


def maximal(ctypes, lib, conv):
    """apply_filter(&in, &out, filter): two structure pointers and a Python
    callback, called 9 times a call with a pointer to a 3x3 section."""
    c = ctypes

    class Image(c.Structure):
        _fields_ = [("width", c.c_int), ("height", c.c_int), ("pixels", c.c_short * IMAGE_SIDE**2)]

    functype = c.CFUNCTYPE if conv == "cdecl" else c.WINFUNCTYPE
    Filter = functype(c.c_int, c.POINTER(Image))
    apply_filter = lib.apply_filter
    apply_filter.argtypes = (c.POINTER(Image), c.POINTER(Image), Filter)
    apply_filter.restype = c.c_int

    mean = Filter(lambda section: sum(section.contents.pixels) // 9)
    image_in = Image(IMAGE_SIDE, IMAGE_SIDE, (c.c_short * IMAGE_SIDE**2)(*IMAGE_PIXELS))
    image_out = Image()
    args = (c.byref(image_in), c.byref(image_out), mean)

    def check():
        _expect(apply_filter(*args), IMAGE_SIDE**2, "apply_filter (filter calls)")
        _expect(list(image_out.pixels), _box_blur(IMAGE_PIXELS, IMAGE_SIDE), "apply_filter (pixels)")

    return apply_filter, args, check


def _touch(ctypes, lib, argtype, buf):
    """touch(buf, len(buf)) with the given pointer argtype; check() makes one
    call and sees the first and the last byte go up by one."""
    touch = lib.touch
    touch.argtypes = (argtype, ctypes.c_int)
    touch.restype = None
    view = (ctypes.c_ubyte * len(buf)).from_buffer(buf)

    def check():
        want = ((view[0] + 1) % 256, (view[-1] + 1) % 256)
        touch(buf, len(buf))
        _expect((view[0], view[-1]), want, "touch (first, last byte)")

    return touch, (buf, len(buf)), check


def bulk(ctypes, lib, conv):
    """touch(buf, 64 MiB) on create_string_buffer(64 MiB), which travels in
    and back; the routine adds 1 to its first and last byte."""
    return _touch(ctypes, lib, ctypes.POINTER(ctypes.c_char), ctypes.create_string_buffer(BULK_BYTES))


def bulk_ubyte(ctypes, lib, conv):
    """bulk with a (c_ubyte * 64 MiB) array instead of a string buffer."""
    return _touch(ctypes, lib, ctypes.POINTER(ctypes.c_ubyte), (ctypes.c_ubyte * BULK_BYTES)())


WORKLOADS = {
    "minimal": minimal,
    "memsync": memsync,
    "maximal": maximal,
    "bulk": bulk,
    "bulk-ubyte": bulk_ubyte,
}


def load(session, path, conv):
    """The DLL at path through cdll (cdecl) or windll (stdcall)."""
    loader = session.cdll if conv == "cdecl" else session.windll
    return loader.LoadLibrary(str(path))


def start_seconds(arch, path):
    """Seconds from creating a session to the first completed add() call."""
    begin = time.perf_counter()
    session = zugbruecke.CtypesSession(arch=arch)
    try:
        add, args, _ = minimal(session, load(session, path, "cdecl"), "cdecl")
        result = add(*args)
        seconds = time.perf_counter() - begin
    finally:
        session.zb_terminate()
    _expect(result, 5, "add(2, 3)")
    return seconds
