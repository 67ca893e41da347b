"""`callbot backtest`: what the rules would have done with recorded or simulated calls.

Reads the configuration, picks the operation, gathers the calls (a file, the store's
per-minute history, or a simulator scenario), replays them through the live poll
cycle (`bot.services.backtest.replay`) once per rule set, and prints the incidents.
No network, no Slack: the chat is the outbox, read back.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from bot.adapters.clock import ManualClock
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.wolkvox.call_fields import parse_local_date
from bot.adapters.wolkvox.simulator_scenarios import validate_scenario
from bot.backtest.calls_file import CallsFileError, read_calls_file
from bot.backtest.output import Run, render_json, render_table
from bot.backtest.presenter import RecordingPresenter
from bot.backtest.rules_file import load_rules_file
from bot.backtest.sources import (
    ReplayCalls,
    ReplayStore,
    TimedRow,
    history_rows,
    scenario_rows,
    snapshot_before,
)
from bot.config.errors import ConfigError
from bot.config.loader import resolve_config_path
from bot.config.model import OperationSettings, Settings
from bot.config.store_url import redact_url
from bot.domain.call_log import API_WINDOW, CallLog, LogSnapshot
from bot.domain.specs import RuleSpec
from bot.services.backtest import ReplayResult, replay
from bot.services.restore import snapshot_of
from bot.services.state import RuntimeState
from bot.settings import load_settings, parse_settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
SCENARIO_START_HOUR = 10
"""A scenario's incidents are counted from 10:00 of its first day (a weekday)."""

_BUILTIN = """\
slack:
  default_channel: C0BACKTEST
operations:
  - name: simulated
    server: "0001"
    token: backtest
    licenses: 10
    poll_every: 5m
    timezone: America/Bogota
"""
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


class BacktestError(Exception):
    """Something the person must fix (a file, an option); the message says what."""


@dataclass(frozen=True, slots=True)
class BacktestOptions:
    config: str | None = None
    calls: str | None = None
    history: bool = False
    scenario: str | None = None
    days: int = 1
    operation: str | None = None
    start: str | None = None
    end: str | None = None
    rules: str | None = None
    compare: str | None = None
    format: str = "table"
    seed: int = 1
    volume: float = 1.0


@dataclass(frozen=True, slots=True)
class Calls:
    rows: tuple[TimedRow, ...]
    gaps: frozenset[int] = frozenset()
    start: datetime | None = None
    end: datetime | None = None
    history: LogSnapshot | None = None
    """The stored call log the rows came from: what came before the replay's first poll
    is its starting history."""


