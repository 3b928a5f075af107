"""Sessions on Ray: ``SessionActor`` and ``actor_pool`` (docs/scale.md).

Needs Ray (``pip install zugbruecke[ray]``)::

    pool = actor_pool(2, setup=setup, arch="win64")
    results = list(pool.map(lambda actor, batch: actor.run.remote(work, batch), batches))

    def work(session, batch):  # runs in the actor, on its session
        routine = session.zb_setup_result
        return [routine(x) for x in batch]

Each actor process owns one session (``zugbruecke.local_session``), started and set up
when the actor is created; ``run(func, *args)`` calls ``func(session, *args)`` there. A
session whose server died is replaced (and set up again) at the next ``run``; an actor
whose process died is restarted by Ray and its task retried (``max_restarts``,
``max_task_retries``). Ray starts actor processes fresh, never forked from the driver.
"""

import ray
from ray.util import ActorPool

from ._local import local_session

__all__ = ["SessionActor", "actor_pool"]


class _SessionActor:
    """An actor owning this process's session for session_kwargs, set up with setup."""

    def __init__(self, setup=None, **session_kwargs):
        self._setup = setup
        self._session_kwargs = session_kwargs
        local_session(setup, **session_kwargs)  # a start failure fails the actor with the real error

    def session_id(self):
        """The id of the actor's current session."""
        return local_session(self._setup, **self._session_kwargs).zb_id

    def run(self, func, *args, **kwargs):
        """func(session, *args, **kwargs) on the actor's session; its result."""
        return func(local_session(self._setup, **self._session_kwargs), *args, **kwargs)


SessionActor = ray.remote(_SessionActor)


def actor_pool(n, setup=None, max_restarts=3, max_task_retries=3, **session_kwargs):
    """A ``ray.util.ActorPool`` of n SessionActors with their sessions for
    session_kwargs; an actor whose process dies is restarted up to max_restarts times,
    and its task retried up to max_task_retries times."""
    options = SessionActor.options(max_restarts=max_restarts, max_task_retries=max_task_retries)
    return ActorPool([options.remote(setup, **session_kwargs) for _ in range(n)])
