"""Whole poll cycles as tables: what each poll decides, notifies and stores.

`plan_cycle` is pure, so a cycle is a row: the poll's answer in, the decisions, the
outbox actions and the store's commit out. Each case runs its rows in order, swapping
each plan in as the monitor does once the store has it (the way Alertmanager tests its
notification decisions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.alerts import Reason
from bot.domain.calls import CallRecord
from bot.domain.day_budget import DayBudget
from bot.domain.silences import Silence, SilenceBook
from bot.services.cycle import CyclePlan, Polled, plan_cycle, swap_in
from bot.services.ports import SourceError
from bot.services.state import RuntimeState
from bot.settings import parse_settings
from tests.support.config import config_text, rule

from .fakes import Batch, TextPresenter

CONFIG = config_text(
    rules=[rule(match={"result": ["abandon"]}, window="3m", warning=5, critical=20, **{"for": 2})]
)
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
ABANDONS, UNAVAILABLE = "abandons", "wolkvox-unavailable"
FAILED = -1
"""A poll that Wolkvox answers with HTTP 503."""


@dataclass(frozen=True)
class Row:
    """One poll a minute after the previous one: `abandons` new abandoned calls (and two
    answered ones), or FAILED; then what the cycle decides and stores."""

    abandons: int
    decides: dict[str, str]
    """rule -> "state/reason" of every decision that is not `none`."""
    sends: Sequence[str] = ()
    """"rule action" of each outbox row, in order."""
    stores: Sequence[str] = ()
    """"rule state" of each alert the commit upserts."""
    records: Sequence[str] = ()
    """"rule opened|ended" of each incident record the commit upserts."""


CASES = {
    "fires after two breaches, escalates, resolves once the window has emptied": [
        Row(3, {}, stores=["wolkvox-unavailable inactive", "abandons inactive"]),
        Row(3, {ABANDONS: "pending/pending"}, stores=["abandons pending"]),
        Row(
            0,
            {ABANDONS: "firing/first"},
            sends=["abandons post"],
            stores=["abandons firing"],
            records=["abandons opened"],
        ),
        Row(
            20,
            {ABANDONS: "firing/escalated"},
            sends=["abandons update", "abandons thread"],
            stores=["abandons firing"],
            records=["abandons opened"],
        ),
        # The three abandons of the second poll leave the window: the message follows.
        Row(0, {ABANDONS: "firing/updated"}, sends=["abandons update"], stores=["abandons firing"]),
        Row(0, {}, stores=["abandons firing"]),
        Row(0, {ABANDONS: "firing/updated"}, sends=["abandons update"], stores=["abandons firing"]),
        Row(
            0,
            {ABANDONS: "resolved/resolved"},
            sends=["abandons update", "abandons thread"],
            stores=["abandons resolved"],
            records=["abandons ended"],
        ),
        Row(0, {}),
    ],
    "Wolkvox failing holds the rules and fires its own alert; a success resolves it": [
        Row(3, {}, stores=["wolkvox-unavailable inactive", "abandons inactive"]),
        Row(FAILED, {ABANDONS: "inactive/held"}, stores=["wolkvox-unavailable inactive"]),
        Row(FAILED, {ABANDONS: "inactive/held"}, stores=["wolkvox-unavailable inactive"]),
        Row(
            FAILED,
            {UNAVAILABLE: "firing/first", ABANDONS: "inactive/held"},
            sends=["wolkvox-unavailable post"],
            stores=["wolkvox-unavailable firing"],
            records=["wolkvox-unavailable opened"],
        ),
        Row(
            0,
            {UNAVAILABLE: "resolved/resolved"},
            sends=["wolkvox-unavailable update", "wolkvox-unavailable thread"],
            stores=["wolkvox-unavailable resolved", "abandons inactive"],
            records=["wolkvox-unavailable ended"],
        ),
        Row(0, {}, stores=["abandons inactive"]),
    ],
    "silenced for five minutes: the incident is recorded, nothing is posted": [
        Row(
            6,
            {ABANDONS: "pending/pending"},
            stores=["wolkvox-unavailable inactive", "abandons pending"],
        ),
        Row(
            0,
            {ABANDONS: "firing/silenced"},
            stores=["abandons firing"],
            records=["abandons opened"],
        ),
        Row(0, {ABANDONS: "firing/silenced"}, stores=["abandons firing"]),
        Row(0, {ABANDONS: "firing/silenced"}, stores=["abandons firing"]),
        Row(
            0,
            {ABANDONS: "resolved/resolved_silenced"},
            stores=["abandons resolved"],
            records=["abandons ended"],
        ),
    ],
}
SILENCED = {"silenced for five minutes: the incident is recorded, nothing is posted"}


class World:
    """One operation's runtime state and the polls that feed it, a minute apart."""

    def __init__(self, *, silenced_for: timedelta | None = None) -> None:
        settings = parse_settings(CONFIG, source="test.yml", env={})
        self.state = RuntimeState.from_settings(settings)
        if silenced_for is not None:
            silence = Silence("s1", ABANDONS, "bogota", T0, T0 + silenced_for, created_by="U1")
            self.state.silences = SilenceBook((silence,))
        self.now = T0
        self.polls = 0

    def polled(self, abandons: int) -> Polled:
        second = timedelta(seconds=1)
        if abandons == FAILED:
            return Polled(None, SourceError("HTTP 503", kind="http_503", transient=True), second)
        at = self.now - timedelta(seconds=30)
        results = ["abandon"] * abandons + ["answer"] * 2
        records = [
            CallRecord(conn_id=f"{self.polls}.{i}", at=at, call_type="inbound", result=result)
            for i, result in enumerate(results)
        ]
        return Polled(Batch(records), None, second)

    def plan(self, abandons: int) -> CyclePlan:
        self.now += timedelta(minutes=1)
        self.polls += 1
        op = self.state.operation("bogota")
        return plan_cycle(
            self.state,
            op,
            self.polled(abandons),
            now=self.now,
            budget=DayBudget(date(2026, 11, 24), self.polls, 8000),
            presenter=TextPresenter(),
        )

    def swap(self, plan: CyclePlan) -> None:
        swap_in(self.state, self.state.operation("bogota"), plan)


