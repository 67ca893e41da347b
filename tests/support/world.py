"""The bot assembled around fakes, exactly as `callbot run` assembles it around adapters.

`assembled` calls `bot.bootstrap.assemble` with a memory store, a `FakeSource`, a
`FakeChat` and a `TextPresenter` unless the test brings its own: the monitor, controls,
drainer, scheduler, metrics and health a test reaches through the returned `Runtime` are
the ones the running bot has, wired the same way. Nothing runs until the test says so
(`runtime.open()` restores from the store without starting the scheduler or the drainer).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.adapters.clock import ManualClock
from bot.adapters.store.memory import MemoryStore
from bot.bootstrap import assemble
from bot.config.model import Settings
from bot.runtime import Runtime
from bot.services.context import ContextSource
from bot.services.monitor import CycleReport
from bot.services.ports import CallSource, Clock, Presenter
from bot.services.ports.chat import Chat
from bot.services.ports.store import Store
from tests.services.fakes import FakeChat, FakeSource, TextPresenter

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
"""A Tuesday, 10:00 in Bogota: inside every shipped rule's active hours."""


def assembled(
    settings: Settings,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
    source: CallSource | None = None,
    chat: Chat | None = None,
    presenter: Presenter | None = None,
    on_cycle: Callable[[CycleReport], None] | None = None,
    context_source: ContextSource | None = None,
) -> Runtime:
    """The runtime `assemble` builds from these ports (fakes for those not given)."""
    return assemble(
        settings,
        store=store if store is not None else MemoryStore(),
        source=source if source is not None else FakeSource(),
        chat=chat if chat is not None else FakeChat(),
        presenter=presenter if presenter is not None else TextPresenter(),
        clock=clock if clock is not None else ManualClock(T0),
        on_cycle=on_cycle,
        context_source=context_source,
    )
