"""A replay's result as a person reads it (a table) or as a program reads it (JSON).

Times are shown and written in the operation's timezone with its UTC offset; rates
are fractions in JSON and percentages in the table; a rule that never fired is
listed with zero incidents, so "no incident" is an answer and not an omission.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.durations import format_duration
from bot.domain.specs import RuleKind
from bot.services.backtest import Incident, ReplayResult


@dataclass(frozen=True, slots=True)
class Run:
    """One replay, labelled (the configured rules, or a `--rules`/`--compare` file)."""

    label: str
    result: ReplayResult


@dataclass(frozen=True, slots=True)
class RuleSummary:
    rule: str
    incidents: int
    minutes_firing: int
    pings: int


QUEUE_RULES_NOT_REPLAYED = (
    "Queue rules read Wolkvox's skills snapshot of each moment (waiting, service level), "
    "which call history does not keep: they cannot be replayed."
)


def summarise(result: ReplayResult) -> list[RuleSummary]:
    """Per rule, in configuration order: incidents, minutes firing, pings."""
    out = []
    for spec in result.rules:
        mine = [i for i in result.incidents if i.rule == spec.name]
        minutes = sum(int(i.duration(result.end) // timedelta(minutes=1)) for i in mine)
        out.append(RuleSummary(spec.name, len(mine), minutes, sum(i.pings for i in mine)))
    return out


def _iso(at: datetime | None, zone: ZoneInfo) -> str | None:
    return None if at is None else at.astimezone(zone).isoformat(timespec="seconds")


def result_json(result: ReplayResult, zone: ZoneInfo) -> dict[str, Any]:
    """The documented JSON object of one replay."""
    return {
        "operation": result.operation,
        "from": _iso(result.start, zone),
        "to": _iso(result.end, zone),
        "polls": result.polls,
        "failed_polls": result.failed_polls,
        "not_replayed": list(result.not_replayed),
        "incidents": [
            {
                "rule": i.rule,
                "operation": i.operation,
                "severity": i.severity.value if i.severity else None,
                "severity_path": list(i.path),
                "fired_at": _iso(i.fired_at, zone),
                "resolved_at": _iso(i.resolved_at, zone),
                "peak": i.peak,
                "threshold": i.threshold,
                "notifications": [
                    {"at": _iso(n.at, zone), "kind": n.kind, "mentions": n.mentions}
                    for n in i.notifications
                ],
            }
            for i in result.incidents
        ],
        "rules": [
            {
                "rule": s.rule,
                "incidents": s.incidents,
                "minutes_firing": s.minutes_firing,
                "pings": s.pings,
            }
            for s in summarise(result)
        ],
    }


def render_json(runs: Sequence[Run], zone: ZoneInfo) -> str:
    """One object; with `--compare`, `{"compare": [{"label": ..., ...}, ...]}`."""
    if len(runs) == 1:
        return json.dumps(result_json(runs[0].result, zone), indent=2)
    return json.dumps(
        {"compare": [{"label": r.label, **result_json(r.result, zone)} for r in runs]}, indent=2
    )


def value_text(value: float | None, kind: str) -> str:
    """A rule's value as read in its unit: 18.4% for a rate, 3.2x for a spike's ratio or
    a budget's burn rate."""
    if value is None:
        return "-"
    if kind == RuleKind.RATE.value:
        return f"{value * 100:.1f}%"
    if kind in (RuleKind.SPIKE.value, RuleKind.BUDGET.value):
        return f"{value:.1f}x"
    return f"{value:g}"


def incident_line(incident: Incident, zone: ZoneInfo, end: datetime) -> str:
    """`warning>critical  Tue 10:05-10:40 (35m)  peak 22.4% (critical at 15.0%)  1 ping`."""
    fired = incident.fired_at.astimezone(zone)
    if incident.resolved_at is None:
        span = f"{fired:%a %d %H:%M}-(still firing)"
    else:
        span = f"{fired:%a %d %H:%M}-{incident.resolved_at.astimezone(zone):%H:%M}"
    path = ">".join(incident.path) or "-"
    level = incident.severity.value if incident.severity else "firing"
    peak = value_text(incident.peak, incident.kind)
    # A budget's threshold depends on its tier and the day's length: only the level.
    against = (
        "" if incident.threshold is None else f" at {value_text(incident.threshold, incident.kind)}"
    )
    pings = incident.pings
    return (
        f"  {path:<18} {span:<26} ({format_duration(incident.duration(end))})  "
        f"peak {peak} ({level}{against})  {pings} ping{'s' if pings != 1 else ''}"
    )


def render_table(runs: Sequence[Run], zone: ZoneInfo, *, calls: int | None = None) -> str:
    """Per rule its incidents, then a summary; several runs are summarised side by side."""
    first = runs[0].result
    head = (
        f"Backtest of {first.operation}, {_iso(first.start, zone)} to {_iso(first.end, zone)}: "
        f"{first.polls} polls"
    )
    if calls is not None:
        head += f", {calls:,} calls"
    if first.failed_polls:
        head += f" ({first.failed_polls} without data)"
    lines = [head + "."]
    skipped = list(dict.fromkeys(name for run in runs for name in run.result.not_replayed))
    if skipped:
        lines.append(f"Not replayed: {', '.join(skipped)}. {QUEUE_RULES_NOT_REPLAYED}")
    for run in runs:
        result = run.result
        if len(runs) > 1:
            lines += ["", f"== {run.label}"]
        for spec in result.rules:
            mine = [i for i in result.incidents if i.rule == spec.name]
            count = f"{len(mine)} incident{'s' if len(mine) != 1 else ''}" if mine else "none"
            lines.append(f"{spec.name}: {count}")
            lines += [incident_line(i, zone, result.end) for i in mine]
    lines += ["", "Summary"]
    names = list(dict.fromkeys(s.name for run in runs for s in run.result.rules))
    width = max(len(n) for n in [*names, "total"])
    heads = "".join(f" | {_cell(run.label, 24)}" for run in runs) if len(runs) > 1 else ""
    if heads:
        lines.append(f"  {'':<{width}}{heads}")
    lines.append(f"  {'rule':<{width}}" + " | incidents  firing  pings" * len(runs))
    by_run = [{s.rule: s for s in summarise(run.result)} for run in runs]
    for name in [*names, "total"]:
        cells = []
        for summary in by_run:
            rows = list(summary.values()) if name == "total" else [summary.get(name)]
            present = [r for r in rows if r is not None]
            if not present:
                cells.append(f" | {'-':>9}  {'-':>6}  {'-':>5}")
                continue
            incidents = sum(r.incidents for r in present)
            firing = format_duration(timedelta(minutes=sum(r.minutes_firing for r in present)))
            pings = sum(r.pings for r in present)
            cells.append(f" | {incidents:>9}  {firing:>6}  {pings:>5}")
        lines.append(f"  {name:<{width}}" + "".join(cells))
    return "\n".join(lines)


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else "..." + text[-(width - 3) :]
