"""The `queue` rule kind: a `skills` metric judged per queue or over a named set (issue 15).

`calls_last_10` has no queue, wait or service-level field; Wolkvox's `skills`
API has them, as a snapshot of the moment it was asked. A queue rule reads that
snapshot: `service_level` (answered within 20 s) alerts when it falls BELOW its
thresholds, `waiting` and `abandon_rate` when they rise above them, with the
same levels, hysteresis (`recover`, `recover_critical`), `for`, `active` and
lifecycle as the other kinds.

What cannot be judged is never read as good news: no snapshot yet, a snapshot
older than the rule can trust, or a named queue missing from it (or reported
without the metric) is HELD, so a firing alert keeps firing. A queue with fewer
inbound calls than `min_calls` is not judged (QUIET when no queue is judgeable).

Standard library only (tests/test_domain_purity.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.durations import format_duration
from bot.domain.grading import grade
from bot.domain.kind_specs import QueueJudge, QueueMetric, QueueScope
from bot.domain.queues import QueueSnapshot, QueueStat
from bot.domain.specs import EvalStatus, Evaluation, RuleSpec, Severity

ALL_QUEUES = "all queues"
"""The subject of a rule read over every queue of the operation together."""
DEFAULT_MAX_AGE = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class QueueInput:
    """What one poll cycle judges queue rules on: the operation's latest `skills`
    snapshot (None: none yet), whether to judge them this cycle (each snapshot is judged
    once, so `for` counts snapshots), and how old a snapshot may be and still be judged."""

    snapshot: QueueSnapshot | None
    judge: bool = True
    max_age: timedelta = DEFAULT_MAX_AGE


@dataclass(frozen=True, slots=True)
class QueueReading:
    """One queue (or a named set read together): the metric's value and its volume."""

    label: str
    value: float
    inbound: int | None
    waiting: int | None


def metric_of(queue: QueueStat, metric: QueueMetric) -> float | None:
    """A queue's figure for `metric` (rates as fractions), or None when not reported.

    The abandon rate is abandoned / inbound when Wolkvox reports both counts, else
    its own `by_abandon` percentage."""
    if metric is QueueMetric.WAITING:
        return float(queue.waiting) if queue.waiting is not None else None
    if metric is QueueMetric.SERVICE_LEVEL:
        return queue.service_level / 100 if queue.service_level is not None else None
    if queue.abandoned is not None and queue.inbound:
        return min(1.0, queue.abandoned / queue.inbound)
    return queue.abandon_pct / 100 if queue.abandon_pct is not None else None


def _selected(judge: QueueJudge, snapshot: QueueSnapshot) -> tuple[list[QueueStat], list[str]]:
    """The queues the rule reads, and the named ones the snapshot does not list."""
    if not judge.queues:
        return list(snapshot.queues), []
    found: list[QueueStat] = []
    missing: list[str] = []
    for wanted in judge.queues:
        key = wanted.casefold()
        match = next(
            (q for q in snapshot.queues if key in (q.name.casefold(), q.skill_id.casefold())),
            None,
        )
        if match is None:
            missing.append(wanted)
        elif match not in found:
            found.append(match)
    return found, missing


def _together(queues: list[QueueStat], metric: QueueMetric, label: str) -> QueueReading | None:
    """The queues as one: waiting summed, rates weighted by inbound calls. None when a
    figure it needs is not reported."""
    inbound = [q.inbound for q in queues]
    waiting = [q.waiting for q in queues]
    total_in = sum(n for n in inbound if n is not None) if None not in inbound else None
    total_wait = sum(n for n in waiting if n is not None) if None not in waiting else None
    if metric is QueueMetric.WAITING:
        if total_wait is None:
            return None
        return QueueReading(label, float(total_wait), total_in, total_wait)
    values = [metric_of(q, metric) for q in queues]
    if total_in is None or not total_in or any(v is None for v in values):
        return None
    weighted = sum((v or 0.0) * (q.inbound or 0) for v, q in zip(values, queues, strict=True))
    return QueueReading(label, weighted / total_in, total_in, total_wait)


