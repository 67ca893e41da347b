"""Build the view of an incident's living message from the domain's alert state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.alerts import Alert, AlertState
from bot.domain.call_log import CallLog, minute_span
from bot.domain.calls import NETWORK_FAILURE_RESULTS, OUTBOUND_TYPES
from bot.domain.kind_specs import QueueMetric
from bot.domain.silences import Silence
from bot.domain.specs import CallFilter, EvalStatus, Evaluation, RuleKind, RuleSpec
from bot.services.state import PollState
from bot.services.views.alert import AlertMessageView, QuietView, Unit

SPARKLINE_SPAN = timedelta(hours=1)
NETWORK_MEASURE = "network"
"""The measure label of a rule that matches exactly the network-failure results."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)

_UNITS = {
    RuleKind.COUNT: Unit.COUNT,
    RuleKind.RATE: Unit.RATE,
    RuleKind.SPIKE: Unit.RATIO,
    RuleKind.FLATLINE: Unit.COUNT,
    RuleKind.BUDGET: Unit.RATIO,
    RuleKind.EXPECTED: Unit.COUNT,
    RuleKind.QUEUE: Unit.RATE,
    RuleKind.UNAVAILABLE: Unit.AGE,
}


def unit_of(spec: RuleSpec | RuleKind) -> Unit:
    """How a rule's value reads: a count, a rate, or a ratio to its baseline (a queue
    rule: callers waiting are a count, its other metrics rates)."""
    if isinstance(spec, RuleSpec) and spec.queue is not None:
        return Unit.COUNT if spec.queue.metric is QueueMetric.WAITING else Unit.RATE
    return _UNITS[spec if isinstance(spec, RuleKind) else spec.kind]


def reads_below(spec: RuleSpec) -> bool:
    """Whether the rule fires when its value falls BELOW its levels (a flatline, a
    queue rule on the service level)."""
    return spec.kind is RuleKind.FLATLINE or (
        spec.queue is not None and spec.queue.metric.low_is_worse
    )


def population_label(spec: RuleSpec) -> str:
    """`inbound`, `outbound`, one call type, or "" for all calls."""
    types = spec.among.types or (spec.match.types if spec.kind != RuleKind.RATE else frozenset())
    if not types:
        return ""
    if types == OUTBOUND_TYPES:
        return "outbound"
    if len(types) == 1:
        return next(iter(types))
    return ", ".join(sorted(types))


def measure_label(spec: RuleSpec) -> str:
    """What is measured: the results a rule matches (`abandon`), else its own description."""
    results = spec.match.results
    if results == NETWORK_FAILURE_RESULTS:
        return NETWORK_MEASURE
    if results and len(results) <= 3:
        return " + ".join(sorted(results))
    return ""


def covered_series(
    log: CallLog,
    operation: str,
    *,
    start: datetime,
    end: datetime,
    flt: CallFilter | None = None,
) -> tuple[int | None, ...]:
    """Calls per minute over `[start, end)`, with None for each minute that no
    successful poll covered: a sparkline must not draw "not seen" as "no calls"."""
    counts = log.series(operation, start=start, end=end, flt=flt)
    first, _ = minute_span(start, end)
    out: list[int | None] = []
    for offset, count in enumerate(counts):
        minute = _EPOCH + (first + offset) * _MINUTE
        out.append(count if log.is_covered(operation, minute, minute + _MINUTE) else None)
    return tuple(out)


def _gap_coverage(
    evaluation: Evaluation | None, spec: RuleSpec, log: CallLog, operation: str, now: datetime
) -> float | None:
    """The covered fraction of the rule's window when a polling gap holds the rule
    (a HELD evaluation with counts), None otherwise (held because Wolkvox is down)."""
    if evaluation is None or evaluation.status is not EvalStatus.HELD:
        return None
    if evaluation.matched is None:
        return None
    return log.coverage(operation, now - spec.window, now)


