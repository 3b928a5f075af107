"""Sessions on Dask workers: ``SessionPlugin`` and ``get_session`` (docs/scale.md).

Needs ``distributed`` (``pip install zugbruecke[dask]``)::

    client.register_plugin(SessionPlugin(setup=setup, arch="win64"))

    def task(inputs):
        session = get_session()
        routine = session.zb_setup_result
        return [routine(x) for x in inputs]

Each worker process gets one session (``zugbruecke.local_session``): the plugin starts it
and runs ``setup`` on a thread, off the worker's event loop (creating a Wine prefix takes
seconds). If that fails, every task's ``get_session`` raises the real error. A session
whose server died is replaced (and set up again) at the next ``get_session``. Teardown
terminates it. Workers must not be forked from a process that loaded zugbruecke's core
(distributed starts worker processes with ``spawn`` by default).
"""

import asyncio

from distributed import WorkerPlugin, get_worker

from ._local import local_session

__all__ = ["SessionPlugin", "get_session"]


class SessionPlugin(WorkerPlugin):
    """A worker plugin that gives the worker a zugbruecke session.

    ``setup(session)`` runs once per session (load DLLs, set prototypes); its result is
    ``session.zb_setup_result``. ``session_kwargs`` are CtypesSession's keyword arguments
    (configuration values). Register it with ``client.register_plugin(plugin)``; tasks
    call ``get_session(name)``.
    """

    def __init__(self, name="zugbruecke", setup=None, **session_kwargs):
        self.name = name
        self.setup_function = setup
        self.session_kwargs = session_kwargs
        self._error = None  # (exception, traceback) of a failed start on this worker
        self._session = None

    def __getstate__(self):
        # Only the recipe travels to the workers, never a session or an error.
        return {"name": self.name, "setup_function": self.setup_function, "session_kwargs": self.session_kwargs}

    def __setstate__(self, state):
        self.__init__(state["name"], state["setup_function"], **state["session_kwargs"])

    def _start(self):
        try:
            self._session = local_session(self.setup_function, **self.session_kwargs)
        except Exception as e:
            self._error = (e, e.__traceback__)

    async def setup(self, worker):  # type: ignore[override]
        await asyncio.get_running_loop().run_in_executor(None, self._start)

    def teardown(self, worker):
        session, self._session = self._session, None
        if session is not None:
            session.zb_terminate()

    def session(self):
        """The worker's session: the one started at setup, or a new one if its server died
        (see local_session); the start error, if the start failed."""
        if self._error is not None:
            error, traceback = self._error
            raise error.with_traceback(traceback)
        self._session = local_session(self.setup_function, **self.session_kwargs)
        return self._session


def get_session(name="zugbruecke"):
    """The session of the SessionPlugin called name on the worker running this task."""
    worker = get_worker()
    plugin = worker.plugins.get(name)
    if not isinstance(plugin, SessionPlugin):
        raise LookupError(
            f"zugbruecke: no SessionPlugin named {name!r} on worker {worker.address}; "
            "register one first: client.register_plugin(zugbruecke.dask.SessionPlugin(...))"
        )
    return plugin.session()
