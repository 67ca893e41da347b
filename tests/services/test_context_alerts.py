"""Queue and agent context on the living message of a firing alert on inbound calls.

The real monitor, alert book, notifications, Slack presenter and memory store;
Wolkvox's calls are a queue of records and its skills/agents a counting fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.store.memory import MemoryStore
from bot.bootstrap import CycleHooks
from bot.domain.calls import CallRecord
from bot.domain.specs import CallFilter, RuleKind, RuleSpec
from bot.services.context import ContextService, polls_due_today
from bot.services.context_alerts import AlertContextRefresher, wants_context
from bot.services.monitor import Monitor
from bot.services.ports.store import ActionCommit
from bot.services.state import RuntimeState
from tests.support.config import make_settings, operation
from tests.support.frontend_world import RULES, T0, mix
from tests.support.world import assembled

from .fakes import Batch, FakeContext, FakeSource, FixedBudget


@dataclass
class Rig:
    state: RuntimeState
    clock: ManualClock
    source: FakeSource
    fake: FakeContext
    budget: FixedBudget
    store: MemoryStore
    monitor: Monitor
    refresher: AlertContextRefresher

    async def poll(self, records: list[CallRecord]) -> None:
        self.source.queue("bogota", Batch(records=records))
        await self.monitor.poll("bogota")
        await self.refresher.wait()

    async def updates(self) -> list[str]:
        rows = await self.store.due_outbox(self.clock.now() + timedelta(days=1), 1000)
        return [str(r.payload) for r in rows if r.action == "update"]


async def make_rig(
    *,
    language: str = "en",
    context: list[str] | None = None,
    request_limit: timedelta = timedelta(seconds=60),
) -> Rig:
    more = {} if context is None else {"context": context}
    config = make_settings(
        operations=[operation(poll_every="5m", **more)], rules=RULES, language=language
    )
    clock = ManualClock(T0)
    store = MemoryStore()
    await store.open()
    source, fake, budget = FakeSource(), FakeContext(), FixedBudget()
    presenter = SlackPresenter(language=language, mask_personal_data=True)
    hooks = CycleHooks()
    runtime = assembled(
        config, clock=clock, store=store, source=source, presenter=presenter, on_cycle=hooks
    )
    state, monitor = runtime.state, runtime.monitor
    service = ContextService(state=state, source=fake, budget=budget, clock=clock)
    refresher = AlertContextRefresher(
        state=state, context=service, store=store, presenter=presenter, clock=clock,
        request_limit=request_limit,
    )  # fmt: skip
    presenter.use_context(refresher.alert_context)
    hooks.hooks.append(refresher.after_cycle)
    return Rig(state, clock, source, fake, budget, store, monitor, refresher)


async def test_a_fired_alert_is_edited_to_show_the_queues_that_explain_it_and_the_agents() -> None:
    rig = await make_rig()
    await rig.poll(mix(rig.clock.now(), abandons=8))
    assert rig.fake.queues_asked == ["bogota"] and rig.fake.agents_asked == ["bogota"]
    [edit, *_] = await rig.updates()
    assert "waiting 14 · abandon 31.0% · service level (20 s) 41.0%" in edit
    assert "&lt;!channel&gt;" in edit and "<!channel>" not in edit
    assert "and 3 more" in edit, "five queues at most, then how many more"
    assert edit.index("&lt;!channel&gt;") < edit.index("Servicio al cliente")
    assert "ready 1 · talking 2 · after-call work 1 · auxiliary/paused 3 · logged in 7" in edit
    assert "Secreto" not in edit


async def test_the_context_edit_is_committed_under_its_operations_lease() -> None:
    """The edit stores only outbox rows; it names its operation so that a store holding
    leases fences it (an old holder cannot queue an edit after a takeover)."""
    rig = await make_rig()
    committed: list[ActionCommit] = []
    commit_action = rig.store.commit_action

    async def recording(commit: ActionCommit) -> list[int]:
        committed.append(commit)
        return await commit_action(commit)

    rig.store.commit_action = recording  # type: ignore[method-assign]
    await rig.poll(mix(rig.clock.now(), abandons=8))
    [edit] = [c for c in committed if c.outbox and not c.alerts]
    assert tuple(edit.under) == ("bogota",)


async def test_while_it_fires_context_is_fetched_at_most_once_per_context_every() -> None:
    rig = await make_rig()
    await rig.poll(mix(rig.clock.now(), abandons=8))
    for _ in range(2):
        rig.clock.advance(timedelta(minutes=2))
        await rig.poll(mix(rig.clock.now(), abandons=8, tag=str(rig.clock.now().minute)))
    assert rig.fake.queues_asked == ["bogota"]
    rig.clock.advance(timedelta(minutes=2))
    await rig.poll(mix(rig.clock.now(), abandons=8, tag="late"))
    assert rig.fake.queues_asked == ["bogota", "bogota"]


async def test_at_the_reserve_the_message_says_there_is_no_queue_detail() -> None:
    rig = await make_rig(language="es")
    due = polls_due_today(rig.clock.now(), poll_every=timedelta(minutes=5),
                          tz=rig.state.operation("bogota").tz)  # fmt: skip
    rig.budget.used = rig.budget.limit - due
    await rig.poll(mix(rig.clock.now(), abandons=8))
    assert rig.fake.queues_asked == []
    [edit, *_] = await rig.updates()
    assert "sin detalle de colas: se alcanzó la reserva del presupuesto" in edit
    assert "sin detalle de agentes: se alcanzó la reserva del presupuesto" in edit


async def test_an_operation_can_ask_for_queues_only_or_nothing() -> None:
    rig = await make_rig(context=["queues"])
    await rig.poll(mix(rig.clock.now(), abandons=8))
    assert rig.fake.queues_asked == ["bogota"] and rig.fake.agents_asked == []
    none = await make_rig(context=[])
    await none.poll(mix(none.clock.now(), abandons=8))
    assert none.fake.queues_asked == [] and none.fake.agents_asked == []


async def test_no_request_starts_that_could_outlast_the_time_before_the_next_poll() -> None:
    rig = await make_rig(request_limit=timedelta(minutes=5, seconds=1))
    await rig.poll(mix(rig.clock.now(), abandons=8))
    assert rig.fake.queues_asked == [] and rig.fake.agents_asked == []
    assert not any("Queues" in edit for edit in await rig.updates())


async def test_no_alert_no_fetch() -> None:
    rig = await make_rig()
    await rig.poll(mix(rig.clock.now(), abandons=0))
    assert rig.fake.queues_asked == [] and await rig.updates() == []


@pytest.mark.parametrize(
    ("spec", "wanted"),
    [
        (RuleSpec("a", RuleKind.COUNT, match=CallFilter(results=frozenset({"abandon"}))), True),
        (RuleSpec("b", RuleKind.RATE, among=CallFilter(types=frozenset({"inbound"}))), True),
        (RuleSpec("c", RuleKind.FLATLINE, match=CallFilter(types=frozenset({"inbound"}))), True),
        (RuleSpec("d", RuleKind.RATE, among=CallFilter(types=frozenset({"out_pre"}))), False),
        (RuleSpec("e", RuleKind.COUNT), False),
        (RuleSpec("f", RuleKind.QUEUE), True),
    ],
)
def test_context_is_for_rules_on_inbound_calls(spec: RuleSpec, wanted: bool) -> None:
    assert wants_context(spec) is wanted
