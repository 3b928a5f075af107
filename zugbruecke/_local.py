"""local_session: one session per process and configuration, for worker processes.

Worker processes of a pool or an engine (``concurrent.futures.ProcessPoolExecutor``,
joblib, Dask, Ray) each need a session of their own: sessions cannot be pickled and sent
to a worker, and a forked child cannot use its parent's (see ``_fork``). A task or a
pool's initializer calls ``local_session(...)`` and gets this process's session for those
keyword arguments, started on first use. This module loads the Go core only when a session
is actually wanted, so importing it is safe before forking.
"""

import json
import os
import threading

from . import _fork

__all__ = ["local_session"]

# (configuration key) -> _Entry; guarded by _lock (setup runs under it: a second thread
# asking for the same session waits until the first one is set up).
_entries: "dict[str, _Entry]" = {}
_lock = threading.RLock()


class _Entry:
    __slots__ = ("session", "setup", "pid")

    def __init__(self, session, setup, pid):
        self.session = session
        self.setup = setup
        self.pid = pid


def _key(session_kwargs):
    try:
        return json.dumps(session_kwargs, sort_keys=True)
    except TypeError:
        raise TypeError(
            "zugbruecke: local_session's keyword arguments must be configuration values "
            f"(JSON: strings, numbers, booleans, lists, dicts), got {session_kwargs!r}"
        ) from None


def local_session(setup=None, **session_kwargs):
    """This process's session for session_kwargs (``CtypesSession(**session_kwargs)``),
    started on first use and terminated at exit.

    ``setup(session)`` runs once for each session started here (load DLLs, set argtypes);
    what it returns is kept as ``session.zb_setup_result``. Later calls with the same
    keyword arguments return the same session without running anything; they may pass
    the same setup again or none. A different setup for a session that exists raises
    ValueError (use other keyword arguments, e.g. ``id``, for a second session). If setup
    raises, the session is terminated and the error propagates; the next call tries again.

    A session whose server died is replaced by a new one (and set up again) at the next
    call, never in the middle of a call: a call on the dead session raises ServerError.
    In a process forked from one that had loaded zugbruecke's Go core, this raises
    ServerError naming the 'spawn' and 'forkserver' start methods.
    """
    key = _key(session_kwargs)
    _fork.check_start()
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            if setup is not None and entry.setup is not None and setup != entry.setup:
                raise ValueError(
                    f"zugbruecke: the local session for {key} was set up with {entry.setup!r}, "
                    f"not {setup!r}; pass the same setup (or none), or other keyword arguments "
                    "(an 'id', for instance) for a second session"
                )
            if entry.pid == os.getpid() and entry.session.zb_server_up:
                if setup is not None and entry.setup is None:
                    entry.session.zb_setup_result = setup(entry.session)
                    entry.setup = setup
                return entry.session
            del _entries[key]
            if entry.pid == os.getpid():
                entry.session.zb_terminate()  # the dead server's leftovers
            setup = setup or entry.setup
        from ._session import CtypesSession

        session = CtypesSession(**session_kwargs)
        try:
            if setup is not None:
                session.zb_setup_result = setup(session)
        except BaseException:
            session.zb_terminate()
            raise
        _entries[key] = _Entry(session, setup, os.getpid())
        return session
