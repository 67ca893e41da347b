"""`/calls backtest <rule> [operation] [24h|7d] [key=value ...]`: the stored history replayed.

The history in memory (the call log's per-minute counts, `history_days` of them) is
replayed with one rule, as configured or with candidate values, through the same poll
cycle as `callbot backtest --history`. The replay is CPU work of seconds: it runs in a
worker thread on its own event loop, so polls and other commands go on meanwhile, and
the Slack listener answers through the response_url once it takes longer than 3 s.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.adapters.slack.blocks import render_notice
from bot.adapters.slack.blocks_kit import Block, Message, context, fallback, section
from bot.adapters.slack.frontend import BacktestReplier
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import format_age, format_percent, safe
from bot.adapters.slack.wording import format_value, name
from bot.backtest.command import Calls, replay_calls
from bot.backtest.sources import covered_span, history_rows
from bot.config.model import OperationSettings, Settings
from bot.domain.call_log import API_WINDOW
from bot.domain.durations import parse_duration
from bot.domain.specs import RuleKind, RuleSpec
from bot.services.backtest import Incident, ReplayResult
from bot.services.command_types import Backtest
from bot.services.state import OperationRuntime, RuntimeState
from bot.services.views.alert_build import unit_of
from bot.services.views.replies import NoticeKind, NoticeView

_DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "es": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
}
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?%?$")
CHANGEABLE = (
    "warning",
    "critical",
    "recover",
    "recover_critical",
    "min_calls",
    "for",
    "window",
    "factor",
    "below",
)
_GRADED = ("warning", "critical", "recover", "min_calls", "for", "window")
READ_BY_KIND: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.COUNT: (*_GRADED, "recover_critical"),
    RuleKind.RATE: (*_GRADED, "recover_critical"),
    RuleKind.SPIKE: (*_GRADED, "factor"),
    RuleKind.FLATLINE: ("below", "recover", "for", "window"),
    RuleKind.BUDGET: ("recover", "recover_critical", "for"),
    RuleKind.EXPECTED: ("recover", "for", "window"),
}
"""The candidate values each kind reads: any other would replay the rule unchanged."""
MAX_LISTED = 10
MAX_OPERATIONS = 5


class ChangeError(ValueError):
    """A `key=value` that cannot apply to the rule: an i18n key and its values."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def apply_changes(spec: RuleSpec, changes: tuple[tuple[str, str], ...]) -> RuleSpec:
    """The rule with candidate values: thresholds as `10%` or `0.1` for rates, counts,
    `min_calls`/`for`/`below` as whole numbers, `window` as a duration."""
    for key, raw in changes:
        shown = dict(field=safe(key, 40), given=safe(raw, 40))
        readable = READ_BY_KIND.get(spec.kind, CHANGEABLE)
        if key not in readable:
            raise ChangeError("backtest.change.key", keys=", ".join(readable), **shown)
        if key == "window":
            try:
                spec = replace(spec, window=parse_duration(raw))
            except ValueError:
                raise ChangeError("backtest.change.duration", **shown) from None
            continue
        if not _NUMBER.match(raw):
            raise ChangeError("backtest.change.number", **shown)
        number = float(raw.rstrip("%").replace(",", ".")) / (100 if raw.endswith("%") else 1)
        if key in ("min_calls", "for", "below") and not number.is_integer():
            raise ChangeError("backtest.change.whole", **shown)
        if spec.kind is RuleKind.RATE and key in _LEVELS and not 0 < number <= 1:
            raise ChangeError("backtest.change.share", **shown)
        spec = _with(spec, key, number)
    if spec.warning is not None and spec.critical is not None and spec.warning > spec.critical:
        raise ChangeError("backtest.change.order")
    typed = dict(changes).get("recover_critical")
    if typed is not None and not _recover_critical_fits(spec):
        raise ChangeError("backtest.change.recover_critical", given=safe(typed, 40))
    return spec


_LEVELS = ("warning", "critical", "recover", "recover_critical")


def _recover_critical_fits(spec: RuleSpec) -> bool:
    """The order the configuration asks for: recover <= recover_critical <= critical. A
    budget rule's is a burn rate checked against its tiers by its configuration, so any
    positive value is replayed."""
    held = spec.recover_critical
    if held is None or spec.kind is RuleKind.BUDGET:
        return True
    if spec.warning is None or spec.critical is None:
        return False
    lower = spec.recover if spec.recover is not None else spec.warning
    return lower <= held <= spec.critical


def _with(spec: RuleSpec, key: str, number: float) -> RuleSpec:
    if key == "min_calls":
        return replace(spec, min_calls=int(number))
    if key == "for":
        return replace(spec, for_=int(number))
    if key == "below":
        return replace(spec, below=int(number))
    if key == "warning":
        return replace(spec, warning=number)
    if key == "critical":
        return replace(spec, critical=number)
    if key == "recover":
        return replace(spec, recover=number)
    if key == "recover_critical":
        return replace(spec, recover_critical=number)
    return replace(spec, factor=number)


def backtest_replier(state: RuntimeState) -> BacktestReplier:
    """`/calls backtest` over the history in `state`, as the Slack frontend is handed it."""

    async def reply(command: Backtest, now: datetime, lang: str) -> Message:
        return await backtest_reply(state, command, now=now, lang=lang)

    return reply


