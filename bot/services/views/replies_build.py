"""The view models of `/calls` and the Home tab, built from the running state alone.

Every number here comes from memory (the call log, the alert book, the
silences, the poll states, the source's budget counter): a reply never waits
on Wolkvox. Windows end at the operation's last successful poll, the moment
the data describes, and a reply says how old that poll is; data older than two
poll periods is flagged as stale with the last error, so an empty window is
never mistaken for a quiet contact center.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from bot.domain.alerts import Alert, AlertState
from bot.domain.budget import budget_day, day_facts
from bot.domain.call_log import API_WINDOW, CallLog
from bot.domain.calls import NETWORK_FAILURE_RESULTS, OUTBOUND_TYPES, CallResult, CallType
from bot.domain.rules import evaluate
from bot.domain.silences import SilenceBook
from bot.domain.specs import CallFilter, RuleKind, RuleSpec
from bot.services.ports import CallSource
from bot.services.state import OperationRuntime, RuntimeState
from bot.services.views.alert import CallLine, Unit
from bot.services.views.alert_build import covered_series, measure_label, reads_below, unit_of
from bot.services.views.replies import (
    AlertLine,
    AlertsView,
    BudgetDayLine,
    HomeOperation,
    HomeView,
    Last10View,
    NoticeKind,
    NoticeView,
    OperationStatus,
    PollOutcome,
    RuleLine,
    RulesView,
    Share,
    SilenceLine,
    StaleInfo,
    StatusView,
)

RECENT_SHOWN = 5
HOME_SERIES = timedelta(hours=1)
_MINUTE = timedelta(minutes=1)
_INBOUND = frozenset({CallType.INBOUND.value})
_BUDGET_KINDS = frozenset({"quota_exceeded", "budget_exhausted"})
_STATE_ORDER = {AlertState.FIRING: 0, AlertState.PENDING: 1}


def types_of(call_type: str | None) -> frozenset[str] | None:
    """The call types a `/calls last10` filter stands for (None: every type)."""
    if call_type is None:
        return None
    if call_type == "outbound":
        return frozenset(OUTBOUND_TYPES)
    return frozenset({call_type})


def view_tz(ops: Sequence[OperationRuntime]) -> str:
    return ops[0].tz.key if ops else "UTC"


def outcome_of(op: OperationRuntime) -> str:
    poll = op.poll
    if poll.last_attempt_at is None and poll.last_success_at is None:
        return PollOutcome.NEVER.value
    if poll.last_error is None:
        return PollOutcome.OK.value
    if poll.last_error_kind in _BUDGET_KINDS:
        return PollOutcome.BUDGET_EXHAUSTED.value
    return PollOutcome.ERROR.value


def last_poll_at(op: OperationRuntime) -> datetime | None:
    return op.poll.last_attempt_at or op.poll.last_success_at


def stale_info(op: OperationRuntime, now: datetime) -> StaleInfo | None:
    """Set when the data is older than two poll periods (and there is data at all)."""
    since = op.poll.last_success_at
    if since is None or not op.poll.stale(now, op.settings.poll_every):
        return None
    return StaleInfo(
        since=since, last_error=op.poll.last_error, last_error_kind=op.poll.last_error_kind
    )


def covered_back(log: CallLog, operation: str, end: datetime, limit: timedelta) -> timedelta:
    """How far back from `end` successful polls covered every minute, up to `limit`."""
    low, high = 0, limit // _MINUTE
    while low < high:
        middle = (low + high + 1) // 2
        if log.is_covered(operation, end - middle * _MINUTE, end):
            low = middle
        else:
            high = middle - 1
    return low * _MINUTE


def last10_view(
    state: RuntimeState,
    op: OperationRuntime,
    *,
    window: timedelta,
    call_type: str | None,
    now: datetime,
) -> Last10View | NoticeView:
    """The calls of `window` up to the last successful poll, or why they cannot be shown."""
    end = op.poll.last_success_at
    if end is None:
        return NoticeView(NoticeKind.NO_DATA_YET, subject=op.name)
    log = state.log
    if window > API_WINDOW and not log.is_covered(op.name, end - window, end):
        covered = covered_back(log, op.name, end, window)
        return NoticeView(NoticeKind.WINDOW_NOT_COVERED, subject=op.name, covered=covered)
    types = types_of(call_type)
    flt = CallFilter(types=types or frozenset())
    stats = log.stats(op.name, start=end - window, end=end)
    previous = log.stats(op.name, start=end - 2 * window, end=end - window)
    by_type = tuple((t, n) for t, n in stats.by_type().items() if types is None or t in types)
    abandon: Share | None = None
    if types is None or CallType.INBOUND.value in types:
        among = CallFilter(types=_INBOUND)
        matched, population = stats.rate(
            CallFilter(types=_INBOUND, results=frozenset({CallResult.ABANDON.value})), among
        )
        abandon = Share(matched, population) if population else None
    network: Share | None = None
    outbound = OUTBOUND_TYPES if types is None else OUTBOUND_TYPES & types
    if outbound:
        among = CallFilter(types=frozenset(outbound))
        matched, population = stats.rate(
            CallFilter(types=frozenset(outbound), results=NETWORK_FAILURE_RESULTS), among
        )
        network = Share(matched, population) if population else None
    return Last10View(
        operation=op.name,
        window=window,
        as_of=now,
        total=stats.count(flt),
        by_result=tuple(stats.by_result(types).items()),
        by_type=by_type,
        abandon=abandon,
        network_failures=network,
        previous_total=previous.count(flt) if previous.covered_fraction >= 1.0 else None,
        series=covered_series(log, op.name, start=end - window, end=end, flt=flt),
        type_filter=call_type,
        polled_ago=max(now - end, timedelta(0)),
        stale=stale_info(op, now),
        recent=_recent(state, op, start=end - window, types=types),
        tz=op.tz.key,
    )


def _recent(
    state: RuntimeState, op: OperationRuntime, *, start: datetime, types: frozenset[str] | None
) -> tuple[CallLine, ...]:
    calls = [
        r
        for r in state.recent.get(op.name, ())
        if r.at >= start and (types is None or r.call_type in types)
    ]
    return tuple(
        CallLine(r.at, r.call_type, r.result, r.telephone, r.customer_id)
        for r in reversed(calls[-RECENT_SHOWN:])
    )


def status_view(
    state: RuntimeState, ops: Sequence[OperationRuntime], *, source: CallSource, now: datetime
) -> StatusView:
    """`/calls status`: how polling goes, per operation."""
    lines = []
    for op in ops:
        lines.append(
            OperationStatus(
                operation=op.name,
                last_poll_at=last_poll_at(op),
                outcome=outcome_of(op),
                poll_every=op.settings.poll_every,
                duration_s=(
                    op.poll.last_duration.total_seconds()
                    if op.poll.last_duration is not None
                    else None
                ),
                last_error=op.poll.last_error,
                last_error_kind=op.poll.last_error_kind,
                calls_today=source.budget(op.name, now),
                alerts_firing=sum(1 for a in state.alerts if a.operation == op.name and a.firing),
                silences_active=len(_silences(state.silences, op, now)),
                budget_days=_budget_days(state.log, op, now),
            )
        )
    return StatusView(as_of=now, operations=tuple(lines), tz=view_tz(ops))


def _budget_days(log: CallLog, op: OperationRuntime, now: datetime) -> tuple[BudgetDayLine, ...]:
    """Each budget rule's business day so far, read from the call log (issue 16)."""
    out = []
    for spec in op.rules:
        if spec.kind is RuleKind.BUDGET:
            day = budget_day(spec, op.name, log, now=now, tz=op.settings.timezone)
            if day is not None:
                out.append(BudgetDayLine(spec.name, measure_label(spec), day_facts(day)))
    return tuple(out)


