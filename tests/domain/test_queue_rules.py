"""The `queue` rule kind judged on `skills` snapshots (issue 15): both directions,
hysteresis, the volume guard, and what cannot be judged (never read as resolved)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.alert_book import AlertBook
from bot.domain.calendar import Calendar
from bot.domain.kind_specs import QueueJudge, QueueMetric, QueueScope
from bot.domain.queue_rules import evaluate_queue
from bot.domain.queues import QueueSnapshot, QueueStat
from bot.domain.silences import SilenceBook
from bot.domain.specs import EvalStatus, RuleKind, RuleSpec, Severity

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Bogota
TZ = ZoneInfo("America/Bogota")


def _rule(
    metric: QueueMetric,
    *,
    warning: float | None,
    critical: float | None = None,
    recover: float | None = None,
    recover_critical: float | None = None,
    min_calls: int = 0,
    queues: tuple[str, ...] = (),
    scope: QueueScope = QueueScope.EACH,
    active: Calendar | None = None,
    for_: int = 1,
) -> RuleSpec:
    return RuleSpec(
        name="q",
        kind=RuleKind.QUEUE,
        warning=warning,
        critical=critical,
        recover=recover,
        recover_critical=recover_critical,
        min_calls=min_calls,
        active=active,
        for_=for_,
        queue=QueueJudge(metric=metric, queues=queues, scope=scope),
    )


BREACH, BAND, CLEAR = EvalStatus.BREACH, EvalStatus.BAND, EvalStatus.CLEAR
WARN, CRIT = Severity.WARNING, Severity.CRITICAL

SERVICE = _rule(QueueMetric.SERVICE_LEVEL, warning=0.8, critical=0.6, recover=0.85)
WAITING = _rule(QueueMetric.WAITING, warning=5, critical=10, recover=3)
ABANDON = _rule(QueueMetric.ABANDON_RATE, warning=0.1, critical=0.2, recover=0.08)


def _queue(
    name: str,
    *,
    sl: float | None = 90.0,
    waiting: int | None = 0,
    inbound: int | None = 50,
    abandoned: int | None = 0,
    pct: float | None = None,
) -> QueueStat:
    return QueueStat(
        skill_id=name.lower()[:3],
        name=name,
        waiting=waiting,
        inbound=inbound,
        answered=None,
        abandoned=abandoned,
        abandon_pct=pct,
        service_level=sl,
    )


Q = _queue


def _snap(*queues: QueueStat, at: datetime = NOW) -> QueueSnapshot:
    return QueueSnapshot(at=at, queues=tuple(queues))


def _eval(
    spec: RuleSpec,
    snap: QueueSnapshot | None,
    current: Severity | None = None,
    now: datetime = NOW,
):
    return evaluate_queue(spec, "bogota", snap, now=now, tz=TZ, current=current)


@pytest.mark.parametrize(
    ("spec", "queue", "current", "status", "severity", "threshold"),
    [
        # service level: BELOW its thresholds is bad
        (SERVICE, Q("Ventas", sl=90), None, CLEAR, None, 0.8),
        (SERVICE, Q("Ventas", sl=80), None, BREACH, WARN, 0.8),
        (SERVICE, Q("Ventas", sl=62), None, BREACH, WARN, 0.8),
        (SERVICE, Q("Ventas", sl=59.9), None, BREACH, CRIT, 0.6),
        # hysteresis: firing, back above 80% but not above recover 85%
        (SERVICE, Q("Ventas", sl=83), WARN, BAND, WARN, 0.8),
        (SERVICE, Q("Ventas", sl=83), None, CLEAR, None, 0.8),
        (SERVICE, Q("Ventas", sl=86), WARN, CLEAR, None, 0.8),
        # critical is kept down to the warning level (recover_critical's default)
        (SERVICE, Q("Ventas", sl=70), CRIT, BREACH, CRIT, 0.6),
        # waiting: ABOVE is bad
        (WAITING, Q("Ventas", waiting=4), None, CLEAR, None, 5),
        (WAITING, Q("Ventas", waiting=5), None, BREACH, WARN, 5),
        (WAITING, Q("Ventas", waiting=12), None, BREACH, CRIT, 10),
        (WAITING, Q("Ventas", waiting=4), WARN, BAND, WARN, 5),
        (WAITING, Q("Ventas", waiting=2), WARN, CLEAR, None, 5),
        # abandon rate: abandoned / inbound, else Wolkvox's own percentage
        (ABANDON, Q("Ventas", abandoned=6, inbound=50), None, BREACH, WARN, 0.1),
        (ABANDON, Q("Ventas", abandoned=None, pct=25.0), None, BREACH, CRIT, 0.2),
        (ABANDON, Q("Ventas", abandoned=4, inbound=50), WARN, BAND, WARN, 0.1),
        (ABANDON, Q("Ventas", abandoned=3, inbound=50), None, CLEAR, None, 0.1),
    ],
)  # fmt: skip
def test_thresholds_in_both_directions_with_hysteresis(
    spec: RuleSpec,
    queue: QueueStat,
    current: Severity | None,
    status: EvalStatus,
    severity: Severity | None,
    threshold: float,
) -> None:
    result = _eval(spec, _snap(queue), current)
    assert (result.status, result.severity, result.threshold) == (status, severity, threshold)
    assert result.subject == "Ventas"


def test_abandon_rate_at_four_of_fifty_is_clear_when_not_firing() -> None:
    """8% is below warning 10%: between recover and warning only a firing alert is BAND."""
    assert _eval(ABANDON, _snap(_queue("Ventas", abandoned=4))).status is EvalStatus.CLEAR
    held = _eval(ABANDON, _snap(_queue("Ventas", abandoned=4)), Severity.WARNING)
    assert held.status is EvalStatus.BAND


def test_the_worst_queue_decides_and_others_past_the_threshold_are_counted() -> None:
    snap = _snap(
        _queue("Soporte", sl=75),
        _queue("Ventas", sl=62),
        _queue("Cobros", sl=95),
        _queue("X", sl=79),
    )
    result = _eval(SERVICE, snap)
    assert result.status is EvalStatus.BREACH
    assert result.value == pytest.approx(0.62)
    assert result.subject == "Ventas"
    assert dict(result.facts)["also"] == 2.0  # Soporte 75% and X 79% are below 80% too
    assert "service_level 62% on Ventas, at or below warning 80%" in result.detail


def test_min_calls_guards_each_queue_on_its_inbound_count() -> None:
    spec = _rule(QueueMetric.SERVICE_LEVEL, warning=0.8, min_calls=20)
    quiet = _eval(spec, _snap(_queue("Ventas", sl=10, inbound=12)))
    assert quiet.status is EvalStatus.QUIET
    assert "12 inbound calls on Ventas < 20" in quiet.detail
    # a busy queue is judged even when a quiet one looks terrible
    snap = _snap(_queue("Ventas", sl=10, inbound=12), _queue("Soporte", sl=85, inbound=40))
    assert _eval(spec, snap).status is EvalStatus.CLEAR
    assert _eval(spec, snap).subject == "Soporte"


def test_a_named_queue_missing_from_the_snapshot_cannot_be_judged_not_resolved() -> None:
    spec = _rule(QueueMetric.WAITING, warning=5, queues=("Ventas", "Soporte"))
    snap = _snap(_queue("Soporte", waiting=0))
    result = _eval(spec, snap, Severity.WARNING)
    assert result.status is EvalStatus.HELD
    assert "Ventas" in result.detail
    # once Ventas is back and calm, the rule clears
    back = _snap(_queue("Soporte", waiting=0), _queue("ventas", waiting=1))
    assert _eval(spec, back, Severity.WARNING).status is EvalStatus.CLEAR
    # a queue still there and breaching is news even while another is missing
    breaching = _snap(_queue("Soporte", waiting=9))
    assert _eval(spec, breaching).status is EvalStatus.BREACH


def test_a_queue_without_the_metric_keeps_the_rule_from_clearing() -> None:
    snap = _snap(_queue("Ventas", sl=None), _queue("Soporte", sl=95))
    result = _eval(SERVICE, snap, Severity.WARNING)
    assert result.status is EvalStatus.HELD
    assert "Ventas" in result.detail


def test_no_snapshot_or_a_stale_one_is_held() -> None:
    assert _eval(SERVICE, None, Severity.WARNING).status is EvalStatus.HELD
    old = _snap(_queue("Ventas", sl=95), at=NOW - timedelta(minutes=16))
    result = _eval(SERVICE, old, Severity.WARNING)
    assert result.status is EvalStatus.HELD
    assert "16 min old" in result.detail or "16m old" in result.detail


def test_a_named_set_read_together_weights_rates_by_inbound_calls() -> None:
    spec = _rule(
        QueueMetric.SERVICE_LEVEL,
        warning=0.8,
        queues=("Ventas", "Soporte"),
        scope=QueueScope.TOGETHER,
    )
    snap = _snap(
        _queue("Ventas", sl=60, inbound=10),
        _queue("Soporte", sl=90, inbound=90),
        _queue("Cobros", sl=0, inbound=500),  # not in the set
    )
    result = _eval(spec, snap)
    assert result.value == pytest.approx(0.87)
    assert result.status is EvalStatus.CLEAR
    assert result.subject == "Ventas, Soporte"
    assert result.population == 100


def test_waiting_together_is_the_sum_over_every_queue() -> None:
    spec = _rule(QueueMetric.WAITING, warning=5, scope=QueueScope.TOGETHER)
    result = _eval(spec, _snap(_queue("Ventas", waiting=3), _queue("Soporte", waiting=3)))
    assert (result.status, result.value, result.subject) == (EvalStatus.BREACH, 6.0, "all queues")


def test_outside_active_hours_is_quiet_unless_firing() -> None:
    spec = _rule(
        QueueMetric.SERVICE_LEVEL, warning=0.8, active=Calendar.parse("mon-fri 12:00-18:00")
    )
    snap = _snap(_queue("Ventas", sl=50))
    assert _eval(spec, snap).status is EvalStatus.QUIET
    firing = _eval(spec, _snap(_queue("Ventas", sl=95)), Severity.WARNING)
    assert firing.status is EvalStatus.CLEAR
    assert firing.outside_since is not None


def test_the_alert_lifecycle_fires_after_for_and_resolves_on_recovery() -> None:
    """Through the real alert book: two breaching snapshots fire (for: 2), a missing
    queue holds, two recovered ones (for: 2) resolve."""
    spec = _rule(QueueMetric.SERVICE_LEVEL, warning=0.8, recover=0.85, for_=2, queues=("Ventas",))
    book, silences = AlertBook(), SilenceBook()
    steps = [
        (_snap(_queue("Ventas", sl=70)), "pending"),
        (_snap(_queue("Ventas", sl=65)), "firing"),
        (_snap(_queue("Soporte", sl=99)), "firing"),  # Ventas missing: held, still firing
        (_snap(_queue("Ventas", sl=83)), "firing"),  # band: above 80%, not above 85%
        (_snap(_queue("Ventas", sl=90)), "firing"),  # 1 of the 2 clears it needs
        (_snap(_queue("Ventas", sl=91)), "resolved"),
    ]
    for minute, (snap, state) in enumerate(steps):
        now = NOW + timedelta(minutes=minute)
        current = book.get("q", "bogota")
        severity = current.severity if current.firing else None
        evaluation = _eval(spec, snap, severity, now=now)
        book, _ = book.step_all((evaluation,), {"q": spec}, silences, now)
        alert = book.get("q", "bogota")
        assert alert.state == state, (minute, evaluation.detail)
