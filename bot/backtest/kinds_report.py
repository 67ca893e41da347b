"""Do the `budget` and `expected` kinds earn their place? Backtest them side by side with
the shipped rules, and print the README's table (issue 16).

    python -m bot.backtest.kinds_report

Four ordinary simulated weeks are replayed through the live poll cycle (5-minute polls)
with the two example rules of the README: neither may open an incident. Then, with those
four weeks as the bot's history, the Monday after them is replayed once per incident
scenario with 1-minute polls and the shipped rules alongside: `expected` must see the
`silence` at a busy hour in at most a third of the time the shipped `inbound-flatline`
takes, and `budget` must see the `abandon_surge` no later than the shipped
`abandon-rate`. A test (tests/backtest/test_kinds_backtest.py) replays the same and
checks the README.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.adapters.clock import ManualClock
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.store.memory import MemoryStore
from bot.adapters.wolkvox.simulator_scenarios import SCENARIOS
from bot.backtest.presenter import RecordingPresenter
from bot.backtest.sources import ReplayCalls, scenario_rows
from bot.bootstrap import assemble_replay
from bot.config.model import Settings
from bot.domain.call_log import API_WINDOW, CallLog
from bot.services.backtest import ReplayResult, replay
from bot.services.ports.store import CycleCommit, LogDelta
from bot.services.state import RuntimeState
from bot.settings import parse_settings

CONFIG = """\
slack: {default_channel: C0BACKTEST}
operations:
  - {name: simulated, server: "0001", token: backtest, licenses: 10, poll_every: 5m,
     timezone: America/Bogota}
history_days: 29
rules:
  - name: abandon-budget
    description: Abandons against the day's 5% target, paged on how fast the budget burns
    kind: budget
    match: {result: [abandon]}
    among: {type: [inbound]}
    objective: 5%
    active: mon-fri 08:00-18:00
    fast: {spend: 5%, window: 15m}
  - name: inbound-expected
    description: Far fewer inbound calls than this time of the week usually brings
    kind: expected
    match: {type: [inbound]}
    window: 3m
    chance: 0.000001
    severity: critical
"""
"""The README's example rules, on the simulator's operation, with the shipped rules."""

NEW_RULES = ("inbound-expected", "abandon-budget")
VOLUME = 3.0
"""A busy operation of the simulator (three times its traffic): about 14 inbound calls a
minute at 10:00, where a dead trunk costs the most."""
FIRST_MONDAY = "2026-10-26"
WEEKS = 4
SCENARIO_HOURS = (8, 12)
"""The scenarios play 08:00-12:00 on the Monday after the four weeks, their trouble
starting at 10:10 as in the shipped rules' table."""
COMPARE = {
    "silence": ("inbound-expected", "inbound-flatline"),
    "abandon_surge": ("abandon-budget", "abandon-rate"),
}
"""For each scenario, the new rule meant to catch it and the shipped rule it is held to."""


class _HistoryInTheLog(MemoryStore):
    """A replay keeps its history in the call log; copying weeks of per-minute buckets
    into the store every poll would only slow it down, so the store keeps the rest."""

    async def commit_cycle(self, cycle: CycleCommit) -> list[int]:
        return await super().commit_cycle(replace(cycle, log=LogDelta()))


@dataclass(frozen=True, slots=True)
class Row:
    traffic: str
    new_incidents: dict[str, int]
    detect: dict[str, int | None]
    result: ReplayResult


def settings(poll_every: timedelta = timedelta(minutes=5)) -> Settings:
    base = parse_settings(CONFIG, source="callbot backtest (issue 16)", env={})
    ops = tuple(replace(op, poll_every=poll_every) for op in base.operations)
    return replace(base, operations=ops)