def alert_line(
    alert: Alert, spec: RuleSpec | None, silences: SilenceBook, now: datetime
) -> AlertLine:
    evaluation = alert.last_evaluation
    silence = silences.matching(alert.rule, alert.operation, now)
    since = alert.fired_at if alert.firing else alert.pending_since
    latest = alert.quiet or evaluation
    bounded = (
        spec is not None
        and spec.kind is RuleKind.RATE
        and spec.confidence is not None
        and evaluation is not None
    )  # a budget's value is already its bound (issue 16)
    return AlertLine(
        rule=alert.rule,
        operation=alert.operation,
        state=alert.state.value,
        severity=alert.severity.value if alert.severity else None,
        since=since or now,
        value=evaluation.value if evaluation else None,
        threshold=evaluation.threshold if evaluation else None,
        unit=unit_of(spec) if spec is not None else Unit.COUNT,
        below=spec is not None and reads_below(spec),
        acked_by=alert.acked_by if alert.firing else None,
        silenced_until=silence.ends_at if silence else None,
        compared=evaluation.compared if bounded and evaluation is not None else None,
        quiet=alert.firing and alert.quiet is not None,
        outside_since=latest.outside_since if alert.firing and latest is not None else None,
    )


def _active_alerts(
    state: RuntimeState, ops: Iterable[OperationRuntime], now: datetime
) -> list[Alert]:
    """Firing then pending alerts of `ops`, critical first, oldest first."""
    names = {op.name for op in ops}
    alerts = [a for a in state.alerts if a.operation in names and a.state in _STATE_ORDER]
    return sorted(
        alerts,
        key=lambda a: (
            _STATE_ORDER[a.state],
            -(a.severity.rank if a.severity else 0),
            a.fired_at or a.pending_since or now,
            a.rule,
            a.operation,
        ),
    )


