"""Memory synchronisation (memsync): memory that only raw pointers reach.

The DLL runs in another process. What a ctypes type describes travels by itself (arrays,
structures, the one element a ``POINTER(T)`` points to); memory that only a raw pointer
reaches (``float *a`` with its length in another argument, a buffer the DLL allocates and
hands back through ``void **``) is described by directives, as the original zugbruecke
introduced them: a list of dicts on a routine (``dll.func.memsync = [...]``) or on a
``CFUNCTYPE``/``WINFUNCTYPE`` type (``FuncType.memsync = [...]``, for what the DLL hands a
Python callback). docs/memsync.md is the guide; this package compiles the directives when
they are assigned (that is when they are checked) and carries them out for each call.

A call with directives, step by step:

1. Before the call, each directive's pointer path is walked through the Linux memory of
   the arguments (``_Ptr`` is a pointer value, ``_Place`` a value stored at a Linux
   address). A pointer that is an argument itself (``[i]``) changes how the argument
   travels: ``length`` values of ``type`` at the address (checked against the Python
   buffer that holds them; where none is known, the core reads and writes them through
   process_vm_readv/writev, so that a wrong length is an error, not a crash), or, for
   strings, a bytearray with the Windows bytes (UTF-16 for wide strings).
2. A pointer stored in memory (a structure field, an element, the target of a pointer
   argument) becomes a *sync*: (address of the pointer, type id, count, report) or
   (address of the pointer, bytearray, report). The core (core/marshal/sync.go) makes
   its pointee a region of that many elements wherever it meets the pointer in memory
   that travels, and after the call writes the pointer's value in the DLL into the report.
3. After the call, a pointer the DLL set to memory of its own (a NULL ``void *`` filled in,
   a ``void **`` output, a pointer result with ``'r'``) has its length evaluated (now, so
   that lengths the DLL wrote count), its memory copied into a new Python array that
   mirrors the DLL's memory (``_core.adopt``), and the Python pointer set to that array.
   The array lives as long as the Python object holding the pointer (``_hold``).

Lengths are evaluated here only: ``func`` strings are compiled once, in this process, and
never reach the server.

The package, by stage:

- ``directives``: compiling (``compile_memsync``, ``Directive``, ``Memsync``);
- ``adoption``: per session Windows sizes and field offsets, and the DLL's memory adopted
  into Python arrays (``adopt``) and kept alive by their holders (step 3);
- ``roots``: what an argument is for a path (``root_of``: ``_Ptr``, ``_Place``), the Python
  objects that own an address and the end of the buffer that holds it;
- ``walk``: walking paths (``_Walk``: lengths, pointers, strings), shared by both calls;
- ``routine_call``: a call from Python (``_RoutineCall``: steps 1 to 3);
- ``callback_call``: a call of a Python callback by the DLL (``_CallbackCall``);
- ``common``: the error, the path wildcard and the constants shared with core/marshal.
"""

from .adoption import _adopted, adopt
from .common import MAX_BYTES, WILDCARD, MemsyncArgumentError
from .directives import Directive, Memsync, compile_memsync
from .roots import root_of

__all__ = [
    "MAX_BYTES",
    "WILDCARD",
    "Directive",
    "Memsync",
    "MemsyncArgumentError",
    "adopt",
    "compile_memsync",
    "root_of",
    "_adopted",
]
