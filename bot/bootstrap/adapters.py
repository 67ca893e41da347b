"""The adapters the configuration chooses, built once, then handed to `assemble` as ports.

`store_for` is the one place a store is chosen (a new kind of store is one more
branch there); `wolkvox_adapters` builds the Wolkvox client and the two sources that share
it (calls, and the queue/agent context); `build_runtime` puts them together with the chat
and presenter its caller brings: it is how `callbot run`, the demo, the benchmarks and the
end-to-end tests get a bot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.adapters.metrics import Metrics
from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.sqlite import SQLiteStore
from bot.adapters.store.timing import CallObserver
from bot.adapters.wolkvox.client import RequestOutcome, WolkvoxClient
from bot.adapters.wolkvox.skills_source import WolkvoxContextSource
from bot.adapters.wolkvox.source import WolkvoxCallSource
from bot.bootstrap.assembly import assemble
from bot.config.model import OperationSettings, Settings
from bot.config.request_policy import request_policy
from bot.runtime import Runtime
from bot.services.monitor import CycleReport
from bot.services.ports import Clock, Presenter
from bot.services.ports.chat import Chat
from bot.services.ports.store import Store


def store_for(settings: Settings, *, on_call: CallObserver | None = None) -> Store:
    """The store the configuration names, not opened yet: PostgreSQL when `store.url` is
    set (several replicas may share it), else the SQLite file at `store.path` (the default).
    `on_call` hears how long each store call took (the metrics)."""
    if settings.store.url is not None:
        return PostgresStore(url=settings.store.url.reveal(), on_call=on_call)
    return SQLiteStore(path=settings.store.path, on_call=on_call)


@dataclass(frozen=True, slots=True)
class WolkvoxAdapters:
    """One Wolkvox client (one request in flight per token, one daily budget) and the two
    sources that read through it."""

    client: WolkvoxClient
    calls: WolkvoxCallSource
    context: WolkvoxContextSource
    operations: dict[str, OperationSettings]

    def follow(self, settings: Settings) -> None:
        """A reloaded configuration: both sources read the operations as they now are."""
        self.calls.set_operations(settings.operations)
        self.operations.clear()
        self.operations.update((op.name, op) for op in settings.operations)


def wolkvox_adapters(
    settings: Settings,
    *,
    clock: Clock,
    speed: float = 1.0,
    on_request: Callable[[RequestOutcome], None] | None = None,
) -> WolkvoxAdapters:
    """The Wolkvox client for these operations, with the request policy they imply
    (deadlines and the token hold run on real time, so they are divided by the clock's
    `speed`)."""
    client = WolkvoxClient(
        clock=clock,
        policy=request_policy(settings, speed=speed),
        on_request=on_request,
        max_response_bytes=settings.max_response_mb * 1024 * 1024,
    )
    operations = {op.name: op for op in settings.operations}
    calls = WolkvoxCallSource(client=client, operations=settings.operations)
    context = WolkvoxContextSource(client=client, settings_of=lambda name: operations[name])
    return WolkvoxAdapters(client=client, calls=calls, context=context, operations=operations)


def build_runtime(
    settings: Settings,
    *,
    clock: Clock,
    chat: Chat,
    presenter: Presenter,
    speed: float = 1.0,
    first_poll_after: timedelta = timedelta(seconds=1),
    on_cycle: Callable[[CycleReport], None] | None = None,
    store: Store | None = None,
) -> Runtime:
    """The bot as `callbot run` builds it: the configured store (unless one is given) and
    the Wolkvox adapters, assembled with `chat` and `presenter`."""
    metrics = Metrics()
    store = store if store is not None else store_for(settings, on_call=metrics.observe_store)
    wolkvox = wolkvox_adapters(
        settings, clock=clock, speed=speed, on_request=metrics.observe_request
    )
    runtime = assemble(
        settings,
        store=store,
        source=wolkvox.calls,
        chat=chat,
        presenter=presenter,
        clock=clock,
        speed=speed,
        first_poll_after=first_poll_after,
        on_cycle=on_cycle,
        metrics=metrics,
        context_source=wolkvox.context,
        closing=[wolkvox.client.aclose],
        on_settings=[wolkvox.follow],
        changes=store.changes if isinstance(store, PostgresStore) else None,
        requests=store.requests if isinstance(store, PostgresStore) else None,
    )
    wolkvox.client.guard = runtime.leadership
    return runtime
