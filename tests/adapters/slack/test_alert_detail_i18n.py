"""Alert messages say why they read as they do in the configured language.

The domain explains each evaluation in English for the logs (`Evaluation.detail`);
a Spanish channel must never see that sentence. Each case evaluates a real rule
over a real call log, builds the incident's view as the notifier does, renders it
in both languages and reads it as a person would.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.slack.blocks import render_alert_message, render_status
from bot.adapters.slack.blocks_kit import Message
from bot.domain.alerts import Alert, AlertState
from bot.domain.call_log import CallLog
from bot.domain.calls import NETWORK_FAILURE_RESULTS, CallRecord
from bot.domain.rules import evaluate, evaluate_unavailable, unavailable_rule
from bot.domain.specs import CallFilter, Evaluation, RuleKind, RuleSpec, Severity
from bot.services.state import PollState
from bot.services.views.alert_build import alert_view
from bot.services.views.replies import OperationStatus, StatusView
from tests.support.slack_text import strings

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
TZ = "America/Bogota"
OP = "bogota"
REFUSED = "Wolkvox refused the token (403 PLEASE VALIDATE TOKEN): it is wrong or expired."
ENGLISH = re.compile(
    r"\b(lower bound|confidence|at or above|below|matching|polls?|failed|held|"
    r"volume guard|calls in|no data|never reached|refused|rejected|gap)\b",
    re.IGNORECASE,
)

RATE = RuleSpec(
    name="abandon-rate",
    kind=RuleKind.RATE,
    match=CallFilter(results=frozenset({"abandon"})),
    among=CallFilter(types=frozenset({"inbound"})),
    warning=0.08,
    critical=0.25,
    confidence=0.9,
    min_calls=20,
)
NETWORK = RuleSpec(
    name="network-failures",
    kind=RuleKind.RATE,
    match=CallFilter(results=NETWORK_FAILURE_RESULTS),
    among=CallFilter(types=frozenset({"out_pre"})),
    warning=0.1,
)


def _log(answered: int, abandoned: int, *, polled_at: tuple[datetime, ...] = (NOW,)) -> CallLog:
    log = CallLog()
    kinds = [("inbound", "answer")] * answered + [("inbound", "abandon")] * abandoned
    kinds += [("out_pre", "chanunavail")] * 3 + [("out_pre", "answer")] * 7
    records = [
        CallRecord(f"c{i}", NOW - timedelta(seconds=5 + 3 * i), t, r)
        for i, (t, r) in enumerate(kinds)
    ]
    for at in polled_at:
        log.ingest(OP, [r for r in records if r.at <= at], now=at)
    return log


def _firing(evaluation: Evaluation) -> Alert:
    return replace(
        Alert.new(evaluation.rule, OP),
        state=AlertState.FIRING,
        severity=evaluation.severity or Severity.WARNING,
        incident_id="inc-1",
        fired_at=NOW - timedelta(minutes=4),
        last_evaluation=evaluation,
    )


def _render(spec: RuleSpec, log: CallLog, lang: str, poll: PollState | None = None) -> str:
    evaluation = evaluate(spec, OP, log, now=NOW, tz=ZoneInfo(TZ))
    view = alert_view(_firing(evaluation), spec, log=log, now=NOW, tz=TZ, channel="C1", poll=poll)
    return _text(render_alert_message(view, lang))


def _text(message: Message) -> str:
    return "\n".join(strings(message.to_payload()))


def test_a_rate_alert_gives_its_evidence_in_spanish_numbers() -> None:
    log = _log(answered=100, abandoned=16)
    evaluation = evaluate(RATE, OP, log, now=NOW, tz=ZoneInfo(TZ))
    assert "lower bound" in evaluation.detail  # the domain's log text, in English

    spanish = _render(RATE, log, "es")
    english = _render(RATE, log, "en")

    assert evaluation.detail not in spanish
    assert re.search(
        r"16 de 116 en 10 minutos, límite inferior \d+,\d % con 90 % de confianza", spanish
    )
    assert re.search(r"16 of 116 in 10 minutes, lower bound \d+\.\d% at 90% confidence", english)
    assert not ENGLISH.search(spanish), ENGLISH.search(spanish)


def test_a_network_failure_rule_names_its_measure_in_words() -> None:
    spanish = _render(NETWORK, _log(answered=30, abandoned=0), "es")
    assert "Fallas de red: *30,0 %* de 10 llamadas" in spanish
    assert "chanunavail" not in spanish.lower()


@pytest.mark.parametrize(
    ("polled_at", "spec", "es", "en"),
    [
        (
            (NOW - timedelta(minutes=5), NOW),
            replace(RATE, min_calls=500),
            "Muy pocas llamadas para juzgar: 116 de 500.",
            "Too few calls to judge: 116 of 500.",
        ),
        (
            (NOW - timedelta(minutes=5),),  # the last 5 minutes were never polled
            RATE,
            "En espera: las consultas exitosas cubrieron solo 50 % de los últimos 10 minutos.",
            "On hold: successful polls covered only 50% of the last 10 minutes.",
        ),
    ],
)
def test_an_alert_without_a_value_says_why_in_the_reader_language(
    polled_at: tuple[datetime, ...], spec: RuleSpec, es: str, en: str
) -> None:
    log = _log(answered=100, abandoned=16, polled_at=polled_at)
    spanish = _render(spec, log, "es")
    assert es in spanish
    assert not ENGLISH.search(spanish), ENGLISH.search(spanish)
    assert en in _render(spec, log, "en")


def _unavailable(last_success: datetime | None, lang: str) -> str:
    failures = 4
    evaluation = evaluate_unavailable(
        OP,
        now=NOW,
        last_success=last_success,
        last_error=REFUSED,
        consecutive_failures=failures,
        poll_every=timedelta(seconds=30),
    )
    poll = PollState(
        last_success_at=last_success,
        last_error=REFUSED,
        last_error_kind="token_rejected",
        consecutive_failures=failures,
    )
    spec = unavailable_rule()
    view = alert_view(
        _firing(evaluation), spec, log=CallLog(), now=NOW, tz=TZ, channel="C1", poll=poll
    )
    return _text(render_alert_message(view, lang))


@pytest.mark.parametrize(
    ("last_success", "lead"),
    [
        (
            NOW - timedelta(minutes=3),
            "Sin datos de Wolkvox desde hace *3 minutos*; crítica después de 1 minuto",
        ),
        (None, "Wolkvox aún no ha respondido ninguna consulta"),
    ],
)
def test_wolkvox_unavailable_reads_in_spanish(last_success: datetime | None, lead: str) -> None:
    spanish = _unavailable(last_success, "es")
    assert lead in spanish
    assert "4 consultas fallidas seguidas" in spanish
    # Issue 12: the client's English text is no longer shown to Spanish readers.
    assert "Último error: Wolkvox rechazó el token" in spanish
    assert "refused" not in spanish
    assert not ENGLISH.search(spanish), ENGLISH.search(spanish)
    assert "llamadas" not in spanish  # the value is an age, not a count of calls


def test_wolkvox_unavailable_in_english_keeps_the_client_text_as_it_is() -> None:
    english = _unavailable(NOW - timedelta(minutes=3), "en")
    assert "No data from Wolkvox for *3 minutes*; critical after 1 minute" in english
    assert f"4 failed polls in a row · Last error: {REFUSED}" in english
    assert "calls in the last" not in english


def test_the_last_error_in_status_leads_with_its_kind_in_spanish() -> None:
    view = StatusView(
        as_of=NOW,
        operations=(
            OperationStatus(
                operation=OP,
                last_poll_at=NOW,
                outcome="error",
                poll_every=timedelta(seconds=30),
                last_error=REFUSED,
                last_error_kind="token_rejected",
            ),
        ),
        tz=TZ,
    )
    spanish = _text(render_status(view, "es"))
    assert "Último error: Wolkvox rechazó el token" in spanish
    assert "refused" not in spanish  # issue 12: Spanish all the way
    assert f"Last error: {REFUSED}" in _text(render_status(view, "en"))
