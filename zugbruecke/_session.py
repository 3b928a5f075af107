"""CtypesSession: one Windows server process under Wine with its own configuration, and
the ctypes namespace bound to it (``session.cdll``, ``session.c_int``, ...)."""

import atexit
import ctypes
import json
import logging
import os
import stat
import sys
import threading
import time
import types
import uuid
import warnings
import weakref

from . import _callback, _core, _dll, _fork, _kinds as K, _paths, _util, _wintypes
from ._ctypes_internals import _SimpleCData
from ._errors import error_factory, winerror
from ._state import SessionState
from .core.errors import ConfigError

log = logging.getLogger("zugbruecke")

BIN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bin")


_core.init(error_factory)


def _events(session_id, console):
    """events(kind, message) for ``_core.start``: what the core reports of a session that is
    no call, as records of the ``zugbruecke`` logger. Creating a Wine prefix takes a while:
    its first step is an INFO record and, when the logger has no handler anywhere (and
    ``stderr`` is true), one plain line on standard error; the later steps and new server
    threads are DEBUG records."""
    said = []

    def events(kind, message):
        message = message.removeprefix("zugbruecke: ")
        if kind == "prefix" and not said:
            said.append(message)
            log.info("session %s: %s", session_id, message)
            if console and not log.hasHandlers():
                print(f"zugbruecke: {message}", file=sys.stderr, flush=True)
        else:
            log.debug("session %s: %s: %s", session_id, kind, message)

    return events


# ctypes names that are bound to the Linux process or replaced per session.
_NOT_EXPORTED = {
    "CDLL",
    "PyDLL",
    "LibraryLoader",
    "cdll",
    "pydll",
    "pythonapi",
    "PYFUNCTYPE",
    "DEFAULT_MODE",
    "RTLD_GLOBAL",
    "RTLD_LOCAL",
}


class _NoPython:
    """``pythonapi`` of a session: the Windows process has no Python (see PyDLL)."""

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        _no_python()

    def __repr__(self):
        return "<pythonapi: not available, the Windows process has no Python>"


def _no_python(*args, **kwargs):
    raise NotImplementedError(
        "zugbruecke: the session's Windows process runs no Python, so PyDLL, pydll, "
        "pythonapi and PYFUNCTYPE have nothing to call; use the Linux process's own "
        "ctypes.pythonapi for the Python C API"
    )


class PyDLL:
    """PyDLL of a session: constructing one raises NotImplementedError (see _no_python)."""

    def __init__(self, *args, **kwargs):
        _no_python()


_live: "weakref.WeakSet[CtypesSession]" = weakref.WeakSet()


@atexit.register
def _terminate_all():
    for session in list(_live):
        session.zb_terminate()


def _after_fork_in_child():
    # _fork marked the sessions as the parent's; a lock held by a thread that the fork did
    # not copy must not block zb_terminate here.
    for session in list(_live):
        session._lock = threading.Lock()
    _live.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _environ():
    """The current environment for the core (which cannot see later os.environ changes)."""
    return json.dumps([f"{k}={v}" for k, v in os.environ.items()])


def create_unicode_buffer(init, size=None):
    """A c_wchar array sized in UTF-16 units, as on Windows: characters outside the BMP
    take two elements there (the extra Linux elements stay zero)."""
    if isinstance(init, str):
        if size is None:
            size = len(init.encode("utf-16-le", "surrogatepass")) // 2 + 1
        buf = (ctypes.c_wchar * size)()
        buf.value = init
        return buf
    if isinstance(init, int):
        return (ctypes.c_wchar * init)()
    raise TypeError(init)


