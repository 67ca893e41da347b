"""Do the shipped rules earn their place? Backtest them on an ordinary simulated week and
on every incident scenario of the simulator, and print the README's table.

    python -m bot.backtest.defaults_report

An ordinary week must open no incident at all; every scenario must be detected, and
the table says by which rules and how many minutes after the trouble began. A test
(tests/backtest/test_default_rules.py) replays the same and checks the README.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.adapters.wolkvox.simulator_scenarios import SCENARIOS, Incident
from bot.backtest.command import _BUILTIN, Calls, replay_calls
from bot.backtest.sources import scenario_rows
from bot.domain.call_log import API_WINDOW
from bot.services.backtest import ReplayResult
from bot.settings import parse_settings

WEEK_START = "2026-11-23"
"""A Monday: the week runs Monday 00:00 to Monday 00:00 in the operation's timezone."""
SCENARIO_DAY_HOURS = (8, 12)
"""Incident scenarios play 08:00-12:00 on that Monday (an hour of baseline first), their
trouble starting at 10:10 as `callbot simulate --scenario` started at 10:00 would."""
DETECTORS = {
    Incident.ABANDON_SURGE: frozenset({"abandon-rate"}),
    Incident.TRUNK_FAILURE: frozenset({"network-failures", "network-failures-spike"}),
    Incident.SILENCE: frozenset({"inbound-flatline"}),
}
"""The rules meant to catch each kind of trouble."""
VOLUMES = (1.0, 3.0)
"""An ordinary operation of the simulator, and a busy one (three times the traffic)."""


@dataclass(frozen=True, slots=True)
class Row:
    traffic: str
    incidents: int
    rules: tuple[str, ...]
    minutes_to_detect: int | None
    detectors: frozenset[str]
    result: ReplayResult

    @property
    def detected(self) -> bool:
        """Trouble was caught by a rule meant for it (an ordinary week has nothing to catch)."""
        return not self.detectors or bool(self.detectors.intersection(self.rules))


async def default_rules_rows(volume: float = 1.0, seed: int = 1) -> list[Row]:
    """The ordinary week, then each incident scenario, with the shipped rules."""
    settings = parse_settings(_BUILTIN, source="callbot backtest (built-in)", env={})
    operation = settings.operations[0]
    zone = operation.timezone
    monday = datetime.fromisoformat(WEEK_START).replace(tzinfo=zone)
    anchor = monday.replace(hour=10)

    async def run(scenario: str, start: datetime, end: datetime) -> ReplayResult:
        rows = scenario_rows(
            scenario=scenario,
            start=start - API_WINDOW,
            end=end,
            anchor=anchor,
            zone=zone,
            token=operation.name,
            seed=seed,
            volume=volume,
        )
        calls = Calls(tuple(rows), start=start, end=end)
        return await replay_calls(settings, operation, calls, start=start, end=end)

    size = "" if volume == 1.0 else f", x{volume:g} traffic"
    week = await run("normal", monday, monday + timedelta(days=7))
    out = [_row(f"ordinary week (7 days{size})", week, None, frozenset())]
    first, last = SCENARIO_DAY_HOURS
    for name, phases in SCENARIOS.items():
        if len(phases) != 1:
            continue
        phase = phases[0]
        result = await run(name, monday.replace(hour=first), monday.replace(hour=last))
        began = anchor + timedelta(minutes=phase.start)
        label = f"{name} ({phase.end - phase.start} min from 10:{phase.start:02d}{size})"
        out.append(_row(label, result, began, DETECTORS[phase.incident]))
    return out


def _row(
    label: str, result: ReplayResult, began: datetime | None, detectors: frozenset[str]
) -> Row:
    rules = tuple(dict.fromkeys(i.rule for i in result.incidents))
    detect = None
    if began is not None and result.incidents:
        first = min(i.fired_at for i in result.incidents)
        detect = int((first - began).total_seconds() // 60)
    return Row(label, len(result.incidents), rules, detect, detectors, result)


def render_rows(rows: list[Row]) -> str:
    """The Markdown table of the README's "The default rules, and why"."""
    lines = [
        "| traffic (simulator, 5-minute polls) | incidents | rules that fired "
        "| minutes to detect |",
        "|---|---|---|---|",
    ]
    for row in rows:
        rules = ", ".join(f"`{r}`" for r in row.rules) or "none"
        detect = "-" if row.minutes_to_detect is None else str(row.minutes_to_detect)
        lines.append(f"| {row.traffic} | {row.incidents} | {rules} | {detect} |")
    return "\n".join(lines)


async def all_rows() -> list[Row]:
    """The table's rows: every volume of `VOLUMES`."""
    return [row for volume in VOLUMES for row in await default_rules_rows(volume)]


if __name__ == "__main__":
    print(render_rows(asyncio.run(all_rows())))