def evaluate_queue(
    spec: RuleSpec,
    operation: str,
    snapshot: QueueSnapshot | None,
    *,
    now: datetime,
    tz: ZoneInfo,
    current: Severity | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> Evaluation:
    """Judge a `queue` rule on the operation's latest `skills` snapshot.

    `max_age` is how old a snapshot may be and still be judged (the monitor passes
    what its `skills_every` makes of it); `current` is the severity the alert fires at.
    """
    judge = spec.queue
    if judge is None:
        raise ValueError(f"rule {spec.name!r} is not a queue rule")
    base = Evaluation(spec.name, operation, EvalStatus.HELD)
    if spec.active is not None and not spec.active.contains(now, tz):
        base = replace(base, outside_since=spec.active.closed_since(now, tz))
        if current is None:
            return replace(
                base, status=EvalStatus.QUIET, detail=f"outside active hours ({spec.active.text})"
            )
    if snapshot is None:
        return replace(base, detail="no queue snapshot from Wolkvox's skills yet")
    age = snapshot.age(now)
    if age > max_age:
        return replace(
            base,
            detail=f"the latest queue snapshot is {format_duration(age)} old "
            f"(at most {format_duration(max_age)} is judged)",
        )
    queues, missing = _selected(judge, snapshot)
    if judge.scope is QueueScope.TOGETHER:
        return _judge_together(spec, judge, base, queues, missing, current)
    return _judge_each(spec, judge, base, queues, missing, current)


def _guarded(spec: RuleSpec, reading: QueueReading) -> bool:
    return spec.min_calls > 0 and (reading.inbound or 0) < spec.min_calls


def _judge_together(
    spec: RuleSpec,
    judge: QueueJudge,
    base: Evaluation,
    queues: list[QueueStat],
    missing: list[str],
    current: Severity | None,
) -> Evaluation:
    label = ", ".join(q.label for q in queues) if judge.queues else ALL_QUEUES
    if missing:
        return replace(base, subject=label, detail=f"not in the snapshot: {', '.join(missing)}")
    reading = _together(queues, judge.metric, label) if queues else None
    if reading is None:
        return replace(
            base, subject=label, detail=f"{judge.metric} not reported for {label} (or no calls)"
        )
    if _guarded(spec, reading):
        return _volume_guard(base, reading, spec.min_calls)
    return _grade(spec, judge.metric, base, reading, current)


def _judge_each(
    spec: RuleSpec,
    judge: QueueJudge,
    base: Evaluation,
    queues: list[QueueStat],
    missing: list[str],
    current: Severity | None,
) -> Evaluation:
    """The worst judgeable queue decides; a queue that cannot be read keeps the rule
    from clearing (it may be the one in trouble), so the result is HELD unless another
    queue breaches."""
    readings: list[QueueReading] = []
    unknown = list(missing)
    guarded: list[QueueReading] = []
    for queue in queues:
        value = metric_of(queue, judge.metric)
        if value is None or (spec.min_calls and queue.inbound is None):
            unknown.append(queue.label)
            continue
        reading = QueueReading(queue.label, value, queue.inbound, queue.waiting)
        (guarded if _guarded(spec, reading) else readings).append(reading)
    low = judge.metric.low_is_worse
    if readings:
        worst = (
            min(readings, key=lambda r: r.value) if low else max(readings, key=lambda r: r.value)
        )
        graded = _grade(spec, judge.metric, base, worst, current)
        beyond = sum(1 for r in readings if r is not worst and _past(r.value, graded, low))
        graded = replace(graded, facts=(*graded.facts, ("also", float(beyond))))
        if graded.status is EvalStatus.BREACH or not unknown:
            return graded
    if unknown:
        return replace(base, detail=f"cannot read {judge.metric} of: {', '.join(unknown)}")
    if guarded:
        quietest = max(guarded, key=lambda r: r.inbound or 0)
        return _volume_guard(base, quietest, spec.min_calls)
    return replace(base, status=EvalStatus.QUIET, detail="the snapshot lists no queues")


def _past(value: float, graded: Evaluation, low: bool) -> bool:
    """Whether another queue is past the threshold the rule's value is shown against."""
    if graded.threshold is None or graded.status is not EvalStatus.BREACH:
        return False
    return value <= graded.threshold if low else value >= graded.threshold


def _volume_guard(base: Evaluation, reading: QueueReading, minimum: int) -> Evaluation:
    calls = reading.inbound or 0
    return replace(
        base,
        status=EvalStatus.QUIET,
        subject=reading.label,
        population=calls,
        detail=f"volume guard: {calls} inbound calls on {reading.label} < {minimum}",
    )


def _fmt(metric: QueueMetric) -> Callable[[float], str]:
    if metric is QueueMetric.WAITING:
        return lambda v: f"{v:g}"
    return lambda v: f"{v:.1%}".replace(".0%", "%")


def _grade(
    spec: RuleSpec,
    metric: QueueMetric,
    base: Evaluation,
    reading: QueueReading,
    current: Severity | None,
) -> Evaluation:
    """BREACH at the most severe threshold the value is at or past (below it for a
    service level, above it otherwise); a critical alert stays critical until the value
    is past its critical recovery; past every threshold but not yet past `recover`, a
    firing alert is BAND; else CLEAR. As bot.domain.rules grades the other kinds."""
    low = metric.low_is_worse
    fmt = _fmt(metric)
    levels = [
        (s, t)
        for s, t in ((Severity.CRITICAL, spec.critical), (Severity.WARNING, spec.warning))
        if t is not None
    ]
    if not levels:
        raise ValueError(f"rule {spec.name!r} has no threshold (warning or critical)")

    value = reading.value
    facts: list[tuple[str, float]] = []
    if reading.inbound is not None:
        facts.append(("inbound", float(reading.inbound)))
    if reading.waiting is not None:
        facts.append(("waiting", float(reading.waiting)))
    evaluation = replace(
        base,
        value=value,
        compared=value,
        subject=reading.label,
        population=reading.inbound,
        facts=tuple(facts),
    )
    verdict = grade(
        value,
        tuple(levels),
        current=current,
        recover=spec.recover,
        critical_recovery=spec.critical_recovery,
        low_is_worse=low,
    )
    word, past = ("below", "at or below") if low else ("above", "at or above")
    what = f"{metric} {fmt(value)} on {reading.label}"
    lowest_severity, lowest = levels[-1]
    if verdict.kept:
        detail = (
            f"{what}, past critical {fmt(verdict.threshold)} no more but critical until "
            f"{word} {fmt(verdict.recover)} no more"
        )
    elif verdict.status is EvalStatus.BREACH:
        detail = f"{what}, {past} {verdict.severity} {fmt(verdict.threshold)}"
    elif verdict.status is EvalStatus.BAND:
        detail = (
            f"{what}, not {word} {lowest_severity} {fmt(lowest)} but not past "
            f"recover {fmt(verdict.recover)}"
        )
    else:
        detail = f"{what}, not {word} {lowest_severity} {fmt(lowest)}"
    return verdict.applied(evaluation, detail)
