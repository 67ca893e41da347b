"""A queue alert says which queue, its value, and the threshold in the metric's own
direction, in the reader's language (issue 15). Each case evaluates a real queue rule on
a snapshot, builds the incident's view as the notifier does and renders it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.adapters.slack.blocks import render_alert_message
from bot.domain.alerts import Alert, AlertState
from bot.domain.call_log import CallLog
from bot.domain.queue_rules import evaluate_queue
from bot.domain.queues import QueueSnapshot, QueueStat
from bot.domain.specs import Evaluation, RuleSpec, Severity
from bot.services.views.alert_build import alert_view
from tests.adapters.slack.limits import strings
from tests.domain.test_queue_rules import SERVICE, WAITING

TZ = "America/Bogota"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _firing(evaluation: Evaluation) -> Alert:
    return replace(
        Alert.new(evaluation.rule, "bogota"),
        state=AlertState.FIRING,
        severity=evaluation.severity or Severity.WARNING,
        incident_id="inc-1",
        fired_at=NOW - timedelta(minutes=10),
        last_evaluation=evaluation,
    )


def _render(spec: RuleSpec, snapshot: QueueSnapshot | None, lang: str) -> str:
    evaluation = evaluate_queue(
        spec, "bogota", snapshot, now=NOW, tz=ZoneInfo(TZ), current=Severity.WARNING
    )
    view = alert_view(_firing(evaluation), spec, log=CallLog(), now=NOW, tz=TZ, channel="C1")
    return "\n".join(strings(render_alert_message(view, lang).to_payload()))


def _snap(*queues: QueueStat) -> QueueSnapshot:
    return QueueSnapshot(at=NOW, queues=queues)


SNAP = _snap(
    QueueStat("1", "Ventas", waiting=7, inbound=48, service_level=62.0),
    QueueStat("2", "Soporte", waiting=1, inbound=30, service_level=75.0),
    QueueStat("3", "Cobros", waiting=0, inbound=20, service_level=97.0),
)


def test_a_service_level_alert_names_the_queue_and_says_below() -> None:
    english = _render(SERVICE, SNAP, "en")
    assert (
        "Service level *62%* on Ventas (48 inbound calls); warning below 80%; "
        "1 more queue past it" in english
    ), english
    spanish = _render(SERVICE, SNAP, "es")
    assert "Nivel de servicio *62 %* en Ventas (48 llamadas entrantes)" in spanish, spanish
    assert "advertencia por debajo de 80 %" in spanish


def test_a_waiting_alert_says_at_and_escapes_the_queue_name() -> None:
    snap = _snap(QueueStat("9", "<!here> Ventas & co", waiting=12, inbound=5))
    english = _render(WAITING, snap, "en")
    assert "*12* waiting on &lt;!here&gt; Ventas &amp; co" in english, english
    assert "critical at 10" in english
    assert "<!here>" not in english


def test_a_queue_rule_without_a_snapshot_says_it_cannot_judge_the_queues() -> None:
    english = _render(SERVICE, None, "en")
    assert "Cannot judge the queues now" in english, english
    assert "Wolkvox is unavailable" not in english
