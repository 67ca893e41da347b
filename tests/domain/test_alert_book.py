"""The alert book steps every (rule, operation) of a poll together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.alert_book import AlertBook
from bot.domain.alerts import AlertState, Notify, Reason
from bot.domain.silences import Silence, SilenceBook
from bot.domain.specs import EvalStatus, Evaluation, RuleKind, RuleSpec, Severity

T0 = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
SPECS = {
    "abandon-rate": RuleSpec(name="abandon-rate", kind=RuleKind.RATE, warning=0.08),
    "flatline": RuleSpec(name="flatline", kind=RuleKind.FLATLINE, below=1),
}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ev(rule: str, operation: str, status: EvalStatus) -> Evaluation:
    severity = Severity.WARNING if status is EvalStatus.BREACH else None
    return Evaluation(rule=rule, operation=operation, status=status, severity=severity, value=0.1)


def test_each_rule_and_operation_has_its_own_state_and_silence() -> None:
    silences = SilenceBook().add(
        Silence.create(
            rule="abandon-rate",
            operation="lima",
            starts_at=at(0),
            ends_at=at(60),
            created_by="U1",
        )
    )
    evaluations = [
        ev("abandon-rate", "bogota", EvalStatus.BREACH),
        ev("abandon-rate", "lima", EvalStatus.BREACH),
        ev("flatline", "bogota", EvalStatus.CLEAR),
    ]
    book, decisions = AlertBook().step_all(evaluations, SPECS, silences, at(1))
    assert [(d.alert.key, d.reason, d.notify) for d in decisions] == [
        (("abandon-rate", "bogota"), Reason.FIRST, Notify.POST),
        (("abandon-rate", "lima"), Reason.SILENCED, Notify.NONE),
        (("flatline", "bogota"), Reason.NONE, Notify.NONE),
    ]
    assert {a.key for a in book.firing()} == {("abandon-rate", "bogota"), ("abandon-rate", "lima")}
    assert book.get("flatline", "lima").state is AlertState.INACTIVE
    assert len(book) == 3

    book, decisions = book.step_all(
        [ev("abandon-rate", "bogota", EvalStatus.CLEAR)], SPECS, silences, at(2)
    )
    assert decisions[0].reason is Reason.RESOLVED
    assert book.get("abandon-rate", "lima").firing


def test_stepping_returns_a_new_book_and_leaves_the_old_one_alone() -> None:
    before = AlertBook()
    after, _ = before.step_all(
        [ev("abandon-rate", "bogota", EvalStatus.BREACH)], SPECS, SilenceBook(), at(0)
    )
    assert len(before) == 0
    assert after.get("abandon-rate", "bogota").firing
    assert after == AlertBook.of(after)


def test_an_evaluation_of_an_unknown_rule_is_a_wiring_error() -> None:
    with pytest.raises(ValueError, match="no-such-rule"):
        AlertBook().step_all(
            [ev("no-such-rule", "bogota", EvalStatus.BREACH)], SPECS, SilenceBook(), at(0)
        )


def test_acknowledging_by_incident_id_from_a_button_is_idempotent() -> None:
    book, decisions = AlertBook().step_all(
        [ev("abandon-rate", "bogota", EvalStatus.BREACH)], SPECS, SilenceBook(), at(0)
    )
    incident = decisions[0].alert.incident_id
    assert incident is not None
    book, first = book.acknowledge(incident, by="U1", now=at(1))
    book, second = book.acknowledge(incident, by="U2", now=at(2))
    assert first is not None and second is not None
    assert (first.reason, second.reason) == (Reason.ACKNOWLEDGED, Reason.NONE)
    assert book.get("abandon-rate", "bogota").acked_by == "U1"
    assert book.acknowledge("abandon-rate:bogota:19990101T000000", by="U1", now=at(3)) == (
        book,
        None,
    )
