"""A bot that restarts answers `/calls queues` and `/calls agents` from the snapshots it kept
in its store (issue 14), as the running bot would have: with their age, without asking
Wolkvox while they are young enough; and a queue snapshot read back is not judged twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.frontend import CallsFrontend
from bot.adapters.slack.ports import Reply
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.store.sqlite import SQLiteStore
from bot.bootstrap import CycleHooks, calls_frontend, wire_context
from bot.config.model import Settings
from bot.runtime import Runtime
from bot.services.authorization import AllowAll
from bot.services.queue_polling import QueuePolling
from tests.support.config import make_settings, operation
from tests.support.frontend_world import RULES, text_of, typed
from tests.support.world import T0, assembled

from .fakes import FakeContext


@dataclass
class Bot:
    runtime: Runtime
    frontend: CallsFrontend
    context: FakeContext
    store: SQLiteStore

    async def ask(self, text: str) -> Reply:
        request = typed(text)
        return await self.frontend.on_command(request)


async def started(settings: Settings, path: Path, clock: ManualClock) -> Bot:
    """The bot as `callbot run` wires it around a SQLite file, opened (restored) and not
    polling: the test asks it."""
    store, fake = SQLiteStore(path=path), FakeContext()
    presenter = SlackPresenter(
        language=settings.language.value, mask_personal_data=settings.mask_personal_data
    )
    hooks = CycleHooks()
    runtime = assembled(
        settings,
        clock=clock,
        store=store,
        presenter=presenter,
        on_cycle=hooks,
        context_source=fake,
    )
    context, _ = wire_context(runtime, presenter, hooks, request_limit=timedelta(seconds=10))
    await runtime.open()
    return Bot(
        runtime, calls_frontend(runtime, authorizer=AllowAll(), context=context), fake, store
    )


@pytest.mark.parametrize("mask", [True, False])
async def test_a_restarted_bot_answers_from_the_snapshots_it_kept(
    tmp_path: Path, mask: bool
) -> None:
    settings = make_settings(
        operations=[operation("bogota", poll_every="5m")], rules=RULES, mask_personal_data=mask
    )
    clock = ManualClock(T0)
    path = tmp_path / "callbot.sqlite3"
    first = await started(settings, path, clock)
    before = (text_of(await first.ask("queues")), text_of(await first.ask("agents")))
    await first.runtime.close_quietly()

    clock.advance(timedelta(minutes=2))
    again = await started(settings, path, clock)
    try:
        queues, agents = text_of(await again.ask("queues")), text_of(await again.ask("agents"))
        stored = (await again.store.load_context("bogota"))["bogota"]
    finally:
        await again.runtime.close_quietly()
    assert again.context.queues_asked == [] and again.context.agents_asked == []
    assert "Wolkvox data from 2 min ago (10:00)" in queues
    assert [line for line in queues.splitlines() if "waiting" in line] == [
        line for line in before[0].splitlines() if "waiting" in line
    ]
    assert "Wolkvox data from 2 min ago (10:00)" in agents and "ready 1" in agents
    assert stored.agents is not None
    names = {agent.name for agent in stored.agents.agents}
    # Agent names are personal data: kept only where they are shown (masking off).
    assert names == ({""} if mask else {f"Agente Secreto {i}" for i in range(8)})
    assert ("Agente Secreto 0" in agents) is (not mask)
    assert ("Agente Secreto 0" in before[1]) is (not mask)


async def test_a_queue_snapshot_read_back_was_judged_by_whoever_stored_it(tmp_path: Path) -> None:
    queue_rule = {"name": "waiting", "kind": "queue", "metric": "waiting", "warning": 10}
    settings = make_settings(operations=[operation("bogota", poll_every="5m")], rules=[queue_rule])
    clock = ManualClock(T0)
    path = tmp_path / "callbot.sqlite3"
    first = await started(settings, path, clock)
    await first.ask("queues")
    await first.runtime.close_quietly()

    again = await started(settings, path, clock)
    try:
        polling = again.runtime.monitor._queues
        assert isinstance(polling, QueuePolling)
        judged = polling.for_cycle(again.runtime.state.operations["bogota"], clock.now())
    finally:
        await again.runtime.close_quietly()
    assert judged is not None and judged.snapshot is not None and not judged.judge