async def _replay(
    config: Settings,
    scenario: str,
    start: datetime,
    end: datetime,
    anchor: datetime,
    history: CallLog | None,
) -> tuple[ReplayResult, CallLog]:
    op = config.operations[0]
    rows = scenario_rows(
        scenario=scenario,
        start=start - API_WINDOW,
        end=end,
        anchor=anchor,
        zone=op.timezone,
        token=op.name,
        volume=VOLUME,
    )
    clock = ManualClock(start)
    source = ReplayCalls(rows, zone=op.timezone, clock=clock)
    presenter = RecordingPresenter(SlackPresenter(language="en", mask_personal_data=True))
    kept: list[CallLog] = []

    def keep(_: datetime, state: RuntimeState) -> None:
        kept[:] = [state.log]

    store = _HistoryInTheLog()
    state, monitor = assemble_replay(
        config, store=store, source=source, presenter=presenter, clock=clock, history=history
    )
    result = await replay(
        state=state,
        monitor=monitor,
        operation=op.name,
        store=store,
        clock=clock,
        start=start,
        end=end,
        on_poll=keep,
    )
    return result, kept[-1]


def _copy(log: CallLog, operation: str) -> CallLog:
    copy = CallLog(retention=log.retention)
    copy.restore(operation, log.export(operation))
    return copy


def _first(result: ReplayResult, rule: str, began: datetime) -> int | None:
    times = [i.fired_at for i in result.incidents if i.rule == rule and i.fired_at >= began]
    return None if not times else int((min(times) - began).total_seconds() // 60)


async def kinds_rows() -> list[Row]:
    """The ordinary weeks, then each incident scenario on the Monday after them."""
    weekly = settings()
    only_new = replace(weekly, rules=tuple(r for r in weekly.rules if r.name in NEW_RULES))
    zone = weekly.operations[0].timezone
    monday = datetime.fromisoformat(FIRST_MONDAY).replace(tzinfo=zone)
    after = monday + timedelta(weeks=WEEKS)
    weeks, history = await _replay(only_new, "normal", monday, after, monday, None)
    counts = {name: sum(1 for i in weeks.incidents if i.rule == name) for name in NEW_RULES}
    label = f"{WEEKS} ordinary weeks ({WEEKS * 7} days, 5-minute polls, busy operation)"
    rows = [Row(label, counts, {}, weeks)]
    daily = settings(timedelta(minutes=1))
    first, last = SCENARIO_HOURS
    anchor = after.replace(hour=10)
    for name, phases in SCENARIOS.items():
        if len(phases) != 1:
            continue
        phase = phases[0]
        began = anchor + timedelta(minutes=phase.start)
        result, _ = await _replay(
            daily,
            name,
            after.replace(hour=first),
            after.replace(hour=last),
            anchor,
            _copy(history, daily.operations[0].name),
        )
        meant = COMPARE.get(name, ())
        new = {
            rule: sum(1 for i in result.incidents if i.rule == rule and rule not in meant)
            for rule in NEW_RULES
        }
        detect = {rule: _first(result, rule, began) for rule in meant}
        text = f"{name} ({phase.end - phase.start} min from 10:{phase.start:02d}, 1-minute polls)"
        rows.append(Row(text, new, detect, result))
    return rows


def _minutes(value: int | None) -> str:
    return "-" if value is None else f"{value} min"


def render_rows(rows: list[Row]) -> str:
    """The Markdown table of the README's "Rules that think in a supervisor's day"."""
    lines = [
        "| traffic (simulator) | incidents from the new kinds not meant for it "
        "| detected by the new kind | by the shipped rule |",
        "|---|---|---|---|",
    ]
    for row in rows:
        false = sum(row.new_incidents.values())
        new_rule, shipped = [*row.detect, "", ""][:2]
        by_new = f"`{new_rule}` {_minutes(row.detect[new_rule])}" if new_rule else "-"
        by_shipped = f"`{shipped}` {_minutes(row.detect[shipped])}" if shipped else "-"
        lines.append(f"| {row.traffic} | {false} | {by_new} | {by_shipped} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_rows(asyncio.run(kinds_rows())))
