"""SessionState: what the package below the session needs of a session, in one place.

CtypesSession (_session) is the face: configuration, the ctypes namespace and the ``zb_*``
API. It hands the modules below it (DLLs, routines, callbacks, memsync, paths, util) its
SessionState instead of itself, and they use only what this class lists; that is the
whole internal contract between the session and the rest of the package. This module
imports nothing above it (no _session, no _dll, _routine or _callback).

Attributes:

- ``session``: the CtypesSession, for its public API only (Windows paths, repr);
- ``config``: the session's configuration (the session's own dict, shared);
- ``handle``: the core's handle of the session, None once it was terminated;
- ``pointer_size``: 4 (win32) or 8 (win64);
- ``tls``: LastError per Python thread, as Windows keeps it per thread: ``seen`` is what
  the server thread had after the last call (GetLastError), ``private`` is ctypes' own
  copy that routines of use_last_error DLLs swap with the real one (get/set_last_error);
  its ``ticket`` ends the thread's server thread when the Python thread ends;
- ``namespace``: the session's ctypes namespace (name -> object), filled by the session;
- ``kernel32``: the session's private kernel32 (_paths), None until first used.

Methods: ``require``, ``load``, ``free``, ``symbol``, ``call``, ``type_info``, ``sizeof``,
``last_error_in``, ``pointer_result``, ``mirror``, ``unmirror``.
"""

import ctypes
import json
import logging
import os
import threading
import time
import weakref

from . import _core, _fork, _pe, _types, _zcontract as Z
from ._ctypes_internals import _CData
from ._errors import CoreError, winerror
from .core.errors import SessionTerminatedError

log = logging.getLogger("zugbruecke")

__all__ = ["SessionState"]


def _win_path(name):
    """A Unix path becomes a path on Wine's Z: drive; anything else goes to Windows as is."""
    if name.startswith("/"):
        return "Z:" + name.replace("/", "\\")
    return name