def backtest_command(
    options: BacktestOptions,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """Run the backtest; 0 when it ran, 1 when its data cannot be read, 2 for usage."""
    stdout, stderr = out or sys.stdout, err or sys.stderr
    try:
        settings = _settings(options, os.environ if env is None else env)
        operation = pick_operation(settings, options.operation)
        calls = _calls(options, settings, operation, stderr)
        runs = asyncio.run(_runs(options, settings, operation, calls))
    except ConfigError as exc:
        print(exc, file=stderr)
        return EXIT_USAGE
    except BacktestError as exc:
        print(f"callbot backtest: {exc}", file=stderr)
        return EXIT_USAGE
    except CallsFileError as exc:
        print(f"callbot backtest: {exc}", file=stderr)
        return EXIT_FAILED
    zone = operation.timezone
    if options.format == "json":
        print(render_json(runs, zone), file=stdout)
    else:
        print(render_table(runs, zone, calls=len(calls.rows)), file=stdout)
    return EXIT_OK


def _settings(options: BacktestOptions, env: Mapping[str, str]) -> Settings:
    path, _ = resolve_config_path(options.config, env)
    if options.scenario and options.config is None and not path.exists():
        return parse_settings(_BUILTIN, source="callbot backtest (built-in)", env={})
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return load_settings(path, env=env)
    # Tokens are never used by a backtest: a ${VAR} missing here is not a problem.
    filled = {**env, **{n: "unused-by-backtest" for n in _ENV_REF.findall(text) if n not in env}}
    return load_settings(path, env=filled)


def pick_operation(settings: Settings, name: str | None) -> OperationSettings:
    """The operation asked for, or the only one; an error listing them otherwise."""
    names = ", ".join(op.name for op in settings.operations)
    if name is None:
        if len(settings.operations) == 1:
            return settings.operations[0]
        raise BacktestError(
            f"the configuration has several operations; pick one: --operation {{{names}}}"
        )
    try:
        return settings.operation(name)
    except KeyError:
        raise BacktestError(f"no operation is named {name!r} (operations: {names})") from None


def parse_when(text: str, operation: OperationSettings) -> datetime:
    """`2026-11-23 10:00` (the operation's local time), ISO 8601 with an offset, or a date."""
    zone = operation.timezone
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        at = parse_local_date(text, zone)
        if at is None:
            raise BacktestError(
                f"{text!r} is not a time; write 2026-11-23 10:00 (in {zone.key}) or a date"
            ) from None
        return at
    return datetime.combine(day, time(0), tzinfo=zone)


def _calls(
    options: BacktestOptions, settings: Settings, operation: OperationSettings, err: TextIO
) -> Calls:
    chosen = [x for x in (options.calls, options.history, options.scenario) if x]
    if len(chosen) != 1:
        raise BacktestError("give exactly one of --calls FILE, --history, --scenario NAME")
    zone = operation.timezone
    if options.calls:
        read = read_calls_file(Path(options.calls), zone)
        for bad in read.bad[:20]:
            print(f"{read.path}:{bad.line}: row skipped: {bad.reason}", file=err)
        if read.bad:
            print(
                f"{read.path}: {len(read.bad)} row(s) skipped, {len(read.rows)} replayed",
                file=err,
            )
        return Calls(read.rows)
    if options.history:
        return asyncio.run(_history(settings, operation))
    assert options.scenario is not None
    try:
        validate_scenario(options.scenario)
    except ValueError as exc:
        raise BacktestError(str(exc)) from None
    if options.days < 1:
        raise BacktestError("--days must be at least 1")
    start = (
        parse_when(options.start, operation)
        if options.start
        else _last_monday(datetime.now(zone).date(), operation)
    )
    end = start + timedelta(days=options.days)
    anchor = start.astimezone(zone).replace(hour=SCENARIO_START_HOUR, minute=0)
    rows = scenario_rows(
        scenario=options.scenario,
        start=start - API_WINDOW,
        end=end,
        anchor=anchor,
        zone=zone,
        token=operation.name,
        seed=options.seed,
        volume=options.volume,
    )
    return Calls(tuple(rows), start=start, end=end)


def _last_monday(today: date, operation: OperationSettings) -> datetime:
    monday = today - timedelta(days=today.weekday() + 7)
    return datetime.combine(monday, time(0), tzinfo=operation.timezone)


async def _history(settings: Settings, operation: OperationSettings) -> Calls:
    from bot.bootstrap import store_for  # the configured store, SQLite or PostgreSQL

    url = settings.store.url
    path = settings.store.path if url is None else redact_url(url.reveal())
    if url is None and not settings.store.path.exists():
        raise CallsFileError(f"{path}: no such store (store.path); the bot has kept no history")
    store = store_for(settings)
    try:
        await store.open()
        stored = await store.load(datetime.now(operation.timezone))
    except Exception as exc:
        raise CallsFileError(f"{path}: the store cannot be read ({type(exc).__name__})") from None
    finally:
        await store.close()
    log = stored.logs.get(operation.name)
    if log is None:
        raise CallsFileError(f"{path}: no history kept for operation {operation.name!r}")
    snapshot = snapshot_of(log)
    rows, gaps = history_rows(snapshot, operation.timezone)
    return Calls(tuple(rows), gaps=gaps, history=snapshot)


async def _runs(
    options: BacktestOptions, settings: Settings, operation: OperationSettings, calls: Calls
) -> list[Run]:
    names = {op.name for op in settings.operations}
    sets: list[tuple[str, tuple[RuleSpec, ...]]] = []
    if options.rules:
        sets.append((options.rules, load_rules_file(Path(options.rules), names)))
    else:
        sets.append((str(settings.source), settings.rules))
    if options.compare:
        sets.append((options.compare, load_rules_file(Path(options.compare), names)))
    start, end = _span(options, operation, calls)
    runs = []
    for label, rules in sets:
        result = await replay_calls(
            replace(settings, rules=rules), operation, calls, start=start, end=end
        )
        runs.append(Run(label, result))
    return runs


def _span(
    options: BacktestOptions, operation: OperationSettings, calls: Calls
) -> tuple[datetime, datetime]:
    if not calls.rows:
        raise BacktestError("there are no calls to replay")
    first = calls.start or min(r.at for r in calls.rows).replace(second=0, microsecond=0)
    last = calls.end or max(r.at for r in calls.rows)
    start = parse_when(options.start, operation) if options.start else first + API_WINDOW
    if calls.start is not None and not options.start:
        start = calls.start
    end = parse_when(options.end, operation) if options.end else last
    if end < start:
        raise BacktestError("--to is before --from, or the calls end before the first poll")
    return start, end


async def replay_calls(
    settings: Settings,
    operation: OperationSettings,
    calls: Calls,
    *,
    start: datetime,
    end: datetime,
    on_poll: Callable[[datetime, RuntimeState], None] | None = None,
) -> ReplayResult:
    """One replay of `calls` with `settings.rules`, rendered by the live presenter.

    It starts from what the bot had kept before `start` (`calls.history`), so rules that
    read days or weeks back judge as the live bot would.
    """
    # Imported here: the composition root imports this module (for `/calls backtest`).
    from bot.bootstrap import assemble_replay

    clock = ManualClock(start)
    history = None
    if calls.history is not None:
        history = CallLog(retention=timedelta(days=settings.history_days))
        history.restore(operation.name, snapshot_before(calls.history, start - API_WINDOW))
    source = ReplayCalls(calls.rows, zone=operation.timezone, clock=clock, gaps=calls.gaps)
    presenter = RecordingPresenter(
        SlackPresenter(language=settings.language.value, mask_personal_data=True)
    )
    store = ReplayStore()
    state, monitor = assemble_replay(
        settings, store=store, source=source, presenter=presenter, clock=clock, history=history
    )
    return await replay(
        state=state,
        monitor=monitor,
        operation=operation.name,
        store=store,
        clock=clock,
        start=start,
        end=end,
        on_poll=on_poll,
    )
