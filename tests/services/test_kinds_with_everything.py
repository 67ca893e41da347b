"""The budget kind through the real poll cycle, alert book and /calls commands (issue 16):
it fires, shows its day in /calls status in the reader's language, is acknowledged and
silenced like any rule, and resolves once the burning stops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.slack.text import TIMES
from bot.adapters.store.memory import MemoryStore
from bot.bootstrap import calls_frontend
from bot.domain.alerts import AlertState
from bot.domain.calls import CallRecord
from bot.domain.specs import Severity
from bot.services.authorization import AllowAll
from bot.settings import parse_settings
from tests.support.config import config_text, operation, rule
from tests.support.frontend_world import text_of, typed
from tests.support.world import assembled

from .fakes import Batch, FakeSource


def config(language: str) -> str:
    budget = rule(
        "abandon-budget",
        kind="budget",
        match={"result": ["abandon"]},
        among={"type": ["inbound"]},
        objective="5%",
        active="mon-fri 08:00-18:00",
    )
    return config_text(operations=[operation(poll_every="5m")], rules=[budget], language=language)


OPENING = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # Tuesday 08:00 in Bogota
_seq = iter(range(10**6))


def five_minutes(now: datetime, abandons: int) -> list[CallRecord]:
    """40 inbound calls over the 5 minutes before `now`, `abandons` of them abandoned."""
    return [
        CallRecord(
            f"c{next(_seq)}",
            now - timedelta(seconds=5 + 7 * i),
            "inbound",
            "abandon" if i < abandons else "answer",
        )
        for i in range(40)
    ]


class World:
    def __init__(self, language: str) -> None:
        settings = parse_settings(config(language), source="t.yml", env={})
        self.clock = ManualClock(OPENING)
        self.store = MemoryStore()
        self.source = FakeSource()
        runtime = assembled(
            settings,
            clock=self.clock,
            store=self.store,
            source=self.source,
            presenter=SlackPresenter(language=language, mask_personal_data=True),
        )
        self.state, self.monitor = runtime.state, runtime.monitor
        self.service = calls_frontend(runtime, authorizer=AllowAll())

    async def hour(self, abandons: int) -> None:
        for _ in range(12):
            self.clock.advance(timedelta(minutes=5))
            self.source.queue("bogota", Batch(records=five_minutes(self.clock.now(), abandons)))
            await self.monitor.poll("bogota")

    async def ask(self, text: str) -> str:
        reply = await self.service.on_command(typed(text))
        return text_of(reply)

    def alert(self) -> object:
        return next(a for a in self.state.alerts if a.rule == "abandon-budget")


@pytest.mark.parametrize(
    ("language", "calm", "burning"),
    [
        ("en", "today 2.5% abandoned of 480 calls (target 5%)", "budget spent by"),
        ("es", "hoy 2,5 % abandonadas de 480 llamadas (objetivo 5 %)", "presupuesto agotado hacia"),
    ],
)
async def test_a_budget_rule_lives_like_any_other(language: str, calm: str, burning: str) -> None:
    world = World(language)
    await world.store.open()
    await world.hour(abandons=1)  # 2.5%: half the target
    status = await world.ask("status")
    assert f"abandon-budget: {calm}" in status, status
    assert not any(a.firing for a in world.state.alerts)

    await world.hour(abandons=12)  # 30% for an hour: the fast tier burns
    alert = world.alert()
    assert alert.state is AlertState.FIRING and alert.severity is Severity.CRITICAL  # type: ignore[attr-defined]
    assert burning in await world.ask("status")
    alerts = await world.ask("alerts")
    assert "abandon-budget" in alerts and f"{TIMES}2" in alerts
    assert "bound" not in alerts and "inferior" not in alerts  # the burn already is the bound
    assert "abandon-budget" in await world.ask("rules")

    await world.ask("ack abandon-budget")
    assert world.alert().acked_by == "U1"  # type: ignore[attr-defined]
    await world.ask("silence abandon-budget 1h")
    assert any(s.rule == "abandon-budget" for s in world.state.silences.active(world.clock.now()))

    await world.hour(abandons=0)  # the burning stopped: the short windows stop the page
    assert world.alert().state is AlertState.RESOLVED  # type: ignore[attr-defined]
