"""Fork safety: what a process forked from one that loaded zugbruecke's Go core may do.

The Go runtime inside ``zugbruecke._core`` does not survive ``fork()``: the child has only
the forking thread, Go's threads and locks are gone, and a call into Go can hang for good.
The child also shares the parent's sessions' mailboxes (shared memory) and pipes, so using
them would take the parent's replies. So, at fork, in the child and purely in Python
(never calling into Go there):

- every session the parent had up is marked as belonging to the parent: its handle is
  dropped, and any use raises SessionTerminatedError naming the owning process; its pipe
  ends are closed, so the child keeps no server alive once the parent is gone, and its
  exit sends nothing to the parent's server;
- every function of ``_core`` is replaced by one that raises (SessionTerminatedError, or
  ServerError for starting a session) instead of entering Go: a forked child cannot start
  sessions of its own. Workers must be started with the ``spawn`` or ``forkserver``
  method (or before zugbruecke loaded its core).

A child forked from a process that never loaded the core (``import zugbruecke`` alone
loads nothing) is not affected. This module imports nothing of the package but the
exceptions, so the package registers the fork hook at import without loading Go.
"""

import os
import sys
import weakref

from .core.errors import ServerError, SessionTerminatedError

__all__ = ["check_start", "inherited_error", "not_picklable", "track"]

_CORE = "zugbruecke._core"

# The process that loaded the Go core (set at the first fork after it was loaded, so
# children and grandchildren know it); None while no fork happened since.
_go_pid = None

# SessionState -> (the owning process id, our ends of its server's pipes).
_tracked: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
# SessionState -> owning process id, for sessions this process inherited at fork.
_inherited: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

_START_METHODS = (
    "start worker processes with the 'spawn' or 'forkserver' method "
    "(multiprocessing.get_context('spawn'), ProcessPoolExecutor(mp_context=...)) and create "
    "the session in the worker, for instance with zugbruecke.local_session()"
)


def _new_session_message(owner):
    return (
        f"zugbruecke: cannot use zugbruecke in process {os.getpid()}: it was forked from process "
        f"{owner}, which had loaded zugbruecke's Go core, and the Go runtime does not survive "
        f"fork(); {_START_METHODS}"
    )


def check_start():
    """Raise ServerError when this process is a fork of one that had loaded the Go core
    (before anything calls into Go, which could hang here)."""
    if _go_pid is not None and _go_pid != os.getpid():
        raise ServerError(_new_session_message(_go_pid))


def inherited_error(state):
    """The SessionTerminatedError for a session this process inherited at fork, or None."""
    owner = _inherited.get(state)
    if owner is None:
        return None
    return SessionTerminatedError(
        f"zugbruecke: session {state.config['id']} belongs to process {owner}; this process "
        f"({os.getpid()}) is a fork of it and cannot use it (nor start sessions of its own); " + _START_METHODS
    )


def not_picklable(obj):
    """The TypeError for pickling a session, DLL or routine: they stand for a server of
    this process; other processes need sessions of their own."""
    return TypeError(
        f"zugbruecke: cannot pickle {type(obj).__name__!r} object: it belongs to a session, a "
        "Windows server process of this process. Send plain data to other processes and "
        "let each open its own session: zugbruecke.local_session(setup=...) in the worker "
        "(for example in a pool's initializer), zugbruecke.dask.SessionPlugin on Dask, "
        "zugbruecke.ray.actor_pool on Ray "
        "(see docs/scale.md)"
    )


def _pipe_fds(server_pid):
    """Our file descriptors that are the other ends of the server's standard input and
    output (the transport's pipes), found through /proc."""
    try:
        theirs = {os.readlink(f"/proc/{server_pid}/fd/{fd}") for fd in (0, 1)}
        ours = os.listdir("/proc/self/fd")
    except OSError:
        return ()
    found = []
    for entry in ours:
        try:
            if os.readlink(f"/proc/self/fd/{entry}") in theirs:
                found.append(int(entry))
        except OSError:
            continue
    return tuple(found)


def track(state, server_pid):
    """Remember a session that just started in this process (see the module doc)."""
    _tracked[state] = (os.getpid(), _pipe_fds(server_pid))


def _before_fork():
    global _go_pid
    if _go_pid is None and _CORE in sys.modules:
        _go_pid = os.getpid()


def _refuse(kind, message):
    def refused(*args, **kwargs):
        raise kind(message)

    return refused


def _after_fork_in_child():
    core = sys.modules.get(_CORE)
    if core is None or _go_pid is None:
        return
    for state, (owner, fds) in list(_tracked.items()):
        if state.handle is None:
            continue
        state.handle = None
        _inherited[state] = owner
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass
    _tracked.clear()
    message = _new_session_message(_go_pid)
    for name in dir(core):
        if not name.startswith("_") and callable(getattr(core, name)):
            kind = (
                ServerError if name in ("init", "resolve_config", "start", "wine_info") else SessionTerminatedError
            )
            setattr(core, name, _refuse(kind, message))


os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
