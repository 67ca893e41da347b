"""Rule evaluation: one rule, one operation, one `now` -> an `Evaluation`.

Evaluations say how the data bears on an alert (BREACH, BAND, CLEAR, QUIET,
HELD) and carry the numbers that explain it; whether to notify is decided later
by the alert state machine (bot.domain.alerts), which also counts the `for`
consecutive breaches. Two principles run through this module:

- Never read missing data as "no calls": a window that successful polls did not
  fully cover is HELD, and a spike whose baseline is not covered yet is QUIET.
- Do not page on noise: a volume guard (`min_calls`), an optional confidence
  bound on rates, and hysteresis (`recover`) so an alert does not flap around
  its threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.budget import evaluate_budget
from bot.domain.call_log import CallLog
from bot.domain.durations import format_duration
from bot.domain.expected import evaluate_expected
from bot.domain.grading import grade
from bot.domain.queue_rules import QueueInput, evaluate_queue
from bot.domain.specs import (
    EvalStatus,
    Evaluation,
    Measure,
    RuleKind,
    RuleSpec,
    Severity,
)
from bot.domain.stats import wilson_lower_bound
from bot.domain.unavailable import evaluate_unavailable, unavailable_rule

__all__ = [
    "evaluate",
    "evaluate_operation",
    "evaluate_unavailable",
    "unavailable_rule",
    "wilson_lower_bound",
]

DEFAULT_SPIKE_BASELINE = timedelta(hours=1)
"""The trailing baseline a spike rule uses when it does not name one."""

_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)
_WHOLE_WINDOW = frozenset({RuleKind.SPIKE, RuleKind.FLATLINE, RuleKind.EXPECTED})
"""Kinds that judge only a whole window: fewer calls in a shorter one prove nothing."""

_Format = Callable[[float], str]


def _num(value: float) -> str:
    return f"{value:g}"


def _pct(value: float) -> str:
    return f"{value:.1%}".replace(".0%", "%")


def _times(value: float) -> str:
    return f"{value:g}x"


def evaluate(
    spec: RuleSpec,
    operation: str,
    log: CallLog,
    *,
    now: datetime,
    tz: ZoneInfo,
    current: Severity | None = None,
) -> Evaluation:
    """Evaluate a count, rate, spike, flatline, budget or expected rule over the window
    ending at `now` (budget: bot.domain.budget; expected: bot.domain.expected).

    `current` is the severity the alert is firing at (None when not firing):
    it decides whether a value between `recover` and the lowest threshold is
    BAND (keep firing) or CLEAR, and keeps a critical alert critical down to
    `recover_critical`. `tz` is the operation's timezone, in which the rule's
    calendar is read. Outside active hours an alert that is not firing is QUIET;
    a firing one is still judged (it may resolve) and marked `outside_since`.
    Inside them the window never reaches before the start of the active period.
    """
    if spec.kind is RuleKind.UNAVAILABLE:
        raise ValueError(f"rule {spec.name!r} is built in; use evaluate_unavailable")
    if spec.kind is RuleKind.QUEUE:
        raise ValueError(f"rule {spec.name!r} reads queues; use evaluate_queue")
    start, outside_since, opened_at = now - spec.window, None, None
    if spec.active is not None:
        if not spec.active.contains(now, tz):
            outside_since = spec.active.closed_since(now, tz)
            if current is None:
                return Evaluation(
                    spec.name,
                    operation,
                    EvalStatus.QUIET,
                    detail=f"outside active hours ({spec.active.text})",
                    outside_since=outside_since,
                )
        else:
            opening = spec.active.opened_at(now, tz)
            if opening is not None and opening > start:
                start, opened_at = opening, opening
    stats = log.stats(operation, start=start, end=now)
    matched, population = stats.rate(spec.match, spec.among)
    base = Evaluation(
        spec.name,
        operation,
        EvalStatus.HELD,
        matched=matched,
        population=population,
        breakdown=tuple(stats.by_result(among=spec.among).items()),
        outside_since=outside_since,
        opened_at=opened_at,
    )
    if opened_at is not None and (spec.kind in _WHOLE_WINDOW or now - opened_at < _MINUTE):
        return replace(
            base,
            status=EvalStatus.QUIET,
            detail=f"the {format_duration(spec.window)} window starts at opening "
            f"({format_duration(now - opened_at)} so far)",
        )
    if stats.covered_fraction < 1.0:
        return replace(
            base,
            detail=f"polling gap: only {stats.covered_fraction:.0%} of the last "
            f"{format_duration(now - start)} was covered by successful polls",
        )
    if spec.kind is RuleKind.COUNT:
        return _count(spec, base, current)
    if spec.kind is RuleKind.RATE:
        return _rate(spec, base, current)
    if spec.kind is RuleKind.SPIKE:
        return _spike(spec, base, log, now=now, current=current)
    if spec.kind is RuleKind.BUDGET:
        return evaluate_budget(spec, base, log, now=now, tz=tz, current=current)
    if spec.kind is RuleKind.EXPECTED:
        return evaluate_expected(spec, base, log, now=now, tz=tz, current=current)
    return _flatline(spec, base, current)


def _count(spec: RuleSpec, base: Evaluation, current: Severity | None) -> Evaluation:
    matched, population = base.matched or 0, base.population or 0
    if spec.min_calls and population < spec.min_calls:
        return _volume_guard(base, population, spec.min_calls)
    what = f"{matched} matching calls in {format_duration(spec.window)}"
    return _graded(spec, base, float(matched), float(matched), what, _levels(spec), current, _num)


def _rate(spec: RuleSpec, base: Evaluation, current: Severity | None) -> Evaluation:
    matched, population = base.matched or 0, base.population or 0
    if population < spec.min_calls:
        return _volume_guard(base, population, spec.min_calls)
    if population == 0:
        return replace(base, status=EvalStatus.QUIET, detail="no calls in the window")
    rate = matched / population
    what = f"{rate:.1%} ({matched}/{population}) in {format_duration(spec.window)}"
    compared = rate
    if spec.confidence is not None:
        compared = wilson_lower_bound(matched, population, spec.confidence)
        what += f", lower bound {compared:.1%} at {spec.confidence:.0%} confidence"
    return _graded(spec, base, rate, compared, what, _levels(spec), current, _pct)


def _spike(
    spec: RuleSpec,
    base: Evaluation,
    log: CallLog,
    *,
    now: datetime,
    current: Severity | None,
) -> Evaluation:
    """Compare the window with a baseline: the trailing span before it (scaled to
    the window's length) for baselines under a day, else the same window that
    long ago. The ratio is observed / expected matching calls, where expected
    is floored at one call, so 0 -> 5 reads 5x rather than infinity."""
    span = spec.baseline or DEFAULT_SPIKE_BASELINE
    start = now - spec.window
    if span >= _DAY:
        before = log.stats(base.operation, start=start - span, end=now - span)
        scale, label = 1.0, f"the same {format_duration(spec.window)} {format_duration(span)} ago"
    else:
        before = log.stats(base.operation, start=start - span, end=start)
        scale, label = spec.window / span, f"the {format_duration(span)} before"
    if before.covered_fraction < 1.0:
        return replace(
            base,
            status=EvalStatus.QUIET,
            detail=f"baseline not yet covered ({label}: {before.covered_fraction:.0%})",
        )
    matched, population = base.matched or 0, base.population or 0
    then_matched, then_population = before.rate(spec.match, spec.among)
    if spec.measure is Measure.RATE:
        if population < max(spec.min_calls, 1):
            return _volume_guard(base, population, max(spec.min_calls, 1))
        if then_population == 0:
            return replace(
                base, status=EvalStatus.QUIET, detail=f"no calls in the baseline ({label})"
            )
        baseline = then_matched / then_population
        expected = baseline * population
        what = f"{matched / population:.1%} ({matched}/{population}) vs {baseline:.1%} in {label}"
    else:
        if matched < spec.min_calls:
            return _volume_guard(base, matched, spec.min_calls)
        baseline = expected = then_matched * scale
        what = f"{matched} matching calls vs {expected:.1f} expected from {label}"
    ratio = matched / max(expected, 1.0)
    levels = _levels(spec)
    if not levels and spec.factor is not None:
        levels = ((spec.severity, spec.factor),)
    base = replace(base, baseline=baseline)
    return _graded(spec, base, ratio, ratio, f"{what} ({ratio:.1f}x)", levels, current, _times)


def _flatline(spec: RuleSpec, base: Evaluation, current: Severity | None) -> Evaluation:
    if spec.below is None:
        raise ValueError(f"flatline rule {spec.name!r} has no 'below'")
    matched = base.matched or 0
    recover = spec.recover if spec.recover is not None else float(spec.below)
    what = f"{matched} matching calls in {format_duration(spec.window)}"
    evaluation = replace(base, value=float(matched), compared=float(matched), threshold=spec.below)
    evaluation = replace(evaluation, recover=recover)
    if matched < spec.below:
        return replace(
            evaluation,
            status=EvalStatus.BREACH,
            severity=spec.severity,
            detail=f"{what}, fewer than {spec.below}",
        )
    if current is not None and matched < recover:
        return replace(
            evaluation,
            status=EvalStatus.BAND,
            severity=spec.severity,
            detail=f"{what}, at least {spec.below} but fewer than {_num(recover)} to recover",
        )
    return replace(evaluation, status=EvalStatus.CLEAR, detail=f"{what}, at least {spec.below}")


def _levels(spec: RuleSpec) -> tuple[tuple[Severity, float], ...]:
    """Thresholds from the most to the least severe."""
    levels = [(Severity.CRITICAL, spec.critical), (Severity.WARNING, spec.warning)]
    return tuple((severity, value) for severity, value in levels if value is not None)


def _graded(
    spec: RuleSpec,
    base: Evaluation,
    value: float,
    compared: float,
    what: str,
    levels: tuple[tuple[Severity, float], ...],
    current: Severity | None,
    fmt: _Format,
) -> Evaluation:
    """BREACH at the highest threshold `compared` reaches; a critical alert stays
    critical down to its critical recovery level (severity hysteresis); below every
    threshold, BAND while firing and not below `recover` (default: the lowest
    threshold); else CLEAR. The threshold returned is always the one of the
    severity returned, and `recover` the level that leaves it."""
    if not levels:
        raise ValueError(f"rule {spec.name!r} has no threshold (warning, critical or factor)")
    verdict = grade(
        compared,
        levels,
        current=current,
        recover=spec.recover,
        critical_recovery=spec.critical_recovery,
    )
    evaluation = replace(base, value=value, compared=compared)
    lowest_severity, lowest = levels[-1]
    below = f"below {lowest_severity} {fmt(lowest)}"
    if verdict.kept:
        detail = (
            f"{what}, below critical {fmt(verdict.threshold)} but critical until "
            f"below {fmt(verdict.recover)}"
        )
    elif verdict.status is EvalStatus.BREACH:
        detail = f"{what}, at or above {verdict.severity} {fmt(verdict.threshold)}"
    elif verdict.status is EvalStatus.BAND:
        detail = f"{what}, {below} but not below recover {fmt(verdict.recover)}"
    else:
        detail = f"{what}, {below}"
    return verdict.applied(evaluation, detail)


def _volume_guard(base: Evaluation, calls: int, minimum: int) -> Evaluation:
    return replace(base, status=EvalStatus.QUIET, detail=f"volume guard: {calls} calls < {minimum}")


def evaluate_operation(
    specs: Iterable[RuleSpec],
    operation: str,
    log: CallLog,
    *,
    now: datetime,
    tz: ZoneInfo,
    current: Mapping[str, Severity | None],
    unavailable: Evaluation,
    queues: QueueInput | None = None,
) -> tuple[Evaluation, ...]:
    """Evaluate every rule that applies to `operation`, in the order of `specs`.

    The UNAVAILABLE spec gets `unavailable` (renamed to the spec's name). While
    it is a BREACH every other rule is HELD: the bot must not page "abandon 0%"
    or "no calls" because it cannot see. `queue` rules read `queues` (the latest
    `skills` snapshot); they are left out of a cycle that `queues` says not to judge
    them in, and HELD without one.
    """
    blind = unavailable.status is EvalStatus.BREACH
    out: list[Evaluation] = []
    for spec in specs:
        if not spec.applies_to(operation):
            continue
        if spec.kind is RuleKind.UNAVAILABLE:
            out.append(replace(unavailable, rule=spec.name, operation=operation))
        elif blind:
            out.append(
                Evaluation(
                    spec.name, operation, EvalStatus.HELD, detail=f"held: {unavailable.rule}"
                )
            )
        elif spec.kind is RuleKind.QUEUE:
            if queues is not None and not queues.judge:
                continue
            given = queues or QueueInput(None)
            out.append(
                evaluate_queue(
                    spec,
                    operation,
                    given.snapshot,
                    now=now,
                    tz=tz,
                    current=current.get(spec.name),
                    max_age=given.max_age,
                )
            )
        else:
            out.append(
                evaluate(spec, operation, log, now=now, tz=tz, current=current.get(spec.name))
            )
    return tuple(out)
