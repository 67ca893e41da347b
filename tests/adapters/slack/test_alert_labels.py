"""Every number has its label (issue 12): the threshold shown is the one of the severity
shown, a resolved alert says what it recovered below, a bounded rate shows the raw rate
and the bound, a quiet or muted alert says why, and `wolkvox-unavailable` reads as an age
wherever it appears. Each case runs the real rules and state machine over a day of polls
(tests/domain/test_supervisor_day.py), builds the view as the notifier does and renders it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.slack.blocks import render_alert_message, render_alerts, render_rules
from bot.adapters.slack.blocks_alerts import render_alert_note
from bot.adapters.slack.blocks_home import render_home
from bot.adapters.slack.wording import mention_markup
from bot.domain.alerts import Alert, AlertState
from bot.domain.call_log import CallLog
from bot.domain.rules import evaluate_unavailable, unavailable_rule
from bot.domain.silences import SilenceBook
from bot.domain.specs import RuleSpec
from bot.services.views.alert import AlertEvent, Unit
from bot.services.views.alert_build import alert_view
from bot.services.views.replies import AlertsView, HomeOperation, HomeView, RuleLine, RulesView
from bot.services.views.replies_build import alert_line
from tests.domain.test_supervisor_day import (
    ABANDON_RATE,
    BOUNDED,
    OFFICE,
    OP,
    Poll,
    local,
    run_day,
)
from tests.support.slack_text import strings

TZ = "America/Bogota"
P = Poll


def _message(spec: RuleSpec, polls: list[Poll], lang: str = "en") -> str:
    alert = run_day(spec, polls)[-1].alert
    now = local(polls[-1].at)
    view = alert_view(alert, spec, log=CallLog(), now=now, tz=TZ, channel="C1")
    return "\n".join(strings(render_alert_message(view, lang).to_payload()))


# (case, rule, polls, language, what the message must say, what it must not)
CASES: list[tuple[str, RuleSpec, list[Poll], str, list[str], list[str]]] = [
    (
        "critical kept below its threshold names critical's threshold and its way out",
        ABANDON_RATE,
        [P("10:00", 80, 20), P("10:10", 90, 10)],
        "en",
        ["*10.0%* of 100 inbound calls; critical at 15%",
         "10 of 100 in 10 minutes, critical until below 8%"],
        ["critical at 8%", "warning at 8%"],
    ),
    (
        "a bounded rate shows the raw rate and the bound it is judged by",
        BOUNDED,
        [P("10:00", 79, 21)],
        "en",
        ["*21.0%* of 100 inbound calls; critical at 15%", "lower bound 15.1% at 90% confidence"],
        [],
    ),
    (
        "a resolved alert says what it recovered below, with the bound",
        BOUNDED,
        [P("10:00", 79, 21), P("10:10", 91, 9)],
        "en",
        ["*9.0%* of 100 inbound calls; recovered: lower bound 5.", "below 6%",
         "Resolved at 10:10 after 10 minutes; peak 21.0% (critical)"],
        ["critical at 8%", "critical at 15%", "not yet below", "recovered below 6%"],
    ),
    (
        "recovering, not yet resolved (for 2)",
        replace(ABANDON_RATE, for_=2),
        [P("10:00", 80, 20), P("10:10", 80, 20), P("10:20", 96, 4)],
        "en",
        ["*4.0%* of 100 inbound calls; below 6%: 1 of 2 evaluations to resolve"],
        ["critical at 8%"],
    ),
    (
        "too few calls to judge: the alert stays open and says why",
        ABANDON_RATE,
        [P("10:00", 80, 20), P("10:10", 10, 5)],
        "en",
        ["Too few calls to judge: 15 of 20.", "since 10:10", "*20.0%* of 100 inbound calls"],
        ["Resolved"],
    ),
    (
        "pocas llamadas, en español",
        ABANDON_RATE,
        [P("10:00", 80, 20), P("10:10", 10, 5)],
        "es",
        ["Muy pocas llamadas para juzgar: 15 de 20.", "sin datos no se da por resuelta"],
        ["Too few"],
    ),
    (
        "resolved with nothing to judge says so",
        ABANDON_RATE,
        [P("10:00", 80, 20), P("10:10"), P("10:20"), P("10:30"), P("10:40")],
        "en",
        ["Too few calls to judge: 0 of 20.",
         "Resolved at 10:40 after 40 minutes: nothing to judge for 30 minutes; "
         "peak 20.0% (critical)"],
        ["recovered below"],
    ),
    (
        "outside active hours since 18:00",
        OFFICE,
        [P("17:50", 80, 20), P("18:10", 80, 20)],
        "en",
        ["Outside active hours since 18:00: no reminders or escalations"],
        [],
    ),
    (
        "fuera del horario activo",
        OFFICE,
        [P("17:50", 80, 20), P("18:10", 80, 20)],
        "es",
        ["Fuera del horario activo desde las 18:00"],
        ["Outside"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "polls", "lang", "says", "never"),
    [pytest.param(*row[1:], id=row[0]) for row in CASES],
)
def test_every_number_has_its_label(
    spec: RuleSpec, polls: list[Poll], lang: str, says: list[str], never: list[str]
) -> None:
    text = _message(spec, polls, lang)
    for expected in says:
        assert expected in text
    for wrong in never:
        assert wrong not in text


def test_the_thread_note_of_a_quiet_resolution_says_why() -> None:
    polls = [P("10:00", 80, 20), P("10:10"), P("10:20"), P("10:30"), P("10:40")]
    alert = run_day(ABANDON_RATE, polls)[-1].alert
    view = alert_view(alert, ABANDON_RATE, log=CallLog(), now=local("10:40"), tz=TZ, channel="C")
    note = render_alert_note(view, AlertEvent.RESOLVED, "en").text
    assert "Resolved after 40 minutes: nothing to judge for 30 minutes." in note


NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def _unavailable_line() -> str:
    evaluation = evaluate_unavailable(
        OP,
        now=NOW,
        last_success=NOW - timedelta(minutes=15),
        last_error="timeout",
        consecutive_failures=3,
        poll_every=timedelta(minutes=5),
    )
    alert = replace(
        Alert.new("wolkvox-unavailable", OP),
        state=AlertState.FIRING,
        severity=evaluation.severity,
        fired_at=NOW - timedelta(minutes=5),
        last_evaluation=evaluation,
    )
    line = alert_line(alert, unavailable_rule(), SilenceBook(), NOW)
    assert line.unit is Unit.AGE
    alerts = render_alerts(AlertsView(as_of=NOW, lines=(line,), tz=TZ), "en")
    home = render_home(
        HomeView(
            as_of=NOW,
            operations=(
                HomeOperation(
                    operation=OP,
                    last_poll_at=NOW - timedelta(minutes=15),
                    outcome="error",
                    poll_every=timedelta(minutes=5),
                    firing=(line,),
                ),
            ),
            tz=TZ,
        ),
        "en",
    )
    return "\n".join([*strings(alerts.to_payload()), *strings(home)])


def test_wolkvox_unavailable_reads_as_an_age_in_alerts_and_on_the_home_tab() -> None:
    text = _unavailable_line()
    assert text.count("no data for 15 minutes; critical after 10 minutes") == 2
    assert "900" not in text and "600" not in text


def test_wolkvox_unavailable_reads_as_an_age_in_rules() -> None:
    line = RuleLine(
        rule="wolkvox-unavailable",
        kind="unavailable",
        operation=OP,
        state="firing",
        value=900.0,
        unit=Unit.AGE,
        critical=600.0,
        severity="critical",
    )
    text = "\n".join(strings(render_rules(RulesView(as_of=NOW, lines=(line,)), "en").to_payload()))
    assert "last data 15 minutes ago" in text
    assert "critical after 10 minutes" in text
    assert "900" not in text


def test_a_mention_naming_several_people_pings_each_of_them() -> None:
    assert mention_markup("<!subteam^S0ONCALL> <@U0LEAD1>") == "<!subteam^S0ONCALL> <@U0LEAD1>"
    assert mention_markup("<!here> here") == "<!here>"


def test_one_bad_part_makes_the_whole_mention_ping_no_one() -> None:
    shown = mention_markup("<@U0LEAD1> <!everyone> oncall")
    assert "<@" not in shown and "<!" not in shown