def alerts_view(
    state: RuntimeState, ops: Sequence[OperationRuntime], *, now: datetime
) -> AlertsView:
    """`/calls alerts`: what fires or is pending, most urgent first."""
    by_name = {op.name: op for op in ops}
    lines = tuple(
        alert_line(a, by_name[a.operation].rule(a.rule), state.silences, now)
        for a in _active_alerts(state, ops, now)
    )
    return AlertsView(as_of=now, lines=lines, tz=view_tz(ops))


def _thresholds(spec: RuleSpec, op: OperationRuntime) -> tuple[float | None, float | None]:
    """(warning, critical) as the rule reads them; a spike or flatline has one level, and
    the built-in unavailable rule an age: critical after two poll periods."""
    if spec.kind is RuleKind.UNAVAILABLE:
        return None, 2 * op.settings.poll_every.total_seconds()
    if spec.kind is RuleKind.FLATLINE:
        level = float(spec.below) if spec.below is not None else None
    elif spec.kind is RuleKind.SPIKE and spec.warning is None and spec.critical is None:
        level = spec.factor
    else:
        return spec.warning, spec.critical
    if spec.severity.value == "critical":
        return None, level
    return level, None


def current_value(
    state: RuntimeState, op: OperationRuntime, spec: RuleSpec, alert: Alert, now: datetime
) -> float | None:
    """The rule's value over the data of the last successful poll (as the monitor saw it);
    for the built-in unavailable rule, how old that data is now."""
    end = op.poll.last_success_at
    if spec.kind is RuleKind.UNAVAILABLE:
        return (now - end).total_seconds() if end is not None else None
    if end is None:
        return None
    try:
        evaluation = evaluate(
            spec,
            op.name,
            state.log,
            now=end,
            tz=op.tz,
            current=alert.severity if alert.firing else None,
        )
    except ValueError:
        evaluation = None
    if evaluation is not None and evaluation.value is not None:
        return evaluation.value
    last = alert.last_evaluation
    return last.value if last is not None else None


def rules_view(state: RuntimeState, ops: Sequence[OperationRuntime], *, now: datetime) -> RulesView:
    """`/calls rules`: every rule of every operation in scope, its value now and its state."""
    lines = []
    for op in ops:
        for spec in op.rules:
            alert = state.alerts.get(spec.name, op.name)
            warning, critical = _thresholds(spec, op)
            active = alert.state in _STATE_ORDER
            lines.append(
                RuleLine(
                    rule=spec.name,
                    kind=spec.kind.value,
                    operation=op.name,
                    state=alert.state.value if active else AlertState.INACTIVE.value,
                    value=current_value(state, op, spec, alert, now),
                    unit=unit_of(spec),
                    warning=warning,
                    critical=critical,
                    below=reads_below(spec),
                    severity=alert.severity.value if active and alert.severity else None,
                    description=spec.description,
                )
            )
    return RulesView(as_of=now, lines=tuple(lines), tz=view_tz(ops))


def _silences(silences: SilenceBook, op: OperationRuntime, now: datetime) -> list[SilenceLine]:
    names = {spec.name for spec in op.rules}
    return [
        SilenceLine(s.rule, s.operation, s.ends_at, s.created_by, s.reason)
        for s in silences.active(now)
        if s.rule in names and (s.operation is None or s.operation == op.name)
    ]


def home_view(state: RuntimeState, *, now: datetime) -> HomeView:
    """The Home tab: per operation, the last poll, the last 10 minutes, alerts and silences."""
    ops = list(state.operations.values())
    panels = []
    for op in ops:
        end = op.poll.last_success_at
        total = 0
        by_result: tuple[tuple[str, int], ...] = ()
        series: tuple[int | None, ...] = ()
        if end is not None:
            stats = state.log.last(op.name, API_WINDOW, now=end)
            total, by_result = stats.total, tuple(stats.by_result().items())
            series = covered_series(state.log, op.name, start=end - HOME_SERIES, end=end)
        firing = tuple(
            alert_line(a, op.rule(a.rule), state.silences, now)
            for a in _active_alerts(state, [op], now)
            if a.firing
        )
        panels.append(
            HomeOperation(
                operation=op.name,
                last_poll_at=last_poll_at(op),
                outcome=outcome_of(op),
                poll_every=op.settings.poll_every,
                total=total,
                by_result=by_result,
                series=series,
                last_error=op.poll.last_error,
                last_error_kind=op.poll.last_error_kind,
                firing=firing,
                silences=tuple(_silences(state.silences, op, now)),
            )
        )
    return HomeView(as_of=now, operations=tuple(panels), tz=view_tz(ops))