class CtypesSession:
    """A session: ``CtypesSession(arch='win64')`` or ``CtypesSession(parameter={...})``.

    Configuration comes from keyword arguments, ``ZUGBRUECKE_<NAME>`` environment variables
    (highest priority), JSON files and defaults (see docs/configuration).
    """

    # The ctypes namespace is set per instance (_populate); these two are read by
    # zugbruecke.ctypes.util and zugbruecke.ctypes.wintypes.
    util: _util.CtypesUtil
    wintypes: types.ModuleType
    # What the setup of zugbruecke.local_session returned for this session (None otherwise).
    zb_setup_result: object = None

    def __init__(self, parameter=None, **kwargs):
        _fork.check_start()
        params = dict(parameter or {})
        params.update(kwargs)
        resolved = json.loads(_core.resolve_config(json.dumps(params), _environ()))
        for message in resolved["warnings"]:
            warnings.warn(message, DeprecationWarning, stacklevel=2)
        for message in resolved["notices"]:
            warnings.warn(message, UserWarning, stacklevel=2)
        self._config = resolved["config"]
        self._sources = resolved["sources"]
        if not self._config["id"]:
            self._config["id"] = uuid.uuid4().hex[:10]
        self._apply_log_level()
        self._state = state = SessionState(self, self._config)
        self._lock = threading.Lock()
        log.info("session %s: starting server for %s", self.zb_id, self._config["arch"])
        started = time.perf_counter()
        events = _events(self.zb_id, bool(self._config.get("stderr", True)))
        state.handle = _core.start(json.dumps(self._config), BIN_DIR, _environ(), events)
        _fork.track(state, _core.pids(state.handle)[0])
        if log.isEnabledFor(logging.DEBUG):
            pid, winpid = _core.pids(state.handle)
            log.debug(
                "session %s: server for %s up in %.3f s (Linux pid %d, Windows pid %d, transport %s)",
                self.zb_id,
                self._config["arch"],
                time.perf_counter() - started,
                pid,
                winpid,
                self._config.get("transport"),
            )
        _live.add(self)
        self._populate()
        self._zb_setup_logging()

    # ---- the ctypes namespace ------------------------------------------------------------

    def _populate(self):
        ns = {
            name: getattr(ctypes, name)
            for name in dir(ctypes)
            if not name.startswith("_") and name not in _NOT_EXPORTED
        }
        state = self._state
        wide = state.pointer_size == 8
        ns.update(
            c_long=ctypes.c_int,
            c_ulong=ctypes.c_uint,
            c_longdouble=ctypes.c_double,
            c_size_t=ctypes.c_uint64 if wide else ctypes.c_uint32,
            c_ssize_t=ctypes.c_int64 if wide else ctypes.c_int32,
            # dlopen's modes mean nothing to LoadLibrary: 0 on Windows.
            RTLD_GLOBAL=0,
            RTLD_LOCAL=0,
            DEFAULT_MODE=0,
            PyDLL=PyDLL,
            pydll=_dll.LibraryLoader(PyDLL),
            pythonapi=_NoPython(),
            PYFUNCTYPE=_no_python,
        )
        HRESULT = self._hresult_type()
        funcptr = _callback.dll_funcptr
        CDLL = type("CDLL", (_dll.CDLL,), {"_zb_state": state, "_FuncPtr": funcptr(state, K.CDECL, ctypes.c_int)})
        WinDLL = type(
            "WinDLL", (_dll.WinDLL,), {"_zb_state": state, "_FuncPtr": funcptr(state, K.STDCALL, ctypes.c_int)}
        )
        OleDLL = type(
            "OleDLL",
            (_dll.OleDLL,),
            {"_zb_state": state, "_func_restype_": HRESULT, "_FuncPtr": funcptr(state, K.STDCALL, HRESULT)},
        )
        ns.update(
            CDLL=CDLL,
            WinDLL=WinDLL,
            OleDLL=OleDLL,
            LibraryLoader=_dll.LibraryLoader,
            cdll=_dll.LibraryLoader(CDLL),
            windll=_dll.LibraryLoader(WinDLL),
            oledll=_dll.LibraryLoader(OleDLL),
            HRESULT=HRESULT,
            sizeof=self.sizeof,
            alignment=self.alignment,
            CFUNCTYPE=_callback.functype_factory(state, K.CDECL),
            WINFUNCTYPE=_callback.functype_factory(state, K.STDCALL),
            create_unicode_buffer=create_unicode_buffer,
            GetLastError=self.GetLastError,
            get_last_error=self.get_last_error,
            set_last_error=self.set_last_error,
            FormatError=self.FormatError,
            WinError=self.WinError,
        )
        ns["wintypes"] = _wintypes.build(ns, wide)
        # ctypes.util as on Windows, answered by this session (also the older _util).
        ns["util"] = ns["_util"] = _util.CtypesUtil(state)
        state.namespace.update(ns)
        for name, value in ns.items():
            setattr(self, name, value)

    def sizeof(self, obj_or_type):
        """The size the DLL sees: the Windows layout of the session's arch (c_wchar is 2
        bytes, pointers follow the arch, structures follow MSVC's rules)."""
        return self._state.sizeof(obj_or_type)

    def alignment(self, obj_or_type):
        """The alignment the DLL sees (MSVC rules for the session's arch)."""
        return self._state.type_info(obj_or_type)[1]

    def _hresult_type(self):
        session = self

        class HRESULT(_SimpleCData):
            # Windows' "l" is 4 bytes; _check_retval_ receives the plain int, as there.
            _type_ = "i"

            @classmethod
            def _check_retval_(cls, result):
                if result < 0:
                    raise session.WinError(result)
                return result

        return HRESULT

    # ---- DLLs, exported variables, LastError -----------------------------------------------

    @property
    def _handle(self):
        # The core's handle of the session (None once terminated), for tests and tools.
        return self._state.handle

    def zb_free_library(self, dll_or_handle):
        """Unload a DLL, as ``_ctypes.FreeLibrary(dll._handle)`` does on Windows: its
        reference count drops, and at zero Windows unmaps it. Routines taken from it must
        not be called afterwards; doing so raises OSError (an access violation in the
        server), not a crash, and the session goes on."""
        self._state.free(getattr(dll_or_handle, "_zb_handle", dll_or_handle))

    def zb_in_dll(self, tp, dll, name):
        """The value of type tp exported by dll under name (what ``tp.in_dll(dll, name)``
        gives on Windows), as a mirror: it shows the DLL's value at the time of the call,
        and ``byref(value)`` passed to the DLL is the variable itself, with changes made in
        Python written through."""
        state = self._state
        return state.mirror(tp, state.symbol(dll._zb_handle, name))

    # LastError per Python thread (SessionState.tls).

    def GetLastError(self):
        """The Windows error code the last call on this thread left."""
        return getattr(self._state.tls, "seen", 0)

    def get_last_error(self):
        """ctypes' private copy of LastError of this thread (use_last_error DLLs)."""
        return getattr(self._state.tls, "private", 0)

    def set_last_error(self, value):
        """Set ctypes' private copy of LastError of this thread; returns the previous one.
        The next routine of a use_last_error DLL starts with it as the thread's LastError."""
        old = self.get_last_error()
        self._state.tls.private = value
        return old

    def FormatError(self, code=None):
        """The system's message for a Windows error code."""
        if code is None:
            code = self.GetLastError()
        buf = ctypes.create_unicode_buffer(1024)
        fmt = self.windll.kernel32.FormatMessageW
        n = fmt(0x1000 | 0x200, None, code & 0xFFFFFFFF, 0, buf, len(buf), None)
        return buf.value[:n].rstrip()

    def WinError(self, code=None, descr=None):
        """An OSError for a Windows error code, as ctypes.WinError gives it."""
        if code is None:
            code = self.GetLastError()
        if descr is None:
            descr = self.FormatError(code).strip()
        return winerror(code, descr)

    # ---- zugbruecke's own API ---------------------------------------------------------------

    def _apply_log_level(self):
        # log_level is a Python logging level (10 debug, 20 info, ...); 0 leaves it alone.
        level = int(self._config.get("log_level", 0))
        if level:
            log.setLevel(level)

    @property
    def zb_id(self):
        return self._config["id"]

    @property
    def zb_client_up(self):
        return self._state.handle is not None

    @property
    def zb_server_up(self):
        handle = self._state.handle
        return handle is not None and _core.alive(handle)

    def zb_get_parameter(self, name):
        if name == "pythonversion":
            # Older zugbruecke ran a Windows Python; its tests read this parameter. The
            # session follows the ctypes of the Python running it.
            return sys.version_info
        if name not in self._config:
            raise ConfigError(f'zugbruecke: unknown configuration parameter "{name}"')
        return self._config[name]

    def zb_set_parameter(self, name, value):
        if name not in self._config:
            raise ConfigError(f'zugbruecke: unknown configuration parameter "{name}"')
        _core.resolve_config(json.dumps({name: value}), "[]")  # validates
        self._config[name] = value
        if name == "log_level":
            self._apply_log_level()

    def zb_terminate(self):
        state = self._state
        with self._lock:
            handle, state.handle = state.handle, None
        if handle is not None:
            log.info("session %s: terminating", self.zb_id)
            started = time.perf_counter()
            _core.stop(handle)
            log.debug("session %s: server stopped in %.3f s", self.zb_id, time.perf_counter() - started)
            _live.discard(self)
            self._zb_close_logging()

    _zb_terminate = zb_terminate

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.zb_terminate()
        return False

    def __reduce_ex__(self, protocol):
        raise _fork.not_picklable(self)

    def __repr__(self):
        state = "up" if self.zb_client_up else "terminated"
        return f"<CtypesSession id={self.zb_id} arch={self._config['arch']} {state}>"

    # ---- paths, logging to a file -----------------------------------------------------------

    def zb_path_unix_to_wine(self, path):
        """The Windows path Wine gives a Unix path: ``'/tmp/x'`` -> ``'Z:\\\\tmp\\\\x'``.
        Relative paths start at this process's current directory. Raises WineError when
        Wine has no Windows path for it."""
        return _paths.unix_to_wine(self._state, path)

    def zb_path_wine_to_unix(self, path):
        """The Unix path Wine gives a Windows path: ``'Z:\\\\tmp\\\\x'`` -> ``'/tmp/x'``;
        drive C: answers below the prefix's ``dosdevices`` folder. Raises WineError when
        Wine has no Unix path for it (an unknown drive, for instance)."""
        return _paths.wine_to_unix(self._state, path)

    def _zb_setup_logging(self):
        """With ``log_write``, also write the records of the ``zugbruecke`` logger to
        ``zugbruecke_<session id>.log`` in the current directory (where older releases
        wrote their log files) while the session is up. Which records pass is up to the
        logger's level (``log_level``)."""
        self._zb_log_handler = None
        if not self._config.get("log_write"):
            return
        path = os.path.abspath(f"zugbruecke_{self.zb_id}.log")
        handler = _PrivateFileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        self._zb_log_handler = handler
        weakref.finalize(self, CtypesSession._zb_drop_log_handler, handler)
        log.info("session %s: writing the log to %s", self.zb_id, path)

    def _zb_close_logging(self):
        """Detach and close the log file of ``log_write`` (after the session ended)."""
        handler, self._zb_log_handler = getattr(self, "_zb_log_handler", None), None
        if handler is not None:
            CtypesSession._zb_drop_log_handler(handler)

    @staticmethod
    def _zb_drop_log_handler(handler):
        log.removeHandler(handler)
        handler.close()


class _PrivateFileHandler(logging.FileHandler):
    """A log file only its owner can read or write (0600), opened without following a
    symbolic link planted at its name, and refused if it is not a plain file of ours with
    one name (a hard link to another file)."""

    def _open(self):
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(self.baseFilename, flags, 0o600)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_nlink != 1:
                raise PermissionError(
                    f"zugbruecke: refusing to write the log to {self.baseFilename}: "
                    "not a plain file of this user with a single name"
                )
            os.fchmod(fd, 0o600)
            return open(fd, "a", encoding=self.encoding, errors=self.errors)
        except BaseException:
            os.close(fd)
            raise


def namespace_of(session):
    """The ctypes namespace of session (name -> object), which zugbruecke.ctypes exposes."""
    return session._state.namespace
