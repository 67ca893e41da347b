"""How long each store call takes, told to whoever watches (the metrics).

A store call is the bot's one wait on the database: a poll cycle's commit, a button's
acknowledgement, `/calls history`, the drainer's claims. With several replicas sharing
PostgreSQL its latency is what an operator looks at first when replies or deliveries slow
down, so each PostgreSQL and SQLite call reports its name, its duration and whether it failed.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

CallObserver = Callable[[str, float, bool], None]
"""(call, seconds, failed): a store method's name, how long it took, whether it raised."""

P = ParamSpec("P")
R = TypeVar("R")


class Observed(Protocol):
    """A store that reports its calls (None: nobody watches)."""

    on_call: CallObserver | None


S = TypeVar("S", bound=Observed)


def timed(
    method: Callable[Concatenate[S, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """Report each call of an async store method to the store's `on_call`."""
    name = method.__name__

    async def call(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        failed = True
        try:
            result = await method(self, *args, **kwargs)
            failed = False
            return result
        finally:
            observe = self.on_call
            if observe is not None:
                observe(name, time.perf_counter() - started, failed)

    functools.update_wrapper(call, method)
    return call
