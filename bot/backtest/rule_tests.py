"""`callbot test-rules FILE...`: unit tests for rules, in the spirit of `promtool test rules`.

A test file names a configuration (`config:`, relative to the file) or inlines
`operations:` and `rules:`, then lists tests. Each test gives traffic per minute
(see traffic_notation) or individual `calls:`, and the alerts expected at given
times after its start. The traffic is replayed through the live poll cycle
(`bot.services.backtest.replay`), polled every `poll_every` of the operation; at an
expected time the alerts are those the last poll at or before it left pending or
firing. A mismatch prints what was expected and what was got; any failure makes
the exit status 1 (2 when a file cannot be read).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot.adapters.wolkvox.call_fields import parse_local_date
from bot.backtest.command import Calls, replay_calls
from bot.backtest.output import QUEUE_RULES_NOT_REPLAYED
from bot.backtest.rules_file import rules_from_data
from bot.backtest.sources import TimedRow
from bot.backtest.traffic_notation import NotationError, traffic_rows
from bot.config.errors import ConfigError
from bot.config.model import OperationSettings, Settings
from bot.domain.durations import parse_duration
from bot.domain.specs import WOLKVOX_UNAVAILABLE, RuleKind
from bot.services.state import RuntimeState
from bot.settings import load_settings, parse_settings

DEFAULT_START = "2026-11-23 10:00"
"""A Monday morning: business hours, so `active:` rules are awake unless a test says."""
_OPERATION_DEFAULTS = {"server": "0001", "token": "rule-test", "licenses": 100}

AlertKey = tuple[str, str, str, str | None]
"""(rule, operation, state, severity)."""


class RuleTestError(Exception):
    """A test file that cannot be run as written; the message names the file and test."""


@dataclass(frozen=True, slots=True)
class Check:
    at: timedelta
    expected: tuple[Mapping[str, str], ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    failures: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.failures


def run_rule_tests(paths: Sequence[str], *, out: TextIO) -> int:
    """Run every test of every file; 0 when all pass, 1 when one fails, 2 for a bad file."""
    failed = total = 0
    for path in paths:
        print(path, file=out)
        try:
            data = _read(Path(path))
            outcomes = asyncio.run(run_file(Path(path), data))
            skipped = _queue_rules(_settings(Path(path), data)) if isinstance(data, dict) else []
        except (RuleTestError, ConfigError) as exc:
            print(f"  error: {exc}", file=out)
            return 2
        if skipped:
            print(
                f"  note: not replayed: {', '.join(skipped)}. {QUEUE_RULES_NOT_REPLAYED}", file=out
            )
        for outcome in outcomes:
            total += 1
            print(f"  {'ok  ' if outcome.ok else 'FAIL'}  {outcome.name}", file=out)
            for line in outcome.failures:
                print(f"        {line}", file=out)
            failed += not outcome.ok
    print(f"{total} test{'s' if total != 1 else ''}, {failed} failed", file=out)
    return 1 if failed else 0


def _queue_rules(settings: Settings) -> list[str]:
    """The queue rules that watch an operation: a replay of calls cannot judge them."""
    names = {op.name for op in settings.operations}
    return [
        r.name
        for r in settings.rules
        if r.kind is RuleKind.QUEUE and any(r.applies_to(n) for n in names)
    ]


def _read(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleTestError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None


async def run_file(path: Path, data: object) -> list[Outcome]:
    """The outcome of every test of one parsed test file."""
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        raise RuleTestError(f"{path}: needs a tests: list")
    settings = _settings(path, data)
    return [await _run_test(path, settings, raw, i) for i, raw in enumerate(data["tests"])]


def _settings(path: Path, data: Mapping[str, Any]) -> Settings:
    if "config" in data:
        settings = load_settings(path.parent / str(data["config"]), env={})
        if "rules" in data:
            names = {op.name for op in settings.operations}
            settings = replace(settings, rules=rules_from_data(data, path, names))
        return settings
    operations = data.get("operations")
    if not isinstance(operations, list) or not operations:
        raise RuleTestError(f"{path}: name a config: file or inline operations:")
    inline = {
        "slack": {"default_channel": "C0RULETEST"},
        "operations": [
            {**_OPERATION_DEFAULTS, **op} if isinstance(op, dict) else op for op in operations
        ],
        **{k: data[k] for k in ("rules", "defaults", "storm_threshold") if k in data},
    }
    return parse_settings(yaml.safe_dump(inline), source=path, env={})


async def _run_test(path: Path, settings: Settings, raw: object, index: int) -> Outcome:
    if not isinstance(raw, dict):
        raise RuleTestError(f"{path}: test #{index + 1} is not a mapping")
    name = str(raw.get("name") or f"test #{index + 1}")
    where = f"{path}: test {name!r}"
    operation = _operation(settings, raw.get("operation"), where)
    zone = operation.timezone
    start = parse_local_date(str(raw.get("start") or DEFAULT_START), zone)
    if start is None:
        raise RuleTestError(f"{where}: start: is not a time like {DEFAULT_START}")
    try:
        rows, minutes = traffic_rows(raw.get("traffic") or {}, start=start, zone=zone)
    except NotationError as exc:
        raise RuleTestError(f"{where}: traffic: {exc}") from None
    rows += _calls(raw.get("calls") or [], start, zone, where)
    checks = _checks(raw.get("expect"), where)
    queue_rules = {
        r.name for r in settings.rules if r.kind is RuleKind.QUEUE and r.applies_to(operation.name)
    }
    named = sorted({str(item.get("rule")) for c in checks for item in c.expected} & queue_rules)
    if named:
        return Outcome(name, (f"{', '.join(named)}: {QUEUE_RULES_NOT_REPLAYED}",))
    last = max([timedelta(minutes=minutes), *(c.at for c in checks)])
    snapshots: list[tuple[datetime, set[AlertKey]]] = []

    def keep(at: datetime, state: RuntimeState) -> None:
        snapshots.append((at, _alerts(state)))

    first = start + operation.poll_every
    await _replay(settings, operation, rows, first, start + last, keep)
    failures: list[str] = []
    for check in checks:
        when = start + check.at
        got = next((s for at, s in reversed(snapshots) if at <= when), set())
        problem = _compare(check, got, operation.name)
        if problem:
            local = when.astimezone(zone).strftime("%H:%M")
            failures += [f"at {_minutes(check.at)} ({local}):", *problem]
    return Outcome(name, tuple(failures))


async def _replay(
    settings: Settings,
    operation: OperationSettings,
    rows: list[TimedRow],
    start: datetime,
    end: datetime,
    keep: Any,
) -> None:
    calls = Calls(tuple(rows))
    await replay_calls(settings, operation, calls, start=start, end=end, on_poll=keep)


def _operation(settings: Settings, name: object, where: str) -> OperationSettings:
    if name is None and len(settings.operations) == 1:
        return settings.operations[0]
    try:
        return settings.operation(str(name))
    except KeyError:
        names = ", ".join(op.name for op in settings.operations)
        raise RuleTestError(f"{where}: operation: pick one of {names}") from None


def _calls(raw: object, start: datetime, zone: Any, where: str) -> list[TimedRow]:
    if not isinstance(raw, list):
        raise RuleTestError(f"{where}: calls: must be a list")
    rows = []
    for i, call in enumerate(raw):
        if not isinstance(call, dict) or "at" not in call:
            raise RuleTestError(f"{where}: calls[{i}] needs at: (e.g. 12m), type: and result:")
        at = start + _duration(call["at"], where)
        row = {k: v for k, v in call.items() if k != "at"}
        row.setdefault("conn_id", f"call-{i}")
        row["date"] = at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        if "type" in row:
            row["type_interaction"] = row.pop("type")
        rows.append(TimedRow(at, row))
    return rows


def _checks(raw: object, where: str) -> list[Check]:
    if not isinstance(raw, list) or not raw:
        raise RuleTestError(f"{where}: expect: must list at least one {{at:, alerts:}}")
    checks = []
    for item in raw:
        if not isinstance(item, dict) or "at" not in item:
            raise RuleTestError(f"{where}: each expect item needs at: and alerts:")
        alerts = item.get("alerts") or []
        if not isinstance(alerts, list) or not all(isinstance(a, dict) for a in alerts):
            raise RuleTestError(f"{where}: alerts: must be a list of {{rule:, severity:}}")
        expected = tuple({str(k): str(v) for k, v in a.items()} for a in alerts)
        checks.append(Check(_duration(item["at"], where), expected))
    return checks


def _duration(value: object, where: str) -> timedelta:
    try:
        return parse_duration(str(value))
    except ValueError as exc:
        raise RuleTestError(f"{where}: {exc}") from None


def _alerts(state: RuntimeState) -> set[AlertKey]:
    return {
        (a.rule, a.operation, a.state.value, a.severity.value if a.severity else None)
        for a in state.alerts
        if a.state.value in ("pending", "firing")
    }


def _compare(check: Check, got: set[AlertKey], operation: str) -> list[str]:
    want: set[AlertKey] = set()
    loose: set[tuple[str, str, str]] = set()
    for item in check.expected:
        key = (item["rule"], item.get("operation", operation), item.get("state", "firing"))
        if "severity" in item:
            want.add((*key, item["severity"]))
        else:
            loose.add(key)
    matched = {g for g in got if g in want or g[:3] in loose}
    shown = {g for g in got if g[0] != WOLKVOX_UNAVAILABLE or g in matched}
    if matched == shown and len(matched) == len(want) + len(loose):
        return []
    expected = sorted([_text(k) for k in want] + [_text((*k, None)) for k in loose])
    return [
        f"  expected: {'; '.join(expected) or 'no alerts'}",
        f"  got:      {'; '.join(sorted(_text(g) for g in shown)) or 'no alerts'}",
    ]


def _text(key: AlertKey) -> str:
    rule, operation, state, severity = key
    return " ".join(x for x in (rule, operation, state, severity) if x)


def _minutes(delta: timedelta) -> str:
    return f"{int(delta.total_seconds() // 60)}m"
