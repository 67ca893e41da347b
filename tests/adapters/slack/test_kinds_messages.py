"""Budget and expected alerts say where the day is heading and what the slot usually
brings, in the reader's language (issue 16). Each case evaluates a real rule over a
real call log, builds the incident's view as the notifier does and renders it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.slack.blocks import render_alert_message
from bot.adapters.slack.blocks_digest import render_digest_message
from bot.adapters.slack.blocks_kinds import budget_day_line, kind_evidence
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import TIMES
from bot.domain.alerts import Alert, AlertState
from bot.domain.call_log import CallLog
from bot.domain.rules import evaluate
from bot.domain.specs import Evaluation, RuleSpec, Severity
from bot.services.views.alert import AlertMessageView, DigestView
from bot.services.views.alert_build import alert_view
from tests.domain.test_budget import NOON, OPENING, day_log
from tests.domain.test_budget import SPEC as BUDGET
from tests.domain.test_expected import NOW as SLOT_END
from tests.domain.test_expected import SPEC as EXPECTED
from tests.domain.test_expected import history, window_calls
from tests.support.slack_text import strings

TZ = "America/Bogota"
H = timedelta(hours=1)


def _firing(evaluation: Evaluation) -> Alert:
    return replace(
        Alert.new(evaluation.rule, "bogota"),
        state=AlertState.FIRING,
        severity=evaluation.severity or Severity.WARNING,
        incident_id="inc-1",
        fired_at=NOON - timedelta(minutes=10),
        last_evaluation=evaluation,
    )


def _render(spec: RuleSpec, log: CallLog, lang: str, now: datetime) -> str:
    evaluation = evaluate(spec, "bogota", log, now=now, tz=ZoneInfo(TZ))
    view = alert_view(_firing(evaluation), spec, log=log, now=now, tz=TZ, channel="C1")
    return "\n".join(strings(render_alert_message(view, lang).to_payload()))


def test_a_budget_alert_says_where_the_day_is_heading() -> None:
    log = day_log((OPENING, NOON - H, 10, 0.2), (NOON - H, NOON, 10, 2))
    english = _render(BUDGET, log, "en", NOON)
    spanish = _render(BUDGET, log, "es", NOON)
    # 156 abandons of 2,400 since 08:00 (6.5%); at the last hour's pace (120 of 600 an
    # hour) the day closes at (156 + 720) / 6,000 = 14.6%; 300 allowed: spent by 13:12.
    assert (
        "Today 6.5% abandoned of 2,400 calls (target 5%); at the last hour's pace the day closes "
        "at 14.6%; budget spent by 13:12" in english
    ), english
    assert (
        "Hoy 6,5 % abandonadas de 2.400 llamadas (objetivo 5 %); al ritmo de la última hora el día "
        "cierra en 14,6 %; presupuesto agotado hacia las 13:12" in spanish
    ), spanish
    assert f"sustainable pace (600 calls); critical at {TIMES}2" in english
    assert f"ritmo sostenible (600 llamadas); crítica desde {TIMES}2" in spanish


def test_an_expected_alert_says_what_the_slot_usually_brings() -> None:
    log = history(85, 90, 80)
    window_calls(log, SLOT_END, 12)
    english = _render(EXPECTED, log, "en", SLOT_END)
    spanish = _render(EXPECTED, log, "es", SLOT_END)
    assert (
        "12 inbound calls in 15 min; a Tuesday 10:00 usually brings 85 "
        "(chance below 1 in 1,000,000)" in english
    ), english
    assert (
        "12 llamadas entrantes en 15 min; un martes a las 10:00 suele traer 85 "
        "(probabilidad menor que 1 en 1.000.000)" in spanish
    ), spanish


def test_an_expected_rule_without_history_says_so() -> None:
    log = CallLog(retention=timedelta(days=35))
    window_calls(log, SLOT_END, 12)
    assert "Not enough history yet" in _render(EXPECTED, log, "en", SLOT_END)
    assert "Aún no hay historial suficiente" in _render(EXPECTED, log, "es", SLOT_END)


def _view(spec: RuleSpec, log: CallLog, now: datetime) -> AlertMessageView:
    evaluation = evaluate(spec, "bogota", log, now=now, tz=ZoneInfo(TZ))
    return alert_view(_firing(evaluation), spec, log=log, now=now, tz=TZ, channel="C1")


def test_a_storm_digest_carries_both_kinds_in_the_reader_language() -> None:
    budget = _view(BUDGET, day_log((OPENING, NOON - H, 10, 0.2), (NOON - H, NOON, 10, 2)), NOON)
    slot = history(85, 90, 80)
    window_calls(slot, SLOT_END, 12)
    expected = replace(_view(EXPECTED, slot, SLOT_END), incident_id="inc-2")
    digest = DigestView("d-1", NOON, NOON, (budget, expected), tz=TZ)
    spanish = "\n".join(strings(render_digest_message(digest, "es").to_payload()))
    assert "Hoy 6,5 % abandonadas de 2.400 llamadas (objetivo 5 %)" in spanish, spanish
    assert "12 llamadas entrantes en 15 min; un martes a las 10:00 suele traer 85" in spanish
    english = "\n".join(strings(render_digest_message(digest, "en").to_payload()))
    assert "a Tuesday 10:00 usually brings 85" in english


@pytest.mark.parametrize(
    ("lang", "matched", "calls", "label", "said"),
    [
        ("es", 1, 1, "abandon", "hoy 100,0 % abandonada de 1 llamada (objetivo 5 %)"),
        ("es", 156, 2400, "abandon", "hoy 6,5 % abandonadas de 2.400 llamadas (objetivo 5 %)"),
        ("es", 2, 40, "abandon + busy", "hoy 5,0 % abandonadas + ocupadas de 40 llamadas"),
        ("es", 1, 1, "", "hoy 100,0 % que coincide de 1 llamada"),
        ("es", 3, 40, "", "hoy 7,5 % que coinciden de 40 llamadas"),
        ("en", 1, 1, "abandon", "today 100.0% abandoned of 1 call (target 5%)"),
        ("en", 156, 2400, "abandon", "today 6.5% abandoned of 2,400 calls (target 5%)"),
    ],
)
def test_the_budget_day_line_agrees_with_one_call_and_with_many(
    lang: str, matched: int, calls: int, label: str, said: str
) -> None:
    facts = {"objective": 0.05, "day_population": float(calls), "day_matched": float(matched)}
    line = budget_day_line(Translator(lang), facts, measure_label=label, tz=TZ, as_of=NOON)
    assert said in line, line


@pytest.mark.parametrize(
    ("lang", "calls", "said"),
    [
        ("es", 1, "ritmo sostenible (1 llamada)"),
        ("es", 600, "ritmo sostenible (600 llamadas)"),
        ("en", 1, "sustainable pace (1 call)"),
    ],
)
def test_the_budget_burn_line_agrees_with_its_count(lang: str, calls: int, said: str) -> None:
    view = AlertMessageView(
        incident_id="inc-1",
        rule="abandon-budget",
        operation="bogota",
        state="firing",
        severity="warning",
        since=NOON,
        as_of=NOON,
        value=3.0,
        threshold=2.0,
        population=calls,
        rule_kind="budget",
    )
    assert said in kind_evidence(Translator(lang), view)


def test_a_budget_held_critical_by_recover_critical_says_until_when() -> None:
    # 8% all day: the fast tier burns about 1.3, under its 2; recover_critical 1 holds
    # the critical alert, and its message says so instead of a bare "critical at x2".
    spec = replace(BUDGET, recover_critical=1.0)
    log = day_log((OPENING, NOON, 10, 0.8))
    evaluation = evaluate(spec, "bogota", log, now=NOON, tz=ZoneInfo(TZ), current=Severity.CRITICAL)
    view = alert_view(_firing(evaluation), spec, log=log, now=NOON, tz=TZ, channel="C1")
    english = "\n".join(strings(render_alert_message(view, "en").to_payload()))
    spanish = "\n".join(strings(render_alert_message(view, "es").to_payload()))
    assert "Critical: abandon-budget" in english
    assert f"critical at {TIMES}2, critical until below {TIMES}1" in english, english
    assert f"crítica desde {TIMES}2, crítica hasta bajar de {TIMES}1" in spanish, spanish
