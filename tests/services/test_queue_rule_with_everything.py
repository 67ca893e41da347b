"""A queue rule through the real poll cycle, alert book and /calls commands (issue 15): it
fires on one queue, reads 'below' in /calls alerts and /calls rules in the reader's
language, is acknowledged and silenced like any rule, and resolves once the queue
recovers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.store.memory import MemoryStore
from bot.bootstrap import calls_frontend
from bot.domain.alerts import Alert, AlertState
from bot.domain.queues import QueueSnapshot, QueueStat
from bot.domain.specs import Severity
from bot.services.authorization import AllowAll
from bot.services.context import ContextService
from bot.services.queue_polling import QueuePolling
from tests.support.config import make_settings, operation
from tests.support.frontend_world import T0, text_of, typed
from tests.support.world import assembled

from .fakes import FakeContext, FakeSource, FixedBudget


class Queues(FakeContext):
    """Two queues; Ventas answers `level` % within 20 s."""

    level: float = 92.0

    async def queues(self, operation: str, now: datetime) -> QueueSnapshot:
        self.queues_asked.append(operation)
        rows = (
            QueueStat("1", "Ventas", waiting=9, inbound=60, service_level=self.level),
            QueueStat("2", "Soporte", waiting=0, inbound=30, service_level=95.0),
        )
        return QueueSnapshot(at=now, queues=rows)


class World:
    def __init__(self, language: str) -> None:
        settings = make_settings(
            defaults=True,
            language=language,
            operations=[operation(poll_every="5m", opt_in=["service-level"])],
            source="t.yml",
        )
        self.clock = ManualClock(T0)
        self.store = MemoryStore()
        self.source = FakeSource()
        self.queues = Queues()
        presenter = SlackPresenter(language=language, mask_personal_data=True)
        runtime = assembled(
            settings, clock=self.clock, store=self.store, source=self.source, presenter=presenter
        )
        self.state, self.monitor = runtime.state, runtime.monitor
        context = ContextService(
            state=self.state, source=self.queues, budget=FixedBudget(), clock=self.clock
        )
        self.monitor.use_queues(
            QueuePolling(context=context, clock=self.clock, request_limit=timedelta(seconds=60))
        )
        self.service = calls_frontend(runtime, authorizer=AllowAll())

    async def polls(self, count: int) -> None:
        for _ in range(count):
            self.clock.advance(timedelta(minutes=5))
            await self.monitor.poll("bogota")

    async def ask(self, text: str) -> str:
        reply = await self.service.on_command(typed(text))
        return text_of(reply)

    def alert(self) -> Alert:
        return self.state.alerts.get("service-level", "bogota")


@pytest.mark.parametrize(
    ("language", "below"),
    [("en", "warning below 80%"), ("es", "advertencia por debajo de 80 %")],
)
async def test_the_shipped_service_level_rule_lives_like_any_other(
    language: str, below: str
) -> None:
    world = World(language)
    await world.store.open()
    await world.polls(2)
    assert world.alert().state is AlertState.INACTIVE

    world.queues.level = 62.0
    await world.polls(2)  # for: 2 snapshots below 80%
    alert = world.alert()
    assert alert.state is AlertState.FIRING and alert.severity is Severity.WARNING
    alerts = await world.ask("alerts")
    assert "service-level" in alerts and below in alerts, alerts
    assert "service-level" in await world.ask("rules")

    await world.ask("ack service-level")
    assert world.alert().acked_by == "U1"
    await world.ask("silence service-level 1h")
    assert any(s.rule == "service-level" for s in world.state.silences.active(world.clock.now()))

    world.queues.level = 83.0  # above 80% but not above recover 85%: keeps firing
    await world.polls(2)
    assert world.alert().state is AlertState.FIRING
    world.queues.level = 90.0
    await world.polls(2)
    assert world.alert().state is AlertState.RESOLVED
