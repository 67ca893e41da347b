"""Sparklines draw minutes no successful poll covered as gaps, never as quiet minutes.

Right after the bot starts, the hour before it is unknown, not empty: an alert's
"last hour" and the Home tab's hour must not show it as a flat line of zero calls.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.adapters.slack.blocks import render_alert_message, render_home
from bot.adapters.slack.wording import SPARK_GAP
from bot.domain.alerts import Alert, AlertState
from bot.domain.call_log import CallLog
from bot.domain.calls import CallRecord
from bot.domain.rules import evaluate
from bot.domain.specs import CallFilter, RuleKind, RuleSpec, Severity
from bot.services.views.alert_build import alert_view
from bot.services.views.replies_build import home_view
from tests.support.frontend_world import make_world, mix
from tests.support.slack_text import strings

NOW = datetime(2026, 11, 24, 15, 0, 30, tzinfo=UTC)
OP = "bogota"
RULE = RuleSpec(
    name="abandons",
    kind=RuleKind.COUNT,
    match=CallFilter(results=frozenset({"abandon"})),
    warning=1,
)


def _log_polled_at(*polls: datetime) -> CallLog:
    log = CallLog()
    for at in polls:
        calls = [CallRecord(f"{at:%H%M}-{i}", at - timedelta(minutes=i), "inbound", "abandon")
                 for i in range(1, 4)]  # fmt: skip
        log.ingest(OP, calls, now=at)
    return log


def _view(log: CallLog):
    evaluation = evaluate(RULE, OP, log, now=NOW, tz=ZoneInfo("UTC"))
    alert = replace(
        Alert.new(RULE.name, OP),
        state=AlertState.FIRING,
        severity=Severity.WARNING,
        incident_id="inc-1",
        fired_at=NOW,
        last_evaluation=evaluation,
    )
    return alert_view(alert, RULE, log=log, now=NOW, tz="UTC", channel="C1")


def test_the_hour_before_the_first_poll_is_a_gap_in_the_alert() -> None:
    view = _view(_log_polled_at(NOW))

    assert len(view.series) == 60
    assert view.series[:50] == (None,) * 50
    assert None not in view.series[50:] and sum(view.series[50:]) == 3  # type: ignore[arg-type]
    texts = strings(render_alert_message(view, "es").to_payload())
    [spark] = [text for text in texts if text.startswith("Última hora: ")]
    assert spark.startswith("Última hora: " + SPARK_GAP * 50)
    assert "▁" in spark and "█" in spark


def test_a_missed_stretch_in_the_middle_is_a_gap_and_polled_quiet_minutes_are_not() -> None:
    log = _log_polled_at(NOW - timedelta(minutes=40), NOW)
    view = _view(log)

    covered = [i for i, v in enumerate(view.series) if v is not None]
    assert covered == list(range(10, 20)) + list(range(50, 60))
    assert 0 in view.series  # a polled minute without calls is still drawn as a bar


async def test_the_home_tab_hour_shows_the_unpolled_minutes_as_a_gap() -> None:
    world = await make_world()
    await world.poll(mix(world.clock.now()))

    view = home_view(world.state, now=world.clock.now())

    [panel] = view.operations
    assert panel.series[:50] == (None,) * 50
    text = "\n".join(strings(render_home(view, "en")))
    assert SPARK_GAP * 50 in text