def _quiet(alert: Alert, spec: RuleSpec, log: CallLog, now: datetime) -> QuietView | None:
    quiet = alert.quiet
    if quiet is None:
        return None
    return QuietView(
        status=quiet.status.value,
        since=alert.quiet_since or now,
        matched=quiet.matched,
        population=quiet.population,
        coverage=_gap_coverage(quiet, spec, log, alert.operation, now),
        opened_at=quiet.opened_at,
    )


def _outside_since(alert: Alert) -> datetime | None:
    """When the active hours ended, while the alert is muted by them."""
    latest = alert.quiet or alert.last_evaluation
    if alert.state != AlertState.FIRING or latest is None:
        return None
    return latest.outside_since


def alert_view(
    alert: Alert,
    spec: RuleSpec,
    *,
    log: CallLog,
    now: datetime,
    tz: str,
    channel: str,
    silence: Silence | None = None,
    mention: bool = False,
    poll: PollState | None = None,
) -> AlertMessageView:
    """The incident's message as of `now`, with the last hour's sparkline.

    `poll` (the operation's polling state) lets the built-in unavailable rule
    say how many polls failed and why; without it the message points to
    `/calls status` instead.
    """
    evaluation = alert.last_evaluation
    unavailable = spec.kind == RuleKind.UNAVAILABLE
    series = (
        ()
        if unavailable or spec.kind == RuleKind.QUEUE
        else covered_series(
            log, alert.operation, start=now - SPARKLINE_SPAN, end=now, flt=spec.match
        )
    )
    resolved = alert.state == AlertState.RESOLVED
    severity = alert.severity or alert.peak_severity or spec.severity
    return AlertMessageView(
        incident_id=alert.incident_id or f"{alert.rule}:{alert.operation}",
        rule=alert.rule,
        operation=alert.operation,
        state="resolved" if resolved else "firing",
        severity=severity.value,
        since=alert.fired_at or now,
        as_of=now,
        value=evaluation.value if evaluation else None,
        threshold=evaluation.threshold if evaluation else None,
        unit=unit_of(spec),
        below=reads_below(spec),
        matched=evaluation.matched if evaluation else None,
        population=evaluation.population if evaluation else None,
        population_label=population_label(spec),
        measure_label=measure_label(spec),
        window=spec.window if spec.kind not in (RuleKind.UNAVAILABLE, RuleKind.QUEUE) else None,
        baseline=evaluation.baseline if evaluation else None,
        breakdown=evaluation.breakdown if evaluation else (),
        series=series,
        detail=evaluation.detail if evaluation else "",
        description=spec.description,
        rule_kind=spec.kind.value,
        status=evaluation.status.value if evaluation else "",
        compared=evaluation.compared if evaluation else None,
        confidence=spec.confidence,
        recover=(evaluation.recover if evaluation and evaluation.recover is not None else None)
        or spec.recover,
        min_calls=spec.min_calls,
        coverage=_gap_coverage(evaluation, spec, log, alert.operation, now),
        failures=poll.consecutive_failures if unavailable and poll is not None else None,
        error=poll.last_error if unavailable and poll is not None else None,
        error_kind=poll.last_error_kind if unavailable and poll is not None else None,
        resolved_at=alert.resolved_at,
        peak_value=alert.peak_value,
        peak_severity=alert.peak_severity.value if alert.peak_severity else None,
        acked_by=alert.acked_by,
        acked_at=alert.acked_at,
        silenced_until=silence.ends_at if silence else None,
        silenced_by=silence.created_by if silence else None,
        mention=spec.mention if mention else None,
        channel=channel,
        tz=tz,
        quiet=_quiet(alert, spec, log, now),
        outside_since=_outside_since(alert),
        clears=alert.clears,
        needed=max(spec.for_, 1),
        resolution=alert.resolution.value if alert.resolution else None,
        opened_at=evaluation.opened_at if evaluation else None,
        facts=evaluation.facts if evaluation else (),
        subject=evaluation.subject if evaluation else "",
        queue_metric=spec.queue.metric.value if spec.queue is not None else "",
    )
