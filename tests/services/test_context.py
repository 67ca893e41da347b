"""`/calls queues` and `/calls agents` over the real command service and context service;
Wolkvox's `skills`/`agents` are a hand-written fake that counts what it was asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.frontend import CallsFrontend
from bot.adapters.slack.ports import Reply
from bot.bootstrap import calls_frontend
from bot.services import command_types as ct
from bot.services.authorization import AllowAll
from bot.services.command_parser import parse_command
from bot.services.context import ContextService, Skip, polls_due_today
from bot.services.ports import SourceError
from bot.services.state import RuntimeState
from tests.support.frontend_world import T0, make_world, text_of, typed

from .fakes import FakeContext, FixedBudget


@dataclass
class Rig:
    state: RuntimeState
    clock: ManualClock
    fake: FakeContext
    budget: FixedBudget
    context: ContextService
    service: CallsFrontend

    async def ask(self, text: str) -> Reply:
        request = typed(text)
        return await self.service.on_command(request)


async def make_rig(*, language: str = "en", mask: bool = True) -> Rig:
    world = await make_world(language=language, mask=mask)
    fake, budget = FakeContext(), FixedBudget()
    context = ContextService(state=world.state, source=fake, budget=budget, clock=world.clock)
    service = calls_frontend(world.runtime, authorizer=AllowAll(), context=context)
    return Rig(world.state, world.clock, fake, budget, context, service)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("queues", ct.Queues()),
        ("colas", ct.Queues()),
        ("colas bogota public", ct.Queues(operation="bogota", public=True)),
        ("agents", ct.Agents()),
        ("agentes bogota", ct.Agents(operation="bogota")),
    ],
)
def test_queues_and_agents_parse_in_english_and_spanish(text: str, expected: ct.Command) -> None:
    assert parse_command(text) == expected


def test_an_extra_word_after_the_operation_is_a_usage_message() -> None:
    assert isinstance(parse_command("colas bogota ayer"), ct.Usage)


async def test_queues_show_the_trouble_first_escaped_with_the_age_and_five_at_most() -> None:
    rig = await make_rig()
    shown = text_of(await rig.ask("queues"))
    assert rig.fake.queues_asked == ["bogota"]
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    lines = [line for line in shown.splitlines() if "waiting" in line]
    assert "waiting 14" in lines[0] and "abandon 31.0%" in lines[0] and "41.0%" in lines[0]
    assert len(lines) == 8, "a reply lists every queue (up to 25), the trouble first"
    assert "Servicio al cliente" in lines[1], "then the queue with people waiting"
    assert "Wolkvox data from 0 s ago" in shown


async def test_a_young_snapshot_is_answered_without_asking_wolkvox_and_says_its_age() -> None:
    rig = await make_rig()
    await rig.ask("queues")
    rig.clock.advance(timedelta(minutes=3))
    shown = text_of(await rig.ask("queues"))
    assert rig.fake.queues_asked == ["bogota"]
    assert "from 3 min ago" in shown
    rig.clock.advance(timedelta(minutes=2))
    await rig.ask("queues")
    assert rig.fake.queues_asked == ["bogota", "bogota"]


async def test_at_the_budget_reserve_nothing_is_fetched_and_the_reply_says_so() -> None:
    rig = await make_rig()
    await rig.ask("queues")
    rig.clock.advance(timedelta(minutes=10))
    due = polls_due_today(rig.clock.now(), poll_every=timedelta(minutes=5),
                          tz=rig.state.operation("bogota").tz)  # fmt: skip
    rig.budget.used = rig.budget.limit - due
    shown = text_of(await rig.ask("queues"))
    assert rig.fake.queues_asked == ["bogota"]
    assert "no queue detail: budget reserve reached" in shown
    assert "from 10 min ago" in shown, "the latest snapshot is still shown, with its age"
    rig.budget.used -= 1
    await rig.ask("queues")
    assert rig.fake.queues_asked == ["bogota", "bogota"]


async def test_a_failed_refresh_keeps_the_latest_snapshot_and_shows_the_error() -> None:
    rig = await make_rig(language="es")
    await rig.ask("colas")
    rig.clock.advance(timedelta(minutes=6))
    rig.fake.fail = SourceError("Wolkvox <b>no</b> respondió", kind="timeout", transient=True)
    reading = await rig.context.queues("bogota")
    assert reading.skipped is Skip.FAILED and reading.snapshot is not None
    shown = text_of(await rig.ask("colas"))
    assert "sin detalle reciente de colas" in shown and "&lt;b&gt;no&lt;/b&gt;" in shown
    assert "en espera 14" in shown and "abandono 31,0 %" in shown


async def test_a_stopped_operation_is_not_asked() -> None:
    rig = await make_rig()
    rig.state.operation("bogota").record_poll(stopped="token refused")
    shown = text_of(await rig.ask("agents"))
    assert rig.fake.agents_asked == []
    assert "no agent detail: polling is stopped" in shown and "No agent data yet" in shown


async def test_agents_are_counted_by_state_and_names_stay_out_of_channels() -> None:
    rig = await make_rig(language="es")
    shown = text_of(await rig.ask("agentes"))
    assert (
        "disponibles 1 · en llamada 2 · en poscontacto 1 · en auxiliar/pausa 3 · conectados 7"
        in shown
    )
    assert "en pausa: Almuerzo 2, Break 1" in shown
    assert "Secreto" not in shown


async def test_agent_names_are_listed_when_masking_is_off() -> None:
    rig = await make_rig(mask=False)
    shown = text_of(await rig.ask("agents"))
    assert "Agente Secreto 0: Ready (1 min)" in shown
    assert "Agente Secreto 7" not in shown, "logged-out agents are not listed"


async def test_the_home_tab_shows_the_latest_queues_without_asking_wolkvox() -> None:
    rig = await make_rig()
    home = await rig.service.home_view("U1")
    assert rig.fake.queues_asked == []
    assert "Queues of" not in str(home)
    await rig.ask("queues")
    home = await rig.service.home_view("U1")
    assert rig.fake.queues_asked == ["bogota"]
    assert "Queues of bogota" in str(home) and "&lt;!channel&gt;" in str(home)
    assert "more" in str(home), "more than five queues end in 'and N more'"


async def test_help_lists_queues_and_agents() -> None:
    rig = await make_rig(language="es")
    shown = text_of(await rig.ask("ayuda"))
    assert "/calls colas" in shown and "/calls agentes" in shown


def test_polls_due_today_counts_the_periods_left_before_local_midnight() -> None:
    bogota = ZoneInfo("America/Bogota")
    assert polls_due_today(T0, poll_every=timedelta(minutes=5), tz=bogota) == 14 * 12
    late = T0 + timedelta(hours=13, minutes=58)  # 23:58 in Bogota
    assert polls_due_today(late, poll_every=timedelta(minutes=5), tz=bogota) == 1