def outcome(plan: CyclePlan) -> Row:
    """The plan read back as a row of the table."""
    incident_rule = {d.alert.incident_id: d.alert.rule for d in plan.decisions}
    return Row(
        abandons=0,
        decides={
            d.alert.rule: f"{d.alert.state.value}/{d.reason.value}"
            for d in plan.decisions
            if d.reason is not Reason.NONE
        },
        sends=[f"{incident_rule[r.incident_id]} {r.action.value}" for r in plan.commit.outbox],
        stores=[f"{a.rule} {a.state.value}" for a in plan.commit.alerts],
        records=[f"{i.rule} {'ended' if i.ended_at else 'opened'}" for i in plan.commit.incidents],
    )


@pytest.mark.parametrize(("case", "rows"), CASES.items(), ids=CASES.keys())
def test_a_poll_cycle_decides_notifies_and_stores(case: str, rows: list[Row]) -> None:
    world = World(silenced_for=timedelta(minutes=5) if case in SILENCED else None)
    for n, row in enumerate(rows, start=1):
        plan = world.plan(row.abandons)
        expected = replace(
            row,
            abandons=0,
            sends=list(row.sends),
            stores=list(row.stores),
            records=list(row.records),
        )
        assert outcome(plan) == expected, f"poll {n}"
        world.swap(plan)


def test_a_plan_that_is_not_committed_changes_nothing_and_is_planned_again_the_same() -> None:
    world = World()
    world.swap(world.plan(6))
    world.swap(world.plan(0))
    before = (world.state.alerts, world.state.operation("bogota").poll, world.state.digests)

    first = world.plan(20)
    world.now -= timedelta(minutes=1)
    world.polls -= 1
    again = world.plan(20)

    assert (world.state.alerts, world.state.operation("bogota").poll) == before[:2]
    assert world.state.digests == before[2]
    assert outcome(first) == outcome(again)
    assert first.commit == again.commit
