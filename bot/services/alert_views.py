"""Build the view of an incident's living message from the domain's alert state."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.alerts import Alert, AlertState
from bot.domain.calls import OUTBOUND_TYPES
from bot.domain.silences import Silence
from bot.domain.specs import RuleKind, RuleSpec
from bot.domain.window import CallLog
from bot.services.views import AlertMessageView, Unit

SPARKLINE_SPAN = timedelta(hours=1)

_UNITS = {
    RuleKind.COUNT: Unit.COUNT,
    RuleKind.RATE: Unit.RATE,
    RuleKind.SPIKE: Unit.RATIO,
    RuleKind.FLATLINE: Unit.COUNT,
    RuleKind.UNAVAILABLE: Unit.COUNT,
}


def unit_of(spec: RuleSpec) -> Unit:
    """How a rule's value reads: a count, a rate, or a ratio to its baseline."""
    return _UNITS[spec.kind]


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
    if results and len(results) <= 3:
        return " + ".join(sorted(results))
    return ""


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
) -> AlertMessageView:
    """The incident's message as of `now`, with the last hour's sparkline."""
    evaluation = alert.last_evaluation
    series = log.series(alert.operation, start=now - SPARKLINE_SPAN, end=now, flt=spec.match)
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
        below=spec.kind == RuleKind.FLATLINE,
        matched=evaluation.matched if evaluation else None,
        population=evaluation.population if evaluation else None,
        population_label=population_label(spec),
        measure_label=measure_label(spec),
        window=spec.window if spec.kind != RuleKind.UNAVAILABLE else None,
        baseline=evaluation.baseline if evaluation else None,
        breakdown=evaluation.breakdown if evaluation else (),
        series=series if spec.kind != RuleKind.UNAVAILABLE else (),
        detail=evaluation.detail if evaluation else "",
        description=spec.description,
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
    )