class SessionState:
    """The state of one session that the modules below it share (see the module doc)."""

    __slots__ = ("session", "config", "handle", "pointer_size", "tls", "namespace", "kernel32", "__weakref__")

    def __init__(self, session, config):
        self.session = session
        self.config = config
        self.handle = None
        self.pointer_size = Z.ARCH_POINTER_SIZE[config["arch"]]
        self.tls = _ThreadLocal(weakref.ref(self))
        self.namespace = {}
        self.kernel32 = None

    def require(self):
        """The core's handle; SessionTerminatedError once the session was terminated."""
        if self.handle is None:
            raise _fork.inherited_error(self) or SessionTerminatedError(
                f"zugbruecke: session {self.config['id']} was terminated"
            )
        return self.handle

    # ---- DLLs and their exports -------------------------------------------------------------

    def load(self, name):
        """The handle of DLL name loaded in the server (OSError as LoadLibrary's on Windows)."""
        if name is None:
            raise TypeError("zugbruecke: a DLL name is required (there is no main program to load)")
        if "\0" in name:
            raise ValueError("embedded null character")  # as LoadLibraryW's wide string conversion
        try:
            started = time.perf_counter()
            handle = _core.load(self.require(), _win_path(name))
            log.debug(
                "session %s: loaded %s (handle %#x) in %.1f ms",
                self.config["id"],
                name,
                handle,
                (time.perf_counter() - started) * 1e3,
            )
            return handle
        except CoreError as e:
            if e.code == 126:
                raise FileNotFoundError(
                    f"Could not find module '{name}' (or one of its dependencies). "
                    "Try using the full path with constructor syntax."
                ) from None
            if e.code == 193:
                exc = _pe.arch_error(name, self.config["arch"], self.session)
                if exc is not None:
                    raise exc from None
            raise winerror(e.code, e.msg) from None

    def free(self, handle):
        """FreeLibrary of a DLL handle in the server."""
        try:
            _core.free(self.require(), handle)
        except CoreError as e:
            raise winerror(e.code, e.msg) from None

    def symbol(self, handle, name_or_ordinal):
        """The address of an export (AttributeError as ctypes' when there is none)."""
        if isinstance(name_or_ordinal, int):
            name, ordinal = "", name_or_ordinal
            if not 0 < ordinal < 0x10000:
                raise AttributeError(f"function ordinal {ordinal} not found")
        else:
            name, ordinal = name_or_ordinal, 0
        try:
            return _core.sym(self.require(), handle, name, ordinal)
        except CoreError:
            if name:
                raise AttributeError(f"function '{name}' not found") from None
            raise AttributeError(f"function ordinal {ordinal} not found") from None

    def call(self, address, flags, kinds, values, result=None):
        """A call through the core (``_core.call``): (the result's value, LastError)."""
        if result is None:
            return _core.call(self.require(), address, flags, kinds, values)
        return _core.call(self.require(), address, flags, kinds, values, result)

    def last_error_in(self, use_last_error):
        """The LastError a call on this thread starts with (see ``tls``)."""
        tls = self.tls
        return getattr(tls, "private" if use_last_error else "seen", 0) & 0xFFFFFFFF

    # ---- types ------------------------------------------------------------------------------

    def type_info(self, obj_or_type):
        """[size, alignment, Windows offset of each field...] of a type in the session's arch."""
        tp = obj_or_type if isinstance(obj_or_type, type) else type(obj_or_type)
        return json.loads(_core.type_info(self.require(), _types.type_id(tp)))

    def sizeof(self, obj_or_type):
        """The size the DLL sees (the Windows layout of the session's arch); an instance
        that ``ctypes.resize`` enlarged has the size it was given, as in ctypes."""
        if not isinstance(obj_or_type, type) and isinstance(obj_or_type, _CData):
            size = ctypes.sizeof(obj_or_type)
            if size != ctypes.sizeof(type(obj_or_type)):
                return size
        return self.type_info(obj_or_type)[0]

    # ---- mirrors of DLL memory --------------------------------------------------------------

    def pointer_result(self, pointer_type):
        """The wrapper for a POINTER(T) restype: a NULL result is a NULL pointer; any other
        points to a Python copy of the DLL's T (a mirror): reading it shows the DLL's data
        as of the call, and passing the pointer back hands the DLL its own address with
        the copy's changes written through."""
        target = pointer_type._type_
        tid = _types.type_id(target)

        def wrap(address):
            if not address:
                return pointer_type()
            mirror = target()
            lin = ctypes.addressof(mirror)
            _core.mirror(self.require(), address, tid, lin)
            weakref.finalize(mirror, self.unmirror, lin)
            return ctypes.pointer(mirror)

        return wrap

    def mirror(self, tp, address):
        """A new tp mirroring the DLL's tp at address (see pointer_result)."""
        value = tp()
        lin = ctypes.addressof(value)
        _core.mirror(self.require(), address, _types.type_id(tp), lin)
        weakref.finalize(value, self.unmirror, lin)
        return value

    def unmirror(self, lin):
        """Forget the mirror at Linux address lin (it was freed)."""
        if self.handle is not None:
            _core.unmirror(self.handle, lin)


class _ThreadLocal(threading.local):
    """SessionState.tls. Made in each thread on its first use (every call reads LastError
    from it), with a ticket that goes when the thread ends: the thread's server thread
    ends with it, so threads that come and go do not pile up server threads."""

    def __init__(self, state_ref):
        self.ticket = _ThreadTicket(state_ref, threading.get_native_id())


class _ThreadTicket:
    """Ends a Python thread's server thread when the thread's local data goes. In a forked
    child the parent's threads' data goes too (threading's own at-fork hook drops it,
    possibly before _fork's hook has cut the child off from the Go core): a ticket made in
    another process does nothing, as a call into Go would hang there."""

    __slots__ = ("state_ref", "tid", "pid")

    def __init__(self, state_ref, tid):
        self.state_ref = state_ref
        self.tid = tid
        self.pid = os.getpid()

    def __del__(self):
        if self.pid != os.getpid():
            return
        state = self.state_ref()
        handle = None if state is None else state.handle
        if handle is not None:
            _core.release_thread(handle, self.tid)