async def backtest_reply(
    state: RuntimeState, command: Backtest, *, now: datetime, lang: str
) -> Message:
    """The answer to `/calls backtest`: one replay per operation the rule watches."""
    ops = _scope(state, command.operation)
    if isinstance(ops, NoticeView):
        return render_notice(ops, lang)
    found = [(op, spec) for op in ops for spec in op.rules if _same(spec.name, command.rule)]
    if not found:
        names = tuple(dict.fromkeys(s.name for op in ops for s in op.rules))
        return render_notice(NoticeView(NoticeKind.UNKNOWN_RULE, command.rule, names), lang)
    tr = Translator(lang)
    if found[0][1].kind is RuleKind.QUEUE:
        text = tr("backtest.queue_rule", rule=name(found[0][1].name))
        return Message(text=fallback(text), blocks=(section(text),))
    blocks: list[Block] = []
    texts: list[str] = []
    for op, spec in found[:MAX_OPERATIONS]:
        try:
            candidate = apply_changes(spec, command.changes)
        except ChangeError as exc:
            text = tr("backtest.bad_change", why=tr(exc.key, **exc.values))
            return Message(text=fallback(text), blocks=(section(text),))
        result = await replay_rule(state, op, candidate, now=now, window=command.window)
        text = render_result(result, candidate, command, lang=lang, tz=op.tz.key)
        texts.append(text)
        blocks.append(section(text))
    blocks.append(context(tr("backtest.how")))
    return Message(text=fallback(*texts), blocks=tuple(blocks))


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _scope(state: RuntimeState, operation: str | None) -> list[OperationRuntime] | NoticeView:
    ops = state.operations
    if operation is None:
        return list(ops.values())
    found = next((op for key, op in ops.items() if _same(key, operation)), None)
    if found is None:
        return NoticeView(NoticeKind.UNKNOWN_OPERATION, operation, tuple(sorted(ops)))
    return [found]


async def replay_rule(
    state: RuntimeState, op: OperationRuntime, spec: RuleSpec, *, now: datetime, window: timedelta
) -> ReplayResult:
    """Replay the last `window` of `op`'s history with `spec` as its only rule."""
    snapshot = state.log.export(op.name)
    # The runtime state is built from the validated settings (bot.bootstrap), whole.
    assert isinstance(state.settings, Settings) and isinstance(op.settings, OperationSettings)
    settings = replace(state.settings, rules=(replace(spec, operations=None),))
    operation = op.settings
    span = covered_span(snapshot)
    # Before the history begins nothing was seen: polls start once a full window is kept.
    start = max(now - window, span[0] + API_WINDOW) if span else now

    def run() -> ReplayResult:
        rows, gaps = history_rows(snapshot, op.tz)
        calls = Calls(tuple(rows), gaps=gaps, history=snapshot)
        return asyncio.run(replay_calls(settings, operation, calls, start=start, end=now))

    return await asyncio.to_thread(run)


def render_result(
    result: ReplayResult, spec: RuleSpec, command: Backtest, *, lang: str, tz: str
) -> str:
    """`abandon-rate (bogota) would have fired 3 times in the last 7d: Tue 10:05-10:40
    critical, peak 22%; ...`"""
    tr = Translator(lang)
    mine = [i for i in result.incidents if i.rule == spec.name]
    changes = ", ".join(f"{safe(k, 40)}={safe(v, 40)}" for k, v in command.changes)
    head = dict(
        rule=name(spec.name),
        operation=name(result.operation),
        changes=tr("backtest.with", changes=changes) if changes else "",
        window=format_age(command.window, lang),
        polls=result.polls,
        failed=result.failed_polls,
    )
    if not mine:
        return tr("backtest.quiet", **head)
    listed = "; ".join(_incident(i, tr, lang, tz) for i in mine[:MAX_LISTED])
    if len(mine) > MAX_LISTED:
        listed += "; " + tr("backtest.more", count=len(mine) - MAX_LISTED)
    times = tr("backtest.once") if len(mine) == 1 else tr("backtest.times", count=len(mine))
    return tr("backtest.fired", times=times, incidents=listed, **head)


def _incident(incident: Incident, tr: Translator, lang: str, tz: str) -> str:
    zone = ZoneInfo(tz)
    fired = incident.fired_at.astimezone(zone)
    day = _DAYS.get(lang, _DAYS["en"])[fired.weekday()]
    if incident.resolved_at is None:
        span = f"{day} {fired:%H:%M}-" + tr("backtest.still")
    else:
        span = f"{day} {fired:%H:%M}-{incident.resolved_at.astimezone(zone):%H:%M}"
    severity = tr.severity(incident.severity.value) if incident.severity else ""
    if incident.kind == RuleKind.RATE.value and incident.peak is not None:
        peak = format_percent(incident.peak, lang, trim=True)
    else:
        # In the unit the rule's live message uses: a budget's burn is x2.7, not 2.71828.
        kind = RuleKind(incident.kind) if incident.kind else RuleKind.COUNT
        peak = format_value(incident.peak, unit_of(kind), lang)
    return tr("backtest.incident", span=span, severity=severity, peak=peak)
